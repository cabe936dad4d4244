package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestBrowserAmendClause drives a real Chromium: legal opens the clause
// audit, a contract from it, and amends its clause through the form; the
// new version is on the timeline. Then a vendor manager opens the same
// contract: no amendment form, and a forged post with their own session's
// token is refused with 403, writing nothing.
func TestBrowserAmendClause(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		p := e.clausePortfolio()
		e.addUser("lee@example.com", domain.RoleLegal)
		e.addUser("dana@example.com", domain.RoleVendorManager)
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		step(t, ctx, "sign in as legal",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.SendKeys(chromedp.ID("email"), "lee@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		step(t, ctx, "open the clause audit",
			chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="/contracts"]`)),
			chromedp.WaitVisible(chromedp.ID("audit-caption")))
		screenshot(t, ctx, "console-contracts")
		step(t, ctx, "filter the gaps",
			chromedp.SetValue(chromedp.ID("f-outcome"), "missing"),
			chromedp.Click(chromedp.CSS(`form.filters button`)),
			chromedp.WaitReady(chromedp.CSS(`#f-outcome option[value=missing][selected]`)))
		badges, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('table.audit .badge')].map(b => b.textContent)`))
		if len(badges) == 0 || strings.Join(badges, ",") != strings.TrimSuffix(strings.Repeat("missing,", len(badges)), ",") {
			t.Errorf("missing filter shows %v", badges)
		}
		step(t, ctx, "open the chat contract",
			chromedp.Click(chromedp.CSS(`table.audit a[href="/contracts/`+p.msa+`"]`)),
			chromedp.WaitVisible(chromedp.ID("amend-h")))
		step(t, ctx, "amend its clause",
			chromedp.SetValue(chromedp.ID("effective_from"), "2026-12-01"),
			chromedp.SendKeys(chromedp.ID("reason"), "Amendment No. 2: 12-hour notice"),
			chromedp.SetValue(chromedp.ID("window_value"), "12"),
			chromedp.SendKeys(chromedp.ID("notify"), "CISO, ciso@example.com"),
			chromedp.Click(chromedp.CSS(`form.amend button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID("saved")))
		lanes, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('svg.tl .tl-label')].map(t => t.textContent)`))
		if strings.Join(lanes, "|") != "Version 1: 72 hours from discovery|Version 2: 24 hours from discovery (in force)|"+
			"Version 3: 12 hours from discovery (not yet in force)" {
			t.Errorf("timeline lanes after the amendment: %q", lanes)
		}
		if _, w := e.contractState(p.msa); len(w) != 3 || w[2] != "12 hours" {
			t.Errorf("stored versions %v", w)
		}
		// The picture is taller, down to the contract's clause audit.
		step(t, ctx, "a taller window", chromedp.EmulateViewport(1366, 1300))
		screenshot(t, ctx, "console-contract")
		// At phone width the pages do not scroll sideways (the timeline
		// and the tables scroll in their own regions).
		for _, path := range []string{"/contracts", "/contracts/" + p.msa} {
			step(t, ctx, "open "+path+" at 375 px", chromedp.EmulateViewport(375, 812), chromedp.Navigate(srv.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if w > 375 {
				t.Errorf("%s at 375 px is %d px wide", path, w)
			}
		}
		step(t, ctx, "sign out", chromedp.EmulateViewport(1366, 768),
			chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
			chromedp.WaitVisible(chromedp.ID("email")))

		// A vendor manager cannot reach legal's forms.
		step(t, ctx, "sign in as a vendor manager",
			chromedp.SendKeys(chromedp.ID("email"), "dana@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")),
			chromedp.Navigate(srv.URL+"/contracts/"+p.msa),
			chromedp.WaitVisible(chromedp.ID("versions-h")))
		forms, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form.amend, #amend-h').length`))
		if forms != 0 {
			t.Errorf("a vendor manager sees %d amendment elements", forms)
		}
		version, windows := e.contractState(p.msa)
		// A forged post from the page, with the session's own CSRF token
		// (the page's sign-out form carries it).
		step(t, ctx, "forge an amendment post",
			chromedp.Evaluate[chromedp.Void](`(() => {
				const f = document.createElement('form');
				f.method = 'post'; f.action = '/contracts/`+p.msa+`/amendments';
				const add = (n, v) => { const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.append(i); };
				add('csrf', document.querySelector('form[action="/signout"] input[name=csrf]').value);
				add('version', '`+itoa(version)+`'); add('effective_from', '2027-01-01'); add('reason', 'forged');
				add('window_value', '1'); add('window_unit', 'hours'); add('trigger', 'discovery');
				document.body.append(f); f.submit();
			})()`),
			chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
		if !strings.HasPrefix(heading, "403") {
			t.Errorf("a forged amendment by a vendor manager: %q", heading)
		}
		if v, w := e.contractState(p.msa); v != version || len(w) != len(windows) {
			t.Errorf("the forged post wrote: v%d %v", v, w)
		}
	})
}
