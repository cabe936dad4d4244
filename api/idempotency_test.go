package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestIdempotencyKey(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		body := map[string]any{"name": "Retry Co", "criticality": "high"}

		first := e.do("POST", "/api/v1/vendors", mgr, body, "Idempotency-Key", "create-retry-co")
		mustStatus(t, first, http.StatusCreated)
		again := e.do("POST", "/api/v1/vendors", mgr, body, "Idempotency-Key", "create-retry-co")
		mustStatus(t, again, http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
			again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("ETag") != first.Header.Get("ETag") {
			t.Errorf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if n := e.countRows("vendors"); n != 1 {
			t.Errorf("%d vendors after a retried create, want 1", n)
		}
		// The same key with another body is refused and creates nothing.
		res := e.do("POST", "/api/v1/vendors", mgr, map[string]any{"name": "Other Co"}, "Idempotency-Key", "create-retry-co")
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := res.fields(t); len(f) != 1 || f[0] != "Idempotency-Key" {
			t.Errorf("fields %v", f)
		}
		// Keys belong to an API key: another caller's same key is separate.
		mustStatus(t, e.do("POST", "/api/v1/vendors", e.keys[domain.RoleAdmin], map[string]any{"name": "Admin Co"},
			"Idempotency-Key", "create-retry-co"), http.StatusCreated)
		// A failed request changes nothing, so its key can be used again.
		mustStatus(t, e.do("POST", "/api/v1/vendors", mgr, map[string]any{"name": ""}, "Idempotency-Key", "k2"), 422)
		mustStatus(t, e.do("POST", "/api/v1/vendors", mgr, map[string]any{"name": "Fixed Co"}, "Idempotency-Key", "k2"), 201)
		// A first request that never finished (crash between insert and
		// answer) blocks the key instead of creating twice.
		if _, err := db.SQL().Exec("INSERT INTO idempotency_keys (actor_id, key, method, path, request_sha256, status, created_at) " +
			"VALUES ('" + e.keyIDs[domain.RoleVendorManager] + "', 'k3', 'POST', '/api/v1/vendors', 'x', 0, CURRENT_TIMESTAMP)"); err != nil {
			t.Fatal(err)
		}
		mustStatus(t, e.do("POST", "/api/v1/vendors", mgr, map[string]any{"name": "Crash Co"}, "Idempotency-Key", "k3"), http.StatusUnprocessableEntity)
		mustStatus(t, e.do("POST", "/api/v1/vendors", mgr, body, "Idempotency-Key", "bad key with spaces"), http.StatusBadRequest)
		if n := e.countRows("vendors"); n != 3 {
			t.Errorf("%d vendors, want 3", n)
		}
	})
}

// A response that shows a secret once is never stored with it: a replay
// returns the resource without the secret and says so, and neither the
// idempotency table nor the webhook table holds the secret in clear.
func TestIdempotentReplayWithholdsSecrets(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		for _, tc := range []struct {
			path, secretField string
			body              map[string]any
			table             string
		}{
			{"/api/v1/api-keys", "key", map[string]any{"name": "ci", "role": "auditor"}, "api_keys"},
			{"/api/v1/webhooks", "secret", map[string]any{"url": "https://hooks.example.com/in", "events": []string{"finding.opened"}}, "webhooks"},
		} {
			first := e.do("POST", tc.path, admin, tc.body, "Idempotency-Key", "once-"+tc.secretField)
			mustStatus(t, first, http.StatusCreated)
			secret, _ := first.object(t)[tc.secretField].(string)
			if len(secret) < 20 {
				t.Fatalf("%s: first response has no %s: %s", tc.path, tc.secretField, first.Body)
			}
			again := e.do("POST", tc.path, admin, tc.body, "Idempotency-Key", "once-"+tc.secretField)
			mustStatus(t, again, http.StatusCreated)
			replay := again.object(t)
			if again.Header.Get("Idempotent-Replayed") != "true" || strings.Contains(string(again.Body), secret) {
				t.Errorf("%s: replay shows the secret: %s", tc.path, again.Body)
			}
			if _, has := replay[tc.secretField]; has || !strings.Contains(fmt.Sprint(replay["secret_withheld"]), "shown only in the first response") ||
				replay["id"] != first.object(t)["id"] {
				t.Errorf("%s: replay %s", tc.path, again.Body)
			}
			for _, table := range []string{"idempotency_keys", tc.table} {
				if n := e.countWhere(table, secret); n != 0 {
					t.Errorf("%s: %s holds the secret in clear in %d rows", tc.path, table, n)
				}
			}
		}
	})
}

// countWhere counts the rows of table with a column whose bytes contain s.
func (e *testEnv) countWhere(table, s string) int {
	e.t.Helper()
	rows, err := e.db.SQL().Query("SELECT * FROM " + table)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([][]byte, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		for _, v := range vals {
			if bytes.Contains(v, []byte(s)) {
				n++
				break
			}
		}
	}
	return n
}
