package api_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// clausePortfolio adds to the console portfolio a second vendor (EU
// health data, low tier) with an active contract that has no clause, a
// draft and a terminated contract: the audit shows only active ones.
type clausePortfolio struct {
	consolePortfolio
	msa, health, healthID, draft string
}

func (e *testEnv) clausePortfolio() clausePortfolio {
	e.t.Helper()
	p := clausePortfolio{consolePortfolio: e.consolePortfolio()}
	for _, c := range e.allContracts("vendor_id=" + p.chat) {
		p.msa = c
	}
	p.healthID = e.vendorWithData("Mediclinic Data", []string{"DE"}, "health_phi")
	mustStatus(e.t, e.do("PATCH", "/api/v1/vendors/"+p.healthID, e.keys[domain.RoleVendorManager], map[string]any{
		"tier_override": "low", "tier_override_reason": "test"}), http.StatusOK)
	p.health = e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Records hosting agreement",
		"status": "active", "effective_on": "2025-01-01", "dpa": true})["id"].(string)
	p.draft = e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Draft renewal", "effective_on": "2026-01-01"})["id"].(string)
	e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Old terminated deal", "status": "terminated",
		"effective_on": "2020-01-01"})
	return p
}

// allContracts lists the ids of the contracts the API lists for query.
func (e *testEnv) allContracts(query string) []string {
	e.t.Helper()
	var page struct{ Items []struct{ ID string } }
	e.do("GET", "/api/v1/contracts?"+query, e.keys[domain.RoleAuditor], nil).decode(e.t, &page)
	out := make([]string, len(page.Items))
	for i, c := range page.Items {
		out[i] = c.ID
	}
	return out
}

// auditLine matches a line of the clause audit: contract, requirement
// title, verdict.
var auditLine = regexp.MustCompile(`<th scope="row"><a href="/contracts/([0-9a-f-]{36})">[^<]*</a>(?:<span class="sub">[^<]*</span>)?</th>\s*<td>([^<]*)<span class="sub">[^<]*</span></td>\s*<td><span class="badge [a-z-]+">([a-z ]+)</span></td>`)

// auditLines are the lines of a clause audit page as "contract|title|verdict".
func auditLines(p page) []string {
	var out []string
	for _, m := range auditLine.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1]+"|"+html.UnescapeString(m[2])+"|"+m[3])
	}
	return out
}

// TestConsoleClauseAudit: every role reads the portfolio clause audit,
// which judges each active contract (never a draft or a terminated one)
// as the API's clause audit of that contract does; its filters and
// keyset pages; bad filters are 400 naming the parameter.
func TestConsoleClauseAudit(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.clausePortfolio()
		// What the API says of each active contract.
		var want []string
		for _, id := range []string{p.msa, p.health} {
			var audit struct {
				Findings []struct{ Title, Status string }
			}
			e.do("GET", "/api/v1/contracts/"+id+"/clause-audit", e.keys[domain.RoleAuditor], nil).decode(t, &audit)
			for _, f := range audit.Findings {
				want = append(want, id+"|"+f.Title+"|"+strings.ReplaceAll(f.Status, "_", " "))
			}
		}
		if len(want) < 5 {
			t.Fatalf("the API judges %d lines: %v", len(want), want)
		}
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/contracts")
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Clause audit</h1>", `<a href="/contracts" aria-current="page">Contracts</a>`,
				`<label for="f-outcome">Verdict</label>`, `<label for="f-requirement">Requirement</label>`,
				`<label for="f-kind">Clause kind</label>`, `<label for="f-tier">Vendor tier</label>`,
				`<a href="/vendors/`+p.chat+`">[24]7.ai</a>`, `<span class="badge b-bad">missing</span>`,
				`<span class="badge b-ok">met</span>`)
			mustNotShow(t, pg, "Draft renewal", "Old terminated deal")
			got := auditLines(pg)
			if g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)); !slices.Equal(g, w) {
				t.Errorf("%s: lines\n%v\nwant\n%v", role, g, w)
			}
		}
		b := e.signedIn(domain.RoleLegal)

		// Vendors in name order: [24]7.ai before Mediclinic.
		got := auditLines(b.get("/contracts"))
		if !strings.HasPrefix(got[0], p.msa) || !strings.HasPrefix(got[len(got)-1], p.health) {
			t.Errorf("order: %v", got)
		}
		// Each filter keeps only its lines, and its choice.
		for query, keep := range map[string]func(string) bool{
			"outcome=missing": func(l string) bool { return strings.HasSuffix(l, "|missing") },
			"outcome=met":     func(l string) bool { return strings.HasSuffix(l, "|met") },
			"requirement=pci-security-standard": func(l string) bool {
				return strings.Contains(l, "|PCI DSS named as the security standard for card data|")
			},
			"kind=breach_notification_window": func(l string) bool { return strings.Contains(l, "|Breach notification within") },
			"tier=low":                        func(l string) bool { return strings.HasPrefix(l, p.health) },
			"vendor_id=" + p.chat:             func(l string) bool { return strings.HasPrefix(l, p.msa) },
		} {
			pg := b.get("/contracts?" + query)
			mustPage(t, pg, 200)
			got := auditLines(pg)
			var wantLines []string
			for _, l := range want {
				if keep(l) {
					wantLines = append(wantLines, l)
				}
			}
			sort.Strings(got)
			sort.Strings(wantLines)
			if len(wantLines) == 0 || !slices.Equal(got, wantLines) {
				t.Errorf("%s: %v, want %v", query, got, wantLines)
			}
			k, v, _ := strings.Cut(query, "=")
			if k != "vendor_id" {
				mustShow(t, pg, `<option value="`+v+`" selected>`)
			}
		}
		mustShow(t, b.get("/contracts?vendor_id="+p.healthID), "<h1>Clause audit of Mediclinic Data</h1>")
		mustShow(t, b.get("/contracts?tier=high&outcome=too_weak"), "No line matches the filters.")

		// Keyset pages of two lines, the filters kept, cover the whole audit.
		var all []string
		next := "/contracts?limit=2&tier=critical"
		for range 10 {
			pg := b.get(next)
			mustPage(t, pg, 200)
			all = append(all, auditLines(pg)...)
			m := nextLink.FindStringSubmatch(pg.Body)
			if m == nil {
				break
			}
			next = html.UnescapeString(m[1])
			if !strings.Contains(next, "tier=critical") || !strings.Contains(next, "limit=2") {
				t.Errorf("next page %s lost the query", next)
			}
		}
		var critical []string
		for _, l := range want {
			if strings.HasPrefix(l, p.msa) {
				critical = append(critical, l)
			}
		}
		if len(all) != len(critical) || !slices.Equal(slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(critical))) {
			t.Errorf("pages: %v, want %v", all, critical)
		}

		// Bad filters: 400 naming the parameter.
		for query, field := range map[string]string{"outcome=bad": "outcome", "requirement=nope": "requirement",
			"kind=nope": "kind", "tier=extreme": "tier", "vendor_id=42": "vendor_id", "cursor=!!": "cursor",
			"cursor=" + url.QueryEscape("bm90IGEgY3Vyc29y"): "cursor", "limit=0": "limit"} {
			pg := b.get("/contracts?" + query)
			mustPage(t, pg, http.StatusBadRequest)
			mustShow(t, pg, "<code>"+field+"</code>")
		}
	})
}

// TestConsoleAmendRoles: the console's amendment post admits exactly the
// roles of the API's POST /contracts/{id}/amendments.
func TestConsoleAmendRoles(t *testing.T) {
	var console, amend []domain.Role
	for _, r := range api.ConsoleRoutes() {
		if r.Method == "POST" && r.Path == "/contracts/:id/amendments" {
			console = r.Roles
		}
	}
	for _, r := range api.Routes() {
		if r.Method == "POST" && r.Path == "/api/v1/contracts/:id/amendments" {
			amend = r.Roles
		}
	}
	if len(console) == 0 || !slices.Equal(console, amend) {
		t.Errorf("console amendment roles %v, API %v", console, amend)
	}
}
