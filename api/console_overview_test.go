package api_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// overviewPortfolio is the console portfolio with a trend: daily risk
// snapshots 60 and 30 days before the scan and on its day, the register
// growing between them.
func (e *testEnv) overviewPortfolio() consolePortfolio {
	e.t.Helper()
	p := e.consolePortfolio()
	snaps := repository.NewRiskSnapshots(e.db)
	today := domain.DateOf(scanT0)
	take := func(days int) {
		if _, err := snaps.Take(context.Background(), today.AddDays(-days), scanT0.AddDate(0, 0, -days)); err != nil {
			e.t.Fatal(err)
		}
	}
	take(60)
	e.tieredVendor("Delta Couriers", "moderate")
	e.tieredVendor("Ember Analytics", "high")
	take(30)
	e.tieredVendor("Fjord Cloud", "critical")
	e.tieredVendor("Garnet Print", "low")
	e.tieredVendor("Harbor Payroll", "moderate")
	e.runScan()
	take(0)
	return p
}

// barLink is one bar of an overview chart: where it links and what it
// says to a screen reader.
var barLink = regexp.MustCompile(`<a href="([^"]*)" aria-label="(\w+) (\d+) ([^"]*)">`)

// bars are the bars of the chart with the given id: label to count and
// link.
func bars(t *testing.T, p page, id string) map[string]struct {
	n    int
	href string
} {
	t.Helper()
	i := strings.Index(p.Body, `<svg id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no chart %s", id)
	}
	svg := p.Body[i : i+strings.Index(p.Body[i:], "</svg>")]
	out := map[string]struct {
		n    int
		href string
	}{}
	for _, m := range barLink.FindAllStringSubmatch(svg, -1) {
		n, _ := strconv.Atoi(m[3])
		out[m[2]] = struct {
			n    int
			href string
		}{n, html.UnescapeString(m[1])}
	}
	return out
}

// TestConsoleOverview: the roles that may read the dashboard see the
// portfolio drawn as SVG (tiers, trend, findings), the riskiest vendors,
// the late notices and our obligations, each figure linking to the list
// behind it, whose rows it counts; the vendor manager, who may not read
// the dashboard, sees the findings alone: no portfolio figure, no vendor,
// no report button.
func TestConsoleOverview(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.overviewPortfolio()
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleLegal, domain.RoleExecutive, domain.RoleAuditor} {
			b := e.signedIn(role)
			pg := b.get("/")
			mustPage(t, pg, 200)
			mustShow(t, pg, `<svg id="tiers-chart"`, `<svg id="residual-chart"`, `<svg id="findings-chart"`,
				`<svg id="trend-chart"`, `<svg id="residual-trend-chart"`, "The ten riskiest vendors",
				`<a href="/vendors/`+p.chat+`">[24]7.ai</a>`, "Chat widget malware", `action="/reports"`,
				"Generate the audit workbook", "Generate the executive report")
		}
		b := e.signedIn(domain.RoleExecutive)
		pg := b.get("/")

		// Each tier's bar counts the rows of the vendor list it links to.
		for _, chart := range []string{"tiers-chart", "residual-chart"} {
			total := 0
			for tier, bar := range bars(t, pg, chart) {
				param := "tier"
				if chart == "residual-chart" {
					param = "residual_tier"
				}
				if bar.href != "/vendors?"+param+"="+tier {
					t.Errorf("%s %s links to %s", chart, tier, bar.href)
				}
				if got := len(rowNames(b.get(bar.href))); got != bar.n {
					t.Errorf("%s %s: bar says %d, the list has %d", chart, tier, bar.n, got)
				}
				total += bar.n
			}
			if chart == "tiers-chart" && total != 9 {
				t.Errorf("%d vendors in the tier bars, want 9", total)
			}
		}
		// Each severity's bar counts the findings it links to.
		for sev, bar := range bars(t, pg, "findings-chart") {
			if got := len(findingLink.FindAllString(b.get(bar.href).Body, -1)); got != bar.n {
				t.Errorf("severity %s: bar says %d, the list has %d", sev, bar.n, got)
			}
		}
		// The bars are labelled in words, not colour alone.
		mustShow(t, pg, `class="bar-label">critical</text>`, `class="tier-critical"/>`, `class="sev-critical"/>`)

		// The trend: one line per tier over the three snapshots, each
		// labelled with its tier and last value.
		for _, tier := range []string{"critical", "high", "moderate", "low"} {
			mustShow(t, pg, `class="line tier-`+tier+`"`)
		}
		trend := pg.Body[strings.Index(pg.Body, `<svg id="trend-chart"`):]
		trend = trend[:strings.Index(trend, "</svg>")]
		mustShow(t, page{Body: trend}, "3 days with a snapshot", ">critical 3</text>", ">low 2</text>",
			domain.DateOf(scanT0).AddDays(-60).String())

		// The riskiest: ranked by residual score, with a why and a link.
		rank := regexp.MustCompile(`<td class="num">(\d+)</td>\s*<th scope="row"><a href="/vendors/[0-9a-f-]{36}">[^<]*</a><span class="sub">[^<]+</span>`)
		if n := len(rank.FindAllString(pg.Body, -1)); n != 9 {
			t.Errorf("%d riskiest vendors listed, want the 9 there are", n)
		}
		mustShow(t, pg, `href="/vendors?sort=residual"`, "residual risk score")

		// The late notice of [24]7: in the figure, its finding behind it,
		// the row linking to the vendor's timeliness history.
		late := regexp.MustCompile(`<a class="figure" href="([^"]*)"><span class="n">(\d+)</span> <span class="what">notified late</span>`).
			FindStringSubmatch(pg.Body)
		if late == nil || late[2] != "1" {
			t.Fatalf("late notices figure: %v", late)
		}
		if late[1] != "/incidents?notice=late" {
			t.Errorf("the late notices figure links to %s", late[1])
		}
		if got := len(incidentLink.FindAllString(b.get(html.UnescapeString(late[1])).Body, -1)); got != 1 {
			t.Errorf("the late notices figure links to %d incidents", got)
		}
		mustShow(t, pg, `<a href="/incidents/`+p.incident+`">Chat widget malware</a>`)
		mustShow(t, pg, `href="/vendors/`+p.chat+`#timeliness"`, "late</span> 164 days")

		// Our obligations: overdue with how long; the figure links to its
		// findings.
		mustShow(t, pg, "Our obligations", `href="/findings?rule=obligation.overdue&amp;status=open%2Cacknowledged%2Crisk_accepted"`)
		if !regexp.MustCompile(`overdue</span> by \d+ days`).MatchString(pg.Body) {
			t.Error("no overdue obligation with its countdown")
		}

		// The vendor manager may not read the dashboard: findings only.
		vm := e.signedIn(domain.RoleVendorManager)
		pg = vm.get("/")
		mustPage(t, pg, 200)
		mustShow(t, pg, `<svg id="findings-chart"`, "Open findings by severity")
		mustNotShow(t, pg, "tiers-chart", "residual-chart", "trend-chart", "Vendors by tier", "riskiest", "[24]7.ai",
			"Acme Payroll", "Chat widget malware", "Our obligations", `action="/reports"`, "Key figures")
	})
}

// TestConsoleReports: the report buttons generate each report in the
// background; its page shows the download once done, and the download is
// the workbook. Roles without the API's report routes are refused (403)
// and nothing is run; so is a post without the CSRF token; an unknown
// kind names the field and runs nothing.
func TestConsoleReports(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.consolePortfolio()
		e.clock.set(time.Time{}) // the reports run as of now
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleLegal, domain.RoleExecutive, domain.RoleAuditor} {
			b := e.signedIn(role)
			b.get("/")
			for _, kind := range []string{"audit", "executive"} {
				p := b.post("/reports", url.Values{"kind": {kind}})
				if p.Code != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/reports/") {
					t.Fatalf("%s: generate %s: %d %q", role, kind, p.Code, p.Header.Get("Location"))
				}
				run := p.Header.Get("Location")
				var pg page
				for deadline := time.Now().Add(30 * time.Second); ; {
					pg = b.get(run)
					mustPage(t, pg, 200)
					if strings.Contains(pg.Body, `id="download"`) || time.Now().After(deadline) {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				mustShow(t, pg, `<a id="download" href="`+run+`/download" download>`)
				dl := b.get(run + "/download")
				mustPage(t, dl, 200)
				if ct := dl.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") || !strings.HasPrefix(dl.Body, "PK") {
					t.Errorf("%s %s download: %s, %q", role, kind, ct, dl.Body[:min(len(dl.Body), 4)])
				}
				// The overview lists it with its download.
				mustShow(t, b.get("/"), `<a href="`+run+`/download" download>Download</a>`)
			}
		}
		runs := e.count("SELECT count(*) FROM report_runs")

		// Refused: the vendor manager (no report route in the API), a post
		// without the CSRF token, an unknown kind.
		vm := e.signedIn(domain.RoleVendorManager)
		vm.get("/")
		mustPage(t, vm.post("/reports", url.Values{"kind": {"audit"}}), http.StatusForbidden)
		id := e.allReportRunIDs()[0]
		mustPage(t, vm.get("/reports/"+id), http.StatusForbidden)
		mustPage(t, vm.get("/reports/"+id+"/download"), http.StatusForbidden)
		ex := e.signedIn(domain.RoleExecutive)
		ex.get("/")
		mustPage(t, ex.post("/reports", url.Values{"kind": {"audit"}, "csrf": {"forged"}}), http.StatusForbidden)
		p := ex.post("/reports", url.Values{"kind": {"weekly"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, "<code>kind</code> must be audit or executive")
		mustPage(t, ex.get("/reports/00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
		if n := e.count("SELECT count(*) FROM report_runs"); n != runs {
			t.Errorf("%d report runs after the refused posts, want %d", n, runs)
		}
	})
}

// allReportRunIDs are the ids of the report runs, newest first.
func (e *testEnv) allReportRunIDs() []string {
	e.t.Helper()
	rows, err := e.db.SQL().Query("SELECT id FROM report_runs ORDER BY created_at DESC")
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// routeRoles are the roles a route of the table admits.
func routeRoles(t *testing.T, rs []api.Route, method, path string) []domain.Role {
	t.Helper()
	for _, r := range rs {
		if r.Method == method && r.Path == path {
			return r.Roles
		}
	}
	t.Fatalf("no route %s %s", method, path)
	return nil
}

// TestConsoleReportRoles: the console's report routes admit exactly the
// roles of the API's.
func TestConsoleReportRoles(t *testing.T) {
	for _, pair := range [][4]string{
		{"POST", "/reports", "POST", "/api/v1/reports"},
		{"GET", "/reports/:id", "GET", "/api/v1/reports/:id"},
		{"GET", "/reports/:id/download", "GET", "/api/v1/reports/:id/download"},
	} {
		console, a := routeRoles(t, api.ConsoleRoutes(), pair[0], pair[1]), routeRoles(t, api.Routes(), pair[2], pair[3])
		if !slices.Equal(console, a) {
			t.Errorf("%s %s: console roles %v, API %v", pair[0], pair[1], console, a)
		}
	}
}

// TestConsoleVendorTimeliness: every role reads a vendor's notice
// timeliness on its page: the totals and each incident's notice against
// its deadline; a vendor without incidents says so.
func TestConsoleVendorTimeliness(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/vendors/" + p.chat)
			mustPage(t, pg, 200)
			mustShow(t, pg, `<a href="#timeliness">Notice timeliness</a>`, `<h2 id="timeliness">Notice timeliness</h2>`,
				"<span>1 incident:</span>", `<span class="badge b-bad">late</span> 1</span>`, "<strong>0 %</strong>",
				"longest lag: <strong>167 days</strong>", "worst: <strong>late by 164 days</strong>",
				"<th scope=\"row\"><a href=\"/incidents/"+p.incident+"\">Chat widget malware</a></th><td>2017-10-12 00:00 UTC</td>",
				"2017-10-15 00:00 UTC<span class=\"sub\">72 hours</span>", "late by 164 days</span><span class=\"sub\">broke the contract</span>")
			mustShow(t, b.get("/vendors/"+p.low), "No incident is recorded, so there is no notice to judge.")
		}
	})
}
