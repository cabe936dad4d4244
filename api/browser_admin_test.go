package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestBrowserAdmin drives a real Chromium through the administration
// pages as an admin: a refused new-user form keeps what was typed, the
// accepted one shows the one-time password; a user's page, the keys, the
// webhooks and the job runs read at desktop and phone width, and axe-core
// finds no serious violation in any of these states.
func TestBrowserAdmin(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		e.addUser("root@example.com", domain.RoleAdmin)
		mustStatus(t, e.do("POST", "/api/v1/webhooks", e.keys[domain.RoleAdmin], map[string]any{
			"url": "https://siem.example.com/vendorwatch/events", "description": "Security operations SIEM",
			"events": []string{domain.EventFindingOpened, domain.EventNoticeLate}}), 201)
		t0 := time.Date(2026, 12, 6, 2, 15, 0, 0, time.UTC)
		var runs []jobrun.JobRun
		for i, job := range []string{"risk_snapshot", "scan", "scan"} {
			start := t0.Add(time.Duration(i) * time.Hour)
			end := start.Add(time.Duration(40+i*7) * time.Second)
			r := jobrun.JobRun{Job: job, StartedAt: start, FinishedAt: &end, Status: jobrun.JobSucceeded,
				Counts: map[string]int{"vendors": 1200 + i}}
			if i == 2 {
				r.Status, r.Error, r.Counts = jobrun.JobFailed, "scan: database unavailable: connection refused", nil
			}
			runs = append(runs, r)
		}
		addJobRuns(t, db, runs...)
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		step(t, ctx, "sign in",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), "root@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		step(t, ctx, "open Administration",
			chromedp.Click(chromedp.CSS(`.main-nav a[href="/admin/users"]`)),
			chromedp.WaitVisible(chromedp.ID("new-user-h")))
		step(t, ctx, "a new user with a wrong email",
			chromedp.SendKeys(chromedp.ID("email"), "grace@"),
			chromedp.SendKeys(chromedp.ID("name"), "Grace Hopper"),
			chromedp.SetValue(chromedp.ID("role"), "legal"),
			// The browser's own check would stop the form; the server's is
			// the one tested.
			chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/admin/users"]').noValidate = true`),
			chromedp.Submit(chromedp.ID("name")),
			chromedp.WaitVisible(chromedp.ID("email-error")))
		name, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("name")))
		role, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("role")))
		if name != "Grace Hopper" || role != "legal" {
			t.Errorf("the refused form kept name %q, role %q", name, role)
		}
		checkAxe(t, ctx, "/admin/users (refused)")
		step(t, ctx, "the new user",
			chromedp.Clear(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), "grace@example.com"),
			chromedp.Submit(chromedp.ID("name")),
			chromedp.WaitVisible(chromedp.ID("onetime")))
		pw, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("onetime-secret")))
		if len(pw) != 24 {
			t.Errorf("one-time password %q", pw)
		}
		checkAxe(t, ctx, "/admin/users (created)")
		screenshot(t, ctx, "admin-users")
		step(t, ctx, "the user's page",
			chromedp.Click(chromedp.CSS(`main table a`)),
			chromedp.WaitVisible(chromedp.ID("manage-h")))
		checkAxe(t, ctx, "/admin/users/{id}")
		screenshot(t, ctx, "admin-user")
		for _, pg := range []struct{ path, shot string }{{"/admin/api-keys", "admin-keys"},
			{"/admin/webhooks", "admin-webhooks"}, {"/admin/jobs", "admin-jobs"}} {
			step(t, ctx, "open "+pg.path,
				chromedp.Navigate(srv.URL+pg.path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			checkAxe(t, ctx, pg.path)
			screenshot(t, ctx, pg.shot)
		}
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main table")))
		if !strings.Contains(text, "database unavailable") || !strings.Contains(text, "47 seconds") {
			t.Errorf("job runs table:\n%s", text)
		}
		// At phone width nothing is wider than the screen.
		for _, path := range []string{"/admin/users", "/admin/api-keys", "/admin/webhooks", "/admin/jobs"} {
			step(t, ctx, "open "+path+" at 375 px",
				chromedp.EmulateViewport(375, 740),
				chromedp.Navigate(srv.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if err != nil || w > 375 {
				t.Errorf("%s at 375 px is %d px wide (%v)", path, w, err)
			}
			screenshot(t, ctx, "admin-"+strings.ReplaceAll(strings.TrimPrefix(path, "/admin/"), "-", "")+"-375")
		}
	})
}
