package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// fuzzRouter is the real router on a SQLite database, with an admin key
// and a vendor to aim requests at.
type fuzzRouter struct {
	router   http.Handler
	key      string
	vendorID string
}

func newFuzzRouter(f *testing.F) *fuzzRouter {
	db := repotest.Open(f, repository.SQLite)
	svc := services.New(db.Stores(f.TempDir()), services.Settings{KeyPepper: "fuzz"})
	router, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	_, key, err := svc.Keys.Create(context.Background(), access.NewKey{Name: "fuzz", Role: domain.RoleAdmin})
	if err != nil {
		f.Fatal(err)
	}
	name := "Fuzz Target"
	v, err := svc.Vendors.Create(context.Background(), register.VendorInput{Name: &name})
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzRouter{router: router, key: key, vendorID: v.ID}
}

// serve sends a request and fails on any 5xx: no input may be a server
// error, and a panic would surface as one through the recovery middleware.
func (r *fuzzRouter) serve(t *testing.T, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	r.router.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s with %q: %d %s", method, target, body, rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "goroutine ") || strings.Contains(strings.ToLower(rec.Body.String()), "sql") {
		t.Fatalf("%s %s leaked internals: %s", method, target, rec.Body)
	}
	return rec
}

// FuzzJSONBodies sends arbitrary bodies to every JSON create and update.
func FuzzJSONBodies(f *testing.F) {
	for _, s := range []string{
		`{"name":"Acme"}`, `{"name":"x","criticality":"high","website":"https://a.b","country":"GB"}`, `{}`, `[]`, `null`,
		`{"name":1}`, `{"name":"a","parent_vendor_id":"00000000-0000-0000-0000-000000000000"}`, `{"name":"` + strings.Repeat("é", 300) + `"}`,
		`{"category":"ssn","access":["stores"],"record_count":-1,"jurisdictions":["UK","US-CA"]}`,
		`{"vendor_id":"x","title":"T","effective_on":"2025-02-30","breach_notification":{"window":{"value":0,"unit":"hours"}}}`,
		`{"title":"T","vendor_discovered_at":"2017-10-12T00:00:00Z","we_learned_at":"9999-12-31T23:59:59Z"}`,
		`{"name":"'; DROP TABLE vendors; --"}`, `{"name":"\u0000"}`, `{"a":{"b":{"c":[[[[[[[[[]]]]]]]]]}}}`,
	} {
		f.Add(s)
	}
	r := newFuzzRouter(f)
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/vendors"}, {"PATCH", "/api/v1/vendors/" + r.vendorID},
		{"POST", "/api/v1/vendors/" + r.vendorID + "/data-handling"},
		{"POST", "/api/v1/contracts"}, {"POST", "/api/v1/incidents"}, {"POST", "/api/v1/attestations"},
		{"POST", "/api/v1/reviews"}, {"POST", "/api/v1/api-keys"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			r.serve(t, tg.method, tg.path, body)
		}
	})
}

// FuzzQueries sends arbitrary cursors, limits and filters to the lists.
func FuzzQueries(f *testing.F) {
	for _, s := range []string{"limit=2", "cursor=YWNtZQ", "limit=0", "limit=-1", "limit=99999999999999999999",
		"cursor=%%%", "status=active&q=%25_", "tier=x", "expiring_before=2026-13-01", "vendor_id=abc", "at=yesterday", "q=" + strings.Repeat("z", 300)} {
		f.Add(s)
	}
	r := newFuzzRouter(f)
	paths := []string{"/api/v1/vendors", "/api/v1/contracts", "/api/v1/incidents", "/api/v1/attestations", "/api/v1/reviews",
		"/api/v1/audit-events", "/api/v1/api-keys", "/api/v1/regimes"}
	f.Fuzz(func(t *testing.T, query string) {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return // not a query string a client could send
		}
		for _, p := range paths {
			r.serve(t, "GET", p+"?"+vals.Encode(), "")
		}
	})
}
