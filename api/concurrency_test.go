package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestConcurrentPatchesWithIfMatch: many clients edit one vendor, each
// reading its ETag and sending it back. Each version is won by exactly one
// client, the others get 412, and every acknowledged update is kept.
func TestConcurrentPatchesWithIfMatch(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		id := e.createVendor(map[string]any{"name": "Contended"})["id"].(string)
		key := e.keys[domain.RoleVendorManager]
		send := func(method, path, body, etag string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			if etag != "" {
				req.Header.Set("If-Match", etag)
			}
			rec := httptest.NewRecorder()
			e.router.ServeHTTP(rec, req)
			return rec
		}
		const clients, rounds = 8, 5
		var mu sync.Mutex
		winners := map[string][]string{} // etag won -> writers
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					etag := send("GET", "/api/v1/vendors/"+id, "", "").Header().Get("ETag")
					note := fmt.Sprintf("client %d round %d", c, r)
					rec := send("PATCH", "/api/v1/vendors/"+id, `{"service":"`+note+`"}`, etag)
					switch rec.Code {
					case http.StatusOK:
						mu.Lock()
						winners[etag] = append(winners[etag], note)
						mu.Unlock()
					case http.StatusPreconditionFailed:
					default:
						t.Errorf("PATCH: %d %s", rec.Code, rec.Body)
					}
				}
			}()
		}
		wg.Wait()
		wins := 0
		for etag, ws := range winners {
			if len(ws) != 1 {
				t.Errorf("version %s was won by %d clients: %v", etag, len(ws), ws)
			}
			wins += len(ws)
		}
		final := send("GET", "/api/v1/vendors/"+id, "", "")
		version, _ := strconv.Atoi(strings.Trim(final.Header().Get("ETag"), `"`))
		if wins == 0 || version != 1+wins {
			t.Errorf("%d acknowledged updates but the vendor is at version %d", wins, version)
		}
		var updates int
		if err := db.SQL().QueryRow("SELECT count(*) FROM audit_events WHERE action = 'vendor.update' AND entity_id = '" + id + "'").Scan(&updates); err != nil {
			t.Fatal(err)
		}
		if updates != wins {
			t.Errorf("%d acknowledged updates, %d audited", wins, updates)
		}
	})
}
