package api_test

import (
	"context"
	_ "embed"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// chromiumPath is Debian's chromium, or VW_CHROMIUM.
func chromiumPath() string {
	if p := os.Getenv("VW_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// newBrowser starts a headless Chromium for the test. Without one the
// test is skipped, except in CI (CI=true), where it fails: .ci/run
// installs chromium.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Chromium at %s (CI=true: browser tests must run; install Debian's chromium): %v", path, err)
		}
		t.Skipf("no Chromium at %s; install Debian's chromium or set VW_CHROMIUM", path)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// step runs the actions with a time limit; on failure it saves a
// screenshot of the page and fails the test.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		failureScreenshots(t, ctx)
		t.Fatalf("%s: %v", what, err)
	}
}

// failureScreenshots saves the page as it is when a step fails, at
// desktop width and at phone width, in the temporary directory, and logs
// where.
func failureScreenshots(t *testing.T, ctx context.Context) {
	t.Helper()
	base := filepath.Join(os.TempDir(), "vendorwatch-"+strings.ReplaceAll(t.Name(), "/", "-"))
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1366, 768}, {"phone", 375, 812}} {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if chromedp.Do(sctx, chromedp.EmulateViewport(size.width, size.height)) == nil {
			shot := base + "-" + size.name + ".png"
			if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(90)); err == nil && os.WriteFile(shot, png, 0o644) == nil {
				t.Logf("screenshot: %s", shot)
			}
		}
		cancel()
	}
}

// TestBrowserSignInOverviewSignOut drives a real Chromium: sign in, read
// the overview, sign out.
func TestBrowserSignInOverviewSignOut(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		e.addUser("ada@example.com", domain.RoleExecutive)
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		step(t, ctx, "open the console",
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("email")))
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if loc != srv.URL+"/signin" {
			t.Errorf("signed out, / led to %s", loc)
		}
		step(t, ctx, "a wrong password",
			chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("signin-error")))
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("signin-error")))
		if msg != "The email or password is wrong." {
			t.Errorf("error message %q", msg)
		}
		step(t, ctx, "sign in",
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		title, _ := chromedp.Run(ctx, chromedp.Title())
		heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
		tiers, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("tiers-h")))
		if title != "Overview · Vendorwatch" || heading != "Overview" || tiers != "Vendors by tier" {
			t.Errorf("overview: title %q, h1 %q, tiers %q", title, heading, tiers)
		}
		// The style sheet applied: the critical badge is red.
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`getComputedStyle(document.querySelector('.sev-critical')).backgroundColor`))
		if err != nil || bg != "rgb(185, 28, 28)" {
			t.Errorf("critical badge background %q (%v)", bg, err)
		}
		step(t, ctx, "sign out",
			chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
			chromedp.WaitVisible(chromedp.ID("email")))
		step(t, ctx, "the overview again",
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("email")))
		if n := e.count("SELECT count(*) FROM sessions"); n != 0 {
			t.Errorf("%d sessions after sign-out", n)
		}
	})
}

// screenshot saves a screenshot of the viewport as name.png in the
// directory VW_SCREENSHOTS names (nothing without it): the README's
// pictures of the console are made this way.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveScreenshot(t, ctx, name, chromedp.CaptureScreenshot())
}

// fullScreenshot saves the whole page, as screenshot saves the viewport.
func fullScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveScreenshot(t, ctx, name, chromedp.FullScreenshot(100))
}

func saveScreenshot(t *testing.T, ctx context.Context, name string, shot chromedp.Action[[]byte]) {
	t.Helper()
	dir := os.Getenv("VW_SCREENSHOTS")
	if dir == "" {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, shot)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signInAt signs email in at 1366x768 through the sign-in form and waits
// for the element with id ready on the page it leads to.
func signInAt(t *testing.T, ctx context.Context, base, email, ready string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), consolePassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID(ready)))
}

// TestBrowserVendorsAndTriage drives a real Chromium at 1366x768 through
// the vendor list, a vendor page and the triage of one of its findings.
func TestBrowserVendorsAndTriage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		p := e.consolePortfolio()
		e.addUser("dana@example.com", domain.RoleVendorManager)
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		signInAt(t, ctx, srv.URL, "dana@example.com", "findings-h")
		step(t, ctx, "open the vendor list",
			chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="/vendors"]`)),
			chromedp.WaitVisible(chromedp.ID("vendors-caption")))
		screenshot(t, ctx, "console-vendors")
		rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.list tbody tr').length`))
		if rows != 4 {
			t.Errorf("%d rows in the vendor list", rows)
		}
		step(t, ctx, "open a vendor page",
			chromedp.Click(chromedp.CSS(`a[href="/vendors/`+p.chat+`"]`)),
			chromedp.WaitVisible(chromedp.ID("risk")))
		// The picture is taller, down to the risk factors.
		step(t, ctx, "a taller window", chromedp.EmulateViewport(1366, 1240))
		screenshot(t, ctx, "console-vendor")
		heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
		if heading != "[24]7.ai" {
			t.Errorf("vendor page heading %q", heading)
		}

		// At phone width the pages do not scroll sideways (wide tables
		// scroll in their own region).
		for _, path := range []string{"/vendors", "/vendors/" + p.chat} {
			step(t, ctx, "open "+path+" at 375 px", chromedp.EmulateViewport(375, 812), chromedp.Navigate(srv.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if w > 375 {
				t.Errorf("%s at 375 px is %d px wide", path, w)
			}
		}

		// Triage the late notice: accept the risk with a reason and an
		// expiry.
		var late string
		for _, f := range e.allFindings("status=open&vendor_id=" + p.chat) {
			if f.RuleID == "incident.notice_late" {
				late = f.ID
			}
		}
		step(t, ctx, "open the finding from the vendor page",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/vendors/"+p.chat),
			chromedp.Click(chromedp.CSS(`a[href="/findings/`+late+`"]`)),
			chromedp.WaitVisible(chromedp.ID("triage-h")))
		screenshot(t, ctx, "console-finding")
		step(t, ctx, "accept the risk",
			chromedp.SendKeys(chromedp.ID("reason"), "The vendor replaced its notice process; checked at the 2027 review"),
			chromedp.SetValue(chromedp.ID("accepted_until"), "2027-06-30"),
			chromedp.Click(chromedp.CSS(`form[aria-labelledby=accept-h] button`)),
			chromedp.WaitVisible(chromedp.ID("saved")))
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		if status != "risk accepted" {
			t.Errorf("status after accepting: %q", status)
		}
		if s, _ := e.findingState(late); s != "risk_accepted" {
			t.Errorf("stored status %q", s)
		}
	})
}

// axeScript is axe-core, vendored under testdata/axe (see its README).
//
//go:embed testdata/axe/axe.min.js
var axeScript string

// axeViolation is what the test reports of one axe-core violation.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// axeResult is what the test reads of an axe-core run: the violations and
// how many rules passed (none would mean axe checked nothing).
type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

// axeRun is the expression that runs axe-core on the page and returns its
// violations, with the first three targets of each.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => ({
	passes: r.passes.length,
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
		targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}))`

// runAxe injects axe-core into the page (through the DevTools protocol,
// which the console's Content-Security-Policy does not govern) and runs it.
func runAxe(t *testing.T, ctx context.Context, page string) axeResult {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Evaluate[chromedp.Void](axeScript)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	res, err := chromedp.Run(sctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	if res.Passes == 0 {
		t.Fatalf("%s: axe-core passed no rule", page)
	}
	return res
}

// serious reports whether an axe-core impact fails the test.
func serious(impact string) bool { return impact == "serious" || impact == "critical" }

// checkAxe runs axe-core on the page and fails the test for each violation
// of impact serious or critical (the others are logged).
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, v := range runAxe(t, ctx, page).Violations {
		report := t.Logf
		if serious(v.Impact) {
			report = t.Errorf
		}
		report("%s: axe %s (%s): %s; %d nodes, first %s", page, v.ID, v.Impact, v.Help, v.Nodes,
			strings.Join(v.Targets, " | "))
	}
}

// TestBrowserAxe runs axe-core on each main page of the console: the
// sign-in page signed out, then the others signed in as an admin. No
// violation may be of impact serious or critical.
func TestBrowserAxe(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		p := e.consolePortfolio()
		e.addUser("root@example.com", domain.RoleAdmin)
		var finding string
		for _, f := range e.allFindings("status=open&vendor_id=" + p.chat) {
			if f.RuleID == "incident.notice_late" {
				finding = f.ID
			}
		}
		if finding == "" {
			t.Fatal("no late-notice finding")
		}
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		step(t, ctx, "open the sign-in page",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.WaitVisible(chromedp.ID("email")))
		checkAxe(t, ctx, "/signin")
		step(t, ctx, "a wrong password",
			chromedp.SendKeys(chromedp.ID("email"), "root@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("signin-error")))
		checkAxe(t, ctx, "/signin (wrong password)")
		step(t, ctx, "sign in",
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		contracts := e.allContracts("vendor_id=" + p.chat)
		chain := e.supplyChainPortfolio()
		for _, path := range []string{"/", "/vendors", "/vendors/" + p.chat, "/concentration", "/vendors/" + chain.nimbus, "/findings", "/findings/" + finding,
			"/incidents", "/incidents/" + p.incident, "/incidents/new?vendor_id=" + p.chat, "/contracts", "/contracts/" + contracts[0], "/account/password",
			"/admin/users", "/admin/api-keys", "/admin/webhooks", "/admin/jobs", "/onboarding", "/onboarding/" + p.chat + "/data",
			"/onboarding/" + p.chat + "/contract", "/onboarding/" + p.chat + "/attestations", "/onboarding/" + p.chat + "/review",
			"/vendors/" + p.chat + "/edit", "/onboarding/import"} {
			step(t, ctx, "open "+path,
				chromedp.Navigate(srv.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			checkAxe(t, ctx, path)
			if path == "/concentration" {
				screenshot(t, ctx, "console-concentration")
			}
		}
		step(t, ctx, "the concentration at 375 px", chromedp.EmulateViewport(375, 812),
			chromedp.Navigate(srv.URL+"/concentration"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		fullScreenshot(t, ctx, "console-concentration-375")
		step(t, ctx, "back to the password page", chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/account/password"), chromedp.WaitVisible(chromedp.CSS("main h1")))

		// The check can fail: an unlabelled field is a critical violation.
		step(t, ctx, "add an unlabelled field",
			chromedp.Evaluate[chromedp.Void](`document.querySelector('main').append(document.createElement('input'))`))
		caught := false
		for _, v := range runAxe(t, ctx, "/account/password with an unlabelled field").Violations {
			caught = caught || v.ID == "label" && serious(v.Impact)
		}
		if !caught {
			t.Error("axe-core did not report an unlabelled field")
		}
	})
}

// TestBrowserOverviewCharts drives a real Chromium to the overview as an
// executive: the charts are drawn (SVG bars and lines with a size, each
// with its text label), at 1366x768 and at 375 px wide, where the page
// does not scroll sideways.
func TestBrowserOverviewCharts(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		p := e.overviewPortfolio()
		e.addUser("eve@example.com", domain.RoleExecutive)
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		signInAt(t, ctx, srv.URL, "eve@example.com", "tiers-chart")
		screenshot(t, ctx, "console-overview-1366x768")
		for _, width := range []int{1366, 375} {
			step(t, ctx, fmt.Sprintf("the overview at %d px", width), chromedp.EmulateViewport(int64(width), 812),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("tiers-chart")))
			// Each bar chart: four bars drawn with a width (a zero bar has
			// none), each with its label and value as text.
			for _, id := range []string{"tiers-chart", "residual-chart", "findings-chart"} {
				got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#`+id+` a')).map(a =>
					a.querySelector('.bar-label').textContent + ' ' + a.querySelector('.bar-value').textContent + ' ' +
					(a.querySelector('rect').getBoundingClientRect().width > 0 || a.querySelector('.bar-value').textContent === '0'))`))
				if err != nil || len(got) != 4 {
					t.Fatalf("%s at %d px: bars %v (%v)", id, width, got, err)
				}
				for _, bar := range got {
					if !strings.HasSuffix(bar, " true") {
						t.Errorf("%s at %d px: bar %q not drawn", id, width, bar)
					}
				}
			}
			// The trend: a line per tier with points, its label at its end.
			lines, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#trend-chart polyline'))
				.filter(l => l.points.length === 3 && l.getBoundingClientRect().width > 0).length`))
			ends, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#trend-chart .end-label')).map(t => t.textContent)`))
			if lines != 4 || strings.Join(ends, ",") != "critical 3,high 2,moderate 2,low 2" {
				t.Errorf("trend at %d px: %d lines drawn, labels %v", width, lines, ends)
			}
			if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > width {
				t.Errorf("the overview at %d px is %d px wide", width, w)
			}
			if width == 375 {
				screenshot(t, ctx, "console-overview-phone")
				fullScreenshot(t, ctx, "console-overview-phone-full")
			} else {
				fullScreenshot(t, ctx, "console-overview") // the README's picture
			}
		}
		// A bar is a link to the list behind it.
		step(t, ctx, "follow the critical bar",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/"),
			chromedp.Click(chromedp.CSS(`#tiers-chart a[href="/vendors?tier=critical"] rect`)),
			chromedp.WaitVisible(chromedp.ID("vendors-caption")))
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != srv.URL+"/vendors?tier=critical" {
			t.Errorf("the critical bar led to %s", loc)
		}
		// A late notice leads to its vendor's notice timeliness.
		step(t, ctx, "follow the late notice",
			chromedp.Navigate(srv.URL+"/"),
			chromedp.Click(chromedp.CSS(`a[href="/vendors/`+p.chat+`#timeliness"]`)),
			chromedp.WaitVisible(chromedp.ID("timeliness")))
		screenshot(t, ctx, "console-vendor-timeliness")
		late, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`section[aria-labelledby=timeliness] tbody tr`)))
		if !strings.Contains(late, "late by 164 days") {
			t.Errorf("the timeliness row reads %q", late)
		}
	})
}
