package api_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestBrowserRecordIncident drives a real Chromium through the incident
// forms as legal: the [24]7 breach (vendor [24]7.ai, discovered
// 2017-10-12, a 72-hour clause, the vendor's notice on 2018-03-28) is
// recorded, a missing field is shown next to it, the page says the notice
// was late by 164 days, and the vendor's letter is uploaded as evidence.
// With VW_SCREENSHOTS set it saves console-incident.png.
func TestBrowserRecordIncident(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		e.clock.set(scanT0)
		chat := e.vendorWithData("[24]7.ai", []string{"US", "US-CA"}, "cardholder_data", "chat_transcripts")
		c := e.createContract(map[string]any{"vendor_id": chat, "title": "Chat MSA", "status": "active", "effective_on": "2016-06-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", e.keys[domain.RoleLegal], map[string]any{
			"effective_from": "2017-11-01", "reason": "Amendment No. 1",
			"breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"}, "trigger": "discovery"}}), 200)
		e.addUser("lee@example.com", domain.RoleLegal)
		letter := filepath.Join(t.TempDir(), "247-notice.txt")
		if err := os.WriteFile(letter, []byte("[24]7.ai, 28 March 2018: we write to tell you of a security incident "+
			"discovered on 12 October 2017 in our chat software.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e.router)
		defer srv.Close()

		step(t, ctx, "sign in",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.SendKeys(chromedp.ID("email"), "lee@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		step(t, ctx, "open the incident list, then the form",
			chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="/incidents"]`)),
			chromedp.WaitVisible(chromedp.ID("incidents-caption")),
			chromedp.Click(chromedp.CSS(`a[href="/incidents/new"]`)),
			chromedp.WaitVisible(chromedp.ID("q")))
		step(t, ctx, "find the vendor",
			chromedp.SendKeys(chromedp.ID("q"), "[24]7"),
			chromedp.Submit(chromedp.ID("q")),
			chromedp.Click(chromedp.CSS(`#matches a[href="/incidents/new?vendor_id=`+chat+`"]`)),
			chromedp.WaitVisible(chromedp.ID("title")))
		heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
		if heading != "Record an incident at [24]7.ai" {
			t.Errorf("form heading %q", heading)
		}
		// Learned by the vendor's notice, but its date left out: the
		// message is next to the field and what was typed is kept.
		step(t, ctx, "send the form without the notice date",
			chromedp.SendKeys(chromedp.ID("title"), "Chat widget malware"),
			chromedp.SendKeys(chromedp.ID("description"), "Malware in the chat widget on the checkout pages read card numbers."),
			chromedp.SetValue(chromedp.ID("discovered_date"), "2017-10-12"),
			chromedp.SetValue(chromedp.ID("learned_date"), "2018-03-28"),
			chromedp.SetValue(chromedp.ID("exposure_start"), "2017-09-26"),
			chromedp.SetValue(chromedp.ID("exposure_end"), "2017-10-12"),
			chromedp.Click(chromedp.CSS(`form[action="/incidents"] button`)),
			chromedp.WaitVisible(chromedp.ID("vendor_notified_us_at-error")))
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("vendor_notified_us_at-error")))
		kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('title').value`))
		if msg != "is required when we learned of the incident by the vendor’s notice (learned_via vendor_notice)" || kept != "Chat widget malware" {
			t.Errorf("error %q, title kept %q", msg, kept)
		}
		if n := e.count("SELECT count(*) FROM incidents"); n != 0 {
			t.Fatalf("the refused form wrote %d incidents", n)
		}
		step(t, ctx, "send it with the notice date",
			chromedp.SetValue(chromedp.ID("notice_date"), "2018-03-28"),
			chromedp.Click(chromedp.CSS(`form[action="/incidents"] button`)),
			chromedp.WaitVisible(chromedp.ID("late-by")))
		lateBy, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("late-by")))
		verdict, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict")))
		svgTitle, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('clock-title').textContent`))
		svgWords, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.clock-svg').textContent`))
		if lateBy != "164 days" || !strings.Contains(verdict, "Notice late by 164 days") || svgTitle != "Notice late by 164 days" {
			t.Errorf("late by %q, verdict %q, picture title %q", lateBy, verdict, svgTitle)
		}
		for _, w := range []string{"Vendor discovered", "Notice due", "Vendor notified us", "late by 164 days"} {
			if !strings.Contains(svgWords, w) {
				t.Errorf("the clock does not say %q", w)
			}
		}
		why, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("why")))
		if !strings.Contains(why, "The 72-hour clause of the Chat MSA") || !strings.Contains(why, "24-hour amendment") {
			t.Errorf("why: %q", why)
		}
		// The picture is taller, down to why the clause governs.
		step(t, ctx, "a taller window", chromedp.EmulateViewport(1366, 1090))
		screenshot(t, ctx, "console-incident")
		step(t, ctx, "back to 1366x768", chromedp.EmulateViewport(1366, 768))

		// The vendor's letter as evidence.
		step(t, ctx, "upload the notice evidence",
			chromedp.SetValue(chromedp.ID("received_date"), "2018-03-28"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{letter}),
			chromedp.Click(chromedp.CSS(`form[aria-labelledby=evidence-h] button`)),
			chromedp.WaitVisible(chromedp.ID("saved")))
		link, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[href$="/notice-evidence"]`)))
		if link != "247-notice.txt" {
			t.Errorf("evidence link %q", link)
		}

		// At phone width the page does not scroll sideways (the clock
		// scrolls in its own region).
		step(t, ctx, "the incident page at 375 px", chromedp.EmulateViewport(375, 812), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.ID("late-by")))
		w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if w > 375 {
			t.Errorf("the incident page at 375 px is %d px wide", w)
		}
		screenshot(t, ctx, "console-incident-phone")
		for _, path := range []string{"/incidents", "/incidents/new?vendor_id=" + chat} {
			step(t, ctx, "open "+path+" at 375 px", chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
				t.Errorf("%s at 375 px is %d px wide", path, w)
			}
		}
		if n := e.count("SELECT count(*) FROM incidents WHERE notice_evidence IS NOT NULL"); n != 1 {
			t.Errorf("%d incidents with notice evidence", n)
		}
	})
}
