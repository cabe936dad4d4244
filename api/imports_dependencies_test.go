package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// edgeList is the part of GET /api/v1/dependencies the tests read.
type edgeList struct {
	Items []struct {
		ID         string `json:"id"`
		VendorID   string `json:"vendor_id"`
		ProviderID string `json:"provider_id"`
		Service    string `json:"service"`
	}
}

func (e *testEnv) edges() edgeList {
	e.t.Helper()
	res := e.do("GET", "/api/v1/dependencies", e.keys[domain.RoleAuditor], nil)
	mustStatus(e.t, res, 200)
	var l edgeList
	res.decode(e.t, &l)
	return l
}

// edge records an edge through the API.
func (e *testEnv) edge(vendor, provider, service string, cats, countries []string, source, asOf string) {
	e.t.Helper()
	mustStatus(e.t, e.do("POST", "/api/v1/vendors/"+vendor+"/providers", e.keys[domain.RoleVendorManager], map[string]any{
		"provider_id": provider, "service": service, "data_categories": cats, "countries": countries,
		"source": source, "as_of": asOf}), 201)
}

// TestImportDependencies checks the sub-processor edges import: providers
// matched on LEI, then domain, then the name without punctuation or legal
// form (stored vendors, then the providers the file creates), a fourth
// party created when nothing matches, errors naming their column, a cycle
// refused as a row error, a dry run and a rejected commit writing nothing,
// a commit of the good rows, and an export that imports back unchanged.
func TestImportDependencies(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vm := e.keys[domain.RoleVendorManager]
		alpha := e.vendorWithData("Alpha Pay", []string{"US"}, "cardholder_data", "contact_pii")
		bravo := e.vendorWithData("Bravo Mail", []string{"GB"}, "contact_pii")
		nimbus := e.createVendor(map[string]any{"name": "Nimbus Cloud, Inc.", "status": "fourth_party",
			"lei": "HWUPKR0MPOU8FGXBT394"})["id"].(string)
		stratus := e.createVendor(map[string]any{"name": "Stratus Hosting", "status": "fourth_party",
			"domain": "stratus.example"})["id"].(string)
		e.edge(alpha, nimbus, "hosting", []string{"cardholder_data", "contact_pii"}, []string{"US", "IE"}, "published_list", "2026-01-31")
		e.edge(bravo, stratus, "data_storage", []string{"contact_pii"}, []string{"DE"}, "contract", "2026-01-31")
		e.edge(bravo, nimbus, "analytics", []string{}, []string{}, "manual", "2026-02-01")

		header := []any{"Vendor", "Provider", "Provider LEI", "Provider domain", "Service", "Data categories", "Countries",
			"Source", "As of"}
		file := xlsxFile(t, [][]any{header,
			// by name: "nimbus cloud" is "Nimbus Cloud, Inc." without punctuation and legal form; a new as-of
			{"Alpha Pay", "nimbus cloud", "", "", "hosting", "cardholder_data, contact_pii", "US, IE", "published_list", "2026-03-01"},
			// by domain, whatever the name
			{"Bravo Mail", "Another name", "", "https://www.stratus.example/about", "data_storage", "contact_pii", "DE", "contract", "2026-01-31"},
			// by LEI, whatever the name
			{"Bravo Mail", "Nimbus by LEI", "HWUPKR0MPOU8FGXBT394", "", "analytics", "", "", "manual", "2026-02-01"},
			// a new provider, then the same one by its match key
			{"Alpha Pay", "Brand New Desk Ltd", "", "", "support", "", "", "questionnaire", "2026-02-01"},
			{"Bravo Mail", "brand new desk", "", "", "support", "", "", "manual", "2026-02-01"},
			{"Bravo Mail", "Brand New Desk", "", "", "support", "", "", "manual", "2026-02-01"},
			// errors
			{"Alpha Pay", "Nimbus Cloud", "", "", "hostng", "", "", "manual", "2026-02-01"},
			{"Bravo Mail", "Stratus Hosting", "", "", "hosting", "health_phi", "", "manual", "2026-02-01"},
			{"Alpha Pay", "Stratus Hosting", "HWUPKR0MPOU8FGXBT395", "", "hosting", "", "", "manual", "2026-02-01"},
			// Nimbus depending on Alpha would close Alpha -> Nimbus -> Alpha.
			{"Nimbus Cloud, Inc.", "Alpha Pay", "", "", "support", "", "", "manual", "2026-02-01"},
		})
		res := e.importFile(vm, "kind=dependencies&mode=dry_run", "edges.xlsx", file)
		mustStatus(t, res, 200)
		r := decodeImport(t, res)
		want := []string{"update", "unchanged", "unchanged", "create", "create", "error", "error", "error", "error", "error"}
		if !slices.Equal(rowStatuses(r), want) {
			t.Fatalf("dry run statuses %v, want %v\n%s", rowStatuses(r), want, res.Body)
		}
		for i, w := range map[int]struct{ column, letter, says string }{
			5: {"provider", "B", "duplicates row 6"}, 6: {"service", "E", "must be one of"},
			7: {"data_categories", "F", "health_phi does not reach"}, 8: {"provider_lei", "C", "check digits"},
			9: {"provider", "B", "cycle"},
		} {
			errs := r.Rows[i].Errors
			if len(errs) != 1 || errs[0].Column != w.column || errs[0].Letter != w.letter || !strings.Contains(errs[0].Message, w.says) {
				t.Errorf("row %d errors %+v, want one on %s (%s) saying %q", r.Rows[i].Row, errs, w.column, w.letter, w.says)
			}
		}
		if n := len(e.edges().Items); n != 3 {
			t.Errorf("a dry run left %d edges, want 3", n)
		}
		if vs := e.do("GET", "/api/v1/vendors?q=brand", vm, nil); strings.Contains(string(vs.Body), "Brand New Desk") {
			t.Errorf("a dry run created the provider: %s", vs.Body)
		}
		// A commit with row errors is rejected whole and writes nothing.
		res = e.importFile(vm, "kind=dependencies&mode=commit", "edges.xlsx", file)
		mustStatus(t, res, 422)
		if r = decodeImport(t, res); r.Status != "rejected" {
			t.Errorf("commit with errors: %s", res.Body)
		}
		if n := len(e.edges().Items); n != 3 {
			t.Fatalf("a rejected commit left %d edges, want 3", n)
		}

		// The good rows commit: one edge updated, two unchanged, the new
		// provider created once as a fourth party and used by both vendors.
		good := xlsxFile(t, [][]any{header,
			{"Alpha Pay", "nimbus cloud", "", "", "hosting", "cardholder_data, contact_pii", "US, IE", "published_list", "2026-03-01"},
			{"Bravo Mail", "Another name", "", "https://www.stratus.example/about", "data_storage", "contact_pii", "DE", "contract", "2026-01-31"},
			{"Bravo Mail", "Nimbus by LEI", "HWUPKR0MPOU8FGXBT394", "", "analytics", "", "", "manual", "2026-02-01"},
			{"Alpha Pay", "Brand New Desk Ltd", "", "", "support", "", "", "questionnaire", "2026-02-01"},
			{"Bravo Mail", "brand new desk", "", "", "support", "", "", "manual", "2026-02-01"},
		})
		res = e.importFile(vm, "kind=dependencies&mode=commit", "edges.xlsx", good)
		mustStatus(t, res, 201)
		if r = decodeImport(t, res); !slices.Equal(rowStatuses(r), []string{"update", "unchanged", "unchanged", "create", "create"}) {
			t.Fatalf("commit statuses %v\n%s", rowStatuses(r), res.Body)
		}
		providers := map[string]string{} // vendor/service -> provider
		for _, d := range e.edges().Items {
			providers[d.VendorID+"/"+d.Service] = d.ProviderID
		}
		desk := providers[alpha+"/support"]
		if len(providers) != 5 || providers[alpha+"/hosting"] != nimbus || providers[bravo+"/data_storage"] != stratus ||
			providers[bravo+"/analytics"] != nimbus || desk == "" || providers[bravo+"/support"] != desk {
			t.Fatalf("providers matched %v (nimbus %s, stratus %s)", providers, nimbus, stratus)
		}
		if v := e.do("GET", "/api/v1/vendors/"+desk, vm, nil).object(t); v["status"] != "fourth_party" || v["name"] != "Brand New Desk Ltd" {
			t.Errorf("created provider %v", v)
		}

		for _, format := range []string{"xlsx", "csv"} {
			exp := e.do("GET", "/api/v1/dependencies?format="+format+"&limit=2", e.keys[domain.RoleAuditor], nil)
			mustStatus(t, exp, 200)
			res = e.importFile(vm, "kind=dependencies&mode=dry_run", "dependencies."+format, exp.Body)
			mustStatus(t, res, 200)
			if r = decodeImport(t, res); r.Summary.Rows != 5 || r.Summary.Unchanged != 5 || len(r.UnknownColumns) != 0 {
				t.Errorf("%s round trip: %s", format, res.Body)
			}
		}
	})
}
