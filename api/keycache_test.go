package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestKeyCache: verified keys are trusted from memory for KeyCacheTTL, so a
// revocation written behind this process's back (another replica) takes
// effect within that time; last use is written at most once a minute.
func TestKeyCache(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		start := time.Now().UTC().Truncate(time.Second)
		e.clock.set(start)
		key, id := e.keys[domain.RoleAuditor], e.keyIDs[domain.RoleAuditor]
		mustStatus(t, e.do("GET", "/api/v1/vendors", key, nil), http.StatusOK)

		var touched time.Time
		if err := db.SQL().QueryRow("SELECT last_used_at FROM api_keys WHERE id = '" + id + "'").Scan(&touched); err != nil {
			t.Fatal(err)
		}
		if !touched.Equal(start) {
			t.Errorf("last_used_at = %s, want %s", touched, start)
		}

		// Another replica revokes the key.
		if _, err := db.SQL().Exec("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE id = '" + id + "'"); err != nil {
			t.Fatal(err)
		}
		e.clock.set(start.Add(access.KeyCacheTTL - time.Second))
		mustStatus(t, e.do("GET", "/api/v1/vendors", key, nil), http.StatusOK)
		e.clock.set(start.Add(access.KeyCacheTTL))
		mustStatus(t, e.do("GET", "/api/v1/vendors", key, nil), http.StatusUnauthorized)
	})
}
