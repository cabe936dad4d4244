package api_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
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
	mustStatus(e.t, e.do("PATCH", "/api/v1/vendors/"+p.chat, e.keys[domain.RoleVendorManager], map[string]any{
		"legal_name": "[24]7.ai, Inc.", "service": "Customer chat on the checkout pages", "website": "https://www.247.ai",
		"owner_email": "dana@example.com", "country": "US"}), http.StatusOK)
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

// findingState reads a finding's status and version through the API.
func (e *testEnv) findingState(id string) (string, int64) {
	e.t.Helper()
	var f findingView
	e.do("GET", "/api/v1/findings/"+id, e.keys[domain.RoleAuditor], nil).decode(e.t, &f)
	return f.Status, f.Version
}

var (
	sevBadge    = regexp.MustCompile(`<span class="sev sev-(\w+)">`)
	findingLink = regexp.MustCompile(`<a href="/findings/([0-9a-f-]{36})">`)
)

// TestConsoleFindingsList: every role reads the triage list; filters are
// the API's (status may name several); each finding links to its page,
// which shows the triage forms only to the roles that may decide.
func TestConsoleFindingsList(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		live := e.allFindings("status=open")
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/findings")
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Findings</h1>", `<a href="/findings" aria-current="page">Findings</a>`,
				`<label for="f-status">Status</label>`, `<label for="f-severity">Severity</label>`, `<label for="f-rule">Rule</label>`,
				"Vendor notified us late", "[24]7.ai")
			if n := len(findingLink.FindAllString(pg.Body, -1)); n != min(len(live), 50) {
				t.Errorf("%s: %d findings listed, %d open", role, n, len(live))
			}
			one := b.get("/findings/" + live[0].ID)
			mustPage(t, one, 200)
			mustShow(t, one, "What the scan saw", `<a href="/vendors/`+live[0].VendorID+`">`)
			if mayTriage := role == domain.RoleAdmin || role == domain.RoleVendorManager || role == domain.RoleLegal; mayTriage {
				mustShow(t, one, `<h2 id="triage-h">Triage</h2>`, `<label for="reason">Reason (required)</label>`,
					`<label for="accepted_until">Accepted until`)
			} else {
				mustNotShow(t, one, "Triage", `method="post" action="/findings/`)
			}
		}
		b := e.signedIn(domain.RoleExecutive)

		// Severity: only its badges.
		pg := b.get("/findings?severity=critical&status=open%2Cacknowledged")
		mustPage(t, pg, 200)
		for _, m := range sevBadge.FindAllStringSubmatch(pg.Body, -1) {
			if m[1] != "critical" {
				t.Errorf("severity=critical lists a %s finding", m[1])
			}
		}
		mustShow(t, pg, `<option value="open,acknowledged" selected>open or acknowledged</option>`)
		// Rule: only its findings; the vendor's: only them.
		pg = b.get("/findings?rule=incident.notice_late")
		if n := len(findingLink.FindAllString(pg.Body, -1)); n != 1 {
			t.Errorf("rule filter: %d findings", n)
		}
		pg = b.get("/findings?vendor_id=" + p.low)
		mustShow(t, pg, "<h1>Findings of Quill Stationery</h1>")
		mustNotShow(t, pg, "[24]7.ai")
		// The overview's severity figures link here.
		mustShow(t, b.get("/"), `href="/findings?status=open%2Cacknowledged&amp;severity=critical"`)
		// Bad filters are the API's 400.
		mustPage(t, b.get("/findings?status=open,closed"), http.StatusBadRequest)
		mustPage(t, b.get("/findings?rule=nope"), http.StatusBadRequest)
		mustPage(t, b.get("/findings/00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
	})
}

// TestConsoleTriage: acknowledge, accept the risk and reopen through the
// forms; errors next to their fields with the input kept; a stale
// version is a conflict; a post without the CSRF token or by a role that
// may not decide is 403. Nothing is written when a post is refused.
func TestConsoleTriage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		var target findingView
		for _, f := range e.allFindings("status=open&vendor_id=" + p.chat) {
			if f.RuleID == "incident.notice_late" {
				target = f
			}
		}
		if target.ID == "" {
			t.Fatal("no late-notice finding")
		}
		path := "/findings/" + target.ID
		b := e.signedIn(domain.RoleVendorManager)
		audit := func() int { return e.count("SELECT count(*) FROM audit_events") }
		unchanged := func(what string, status string, version int64, events int) {
			t.Helper()
			if s, v := e.findingState(target.ID); s != status || v != version {
				t.Errorf("%s: finding is %s v%d, want %s v%d", what, s, v, status, version)
			}
			if n := audit(); n != events {
				t.Errorf("%s wrote %d audit events", what, n-events)
			}
		}
		post := func(form map[string]string) page {
			t.Helper()
			v := url.Values{}
			for k, x := range form {
				v.Set(k, x)
			}
			return b.post(path, v)
		}

		// Acknowledge.
		pg := b.get(path)
		mustShow(t, pg, `<input type="hidden" name="version" value="1">`, `<button type="submit">Acknowledge</button>`)
		mustRedirect(t, post(map[string]string{"status": "acknowledged", "version": "1"}), path+"?saved=acknowledged")
		pg = b.get(path + "?saved=acknowledged")
		mustShow(t, pg, "Saved: the finding is now acknowledged.", `<strong id="status">acknowledged</strong>`,
			`<input type="hidden" name="version" value="2">`, `<button type="submit">Reopen</button>`)
		mustNotShow(t, pg, `<button type="submit">Acknowledge</button>`)

		// Accept the risk without a reason, with a past date; then with a
		// date that is not one; then without a date: each message next to
		// its field, what was typed kept, nothing written.
		events := audit()
		pg = post(map[string]string{"status": "risk_accepted", "version": "2", "reason": " ", "accepted_until": "2020-01-01"})
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="reason-error">is required to accept a risk</span>`,
			`id="accepted_until-error">must be after today (2026-11-23, UTC)</span>`, `value="2020-01-01"`,
			`aria-invalid="true" aria-describedby="accepted_until-error"`)
		pg = post(map[string]string{"status": "risk_accepted", "version": "2", "reason": "Compensating control: WAF rule 12",
			"accepted_until": "31/12/2027"})
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="accepted_until-error">must be a date in the form YYYY-MM-DD</span>`, `value="31/12/2027"`,
			">Compensating control: WAF rule 12</textarea>")
		mustNotShow(t, pg, `id="reason-error"`)
		pg = post(map[string]string{"status": "risk_accepted", "version": "2", "reason": "Compensating control", "accepted_until": ""})
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="accepted_until-error">is required to accept a risk</span>`, ">Compensating control</textarea>")
		unchanged("invalid acceptances", "acknowledged", 2, events)

		// A stale version: the conflict shows both decisions; nothing written.
		pg = post(map[string]string{"status": "risk_accepted", "version": "1", "reason": "Vendor fixed it", "accepted_until": "2027-06-30"})
		mustPage(t, pg, http.StatusConflict)
		mustShow(t, pg, `id="conflict"`, "Yours was read at version 1; it is now at version 2.",
			"<dt>Your decision</dt><dd>risk accepted: “Vendor fixed it”, until 2027-06-30</dd>", "<dt>Now</dt><dd>acknowledged</dd>",
			">Vendor fixed it</textarea>", `value="2027-06-30"`, `<input type="hidden" name="version" value="2">`)
		unchanged("a stale acceptance", "acknowledged", 2, events)

		// Without the CSRF token, or with a forged one: 403, nothing written.
		mustPage(t, post(map[string]string{"csrf": "forged", "status": "open", "version": "2"}), http.StatusForbidden)
		mustPage(t, b.do("POST", path, url.Values{"status": {"open"}, "version": {"2"}}), http.StatusForbidden)
		unchanged("posts without the CSRF token", "acknowledged", 2, events)

		// A role that may not decide, with its own valid token: 403.
		for _, role := range []domain.Role{domain.RoleExecutive, domain.RoleAuditor} {
			other := e.signedIn(role)
			other.get(path)
			events = audit()
			mustPage(t, other.post(path, url.Values{"status": {"open"}, "version": {"2"}}), http.StatusForbidden)
			unchanged("a post by "+string(role), "acknowledged", 2, events)
		}

		// Accept, then reopen.
		mustRedirect(t, post(map[string]string{"status": "risk_accepted", "version": "2", "reason": "Vendor fixed it",
			"accepted_until": "2027-06-30"}), path+"?saved=risk_accepted")
		var f struct {
			AcceptedReason string `json:"accepted_reason"`
			AcceptedUntil  string `json:"accepted_until"`
			AcceptedBy     string `json:"accepted_by"`
		}
		e.do("GET", "/api/v1/findings/"+target.ID, e.keys[domain.RoleAuditor], nil).decode(t, &f)
		if f.AcceptedReason != "Vendor fixed it" || f.AcceptedUntil != "2027-06-30" || f.AcceptedBy == "" {
			t.Errorf("accepted finding: %+v", f)
		}
		pg = b.get(path)
		mustShow(t, pg, `<strong id="status">risk accepted</strong>`, "“Vendor fixed it”, until 2027-06-30")
		mustRedirect(t, post(map[string]string{"status": "open", "version": "3"}), path+"?saved=open")
		if s, v := e.findingState(target.ID); s != "open" || v != 4 {
			t.Errorf("reopened finding: %s v%d", s, v)
		}
	})
}

// TestConsoleTriageRoles: the console's triage post admits exactly the
// roles of the API's PATCH /findings/{id}.
func TestConsoleTriageRoles(t *testing.T) {
	console := routeRoles(t, api.ConsoleRoutes(), "POST", "/findings/:id")
	patch := routeRoles(t, api.Routes(), "PATCH", "/api/v1/findings/:id")
	if !slices.Equal(console, patch) {
		t.Errorf("console triage roles %v, API %v", console, patch)
	}
}
