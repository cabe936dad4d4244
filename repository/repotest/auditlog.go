package repotest

import (
	"sync"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/repository"
)

// AuditKeys returns a new signing key for an audit log under test.
func AuditKeys(t testing.TB) auditlog.Keys {
	t.Helper()
	keys, err := auditlog.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// Sealer returns a sealer of db's audit log signing with keys.
func Sealer(db *repository.DB, keys auditlog.Keys) *auditlog.Sealer {
	return &auditlog.Sealer{Tx: db, Store: repository.NewAuditLog(db), Keys: keys, Clock: domain.SystemClock{}}
}

// sharedKeys sign the audit logs SealAndVerify seals, so it can seal the
// same database again.
var sharedKeys = sync.OnceValues(auditlog.GenerateKeys)

// SealAndVerify seals every committed audit event of db with a test key,
// verifies the log against the checkpoint it signed, fails t unless the
// log is intact with nothing left unsealed, and returns how many events
// the log holds.
func SealAndVerify(t testing.TB, db *repository.DB) int64 {
	t.Helper()
	keys, err := sharedKeys()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sealer(db, keys).Seal(t.Context())
	if err != nil {
		t.Fatalf("seal the audit log: %v", err)
	}
	var given []auditlog.Given
	if res.Checkpoint.Note != "" {
		given = append(given, auditlog.Given{Source: "seal", Note: res.Checkpoint.Note})
	}
	rep, err := auditlog.Verify(t.Context(), repository.NewAuditLog(db), keys.Verifier, given)
	if err != nil {
		t.Fatalf("verify the audit log: %v", err)
	}
	if !rep.Intact() || rep.Unsealed != 0 {
		t.Fatalf("audit log not intact after sealing: %+v", rep)
	}
	return rep.Leaves
}
