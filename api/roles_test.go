package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestRoleMatrix walks every route of the route table with every role, no
// key, a malformed header, a revoked key and an expired key.
func TestRoleMatrix(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		revoked, revokedPlain, err := e.keySvc.Create(ctx, access.NewKey{Name: "revoked", Role: domain.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.keySvc.Revoke(ctx, revoked.ID); err != nil {
			t.Fatal(err)
		}
		soon := time.Now().Add(50 * time.Millisecond)
		_, expiredPlain, err := e.keySvc.Create(ctx, access.NewKey{Name: "expiring", Role: domain.RoleAdmin, ExpiresAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)

		// Ids that exist nowhere: allowed callers get 404 or 422, never a
		// side effect.
		fill := strings.NewReplacer(":id", domain.NewID(), ":category", "ssn")
		for _, rt := range api.Routes() {
			path := fill.Replace(rt.Path)
			var body any
			if rt.Method == "POST" || rt.Method == "PATCH" {
				body = map[string]any{}
			}
			name := rt.Method + " " + rt.Path
			if rt.Roles == nil {
				res := e.do(rt.Method, path, "", body)
				if res.Code == 401 || res.Code == 403 {
					t.Errorf("%s is public but answered %d", name, res.Code)
				}
				continue
			}
			for _, bad := range []struct{ label, header string }{
				{"no key", ""},
				{"malformed header", "Basic dXNlcjpwYXNz"},
				{"bearer garbage", "Bearer not-a-key"},
				{"unknown key", "Bearer vw_000000000000_" + strings.Repeat("A", 43)},
				{"revoked key", "Bearer " + revokedPlain},
				{"expired key", "Bearer " + expiredPlain},
			} {
				var hdr []string
				if bad.header != "" {
					hdr = []string{"Authorization", bad.header}
				}
				res := e.do(rt.Method, path, "", body, hdr...)
				if res.Code != http.StatusUnauthorized {
					t.Errorf("%s with %s: %d, want 401", name, bad.label, res.Code)
				}
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s with %s: no WWW-Authenticate header", name, bad.label)
				}
			}
			for _, role := range domain.Roles {
				res := e.do(rt.Method, path, e.keys[role], body)
				allowed := slices.Contains(rt.Roles, role)
				switch {
				case allowed && (res.Code == 401 || res.Code == 403):
					t.Errorf("%s as %s: %d, want access", name, role, res.Code)
				case !allowed && res.Code != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403", name, role, res.Code)
				}
			}
		}
	})
}

func TestAPIKeys(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]

		res := e.do("POST", "/api/v1/api-keys", admin, map[string]any{"name": "ci robot", "role": "auditor"})
		mustStatus(t, res, http.StatusCreated)
		created := res.object(t)
		plain := created["key"].(string)
		if !strings.HasPrefix(plain, "vw_") || created["role"] != "auditor" {
			t.Fatalf("created key = %v", created)
		}
		// The secret is stored hashed: neither the plaintext nor its secret
		// part is in the database.
		var stored string
		if err := db.SQL().QueryRow("SELECT hash FROM api_keys WHERE id = '" + created["id"].(string) + "'").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plain, stored) || strings.Contains(stored, plain[16:]) || len(stored) != 64 {
			t.Errorf("stored hash %q looks like the key", stored)
		}
		// The new key works and is an auditor: reads yes, writes no.
		mustStatus(t, e.do("GET", "/api/v1/vendors", plain, nil), 200)
		mustStatus(t, e.do("POST", "/api/v1/vendors", plain, map[string]any{"name": "x"}), 403)

		// Listing never shows secrets.
		res = e.do("GET", "/api/v1/api-keys?limit=2", admin, nil)
		mustStatus(t, res, 200)
		if strings.Contains(string(res.Body), plain) || strings.Contains(string(res.Body), `"hash"`) || strings.Contains(string(res.Body), `"key"`) {
			t.Errorf("key list leaks secrets: %s", res.Body)
		}
		page := res.object(t)
		if len(page["items"].([]any)) != 2 || page["next_cursor"] == nil {
			t.Errorf("first page of keys = %v", page)
		}

		// Revoke: the key stops working at once.
		id := created["id"].(string)
		mustStatus(t, e.do("DELETE", "/api/v1/api-keys/"+id, admin, nil), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/vendors", plain, nil), http.StatusUnauthorized)
		got := e.do("GET", "/api/v1/api-keys/"+id, admin, nil).object(t)
		if got["revoked_at"] == nil {
			t.Errorf("revoked key shows revoked_at = nil")
		}

		// The last admin key cannot be revoked.
		mustStatus(t, e.do("DELETE", "/api/v1/api-keys/"+e.keyIDs[domain.RoleAdmin], admin, nil), http.StatusConflict)

		for _, tc := range []struct {
			body  map[string]any
			code  int
			field string
		}{
			{map[string]any{"name": "x", "role": "root"}, 422, "role"},
			{map[string]any{"role": "admin"}, 422, "name"},
			{map[string]any{"name": "x", "role": "admin", "expires_at": "2001-01-01T00:00:00Z"}, 422, "expires_at"},
			{map[string]any{"name": "x", "role": "admin", "expires_at": "tomorrow"}, 400, "expires_at"},
		} {
			res := e.do("POST", "/api/v1/api-keys", admin, tc.body)
			mustStatus(t, res, tc.code)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("%v: fields %v, want %s", tc.body, res.fields(t), tc.field)
			}
		}
	})
}
