package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestSupplyChainAPI builds the chain of the concentration question through
// the API (Alpha and Bravo on the cloud provider directly, Charlie through
// an intermediate) and reads the tree, the concentration and the vendors
// above the provider; bad input writes nothing.
func TestSupplyChainAPI(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr, exec := e.keys[domain.RoleVendorManager], e.keys[domain.RoleExecutive]
		vendor := func(name, status string, cats ...string) string {
			id := e.createVendor(map[string]any{"name": name, "status": status})["id"].(string)
			for _, c := range cats {
				mustStatus(t, e.do("POST", "/api/v1/vendors/"+id+"/data-handling", mgr,
					map[string]any{"category": c, "access": []string{"stores"}, "record_count": 10}), http.StatusCreated)
			}
			return id
		}
		alpha := vendor("Alpha Pay", "active", "cardholder_data", "contact_pii")
		bravo := vendor("Bravo Mail", "active", "contact_pii")
		charlie := vendor("Charlie Care", "active", "health_phi")
		inter := vendor("Intermediate Desk", "fourth_party")
		cloud := e.createVendor(map[string]any{"name": "Provider Cloud", "status": "fourth_party",
			"lei": "HWUPKR0MPOU8FGXBT394", "domain": "https://www.Provider.example/"})
		if cloud["lei"] != "HWUPKR0MPOU8FGXBT394" || cloud["domain"] != "provider.example" {
			t.Errorf("provider identifiers = %v %v", cloud["lei"], cloud["domain"])
		}
		p := cloud["id"].(string)
		edge := func(from, to, service string, cats []string, countries ...string) response {
			return e.do("POST", "/api/v1/vendors/"+from+"/providers", mgr, map[string]any{"provider_id": to,
				"service": service, "data_categories": cats, "countries": countries, "source": "published_list",
				"as_of": "2026-02-01", "evidence_ref": "https://example.com/subprocessors"})
		}
		res := edge(alpha, p, "hosting", []string{"contact_pii", "cardholder_data"}, "us")
		mustStatus(t, res, http.StatusCreated)
		if res.Header.Get("ETag") != `"1"` || res.Header.Get("Location") != "/api/v1/dependencies/"+res.object(t)["id"].(string) {
			t.Errorf("create edge headers: %v", res.Header)
		}
		alphaEdge := res.object(t)["id"].(string)
		mustStatus(t, edge(bravo, p, "data_storage", []string{"contact_pii"}, "DE"), http.StatusCreated)
		mustStatus(t, edge(charlie, inter, "support", []string{"health_phi"}, "GB"), http.StatusCreated)
		mustStatus(t, edge(inter, p, "hosting", []string{"health_phi"}, "IE"), http.StatusCreated)

		// Refusals name the field and write nothing.
		before := e.countRows("vendor_dependencies")
		for _, tt := range []struct {
			name  string
			res   response
			code  int
			field string
		}{
			{"cycle", edge(p, charlie, "other", nil), http.StatusUnprocessableEntity, "provider_id"},
			{"data not held", edge(bravo, inter, "support", []string{"health_phi"}), http.StatusUnprocessableEntity, "data_categories[0]"},
			{"unknown service", edge(bravo, inter, "catering", nil), http.StatusUnprocessableEntity, "service"},
			{"duplicate edge", edge(alpha, p, "hosting", nil), http.StatusConflict, "provider_id"},
			{"bad LEI", e.do("POST", "/api/v1/vendors", mgr, map[string]any{"name": "X", "lei": "HWUPKR0MPOU8FGXBT395"}),
				http.StatusUnprocessableEntity, "lei"},
		} {
			if tt.res.Code != tt.code || len(tt.res.fields(t)) == 0 || tt.res.fields(t)[0] != tt.field {
				t.Errorf("%s: %d %s, want %d naming %s", tt.name, tt.res.Code, tt.res.Body, tt.code, tt.field)
			}
		}
		if n := e.countRows("vendor_dependencies"); n != before {
			t.Errorf("refused edges wrote rows: %d, want %d", n, before)
		}

		// Versioned like the other resources.
		res = e.do("PATCH", "/api/v1/dependencies/"+alphaEdge, mgr, map[string]any{"countries": []string{"US", "CA"}}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusOK)
		if fmt.Sprint(res.object(t)["countries"]) != "[CA US]" || res.Header.Get("ETag") != `"2"` {
			t.Errorf("patched edge = %s", res.Body)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/dependencies/"+alphaEdge, mgr, map[string]any{"notes": "x"}, "If-Match", `"1"`),
			http.StatusPreconditionFailed)
		mustStatus(t, e.do("PATCH", "/api/v1/dependencies/"+alphaEdge, exec, map[string]any{"notes": "x"}), http.StatusForbidden)

		res = e.do("GET", "/api/v1/vendors/"+charlie+"/supply-chain", exec, nil)
		mustStatus(t, res, http.StatusOK)
		var tree struct {
			Links []struct {
				Rank           int
				ProviderName   string   `json:"provider_name"`
				DataCategories []string `json:"data_categories"`
				Countries      []string
			}
		}
		res.decode(t, &tree)
		if got := fmt.Sprint(tree.Links); got != "[{1 Intermediate Desk [health_phi] [GB]} {2 Provider Cloud [health_phi] [IE]}]" {
			t.Errorf("tree = %s", got)
		}

		res = e.do("GET", "/api/v1/concentration", exec, nil)
		mustStatus(t, res, http.StatusOK)
		var conc struct {
			Items []struct {
				ProviderName   string   `json:"provider_name"`
				Vendors        int      `json:"vendors"`
				MinRank        int      `json:"min_rank"`
				DataCategories []string `json:"data_categories"`
				Countries      []string `json:"countries"`
			}
		}
		res.decode(t, &conc)
		if got := fmt.Sprint(conc.Items); got != "[{Provider Cloud 3 1 [cardholder_data contact_pii health_phi] [CA DE IE US]} {Intermediate Desk 1 1 [health_phi] [GB]}]" {
			t.Errorf("concentration = %s", got)
		}
		res = e.do("GET", "/api/v1/concentration?min_rank=2&data_category=health_phi", exec, nil)
		mustStatus(t, res, http.StatusOK)
		res.decode(t, &conc)
		if got := fmt.Sprint(conc.Items); got != "[{Provider Cloud 1 2 [health_phi] [IE]}]" {
			t.Errorf("concentration at rank 2 of health data = %s", got)
		}
		for _, q := range []string{"min_rank=9", "min_rank=x", "tier=gold", "data_category=gossip", "limit=5000"} {
			if res := e.do("GET", "/api/v1/concentration?"+q, exec, nil); res.Code/100 != 4 {
				t.Errorf("concentration?%s: %d", q, res.Code)
			}
		}

		res = e.do("GET", "/api/v1/vendors/"+p+"/dependents", exec, nil)
		mustStatus(t, res, http.StatusOK)
		var up struct {
			Items []struct {
				VendorName     string   `json:"vendor_name"`
				Rank           int      `json:"rank"`
				DataCategories []string `json:"data_categories"`
			}
		}
		res.decode(t, &up)
		if got := fmt.Sprint(up.Items); got != "[{Alpha Pay 1 [cardholder_data contact_pii]} {Bravo Mail 1 [contact_pii]} {Charlie Care 2 [health_phi]}]" {
			t.Errorf("dependents = %s", got)
		}

		// A duplicate record of the provider, merged: its edge moves.
		dup := vendor("Provider Cloud Inc", "fourth_party")
		mustStatus(t, edge(bravo, dup, "analytics", []string{"contact_pii"}, "FR"), http.StatusCreated)
		res = e.do("POST", "/api/v1/vendors/"+p+"/merge", mgr, map[string]any{"from": dup})
		mustStatus(t, res, http.StatusOK)
		if m := res.object(t); m["edges_moved"] != float64(1) || m["edges_joined"] != float64(0) {
			t.Errorf("merge = %s", res.Body)
		}
		mustStatus(t, e.do("GET", "/api/v1/vendors/"+dup, mgr, nil), http.StatusNotFound)
		res = e.do("GET", "/api/v1/vendors/"+bravo+"/providers", mgr, nil)
		mustStatus(t, res, http.StatusOK)
		var list struct {
			Items []struct {
				ProviderID string `json:"provider_id"`
			}
		}
		res.decode(t, &list)
		if len(list.Items) != 2 || list.Items[0].ProviderID != p || list.Items[1].ProviderID != p {
			t.Errorf("Bravo's providers after merge = %s", res.Body)
		}
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+p+"/merge", mgr, map[string]any{"from": p}), http.StatusUnprocessableEntity)
		mustStatus(t, e.do("DELETE", "/api/v1/dependencies/"+alphaEdge, mgr, nil, "If-Match", `"2"`), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/dependencies/"+alphaEdge, mgr, nil), http.StatusNotFound)
	})
}

// TestProviderIncident records an incident at a provider reported by one
// of the vendors above it: its categories default to what reaches the
// provider through that vendor, its notice is judged against that vendor's
// clause, and its blast radius reaches every vendor above the provider.
func TestProviderIncident(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		mgr := e.keys[domain.RoleVendorManager]
		alpha := e.vendorWithData("Alpha Pay", []string{"US-CA"}, "contact_pii")
		charlie := e.vendorWithData("Charlie Care", []string{"US-NY"}, "health_phi", "contact_pii")
		bystander := e.vendorWithData("Delta Unrelated", []string{"US"}, "contact_pii")
		inter := e.createVendor(map[string]any{"name": "Intermediate Desk", "status": "fourth_party"})["id"].(string)
		p := e.createVendor(map[string]any{"name": "Provider Cloud", "status": "fourth_party"})["id"].(string)
		edge := func(from, to string, cats ...string) {
			mustStatus(t, e.do("POST", "/api/v1/vendors/"+from+"/providers", mgr, map[string]any{"provider_id": to,
				"service": "hosting", "data_categories": cats, "countries": []string{"IE"}, "source": "contract",
				"as_of": "2026-01-01"}), http.StatusCreated)
		}
		edge(alpha, p, "contact_pii")
		edge(charlie, inter, "health_phi", "contact_pii")
		edge(inter, p, "health_phi")
		e.createContract(map[string]any{"vendor_id": charlie, "title": "Care services", "status": "active",
			"effective_on": "2025-01-01", "breach_notification": map[string]any{"window": map[string]any{"value": 48, "unit": "hours"},
				"trigger": "discovery"}})

		body := map[string]any{"vendor_id": p, "reported_by_vendor_id": charlie, "title": "Provider Cloud storage breach",
			"vendor_discovered_at": "2026-11-20T08:00:00Z", "we_learned_at": "2026-11-21T09:00:00Z",
			"vendor_notified_us_at": "2026-11-21T09:00:00Z", "learned_via": "vendor_notice"}
		inc := e.createIncident(body)
		if inc["kind"] != "provider_incident" || inc["reported_by_vendor_id"] != charlie ||
			fmt.Sprint(inc["categories"]) != "[health_phi]" || fmt.Sprint(inc["jurisdictions"]) != "[US-NY]" {
			t.Errorf("provider incident = kind %v, reported by %v, categories %v, jurisdictions %v",
				inc["kind"], inc["reported_by_vendor_id"], inc["categories"], inc["jurisdictions"])
		}
		if n := inc["notice"].(map[string]any); n["window_text"] != "48 hours" || n["status"] != "on_time" {
			t.Errorf("notice judged on %v (%v), want Charlie's 48-hour clause, on time", n["window_text"], n["status"])
		}

		res := e.do("GET", "/api/v1/incidents/"+inc["id"].(string)+"/blast-radius", mgr, nil)
		mustStatus(t, res, http.StatusOK)
		var br struct {
			ReportedBy struct{ Name string } `json:"reported_by"`
			Upstream   []struct {
				VendorName     string   `json:"vendor_name"`
				Rank           int      `json:"rank"`
				DataCategories []string `json:"data_categories"`
				Jurisdictions  []string `json:"jurisdictions"`
				Obligations    []struct {
					RegimeID string `json:"regime_id"`
				}
			}
		}
		res.decode(t, &br)
		if br.ReportedBy.Name != "Charlie Care" || len(br.Upstream) != 2 {
			t.Fatalf("blast radius: reported by %q, upstream %+v", br.ReportedBy.Name, br.Upstream)
		}
		a, c := br.Upstream[0], br.Upstream[1]
		if a.VendorName != "Alpha Pay" || a.Rank != 1 || fmt.Sprint(a.DataCategories) != "[contact_pii]" || fmt.Sprint(a.Jurisdictions) != "[US-CA]" {
			t.Errorf("upstream Alpha = %+v", a)
		}
		if c.VendorName != "Charlie Care" || c.Rank != 2 || fmt.Sprint(c.DataCategories) != "[health_phi]" || fmt.Sprint(c.Jurisdictions) != "[US-NY]" {
			t.Errorf("upstream Charlie = %+v", c)
		}
		// New York residents' health data brings in New York's notice to
		// individuals; Alpha's Californian contact details do not.
		regimes := func(obs []struct {
			RegimeID string `json:"regime_id"`
		}) string {
			var ids []string
			for _, o := range obs {
				ids = append(ids, o.RegimeID)
			}
			return strings.Join(ids, ",")
		}
		if !strings.Contains(regimes(c.Obligations), "ny-ind") || strings.Contains(regimes(a.Obligations), "ny-ind") {
			t.Errorf("obligations: Alpha %s, Charlie %s", regimes(a.Obligations), regimes(c.Obligations))
		}

		body["reported_by_vendor_id"] = bystander
		res = e.do("POST", "/api/v1/incidents", mgr, body)
		if res.Code != http.StatusUnprocessableEntity || res.fields(t)[0] != "reported_by_vendor_id" {
			t.Errorf("reported by a vendor not above the provider: %d %s", res.Code, res.Body)
		}
	})
}
