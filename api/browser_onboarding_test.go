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

// submitForm clicks the submit button of the page's form.
var submitForm = chromedp.Click(chromedp.CSS(`main form.form-page button[type=submit]`))

// TestBrowserOnboarding drives a real Chromium through the onboarding
// flow as a vendor manager: a refused first try keeps what was typed;
// then the vendor, its data, a contract with its clause, an attestation
// with an evidence file uploaded, and a first review; the flow ends on
// the vendor's page, which shows what was entered. At 375 px the pages
// do not scroll sideways; axe-core finds nothing serious on the form with
// errors.
func TestBrowserOnboarding(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		e := newEnv(t, db)
		e.addUser("dana@example.com", domain.RoleVendorManager)
		srv := httptest.NewServer(e.router)
		defer srv.Close()
		evidence := filepath.Join(t.TempDir(), "soc2-report-2026.pdf")
		if err := os.WriteFile(evidence, minimalPDF, 0o600); err != nil {
			t.Fatal(err)
		}

		step(t, ctx, "sign in",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.SendKeys(chromedp.ID("email"), "dana@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		step(t, ctx, "open the onboarding",
			chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="/onboarding"]`)),
			chromedp.WaitVisible(chromedp.ID("f-name")))
		screenshot(t, ctx, "console-onboarding-vendor")
		step(t, ctx, "a vendor without a name",
			chromedp.SendKeys(chromedp.ID("f-legal_name"), "Contoso Ltd"),
			chromedp.SendKeys(chromedp.ID("f-owner_email"), "not an email"),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("f-name-error")))
		kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('f-legal_name').value`))
		if kept != "Contoso Ltd" {
			t.Errorf("legal name kept as %q", kept)
		}
		checkAxe(t, ctx, "/onboarding (with errors)")
		step(t, ctx, "the vendor",
			chromedp.SendKeys(chromedp.ID("f-name"), "Contoso"),
			chromedp.SetValue(chromedp.ID("f-owner_email"), "dana@example.com"),
			chromedp.SendKeys(chromedp.ID("f-service"), "Payroll for the UK staff"),
			chromedp.SendKeys(chromedp.ID("f-country"), "GB"),
			chromedp.SetValue(chromedp.ID("f-criticality"), "high"),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("f-category")))
		step(t, ctx, "the data handled",
			chromedp.SetValue(chromedp.ID("f-category"), "employee_records"),
			chromedp.Click(chromedp.CSS(`input[name=access][value=stores]`)),
			chromedp.Click(chromedp.CSS(`input[name=access][value=processes]`)),
			chromedp.SendKeys(chromedp.ID("f-record_count"), "1200"),
			chromedp.SendKeys(chromedp.ID("f-jurisdictions"), "GB"),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("next")),
			chromedp.Click(chromedp.ID("next")),
			chromedp.WaitVisible(chromedp.ID("f-title")))
		step(t, ctx, "the contract and its clause",
			chromedp.SendKeys(chromedp.ID("f-title"), "Payroll services agreement"),
			chromedp.SetValue(chromedp.ID("f-effective_on"), "2026-01-01"),
			chromedp.Click(chromedp.ID("f-dpa")),
			chromedp.SendKeys(chromedp.ID("f-breach_notification-window-value"), "72"),
			chromedp.SendKeys(chromedp.ID("f-breach_notification-notify-0--email"), "security@example.com"),
			chromedp.SendKeys(chromedp.ID("f-breach_notification-notify-0--role"), "Security team"))
		screenshot(t, ctx, "console-onboarding-contract")
		step(t, ctx, "record the contract",
			submitForm,
			chromedp.WaitVisible(chromedp.ID("f-kind")))
		step(t, ctx, "an attestation",
			chromedp.SetValue(chromedp.ID("f-kind"), "soc2_type2"),
			chromedp.SendKeys(chromedp.ID("f-issuer"), "Audit & Co"),
			chromedp.SetValue(chromedp.ID("f-issued_on"), "2026-06-01"),
			chromedp.SetValue(chromedp.ID("f-period_start"), "2025-06-01"),
			chromedp.SetValue(chromedp.ID("f-period_end"), "2026-05-31"),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("f-file")))
		screenshot(t, ctx, "console-onboarding-evidence")
		step(t, ctx, "upload its evidence",
			chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{evidence}),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("next")))
		screenshot(t, ctx, "console-onboarding")
		recorded, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`ul.recorded`)))
		if !strings.Contains(recorded, "evidence: soc2-report-2026.pdf") {
			t.Errorf("attestations recorded: %q", recorded)
		}
		// At phone width the flow's pages do not scroll sideways.
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		vendorPath := strings.TrimSuffix(strings.TrimPrefix(loc, srv.URL), "/attestations?saved=evidence")
		for _, path := range []string{"/onboarding", vendorPath + "/data", vendorPath + "/contract", vendorPath + "/attestations",
			vendorPath + "/review", "/onboarding/import"} {
			step(t, ctx, "open "+path+" at 375 px", chromedp.EmulateViewport(375, 812), chromedp.Navigate(srv.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
				t.Errorf("%s at 375 px is %d px wide", path, w)
			}
			if path == vendorPath+"/attestations" {
				screenshot(t, ctx, "console-onboarding-phone")
			}
		}
		step(t, ctx, "the first review",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+vendorPath+"/review"),
			chromedp.WaitVisible(chromedp.ID("f-outcome")),
			chromedp.SetValue(chromedp.ID("f-outcome"), "approved"),
			chromedp.SetValue(chromedp.ID("f-residual_risk"), "moderate"),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("risk")))
		screenshot(t, ctx, "console-onboarding-done")
		heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
		if heading != "Contoso" {
			t.Errorf("the flow ended on %q", heading)
		}
		main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		for _, want := range []string{"Payroll for the UK staff", "dana@example.com", "employee records",
			"Payroll services agreement", "72 hours", "SOC 2 Type II", e.clock.Now().UTC().Format("2006-01-02")} {
			if !strings.Contains(main, want) {
				t.Errorf("the vendor page lacks %q", want)
			}
		}

		// A stale edit of the profile: someone saves the vendor while the
		// form is open; nothing is saved and both values are shown.
		id := strings.TrimPrefix(vendorPath, "/onboarding/")
		step(t, ctx, "open the profile's edit form",
			chromedp.Click(chromedp.ID("edit-profile")),
			chromedp.WaitVisible(chromedp.ID("f-service")),
			chromedp.SetValue(chromedp.ID("f-service"), "Payroll and pensions for the UK staff"))
		mustStatus(t, e.do("PATCH", "/api/v1/vendors/"+id, e.keys[domain.RoleAdmin],
			map[string]any{"service": "Payroll (UK and Ireland)"}), 200)
		step(t, ctx, "save it, stale",
			submitForm,
			chromedp.WaitVisible(chromedp.ID("conflict")))
		screenshot(t, ctx, "console-vendor-conflict")
		conflict, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("conflict")))
		if !strings.Contains(conflict, "Payroll and pensions for the UK staff") || !strings.Contains(conflict, "Payroll (UK and Ireland)") {
			t.Errorf("the conflict does not show both values: %q", conflict)
		}
		checkAxe(t, ctx, "/vendors/{id}/edit (conflict)")

		// The import: a workbook with a bad row is previewed, its row
		// errors shown, nothing written.
		book := filepath.Join(t.TempDir(), "vendors.xlsx")
		if err := os.WriteFile(book, xlsxFile(t, [][]any{{"Vendor Name", "Status", "Website"},
			{"Acme Payments", "active", "https://acme.example"}, {"Bad Status Ltd", "sleeping", ""},
			{"Bad Site Ltd", "", "ftp://nope"}}), 0o600); err != nil {
			t.Fatal(err)
		}
		vendors := e.count("SELECT count(*) FROM vendors")
		step(t, ctx, "preview an import",
			chromedp.Navigate(srv.URL+"/onboarding/import"),
			chromedp.WaitVisible(chromedp.ID("f-kind")),
			chromedp.SetValue(chromedp.ID("f-kind"), "vendors"),
			chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{book}),
			submitForm,
			chromedp.WaitVisible(chromedp.ID("row-errors")))
		step(t, ctx, "a taller window", chromedp.EmulateViewport(1366, 1000))
		screenshot(t, ctx, "console-import")
		rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#row-errors tbody tr').length`))
		if rows != 2 {
			t.Errorf("%d row errors shown", rows)
		}
		if n := e.count("SELECT count(*) FROM vendors"); n != vendors {
			t.Errorf("the preview wrote %d vendors", n-vendors)
		}
	})
}
