package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// send is e.do without the OpenAPI validation and the testing.T, safe from
// many goroutines at once.
func (e *testEnv) send(method, path, key, body string, hdr ...string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// together runs n calls of fn at once and returns their statuses.
func together(n int, fn func(i int) (int, string)) []int {
	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			codes[i], _ = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return codes
}

// Two admin keys revoking each other at once never leave no active admin
// key: one revocation wins, the other is refused.
func TestLastAdminRevocationRace(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		newAdmin := func(by string) (id, key string) {
			res := e.do("POST", "/api/v1/api-keys", by, map[string]any{"name": "admin " + domain.NewID(), "role": "admin"})
			mustStatus(t, res, http.StatusCreated)
			o := res.object(t)
			return o["id"].(string), o["key"].(string)
		}
		a, aKey := newAdmin(e.keys[domain.RoleAdmin])
		b, bKey := newAdmin(e.keys[domain.RoleAdmin])
		mustStatus(t, e.do("DELETE", "/api/v1/api-keys/"+e.keyIDs[domain.RoleAdmin], aKey, nil), http.StatusNoContent)
		for round := range 15 {
			ids, keys := [2]string{a, b}, [2]string{aKey, bKey}
			codes := together(2, func(i int) (int, string) {
				return e.send("DELETE", "/api/v1/api-keys/"+ids[1-i], keys[i], "")
			})
			active, err := e.keySvc.List(context.Background(), domain.PageRequest{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var survivors []string
			for _, k := range active.Items {
				if k.Role == domain.RoleAdmin && k.RevokedAt == nil {
					survivors = append(survivors, k.ID)
				}
			}
			if len(survivors) != 1 || slices.Contains(codes, http.StatusInternalServerError) {
				t.Fatalf("round %d: statuses %v leave %d active admin keys, want 1", round, codes, len(survivors))
			}
			// The survivor makes a new partner for the next round.
			if survivors[0] == a {
				b, bKey = newAdmin(aKey)
			} else {
				a, aKey = b, bKey
				b, bKey = newAdmin(aKey)
			}
		}
	})
}

// vendorRace creates a vendor, then sends n vendor-manager requests to it
// at once: req gives the i-th request's method, the path after the
// vendor's, and the body. It returns the statuses.
func vendorRace(e *testEnv, n int, req func(i int) (method, sub, body string)) (id string, codes []int) {
	id = e.createVendor(map[string]any{"name": "Race Co"})["id"].(string)
	return id, together(n, func(i int) (int, string) {
		method, sub, body := req(i)
		return e.send(method, "/api/v1/vendors/"+id+sub, e.keys[domain.RoleVendorManager], body)
	})
}

// Parallel upserts of one data-handling category: one creates, the others
// update, and each update's "before" is a state another upsert left.
func TestDataHandlingUpsertRace(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		const n = 20
		id, codes := vendorRace(e, n, func(i int) (string, string, string) {
			return "POST", "/data-handling", fmt.Sprintf(`{"category": "contact_pii", "access": ["stores"], "record_count": %d}`, 1000+i)
		})
		created, replaced := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusOK:
				replaced++
			}
		}
		if created != 1 || replaced != n-1 {
			t.Fatalf("statuses %v: %d created and %d replaced, want 1 and %d", codes, created, replaced, n-1)
		}
		var page struct {
			Items []struct {
				Action        string
				Before, After *struct {
					RecordCount int64 `json:"record_count"`
				}
			}
		}
		e.do("GET", "/api/v1/audit-events?entity=data_handling&limit=500", mgr, nil).decode(t, &page)
		var creates int
		befores, afters := map[int64]int{}, map[int64]int{}
		for _, ev := range page.Items {
			switch {
			case ev.Action == "data_handling.create" && ev.Before == nil:
				creates++
			case ev.Action == "data_handling.update" && ev.Before != nil:
				befores[ev.Before.RecordCount]++
			default:
				t.Errorf("event %s with before %v", ev.Action, ev.Before)
			}
			afters[ev.After.RecordCount]++
		}
		// Every state but the last was the "before" of exactly one update.
		final := e.do("GET", "/api/v1/vendors/"+id+"/data-handling", mgr, nil)
		var list struct {
			Items []struct {
				RecordCount int64 `json:"record_count"`
			}
		}
		final.decode(t, &list)
		afters[list.Items[0].RecordCount]--
		for rc, k := range afters {
			if befores[rc] != k {
				t.Errorf("record count %d: left by %d changes, replaced by %d", rc, k, befores[rc])
			}
		}
		if creates != 1 || len(page.Items) != n {
			t.Errorf("%d events, %d creates; want %d and 1", len(page.Items), creates, n)
		}
	})
}

// PATCH and DELETE without If-Match set no precondition: under
// concurrency they apply to the latest version, never 412.
func TestPatchWithoutIfMatchNever412(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		const n = 20
		id, codes := vendorRace(e, n, func(i int) (string, string, string) {
			return "PATCH", "", fmt.Sprintf(`{"service": "writer %d"}`, i)
		})
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("PATCH %d without If-Match: %d", i, c)
			}
		}
		var v struct{ Version int64 }
		res := e.do("GET", "/api/v1/vendors/"+id, mgr, nil)
		res.decode(t, &v)
		if res.Header.Get("ETag") != fmt.Sprintf(`"%d"`, n+1) {
			t.Errorf("ETag %s after %d updates of version 1", res.Header.Get("ETag"), n)
		}
		// With a stale If-Match the answer is still 412.
		mustStatus(t, e.do("PATCH", "/api/v1/vendors/"+id, mgr, map[string]any{"service": "late"}, "If-Match", `"1"`),
			http.StatusPreconditionFailed)
	})
}
