package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// NUL characters and invalid UTF-8 in a query parameter, a path segment
// or a JSON string are 400 naming the parameter or field, on both
// databases (PostgreSQL cannot store them: it used to answer 500).
func TestNULAndInvalidUTF8Refused(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		v := e.createVendor(map[string]any{"name": "Text Co"})
		id := v["id"].(string)
		admin := e.keys[domain.RoleAdmin]
		for _, tc := range []struct {
			method, path string
			body         any
			field        string
		}{
			{"GET", "/api/v1/vendors?q=a%00b", nil, "q"},
			{"GET", "/api/v1/vendors?q=%ff", nil, "q"},
			{"GET", "/api/v1/audit-events?entity=%ff", nil, "entity"},
			{"GET", "/api/v1/audit-events?entity_id=a%00", nil, "entity_id"},
			{"GET", "/api/v1/jobs/runs?job=%C0%80", nil, "job"},
			{"GET", "/api/v1/findings?rule=%ED%A0%80", nil, "rule"},
			{"GET", "/api/v1/vendors/%ff", nil, "id"},
			{"DELETE", "/api/v1/vendors/" + id + "/data-handling/a%00b", nil, "category"},
			{"POST", "/api/v1/reports", `{"kind": "audit", "owner": "a\u0000b"}`, "owner"},
			{"POST", "/api/v1/vendors", "{\"name\": \"bad \xff byte\"}", "name"},
			{"POST", "/api/v1/vendors", `{"name": "lone \ud800 surrogate"}`, "name"},
			{"POST", "/api/v1/vendors", `{"name": "Ok", "service": "x\udc00"}`, "service"},
			{"PATCH", "/api/v1/vendors/" + id, `{"notes": 1, "legal_name": "a\u0000"}`, "legal_name"},
			{"POST", "/api/v1/vendors/" + id + "/data-handling", `{"category": "contact_pii", "access": ["stores"], "systems": ["crm", "a\u0000"]}`, "systems[1]"},
			{"POST", "/api/v1/vendors", "{\"na\xffme\": \"x\"}", "na\uFFFDme"},
		} {
			res := e.do(tc.method, tc.path, admin, tc.body)
			if res.Code != http.StatusBadRequest {
				t.Errorf("%s %s: %d, want 400: %s", tc.method, tc.path, res.Code, res.Body)
				continue
			}
			if f := res.fields(t); len(f) != 1 || f[0] != tc.field {
				t.Errorf("%s %s: fields %q, want %q", tc.method, tc.path, f, tc.field)
			}
		}
		// A CSV import with a NUL past the first bytes (which are sniffed).
		csv := "Vendor name\n"
		for i := range 60 {
			csv += fmt.Sprintf("Filler %02d Co\n", i)
		}
		res := e.importFile(admin, "kind=vendors&mode=commit", "v.csv", []byte(csv+"Nul\x00 Co\n"))
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "NUL character in record 62") {
			t.Errorf("CSV with a NUL: %d %s", res.Code, res.Body)
		}
		if n := e.countRows("vendors"); n != 1 {
			t.Errorf("%d vendors, want 1: a refused body wrote something", n)
		}
	})
}

// JSON that encoding/json would silently change is refused: a field
// named twice (the last used to win: {"role": "auditor", "role": "admin"}
// made an admin key), a field named in another case, and dates outside
// 1970-01-01 to 2199-12-31 (0001-01-01 used to become now).
func TestStrictJSON(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		v := e.createVendor(map[string]any{"name": "Strict Co"})
		keys := e.countRows("api_keys")
		for _, tc := range []struct {
			method, path, body string
			status             int
			field, says        string
		}{
			{"POST", "/api/v1/api-keys", `{"name": "x", "role": "auditor", "role": "admin"}`, 400, "role", "appears twice"},
			{"POST", "/api/v1/api-keys", `{"name": "x", "Role": "admin"}`, 400, "Role", `did you mean \"role\"`},
			{"POST", "/api/v1/vendors", `{"NAME": "Upper Co"}`, 400, "NAME", `did you mean \"name\"`},
			{"POST", "/api/v1/contracts", `{"vendor_id": "` + v["id"].(string) + `", "annual_value": {"Amount_Minor": 1, "currency": "USD"}}`,
				400, "annual_value.Amount_Minor", `did you mean \"amount_minor\"`},
			{"POST", "/api/v1/contracts", `{"breach_notification": {"window": {"value": 1, "unit": "hours", "unit": "days"}}}`,
				400, "breach_notification.window.unit", "appears twice"},
			{"POST", "/api/v1/reports", `{"kind": "audit", "as_of": "0001-01-01T00:00:00Z"}`, 422, "as_of", "between 1970-01-01 and 2199-12-31"},
			{"POST", "/api/v1/reports", `{"kind": "audit", "as_of": "2200-01-01T00:00:00Z"}`, 422, "as_of", "between"},
			{"POST", "/api/v1/incidents", `{"vendor_id": "` + v["id"].(string) + `", "vendor_discovered_at": "1000-01-01T00:00:00Z", "we_learned_at": "2018-03-28T00:00:00Z"}`,
				422, "vendor_discovered_at", "between"},
			{"POST", "/api/v1/contracts", `{"effective_on": "1969-12-31"}`, 422, "effective_on", "between"},
		} {
			res := e.do(tc.method, tc.path, admin, tc.body)
			if res.Code != tc.status || !strings.Contains(string(res.Body), tc.says) {
				t.Errorf("%s %s: %d %s; want %d saying %s", tc.method, tc.body, res.Code, res.Body, tc.status, tc.says)
				continue
			}
			if f := res.fields(t); len(f) != 1 || f[0] != tc.field {
				t.Errorf("%s: fields %q, want %q", tc.body, f, tc.field)
			}
		}
		if n := e.countRows("api_keys"); n != keys {
			t.Errorf("%d api keys, want %d: a refused body created one", n, keys)
		}
		// Query parameters: the same range.
		res := e.do("GET", "/api/v1/contracts/"+domain.NewID()+"/breach-notification?at=0001-01-01T00:00:00Z", admin, nil)
		if res.Code != http.StatusUnprocessableEntity || res.fields(t)[0] != "at" {
			t.Errorf("?at=0001-01-01: %d %s", res.Code, res.Body)
		}
		// Plausible values still pass.
		mustStatus(t, e.do("POST", "/api/v1/reports", admin, `{"kind": "audit", "as_of": "2017-10-12T00:00:00Z"}`), http.StatusAccepted)
	})
}
