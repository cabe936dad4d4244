package api_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// consolePortfolio is what the console's page tests look at: the [24]7
// vendor with its contract, amendment and late incident; vendors of each
// tier, one reviewed and attested; then a compliance scan, which stores
// the residual risk and opens findings.
type consolePortfolio struct {
	chat, incident, critical, high, low string
}

func (e *testEnv) consolePortfolio() consolePortfolio {
	e.t.Helper()
	e.clock.set(scanT0)
	var p consolePortfolio
	p.chat, p.incident = e.build24x7()
	p.critical = e.tieredVendor("Acme Payroll", "critical")
	p.high = e.tieredVendor("Beacon Hosting", "high")
	p.low = e.tieredVendor("Quill Stationery", "low")
	e.review(p.high, "2025-12-01")
	e.createAttestation(map[string]any{"vendor_id": p.high, "kind": "soc2_type2", "issued_on": "2026-06-01",
		"expires_on": "2027-05-31"})
	e.runScan()
	return p
}

// signedIn is a browser signed in as a new user of the role.
func (e *testEnv) signedIn(role domain.Role) *browser {
	e.t.Helper()
	email := fmt.Sprintf("%s-%d@example.com", role, e.count("SELECT count(*) FROM users"))
	e.addUser(email, role)
	b := e.browser("192.0.2.30")
	mustRedirect(e.t, b.signIn(email, consolePassword), "/")
	return b
}

func mustShow(t *testing.T, p page, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page lacks %s", w)
		}
	}
}

func mustNotShow(t *testing.T, p page, what ...string) {
	t.Helper()
	for _, w := range what {
		if strings.Contains(p.Body, w) {
			t.Errorf("page shows %s", w)
		}
	}
}

var vendorLink = regexp.MustCompile(`<a href="/vendors/([0-9a-f-]{36})">([^<]*)</a>`)

// rowNames are the vendor names of a list page, in order.
func rowNames(p page) []string {
	var out []string
	for _, m := range vendorLink.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

var nextLink = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)

// TestConsoleVendorList: every role reads the list, each row linking to
// its vendor with the tiers written beside their colour; search, filters
// and keyset pages are the API's.
func TestConsoleVendorList(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/vendors")
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Vendors</h1>", `<a href="/vendors" aria-current="page">Vendors</a>`,
				`<a href="/vendors/`+p.critical+`">Acme Payroll</a>`, `<span class="tier tier-critical">critical</span>`,
				`<label for="q">Name contains</label>`, `<label for="f-residual_tier">Residual tier</label>`,
				`<label for="f-criticality">Criticality</label>`, "4 vendors on this page")
			if got := rowNames(pg); strings.Join(got, ",") != "[24]7.ai,Acme Payroll,Beacon Hosting,Quill Stationery" {
				t.Errorf("%s: rows %v", role, got)
			}
			// Signed out, the list is not shown.
			mustRedirect(t, e.browser("192.0.2.31").get("/vendors"), "/signin?next=%2Fvendors")
		}
		b := e.signedIn(domain.RoleAdmin)

		// The residual tier and score the scan stored, with its word.
		pg := b.get("/vendors?q=beacon")
		if names := rowNames(pg); len(names) != 1 || names[0] != "Beacon Hosting" {
			t.Fatalf("search beacon: %v", names)
		}
		if !regexp.MustCompile(`<span class="tier tier-(critical|high|moderate|low)">(critical|high|moderate|low)</span> <span class="score" title="residual score out of 100">\d+</span>`).MatchString(pg.Body) {
			t.Errorf("no residual tier and score:\n%s", pg.Body)
		}
		mustShow(t, pg, `<input id="q" name="q" type="search" value="beacon"`, "matching the search and filters")

		// Filters select what the API's do, and keep their choice.
		pg = b.get("/vendors?tier=critical")
		mustShow(t, pg, `<option value="critical" selected>critical</option>`)
		if names := rowNames(pg); strings.Join(names, ",") != "[24]7.ai,Acme Payroll" {
			t.Errorf("tier=critical: %v", names)
		}
		pg = b.get("/vendors?status=prospect")
		mustShow(t, pg, "No vendor matches the search and filters.")
		api := e.do("GET", "/api/v1/vendors?residual_tier=low", e.keys[domain.RoleExecutive], nil)
		var want struct{ Items []struct{ Name string } }
		api.decode(t, &want)
		var wantNames []string
		for _, v := range want.Items {
			wantNames = append(wantNames, v.Name)
		}
		if got := rowNames(b.get("/vendors?residual_tier=low")); strings.Join(got, ",") != strings.Join(wantNames, ",") {
			t.Errorf("residual_tier=low: console %v, API %v", got, wantNames)
		}

		// Keyset pages: two at a time, with the filters kept, and a way
		// back to the first.
		var all []string
		next := "/vendors?limit=2&sort=name"
		for range 5 {
			pg = b.get(next)
			mustPage(t, pg, 200)
			all = append(all, rowNames(pg)...)
			m := nextLink.FindStringSubmatch(pg.Body)
			if m == nil {
				break
			}
			next = html.UnescapeString(m[1])
			if !strings.Contains(next, "sort=name") || !strings.Contains(next, "limit=2") {
				t.Errorf("next page %s lost the query", next)
			}
		}
		if strings.Join(all, ",") != "[24]7.ai,Acme Payroll,Beacon Hosting,Quill Stationery" {
			t.Errorf("pages: %v", all)
		}
		mustShow(t, pg, `>First page</a>`)

		// A bad filter is the API's 400, naming the parameter.
		pg = b.get("/vendors?tier=extreme")
		mustPage(t, pg, http.StatusBadRequest)
		mustShow(t, pg, "tier", "must be one of critical, high, moderate, low")
	})
}

// TestConsoleVendorPage: every role reads a vendor's page, with each
// section the API has for it; an unknown vendor is 404.
func TestConsoleVendorPage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/vendors/" + p.chat)
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>[24]7.ai</h1>", `<h2 id="profile">Profile</h2>`, `<h2 id="data">Data handled</h2>`,
				"cardholder data", "chat transcripts",
				// Inherent risk with its factors; residual risk with its own.
				"Inherent risk: ", "data sensitivity", "record volume", "Residual risk: ", "From the inherent score",
				// The contract with the clause in force, and the clause audit.
				"Chat MSA", "24 hours", `<h3>Clause audit</h3>`,
				// The incident with its notice status.
				"Chat widget malware", `<span class="badge b-bad">late</span>`, "late by 164 days",
				// Open findings link to triage.
				`<h2 id="findings">Open findings</h2>`, `<a href="/findings/`)
			mustNotShow(t, pg, "No incident is recorded.", "No contract is recorded.")
			// The same figures as GET /vendors/{id}/risk.
			var risk struct {
				Inherent struct{ Score int }
				Residual struct {
					Score int
					Tier  string
				}
			}
			e.do("GET", "/api/v1/vendors/"+p.chat+"/risk", e.keys[role], nil).decode(t, &risk)
			mustShow(t, pg, fmt.Sprintf(`Residual risk: <span class="tier tier-%s">%s</span> <span class="score">%d</span>`,
				risk.Residual.Tier, risk.Residual.Tier, risk.Residual.Score))
			mustShow(t, pg, fmt.Sprintf(`Inherent risk: <span class="tier tier-critical">critical</span> <span class="score">%d</span>`,
				risk.Inherent.Score))
		}
		b := e.signedIn(domain.RoleAuditor)
		pg := b.get("/vendors/" + p.high)
		mustPage(t, pg, 200)
		mustShow(t, pg, "<h1>Beacon Hosting</h1>", "SOC 2 Type II", "2027-05-31", "Next review due: <strong>2026-12-01</strong>",
			"Dana", "approved", "No incident is recorded.", "No contract is recorded.")
		mustNotShow(t, pg, "Chat widget malware")
		mustPage(t, b.get("/vendors/00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
		mustPage(t, b.get("/vendors/not-an-id"), http.StatusNotFound)
	})
}
