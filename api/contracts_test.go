package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// vendorWithData creates a vendor and records the categories it handles.
func (e *testEnv) vendorWithData(name string, jurisdictions []string, categories ...string) string {
	e.t.Helper()
	id := e.createVendor(map[string]any{"name": name, "status": "active", "criticality": "high"})["id"].(string)
	for _, c := range categories {
		res := e.do("POST", "/api/v1/vendors/"+id+"/data-handling", e.keys[domain.RoleVendorManager], map[string]any{
			"category": c, "access": []string{"stores"}, "record_count": 50_000, "jurisdictions": jurisdictions})
		mustStatus(e.t, res, http.StatusCreated)
	}
	return id
}

// createContract creates a contract as legal and returns its JSON.
func (e *testEnv) createContract(body map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/api/v1/contracts", e.keys[domain.RoleLegal], body)
	mustStatus(e.t, res, http.StatusCreated)
	return res.object(e.t)
}

// verdicts maps requirement id to status, with reasons for failures.
func verdicts(t *testing.T, res response) (map[string]string, map[string]string) {
	t.Helper()
	mustStatus(t, res, 200)
	var audit struct {
		Findings []struct {
			RequirementID string `json:"requirement_id"`
			Status        string
			Reason        string
			Source        struct{ Status string }
		}
	}
	res.decode(t, &audit)
	status, reason := map[string]string{}, map[string]string{}
	for _, f := range audit.Findings {
		status[f.RequirementID], reason[f.RequirementID] = f.Status, f.Reason
		if f.Source.Status == "" {
			t.Errorf("%s has no source status", f.RequirementID)
		}
	}
	return status, reason
}

func TestContractClauseVersions(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		legal := e.keys[domain.RoleLegal]
		vid := e.vendorWithData("[24]7 Chat", []string{"US"}, "cardholder_data", "chat_transcripts")

		c := e.createContract(map[string]any{
			"vendor_id": vid, "title": "Chat services agreement", "status": "active",
			"effective_on": "2016-06-01", "expires_on": "2027-03-31", "renewal_notice_days": 60, "auto_renew": true,
			"annual_value": map[string]any{"amount_minor": 12_000_000, "currency": "USD"},
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery",
				"notify": []map[string]any{{"role": "CISO", "email": "ciso@example.com"}}},
		})
		id := c["id"].(string)
		if c["renewal_notice_deadline"] != "2027-01-30" || c["days_until_expiry"] != float64(128) {
			t.Errorf("renewal deadline %v, days until expiry %v", c["renewal_notice_deadline"], c["days_until_expiry"])
		}
		bn := c["breach_notification"].(map[string]any)
		if bn["window_text"] != "72 hours" || bn["effective_from"] != "2016-06-01T00:00:00Z" || bn["effective_to"] != nil {
			t.Errorf("clause = %v", bn)
		}

		// Amended on 2017-11-01 to 24 hours: after the [24]7 discovery.
		res := e.do("POST", "/api/v1/contracts/"+id+"/amendments", legal, map[string]any{
			"effective_from": "2017-11-01", "reason": "Amendment No. 1",
			"breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"}, "trigger": "discovery"}})
		mustStatus(t, res, 200)
		if got := res.object(t)["breach_notification"].(map[string]any)["window_text"]; got != "24 hours" {
			t.Errorf("clause in force now = %v", got)
		}
		at := func(instant string) (int, string) {
			t.Helper()
			res := e.do("GET", "/api/v1/contracts/"+id+"/breach-notification?at="+instant, e.keys[domain.RoleAuditor], nil)
			if res.Code != 200 {
				return res.Code, ""
			}
			return res.Code, fmt.Sprint(res.object(t)["window_text"])
		}
		for instant, want := range map[string]string{
			"2016-05-31T23:59:59Z": "404",
			"2016-06-01T00:00:00Z": "72 hours",
			"2017-10-12T00:00:00Z": "72 hours", // discovery: the old clause applies
			"2017-10-31T23:59:59Z": "72 hours",
			"2017-11-01T00:00:00Z": "24 hours",
			"2025-01-01T00:00:00Z": "24 hours",
		} {
			code, text := at(instant)
			if got := fmt.Sprint(code); code == 200 {
				got = text
				if got != want {
					t.Errorf("clause at %s = %s, want %s", instant, got, want)
				}
			} else if got != want {
				t.Errorf("clause at %s: status %d, want %s", instant, code, want)
			}
		}

		// Overlaps and bad amendments are refused and change nothing.
		versionsBefore := e.countRows("clause_versions")
		for _, tc := range []struct {
			body  map[string]any
			code  int
			field string
		}{
			{map[string]any{"effective_from": "2017-11-01T00:00:00Z", "reason": "same start", "breach_notification": map[string]any{"window": map[string]any{"value": 12, "unit": "hours"}, "trigger": "discovery"}}, 409, "effective_from"},
			{map[string]any{"effective_from": "2017-06-01", "reason": "inside the old version", "breach_notification": nil}, 409, "effective_from"},
			{map[string]any{"effective_from": "2015-01-01", "reason": "before the contract", "breach_notification": nil}, 422, "effective_from"},
			{map[string]any{"effective_from": "soon", "reason": "x", "breach_notification": nil}, 422, "effective_from"},
			{map[string]any{"effective_from": "2019-01-01", "reason": "no terms"}, 422, "breach_notification"},
			{map[string]any{"effective_from": "2019-01-01", "breach_notification": nil}, 422, "reason"},
		} {
			res := e.do("POST", "/api/v1/contracts/"+id+"/amendments", legal, tc.body)
			mustStatus(t, res, tc.code)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("%v: fields %v, want %s", tc.body, res.fields(t), tc.field)
			}
		}
		if n := e.countRows("clause_versions"); n != versionsBefore {
			t.Errorf("refused amendments wrote clause versions: %d -> %d", versionsBefore, n)
		}

		// A stale If-Match on an amendment is 412.
		mustStatus(t, e.do("POST", "/api/v1/contracts/"+id+"/amendments", legal, map[string]any{
			"effective_from": "2020-01-01", "reason": "x", "breach_notification": nil}, "If-Match", `"1"`), http.StatusPreconditionFailed)

		// Removing the clause from 2020 on.
		res = e.do("POST", "/api/v1/contracts/"+id+"/amendments", legal, map[string]any{
			"effective_from": "2020-01-01T00:00:00Z", "reason": "Amendment No. 2: clause struck", "breach_notification": nil})
		mustStatus(t, res, 200)
		if res.object(t)["breach_notification"] != nil {
			t.Error("clause still in force after removal")
		}
		if code, _ := at("2021-01-01T00:00:00Z"); code != 404 {
			t.Errorf("clause after removal: %d, want 404", code)
		}
		if code, text := at("2019-12-31T23:59:59Z"); text != "24 hours" {
			t.Errorf("clause before removal: %d %s", code, text)
		}
		res = e.do("GET", "/api/v1/contracts/"+id+"/clause-versions", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, 200)
		var hist struct {
			Items []struct {
				EffectiveFrom string  `json:"effective_from"`
				EffectiveTo   *string `json:"effective_to"`
				Reason        string
			}
		}
		res.decode(t, &hist)
		if len(hist.Items) != 2 || *hist.Items[0].EffectiveTo != "2017-11-01T00:00:00Z" || *hist.Items[1].EffectiveTo != "2020-01-01T00:00:00Z" {
			t.Errorf("history = %+v", hist.Items)
		}
		res = e.do("GET", "/api/v1/audit-events?entity=contract&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		if n := strings.Count(string(res.Body), `"action":"contract.amend"`); n != 2 {
			t.Errorf("audit has %d amendments, want 2", n)
		}
	})
}

func TestClauseAuditDefaultRules(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		legal := e.keys[domain.RoleLegal]
		window := func(v int, unit string) map[string]any {
			return map[string]any{"window": map[string]any{"value": v, "unit": unit}, "trigger": "discovery"}
		}

		// The README's case: a card-handling vendor with a 72-hour clause.
		card := e.vendorWithData("Card Processor", []string{"US", "US-CA"}, "cardholder_data")
		c := e.createContract(map[string]any{"vendor_id": card, "title": "MSA", "status": "active", "effective_on": "2024-01-01",
			"breach_notification": window(72, "hours")})
		status, reason := verdicts(t, e.do("GET", "/api/v1/contracts/"+c["id"].(string)+"/clause-audit", legal, nil))
		want := map[string]string{"breach-window-personal-data": "met", "breach-window-card-data": "too_weak",
			"pci-security-standard": "missing", "right-to-audit-card-data": "missing"}
		if fmt.Sprint(status) != fmt.Sprint(want) {
			t.Errorf("card vendor verdicts = %v, want %v", status, want)
		}
		if !strings.Contains(reason["breach-window-card-data"], "72 hours") || !strings.Contains(reason["breach-window-card-data"], "24 hours allowed") {
			t.Errorf("reason = %q", reason["breach-window-card-data"])
		}

		// Fixing it clause by clause: PCI named, audit right, 24 hours.
		res := e.do("PATCH", "/api/v1/contracts/"+c["id"].(string), legal, map[string]any{
			"security_standard": "PCI DSS v4.0.1", "right_to_audit": true, "breach_notification": window(24, "hours")})
		mustStatus(t, res, 200)
		status, _ = verdicts(t, e.do("GET", "/api/v1/contracts/"+c["id"].(string)+"/clause-audit", legal, nil))
		for id, s := range status {
			if s != "met" {
				t.Errorf("after the fix %s is %s", id, s)
			}
		}

		for _, tc := range []struct {
			name       string
			categories []string
			where      []string
			contract   map[string]any
			want       map[string]string
		}{
			{"30 calendar days is too weak", []string{"contact_pii"}, []string{"US"},
				map[string]any{"breach_notification": window(30, "calendar_days")},
				map[string]string{"breach-window-personal-data": "too_weak"}},
			{"3 business days can outlast 72 hours", []string{"contact_pii"}, []string{"US"},
				map[string]any{"breach_notification": window(3, "business_days")},
				map[string]string{"breach-window-personal-data": "too_weak"}},
			{"without undue delay counts as 72 hours", []string{"contact_pii", "sensitive_auth_data"}, []string{"US"},
				map[string]any{"breach_notification": map[string]any{"standard": "without_undue_delay", "trigger": "awareness"}, "security_standard": "ISO 27001"},
				map[string]string{"breach-window-personal-data": "met", "breach-window-card-data": "too_weak",
					"pci-security-standard": "too_weak", "right-to-audit-card-data": "missing"}},
			{"no clause at all", []string{"employee_records"}, []string{"US-NY"},
				map[string]any{}, map[string]string{"breach-window-personal-data": "missing"}},
			{"health data needs a BAA", []string{"health_phi"}, []string{"US"},
				map[string]any{"breach_notification": window(48, "hours")},
				map[string]string{"breach-window-personal-data": "met", "baa-health-data": "missing"}},
			{"health data with a BAA", []string{"health_phi"}, []string{"US"},
				map[string]any{"breach_notification": window(48, "hours"), "baa": true},
				map[string]string{"breach-window-personal-data": "met", "baa-health-data": "met"}},
			{"EU subjects need a DPA", []string{"contact_pii"}, []string{"DE"},
				map[string]any{"breach_notification": window(24, "hours")},
				map[string]string{"breach-window-personal-data": "met", "dpa-eu-gb-data": "missing"}},
			{"UK subjects with a DPA", []string{"contact_pii"}, []string{"GB"},
				map[string]any{"breach_notification": window(24, "hours"), "dpa": true},
				map[string]string{"breach-window-personal-data": "met", "dpa-eu-gb-data": "met"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				vid := e.vendorWithData(tc.name, tc.where, tc.categories...)
				body := map[string]any{"vendor_id": vid, "title": "Agreement", "status": "active", "effective_on": "2025-01-01"}
				for k, v := range tc.contract {
					body[k] = v
				}
				e.createContract(body)
				got, reasons := verdicts(t, e.do("GET", "/api/v1/vendors/"+vid+"/clause-audit", e.keys[domain.RoleExecutive], nil))
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("verdicts = %v (%v), want %v", got, reasons, tc.want)
				}
			})
		}

		// A vendor's audit counts active contracts only; a draft with a BAA
		// does not help.
		vid := e.vendorWithData("Health Admin", []string{"US"}, "health_phi")
		e.createContract(map[string]any{"vendor_id": vid, "title": "Draft", "effective_on": "2025-01-01", "baa": true,
			"breach_notification": window(24, "hours")})
		got, _ := verdicts(t, e.do("GET", "/api/v1/vendors/"+vid+"/clause-audit", legal, nil))
		if got["baa-health-data"] != "missing" || got["breach-window-personal-data"] != "missing" {
			t.Errorf("draft contract counted: %v", got)
		}
		mustStatus(t, e.do("GET", "/api/v1/clause-policy", legal, nil), 200)
	})
}

// contractBody is a minimal valid contract of the vendor, with extra
// fields set over it.
func contractBody(vendorID string, extra map[string]any) map[string]any {
	b := map[string]any{"vendor_id": vendorID, "title": "T", "effective_on": "2025-01-01"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestContractValidation(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		legal := e.keys[domain.RoleLegal]
		vid := e.createVendor(map[string]any{"name": "V"})["id"].(string)
		base := func(extra map[string]any) map[string]any { return contractBody(vid, extra) }
		clause := func(c map[string]any) map[string]any { return base(map[string]any{"breach_notification": c}) }
		before := [3]int64{e.countRows("contracts"), e.countRows("clause_versions"), e.countRows("audit_events")}
		for _, tc := range []struct {
			name  string
			body  any
			code  int
			field string
		}{
			{"expires before effective", base(map[string]any{"expires_on": "2024-12-31"}), 422, "expires_on"},
			{"bad date", base(map[string]any{"effective_on": "2025-02-30"}), 422, "effective_on"},
			{"missing effective_on", map[string]any{"vendor_id": vid, "title": "T"}, 422, "effective_on"},
			{"missing title", map[string]any{"vendor_id": vid, "effective_on": "2025-01-01"}, 422, "title"},
			{"unknown vendor", base(map[string]any{"vendor_id": domain.NewID()}), 422, "vendor_id"},
			{"missing vendor", map[string]any{"title": "T", "effective_on": "2025-01-01"}, 422, "vendor_id"},
			{"bad status", base(map[string]any{"status": "signed"}), 422, "status"},
			{"negative notice", base(map[string]any{"renewal_notice_days": -1}), 422, "renewal_notice_days"},
			{"lower-case currency", base(map[string]any{"annual_value": map[string]any{"amount_minor": 1, "currency": "usd"}}), 422, "annual_value.currency"},
			{"negative money", base(map[string]any{"cyber_insurance_min": map[string]any{"amount_minor": -5, "currency": "USD"}}), 422, "cyber_insurance_min.amount_minor"},
			{"negative window", clause(map[string]any{"window": map[string]any{"value": -72, "unit": "hours"}, "trigger": "discovery"}), 422, "breach_notification.window.value"},
			{"zero window", clause(map[string]any{"window": map[string]any{"value": 0, "unit": "hours"}, "trigger": "discovery"}), 422, "breach_notification.window.value"},
			{"unknown unit", clause(map[string]any{"window": map[string]any{"value": 3, "unit": "fortnights"}, "trigger": "discovery"}), 422, "breach_notification.window.unit"},
			{"window and standard", clause(map[string]any{"window": map[string]any{"value": 3, "unit": "hours"}, "standard": "immediately", "trigger": "discovery"}), 422, "breach_notification.standard"},
			{"neither", clause(map[string]any{"trigger": "discovery"}), 422, "breach_notification.window"},
			{"unknown standard", clause(map[string]any{"standard": "soonish", "trigger": "discovery"}), 422, "breach_notification.standard"},
			{"unknown trigger", clause(map[string]any{"standard": "immediately", "trigger": "rumour"}), 422, "breach_notification.trigger"},
			{"bad recipient", clause(map[string]any{"standard": "immediately", "trigger": "discovery", "notify": []map[string]any{{"role": "", "email": "x"}}}), 422, "breach_notification.notify[0].email"},
			{"window as text", clause(map[string]any{"window": "72h", "trigger": "discovery"}), 400, "breach_notification.window"},
			{"unknown field", base(map[string]any{"sla": "gold"}), 400, "sla"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/api/v1/contracts", legal, tc.body)
				mustStatus(t, res, tc.code)
				if !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields %v, want %s", res.fields(t), tc.field)
				}
			})
		}
		after := [3]int64{e.countRows("contracts"), e.countRows("clause_versions"), e.countRows("audit_events")}
		if after != before {
			t.Errorf("bad input wrote rows: %v -> %v", before, after)
		}

		// Patch rules: vendor_id is fixed; the clause cannot be nulled here.
		c := e.createContract(base(nil))
		res := e.do("PATCH", "/api/v1/contracts/"+c["id"].(string), legal, map[string]any{"vendor_id": domain.NewID()})
		mustStatus(t, res, 422)
		res = e.do("PATCH", "/api/v1/contracts/"+c["id"].(string), legal, map[string]any{"breach_notification": nil})
		mustStatus(t, res, 422)
		// Deleting a vendor that has contracts is refused.
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+vid, e.keys[domain.RoleAdmin], nil), 409)
		mustStatus(t, e.do("DELETE", "/api/v1/contracts/"+c["id"].(string), legal, nil, "If-Match", `"1"`), 204)
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+vid, e.keys[domain.RoleAdmin], nil), 204)
	})
}

func TestContractList(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		v1 := e.createVendor(map[string]any{"name": "A"})["id"].(string)
		v2 := e.createVendor(map[string]any{"name": "B"})["id"].(string)
		for i, spec := range []struct{ vendor, status, expires string }{
			{v1, "active", "2026-06-30"}, {v1, "draft", ""}, {v2, "active", "2028-01-01"}, {v2, "expired", "2025-12-31"},
		} {
			body := map[string]any{"vendor_id": spec.vendor, "title": fmt.Sprintf("Contract %d", i), "status": spec.status, "effective_on": "2024-01-01"}
			if spec.expires != "" {
				body["expires_on"] = spec.expires
			}
			e.createContract(body)
		}
		titles := func(q string) string {
			t.Helper()
			res := e.do("GET", "/api/v1/contracts"+q, e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, 200)
			var out struct{ Items []struct{ Title string } }
			res.decode(t, &out)
			var n []string
			for _, it := range out.Items {
				n = append(n, it.Title)
			}
			return strings.Join(n, ",")
		}
		for q, want := range map[string]string{
			"":                            "Contract 0,Contract 1,Contract 2,Contract 3",
			"?vendor_id=" + v1:            "Contract 0,Contract 1",
			"?status=active":              "Contract 0,Contract 2",
			"?expiring_before=2027-01-01": "Contract 0,Contract 3",
			"?q=ACT 2":                    "Contract 2",
		} {
			if got := titles(strings.ReplaceAll(q, " ", "%20")); got != want {
				t.Errorf("GET /contracts%s = %s, want %s", q, got, want)
			}
		}
		res := e.do("GET", "/api/v1/contracts?limit=3", e.keys[domain.RoleAuditor], nil)
		next := res.object(t)["next_cursor"].(string)
		if got := titles("?limit=3&cursor=" + next); got != "Contract 3" {
			t.Errorf("second page = %s", got)
		}
		for _, q := range []string{"?status=x", "?expiring_before=tomorrow", "?vendor_id=abc", "?cursor=bm90LWFuLWlk"} {
			res := e.do("GET", "/api/v1/contracts"+q, e.keys[domain.RoleAuditor], nil)
			if res.Code != 400 && res.Code != 422 {
				t.Errorf("GET /contracts%s: %d, want 400 or 422", q, res.Code)
			}
		}
	})
}

// TestWronglyShapedFields: a field of the wrong JSON shape gets a 400
// naming the field and showing the expected shape with an example;
// nothing is written.
func TestWronglyShapedFields(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vid := e.createVendor(map[string]any{"name": "Shapes Ltd"})["id"].(string)
		contract := func(extra map[string]any) map[string]any { return contractBody(vid, extra) }
		c := e.createContract(contract(nil))
		before := e.countRows("audit_events")
		for _, tc := range []struct {
			name, method, path string
			body               map[string]any
			field, says        string
		}{
			{"money as a number", "POST", "/api/v1/contracts", contract(map[string]any{"annual_value": 1200}),
				"annual_value", `{"amount_minor": 120000, "currency": "USD"}`},
			{"money as a number in a patch", "PATCH", "/api/v1/contracts/" + c["id"].(string), map[string]any{"cyber_insurance_min": 5e6},
				"cyber_insurance_min", `{"amount_minor": 120000, "currency": "USD"}`},
			{"money with a made-up member", "POST", "/api/v1/contracts", contract(map[string]any{"annual_value": map[string]any{"amount": 1200, "currency": "USD"}}),
				"annual_value.amount", `annual_value must be an object such as {"amount_minor": 120000`},
			{"window as text", "POST", "/api/v1/contracts", contract(map[string]any{"breach_notification": map[string]any{"window": "72h", "trigger": "discovery"}}),
				"breach_notification.window", `{"value": 72, "unit": "hours"}`},
			{"clause as text", "POST", "/api/v1/contracts", contract(map[string]any{"breach_notification": "72 hours"}),
				"breach_notification", `"trigger": "discovery"`},
			{"recipient as text", "POST", "/api/v1/contracts", contract(map[string]any{"breach_notification": map[string]any{
				"standard": "immediately", "trigger": "discovery", "notify": "ciso@example.com"}}),
				"breach_notification.notify", `[{"role": "CISO", "email": "ciso@example.com"}]`},
			{"flag as text", "POST", "/api/v1/contracts", contract(map[string]any{"right_to_audit": "yes"}), "right_to_audit", "true or false"},
			{"date as a number", "POST", "/api/v1/contracts", contract(map[string]any{"effective_on": 20250101}), "effective_on", `"2026-01-31"`},
			{"jurisdictions as text", "POST", "/api/v1/vendors/" + vid + "/data-handling", map[string]any{"category": "ssn",
				"access": []string{"stores"}, "jurisdictions": "GB"}, "jurisdictions", `["GB", "EU", "US-CA"]`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do(tc.method, tc.path, e.keys[domain.RoleAdmin], tc.body)
				mustStatus(t, res, 400)
				errs := problemErrors(t, res)
				if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.says) {
					t.Errorf("errors %+v, want one on %s that says %s", errs, tc.field, tc.says)
				}
			})
		}
		if e.countRows("audit_events") != before {
			t.Error("a wrongly shaped request wrote")
		}
	})
}
