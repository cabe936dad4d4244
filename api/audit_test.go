package api_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// The public key every role can read checks the checkpoints the sealer
// signs, and audit events show their leaf index once sealed.
func TestAuditPublicKeyAndLeafIndex(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		res := e.do("GET", "/api/v1/audit/public-key", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, 200)
		var pk struct{ Key, Origin, Algorithm string }
		res.decode(t, &pk)
		if pk.Key != e.auditKeys.Public || pk.Origin != auditlog.Origin || pk.Algorithm != "ed25519" {
			t.Fatalf("public key = %+v, want %s", pk, e.auditKeys.Public)
		}
		v, err := auditlog.ParseVerifierKey(pk.Key)
		if err != nil {
			t.Fatal(err)
		}

		e.createVendor(map[string]any{"name": "Sealed Vendor"})
		type page struct {
			Items []struct {
				Action    string `json:"action"`
				LeafIndex *int64 `json:"leaf_index"`
			} `json:"items"`
		}
		var before page
		e.do("GET", "/api/v1/audit-events?entity=vendor", e.keys[domain.RoleAuditor], nil).decode(t, &before)
		if len(before.Items) != 1 || before.Items[0].LeafIndex != nil {
			t.Fatalf("before sealing: %+v, want one event with a null leaf_index", before.Items)
		}
		res2, err := repotest.Sealer(db, e.auditKeys).Seal(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auditlog.Open(res2.Checkpoint.Note, v); err != nil {
			t.Errorf("the served key does not check the sealer's checkpoint: %v", err)
		}
		var after page
		e.do("GET", "/api/v1/audit-events?entity=vendor", e.keys[domain.RoleAuditor], nil).decode(t, &after)
		if len(after.Items) != 1 || after.Items[0].LeafIndex == nil || *after.Items[0].LeafIndex >= res2.Checkpoint.Size {
			t.Errorf("after sealing: %+v, want a leaf index below %d", after.Items, res2.Checkpoint.Size)
		}
	})
}
