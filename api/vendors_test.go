package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestVendorLifecycle(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]

		v := e.createVendor(map[string]any{"name": "  Acme Chat  ", "website": "https://acme.example",
			"owner_email": "owner@example.com", "country": "us", "criticality": "high"})
		id := v["id"].(string)
		if v["name"] != "Acme Chat" || v["country"] != "US" || v["status"] != "prospect" || v["legal_name"] != nil {
			t.Errorf("created vendor = %v", v)
		}
		if v["tier"] != "low" {
			t.Errorf("tier without data = %v, want low (criticality high alone scores 20)", v["tier"])
		}

		res := e.do("GET", "/api/v1/vendors/"+id, mgr, nil)
		mustStatus(t, res, http.StatusOK)
		if got := res.Header.Get("ETag"); got != `"1"` {
			t.Errorf("ETag = %q, want \"1\"", got)
		}

		// A merge patch: null clears, absent keeps.
		res = e.do("PATCH", "/api/v1/vendors/"+id, mgr, map[string]any{"legal_name": "Acme Chat Inc.", "website": nil}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusOK)
		got := res.object(t)
		if got["legal_name"] != "Acme Chat Inc." || got["website"] != nil || got["owner_email"] != "owner@example.com" || got["version"] != float64(2) {
			t.Errorf("patched vendor = %v", got)
		}

		// The old ETag is now stale.
		res = e.do("PATCH", "/api/v1/vendors/"+id, mgr, map[string]any{"service": "chat"}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusPreconditionFailed)
		res = e.do("DELETE", "/api/v1/vendors/"+id, mgr, nil, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusPreconditionFailed)

		// Data handling drives the tier.
		res = e.do("POST", "/api/v1/vendors/"+id+"/data-handling", mgr, map[string]any{
			"category": "cardholder_data", "access": []string{"transmits", "stores", "stores"},
			"record_count": 1_000_000, "jurisdictions": []string{"us-ca", "EU", "US-CA"}})
		mustStatus(t, res, http.StatusCreated)
		h := res.object(t)
		if fmt.Sprint(h["access"]) != "[stores transmits]" || fmt.Sprint(h["jurisdictions"]) != "[EU US-CA]" {
			t.Errorf("data handling = %v", h)
		}
		// The answer explains the vendor's new score factor by factor: the
		// same risk the vendor's GET shows.
		var recorded struct {
			Vendor struct {
				ID, Tier string
				Risk     struct {
					Score   int
					Factors []struct {
						Factor string
						Points int
					}
				}
			}
		}
		res.decode(t, &recorded)
		fresh := e.do("GET", "/api/v1/vendors/"+id, mgr, nil).object(t)
		points := 0
		for _, f := range recorded.Vendor.Risk.Factors {
			points += f.Points
		}
		if recorded.Vendor.ID != id || recorded.Vendor.Tier != fresh["tier"] || len(recorded.Vendor.Risk.Factors) != 3 ||
			points != recorded.Vendor.Risk.Score || float64(recorded.Vendor.Risk.Score) != fresh["risk"].(map[string]any)["score"] {
			t.Errorf("data handling answer's vendor risk %+v; the vendor reads tier %v, risk %v", recorded.Vendor, fresh["tier"], fresh["risk"])
		}
		res = e.do("POST", "/api/v1/vendors/"+id+"/data-handling", mgr, map[string]any{
			"category": "cardholder_data", "access": []string{"processes"}, "record_count": 2_000_000})
		mustStatus(t, res, http.StatusOK)
		res = e.do("GET", "/api/v1/vendors/"+id, mgr, nil)
		got = res.object(t)
		// 4 x 10 + round(log10(2e6)/8*30)=24 + high 20 = 84
		if got["tier"] != "critical" || got["risk"].(map[string]any)["score"] != float64(84) {
			t.Errorf("risk after data handling = %v %v", got["tier"], got["risk"])
		}
		etag := res.Header.Get("ETag")

		res = e.do("GET", "/api/v1/vendors/"+id+"/data-handling", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		if items := res.object(t)["items"].([]any); len(items) != 1 {
			t.Errorf("data handling list = %v", items)
		}
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+id+"/data-handling/cardholder_data", mgr, nil), http.StatusNoContent)
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+id+"/data-handling/cardholder_data", mgr, nil), http.StatusNotFound)
		if got := e.do("GET", "/api/v1/vendors/"+id, mgr, nil).object(t); got["tier"] != "low" {
			t.Errorf("tier after removing the data = %v, want low", got["tier"])
		}

		// The version moved with the risk recomputation: the earlier ETag is stale.
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+id, mgr, nil, "If-Match", etag), http.StatusPreconditionFailed)
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+id, mgr, nil), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/vendors/"+id, mgr, nil), http.StatusNotFound)

		// Every write is in the audit trail, newest first.
		res = e.do("GET", "/api/v1/audit-events?entity=vendor&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var events struct {
			Items []struct {
				Action  string
				ActorID string `json:"actor_id"`
			}
		}
		res.decode(t, &events)
		var actions []string
		for _, ev := range events.Items {
			actions = append(actions, ev.Action)
			if ev.ActorID != e.keyIDs[domain.RoleVendorManager] {
				t.Errorf("event %s by %s, want the vendor manager's key", ev.Action, ev.ActorID)
			}
		}
		want := []string{"vendor.delete", "vendor.risk_recomputed", "vendor.risk_recomputed", "vendor.risk_recomputed", "vendor.update", "vendor.create"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit actions = %v, want %v", actions, want)
		}
	})
}

func TestVendorValidation(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		parent := e.createVendor(map[string]any{"name": "Parent Co"})
		vendorsBefore, auditBefore := e.countRows("vendors"), e.countRows("audit_events")

		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"missing name", map[string]any{"legal_name": "x"}, 422, "name"},
			{"blank name", map[string]any{"name": "   "}, 422, "name"},
			{"name too long", map[string]any{"name": strings.Repeat("n", 201)}, 422, "name"},
			{"name not a string", map[string]any{"name": 42}, 400, "name"},
			{"unknown field", map[string]any{"name": "X", "nickname": "x"}, 400, "nickname"},
			{"bad status", map[string]any{"name": "X", "status": "alive"}, 422, "status"},
			{"bad criticality", map[string]any{"name": "X", "criticality": "extreme"}, 422, "criticality"},
			{"bad email", map[string]any{"name": "X", "owner_email": "not-an-email"}, 422, "owner_email"},
			{"bad website", map[string]any{"name": "X", "website": "javascript:alert(1)"}, 422, "website"},
			{"bad country", map[string]any{"name": "X", "country": "UK"}, 422, "country"},
			{"parent not a uuid", map[string]any{"name": "X", "parent_vendor_id": "abc"}, 422, "parent_vendor_id"},
			{"parent unknown", map[string]any{"name": "X", "parent_vendor_id": domain.NewID()}, 422, "parent_vendor_id"},
			{"override without reason", map[string]any{"name": "X", "tier_override": "high"}, 422, "tier_override_reason"},
			{"bad override", map[string]any{"name": "X", "tier_override": "huge", "tier_override_reason": "r"}, 422, "tier_override"},
			{"control characters", map[string]any{"name": "X\x07Y"}, 422, "name"},
			{"NUL character", map[string]any{"name": "X\x00Y"}, 400, "name"},
			{"malformed JSON", `{"name": "X"`, 400, "body"},
			{"empty body", "", 400, "body"},
			{"array body", `[1,2]`, 400, "body"},
			{"two objects", `{"name":"X"}{"name":"Y"}`, 400, "body"},
			{"duplicate name", map[string]any{"name": "PARENT CO"}, 409, "name"},
			{"too large", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/api/v1/vendors", mgr, tc.body)
				mustStatus(t, res, tc.status)
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q", ct)
				}
				if tc.field != "" && !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields = %v, want %q among them; body %s", res.fields(t), tc.field, res.Body)
				}
			})
		}
		if v, a := e.countRows("vendors"), e.countRows("audit_events"); v != vendorsBefore || a != auditBefore {
			t.Errorf("bad input wrote rows: vendors %d->%d, audit %d->%d", vendorsBefore, v, auditBefore, a)
		}

		// PATCH: required fields cannot be nulled; cycles are refused.
		child := e.createVendor(map[string]any{"name": "Child Co", "parent_vendor_id": parent["id"]})
		res := e.do("PATCH", "/api/v1/vendors/"+parent["id"].(string), mgr, map[string]any{"name": nil, "status": nil})
		mustStatus(t, res, 422)
		if f := res.fields(t); !slices.Contains(f, "name") || !slices.Contains(f, "status") {
			t.Errorf("fields = %v", f)
		}
		res = e.do("PATCH", "/api/v1/vendors/"+parent["id"].(string), mgr, map[string]any{"parent_vendor_id": child["id"]})
		mustStatus(t, res, 422)
		// A parent with children cannot be deleted.
		res = e.do("DELETE", "/api/v1/vendors/"+parent["id"].(string), mgr, nil)
		mustStatus(t, res, 409)

		// Data handling input.
		pid := parent["id"].(string)
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown category", map[string]any{"category": "dna", "access": []string{"stores"}}, "category"},
			{"no access", map[string]any{"category": "ssn", "access": []string{}}, "access"},
			{"bad access", map[string]any{"category": "ssn", "access": []string{"reads"}}, "access[0]"},
			{"negative count", map[string]any{"category": "ssn", "access": []string{"stores"}, "record_count": -1}, "record_count"},
			{"UK is not a code", map[string]any{"category": "ssn", "access": []string{"stores"}, "jurisdictions": []string{"US", "UK"}}, "jurisdictions[1]"},
			{"unknown state", map[string]any{"category": "ssn", "access": []string{"stores"}, "jurisdictions": []string{"US-ZZ"}}, "jurisdictions[0]"},
		} {
			res := e.do("POST", "/api/v1/vendors/"+pid+"/data-handling", mgr, tc.body)
			mustStatus(t, res, 422)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("%s: fields = %v, want %s", tc.name, res.fields(t), tc.field)
			}
		}
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+domain.NewID()+"/data-handling", mgr,
			map[string]any{"category": "ssn", "access": []string{"stores"}}), 404)
		if n := e.countRows("data_handling"); n != 0 {
			t.Errorf("bad data handling wrote %d rows", n)
		}
	})
}

func TestVendorListFiltersAndQueryErrors(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		key := e.keys[domain.RoleExecutive]
		e.createVendor(map[string]any{"name": "alpha 100% Foods", "status": "active", "criticality": "critical"})
		e.createVendor(map[string]any{"name": "Beta_Payroll", "status": "active"})
		e.createVendor(map[string]any{"name": "Gamma Hosting", "status": "terminated", "tier_override": "high", "tier_override_reason": "board decision"})

		names := func(query string) []string {
			t.Helper()
			res := e.do("GET", "/api/v1/vendors"+query, key, nil)
			mustStatus(t, res, 200)
			var out struct{ Items []struct{ Name string } }
			res.decode(t, &out)
			var n []string
			for _, it := range out.Items {
				n = append(n, it.Name)
			}
			return n
		}
		for query, want := range map[string]string{
			"":                        "[alpha 100% Foods Beta_Payroll Gamma Hosting]",
			"?status=active":          "[alpha 100% Foods Beta_Payroll]",
			"?criticality=critical":   "[alpha 100% Foods]",
			"?tier=high":              "[Gamma Hosting]",
			"?q=PAY":                  "[Beta_Payroll]",
			"?q=100%25":               "[alpha 100% Foods]",
			"?q=a_p":                  "[Beta_Payroll]",
			"?q=%25":                  "[alpha 100% Foods]",
			"?status=active&q=gamma":  "[]",
			"?tier=low&status=active": "[Beta_Payroll]",
		} {
			if got := fmt.Sprint(names(query)); got != want {
				t.Errorf("GET /vendors%s = %s, want %s", query, got, want)
			}
		}
		for _, q := range []struct{ query, field string }{
			{"?limit=0", "limit"}, {"?limit=501", "limit"}, {"?limit=ten", "limit"},
			{"?cursor=***", "cursor"}, {"?status=alive", "status"}, {"?tier=x", "tier"},
			{"?criticality=x", "criticality"}, {"?q=" + strings.Repeat("q", 201), "q"},
		} {
			res := e.do("GET", "/api/v1/vendors"+q.query, key, nil)
			mustStatus(t, res, 400)
			if !slices.Contains(res.fields(t), q.field) {
				t.Errorf("%s: fields = %v", q.query, res.fields(t))
			}
		}
	})
}

// TestVendorPaginationUnderConcurrentInserts pages through the register
// while another writer inserts vendors: every vendor that existed before
// the walk is seen exactly once, and pages stay in order.
func TestVendorPaginationUnderConcurrentInserts(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		const n = 60
		want := map[string]bool{}
		for i := range n {
			name := fmt.Sprintf("Vendor %03d", i*2) // even numbers; the writer adds odd ones
			e.createVendor(map[string]any{"name": name})
			want[name] = true
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range n {
				name := fmt.Sprintf("Vendor %03d", i*2+1)
				if _, err := e.vendors.Create(t.Context(), register.VendorInput{Name: &name}); err != nil {
					t.Errorf("concurrent insert: %v", err)
					return
				}
			}
		}()
		seen := map[string]int{}
		var last string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3*n {
				t.Fatal("pagination does not end")
			}
			path := "/api/v1/vendors?limit=7"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			res := e.do("GET", path, e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, 200)
			var page struct {
				Items      []struct{ Name string }
				NextCursor string `json:"next_cursor"`
			}
			res.decode(t, &page)
			for _, it := range page.Items {
				if strings.ToLower(it.Name) <= last {
					t.Errorf("out of order: %q after %q", it.Name, last)
				}
				last = strings.ToLower(it.Name)
				seen[it.Name]++
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		<-done
		for name := range want {
			if seen[name] != 1 {
				t.Errorf("%s seen %d times, want once", name, seen[name])
			}
		}
		for name, c := range seen {
			if c > 1 {
				t.Errorf("%s repeated %d times", name, c)
			}
		}
	})
}

// TestAuditRollsBackWithChange moves the audit trail's table away so the
// audit append fails, and checks that the change itself was not kept.
func TestAuditRollsBackWithChange(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		if _, err := db.SQL().Exec("ALTER TABLE audit_events RENAME TO audit_events_gone"); err != nil {
			t.Fatal(err)
		}
		res := e.do("POST", "/api/v1/vendors", e.keys[domain.RoleAdmin], map[string]any{"name": "Never Stored"})
		mustStatus(t, res, http.StatusInternalServerError)
		if strings.Contains(string(res.Body), "audit") {
			t.Errorf("internal detail leaked to the client: %s", res.Body)
		}
		if n := e.countRows("vendors"); n != 0 {
			t.Errorf("vendor kept although its audit event failed: %d rows", n)
		}
	})
}
