package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// supplyChainPortfolio is a hand-built chain: Atlas Payroll (critical)
// → Relay Desk (a fourth party) → Nimbus Cloud (a fourth party), and Birch
// Mail straight on Nimbus Cloud; Loner Soft has no provider.
type supplyChainPortfolio struct {
	atlas, birch, loner, relay, nimbus string
}

func (e *testEnv) supplyChainPortfolio() supplyChainPortfolio {
	e.t.Helper()
	mgr := e.keys[domain.RoleVendorManager]
	vendor := func(name, status string, cats ...string) string {
		id := e.createVendor(map[string]any{"name": name, "status": status})["id"].(string)
		for _, c := range cats {
			mustStatus(e.t, e.do("POST", "/api/v1/vendors/"+id+"/data-handling", mgr,
				map[string]any{"category": c, "access": []string{"stores"}, "record_count": 10}), http.StatusCreated)
		}
		return id
	}
	p := supplyChainPortfolio{
		atlas: vendor("Atlas Payroll", "active", "employee_records"),
		birch: vendor("Birch Mail", "active", "contact_pii"),
		loner: vendor("Loner Soft", "active"),
		relay: vendor("Relay Desk", "fourth_party"), nimbus: vendor("Nimbus Cloud", "fourth_party"),
	}
	mustStatus(e.t, e.do("PATCH", "/api/v1/vendors/"+p.atlas, mgr, map[string]any{
		"tier_override": "critical", "tier_override_reason": "payroll"}), http.StatusOK)
	mustStatus(e.t, e.do("PATCH", "/api/v1/vendors/"+p.birch, mgr, map[string]any{
		"tier_override": "low", "tier_override_reason": "newsletters"}), http.StatusOK)
	edge := func(from, to, service string, cats []string, countries ...string) {
		mustStatus(e.t, e.do("POST", "/api/v1/vendors/"+from+"/providers", mgr, map[string]any{"provider_id": to,
			"service": service, "data_categories": cats, "countries": countries, "source": "published_list",
			"as_of": "2026-02-01"}), http.StatusCreated)
	}
	edge(p.atlas, p.relay, "support", []string{"employee_records"}, "GB")
	edge(p.relay, p.nimbus, "hosting", []string{"employee_records"}, "IE")
	edge(p.birch, p.nimbus, "data_storage", []string{"contact_pii"}, "DE")
	return p
}

// concentrationRow matches a provider row: id, name, vendors, critical, min rank.
var concentrationRow = regexp.MustCompile(`<th scope="row"><a href="/vendors/([0-9a-f-]{36})">([^<]*)</a><span class="sub">[^<]*</span></th>\s*<td class="num">(\d+)</td>\s*<td class="num">(?:<strong>)?(\d+)(?:</strong>)?</td>\s*<td class="num">(\d+)</td>`)

// concentrationRows are a concentration page's rows as "name vendors critical rank".
func concentrationRows(p page) []string {
	var out []string
	for _, m := range concentrationRow.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[2]+" "+m[3]+" "+m[4]+" "+m[5])
	}
	return out
}

// TestConsoleConcentration: every role reads the concentration ranking
// of a hand-built chain (Nimbus Cloud under two vendors, one of them
// critical, at rank 1 and 2), the same as the API's; the filters keep
// their paths; bad filters are a 400 page naming the parameter.
func TestConsoleConcentration(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.supplyChainPortfolio()
		want := "[Nimbus Cloud 2 1 1 Relay Desk 1 1 1]"
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/concentration")
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Concentration</h1>", `<a href="/concentration" aria-current="page">Concentration</a>`,
				`<label for="f-min_rank">Reached at</label>`, `<label for="f-tier">Our vendor&#39;s tier</label>`,
				`<label for="f-data_category">Our data category</label>`, `<a href="/vendors/`+p.nimbus+`">Nimbus Cloud</a>`,
				"contact pii, employee records", "DE, IE")
			// Our vendors are not providers of anything.
			mustNotShow(t, pg, "Atlas Payroll", "Birch Mail", "Loner Soft")
			if got := strings.Join(concentrationRows(pg), " "); "["+got+"]" != want {
				t.Errorf("%s: rows [%s], want %s", role, got, want)
			}
		}
		b := e.signedIn(domain.RoleExecutive)
		for query, rows := range map[string]string{
			"min_rank=2":                     "Nimbus Cloud 1 1 2",
			"tier=low":                       "Nimbus Cloud 1 0 1",
			"tier=critical":                  "Nimbus Cloud 1 1 2 Relay Desk 1 1 1",
			"data_category=contact_pii":      "Nimbus Cloud 1 0 1",
			"data_category=employee_records": "Nimbus Cloud 1 1 2 Relay Desk 1 1 1",
			"tier=high":                      "",
		} {
			pg := b.get("/concentration?" + query)
			mustPage(t, pg, 200)
			if got := strings.Join(concentrationRows(pg), " "); got != rows {
				t.Errorf("%s: rows %q, want %q", query, got, rows)
			}
			_, v, _ := strings.Cut(query, "=")
			mustShow(t, pg, `<option value="`+v+`" selected>`)
		}
		mustShow(t, b.get("/concentration?tier=high"), "No provider matches the filters.")
		for _, tt := range []struct{ query, field string }{
			{"min_rank=two", "min_rank"}, {"min_rank=9", "min_rank"}, {"tier=huge", "tier"},
			{"data_category=gossip", "data_category"}, {"limit=0x", "limit"},
		} {
			pg := b.get("/concentration?" + tt.query)
			mustPage(t, pg, http.StatusBadRequest)
			mustShow(t, pg, "<code>"+tt.field+"</code>")
		}
	})
}

// TestConsoleVendorSupplyChain: a vendor's page shows the providers
// below it with their ranks and, for a provider, the vendors of ours
// above it, for every role; a vendor without either says so.
func TestConsoleVendorSupplyChain(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.supplyChainPortfolio()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/vendors/" + p.atlas)
			mustPage(t, pg, 200)
			mustShow(t, pg, `<h2 id="supply-chain">Supply chain</h2>`,
				`<td class="num">1</td><th scope="row"><a href="/vendors/`+p.relay+`">Relay Desk</a></th>`,
				`<td class="num">2</td><th scope="row"><a href="/vendors/`+p.nimbus+`">Nimbus Cloud</a></th>`,
				"None of our vendors is recorded as depending on this one.")
			mustNotShow(t, pg, "Birch Mail")

			pg = b.get("/vendors/" + p.nimbus)
			mustPage(t, pg, 200)
			mustShow(t, pg, "No provider is recorded below this vendor.",
				`<a href="/vendors/`+p.atlas+`">Atlas Payroll</a></th><td><span class="tier tier-critical">critical</span></td>
    <td class="num">2</td>`,
				`<a href="/vendors/`+p.birch+`">Birch Mail</a></th><td><span class="tier tier-low">low</span></td>
    <td class="num">1</td>`)
			// The intermediate is a fourth party, not one of our vendors.
			mustNotShow(t, pg, `<a href="/vendors/`+p.relay+`">`, "vendors are shown")

			pg = b.get("/vendors/" + p.loner)
			mustShow(t, pg, "No provider is recorded below this vendor.",
				"None of our vendors is recorded as depending on this one.")
		}
	})
}
