package api_test

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// formFile is the file part of a console upload.
type formFile struct {
	field, name, contentType string
	content                  []byte
}

// uploadForm posts a multipart form as a browser sends it: the csrf field
// of the last page first (unless fields set one), then the fields in
// order, then the file.
func (b *browser) uploadForm(path string, fields [][2]string, file *formFile) page {
	b.t.Helper()
	var parts []multipartPart
	if !slices.ContainsFunc(fields, func(f [2]string) bool { return f[0] == "csrf" }) {
		parts = append(parts, multipartPart{name: "csrf", value: b.csrf})
	}
	for _, f := range fields {
		parts = append(parts, multipartPart{name: f[0], value: f[1]})
	}
	if file != nil {
		ct := file.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		// Without a name (no file chosen) the part carries no filename.
		parts = append(parts, multipartPart{name: file.field, value: string(file.content), filename: file.name, contentType: ct})
	}
	p := b.upload(path, parts...)
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return p
}

// messageBy is the message shown next to a form field ("" without one).
func messageBy(p page, name string) string {
	id := "f-" + regexp.MustCompile(`[^A-Za-z0-9_-]`).ReplaceAllString(name, "-")
	m := regexp.MustCompile(`<span class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</span>`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// minimalPDF is a file that sniffs as application/pdf.
var minimalPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

var stepRedirect = regexp.MustCompile(`^/onboarding/([0-9a-f-]{36})/data\?saved=vendor$`)

// TestConsoleOnboardingRoles: the flow admits the roles of the API routes
// it calls; the navigation links it only for them; a forged post of a
// role without the right is refused and writes nothing.
func TestConsoleOnboardingRoles(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vendor := e.createVendor(map[string]any{"name": "Northwind"})["id"].(string)
		const nav = `<a href="/onboarding"`
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			home := b.get("/")
			mustPage(t, home, 200)
			writer := role == domain.RoleAdmin || role == domain.RoleVendorManager
			if strings.Contains(home.Body, nav) != writer {
				t.Errorf("%s: Onboard in the navigation: %v", role, !writer)
			}
			want := map[string]int{"/onboarding": 403, "/onboarding/" + vendor + "/data": 403,
				"/onboarding/" + vendor + "/contract": 403, "/onboarding/" + vendor + "/attestations": 403,
				"/onboarding/" + vendor + "/review": 403, "/vendors/" + vendor + "/edit": 403, "/onboarding/import": 403,
				"/onboarding/import/templates/vendors.xlsx": 403}
			if writer {
				for p := range want {
					want[p] = 200
				}
			}
			if role == domain.RoleLegal {
				// Legal records contracts; its step indicator links no step it may not open.
				contractStep := b.get("/onboarding/" + vendor + "/contract")
				mustShow(t, contractStep, "<span>Data handled</span>", "<span>First review</span>")
				mustNotShow(t, contractStep, `href="/onboarding/`+vendor+`/data"`, `href="/vendors/`+vendor+`/edit"`)
				want["/onboarding/"+vendor+"/contract"] = 200
				want["/onboarding/import"] = 200 // of contracts only
				want["/onboarding/import/templates/vendors.xlsx"] = 200
			}
			for p, status := range want {
				pg := b.get(p)
				if pg.Code != status {
					t.Errorf("%s: GET %s: %d, want %d", role, p, pg.Code, status)
				}
				if status == 403 {
					mustNotShow(t, pg, `<form method="post" action="/onboarding`)
				}
			}
			vendorPage := b.get("/vendors/" + vendor)
			if strings.Contains(vendorPage.Body, "/vendors/"+vendor+"/edit") != writer {
				t.Errorf("%s: edit link shown: %v", role, !writer)
			}
			if !writer {
				// A forged post, with a valid CSRF token, is still refused.
				before := e.count("SELECT count(*) FROM vendors")
				mustPage(t, b.post("/onboarding", url.Values{"name": {"Forged " + string(role)}, "status": {"onboarding"},
					"criticality": {"low"}}), 403)
				if role != domain.RoleLegal {
					mustPage(t, b.post("/onboarding/"+vendor+"/contract", url.Values{"title": {"Forged"},
						"status": {"draft"}, "effective_on": {"2026-01-01"}}), 403)
				}
				if n := e.count("SELECT count(*) FROM vendors"); n != before {
					t.Errorf("%s: a forged post wrote a vendor", role)
				}
			}
		}
		if n := e.count("SELECT count(*) FROM contracts"); n != 0 {
			t.Errorf("%d contracts after forged posts", n)
		}
	})
}

// TestConsoleOnboardingFlow walks the five steps as a vendor manager:
// each refuses bad input next to its fields, keeps what was typed and
// writes nothing; a post without the CSRF token is refused; then each
// step records through the domain services, and the flow ends on the
// vendor's page showing what was entered.
func TestConsoleOnboardingFlow(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		b := e.signedIn(domain.RoleVendorManager)
		pg := b.get("/onboarding")
		mustPage(t, pg, 200)
		mustShow(t, pg, `<a href="/onboarding" aria-current="page">Onboard</a>`, `aria-current="step"`,
			"Step 1 of 5:", `<label for="f-name">Name (required)</label>`, `<option value="onboarding" selected>`)
		audit := e.count("SELECT count(*) FROM audit_events")

		// Without the CSRF token: 403, nothing written.
		mustPage(t, b.post("/onboarding", url.Values{"csrf": {"forged"}, "name": {"Contoso"}, "status": {"onboarding"},
			"criticality": {"high"}}), 403)
		// Bad input: each message next to its field, what was typed kept.
		bad := url.Values{"name": {"  "}, "legal_name": {"Contoso Ltd"}, "owner_email": {"not an email"},
			"country": {"Atlantis"}, "status": {"onboarding"}, "criticality": {"high"}, "website": {"ftp://contoso"}}
		pg = b.post("/onboarding", bad)
		mustPage(t, pg, 422)
		for _, f := range []string{"name", "owner_email", "country", "website"} {
			if messageBy(pg, f) == "" {
				t.Errorf("no message next to %s", f)
			}
		}
		mustShow(t, pg, `value="Contoso Ltd"`, `value="not an email"`, `value="Atlantis"`, `<option value="high" selected>`,
			`aria-invalid="true"`)
		if n := e.count("SELECT count(*) FROM vendors"); n != 0 {
			t.Fatalf("%d vendors after refused posts", n)
		}

		// Step 1: the vendor.
		pg = b.post("/onboarding", url.Values{"name": {"Contoso"}, "legal_name": {"Contoso Ltd"},
			"service": {"Payroll for the UK staff"}, "website": {"https://contoso.example"}, "owner_email": {"dana@example.com"},
			"country": {"gb"}, "status": {"onboarding"}, "criticality": {"high"}})
		m := stepRedirect.FindStringSubmatch(pg.Header.Get("Location"))
		if pg.Code != 303 || m == nil {
			t.Fatalf("create vendor: %d to %q\n%s", pg.Code, pg.Header.Get("Location"), pg.Body)
		}
		id := m[1]
		step := "/onboarding/" + id

		// Step 2: data handled.
		pg = b.get(step + "/data?saved=vendor")
		mustPage(t, pg, 200)
		mustShow(t, pg, "The vendor is recorded.", "Step 2 of 5:", `<a href="/onboarding/`+id+`/contract" id="skip">Skip this step</a>`)
		before := e.count("SELECT count(*) FROM data_handling")
		pg = b.post(step+"/data", url.Values{"category": {"employee_records"}, "record_count": {"lots"},
			"jurisdictions": {"GB"}, "systems": {"Workday"}})
		mustPage(t, pg, 422)
		if messageBy(pg, "record_count") == "" || messageBy(pg, "access") == "" {
			t.Errorf("no message next to record_count or access:\n%s", pg.Body)
		}
		mustShow(t, pg, `value="lots"`, `value="Workday"`, `<option value="employee_records" selected>`)
		if n := e.count("SELECT count(*) FROM data_handling"); n != before {
			t.Fatal("refused data handling was written")
		}
		mustRedirect(t, b.post(step+"/data", url.Values{"category": {"employee_records"}, "access": {"stores", "processes"},
			"record_count": {"1,200"}, "jurisdictions": {"GB"}, "systems": {"Workday"}}), step+"/data?saved=data")
		pg = b.get(step + "/data?saved=data")
		mustShow(t, pg, "Employee records", "processes, stores; 1200 records; GB", `id="next">Continue to the contract</a>`)

		// Step 3: the contract. A vendor manager records drafts: only
		// draft is offered, and a forged active is refused next to status.
		pg = b.get(step + "/contract")
		mustPage(t, pg, 200)
		mustShow(t, pg, `<option value="draft" selected>draft</option>`, "Breach-notification clause")
		mustNotShow(t, pg, `<option value="active"`)
		contract := url.Values{"title": {"Payroll services agreement"}, "status": {"draft"}, "effective_on": {"2026-01-01"},
			"expires_on": {"2028-12-31"}, "dpa": {"on"}, "breach_notification.window.value": {"72"},
			"breach_notification.window.unit": {"hours"}, "breach_notification.trigger": {"discovery"},
			"breach_notification.notify[0].role": {"Security team"}, "breach_notification.notify[0].email": {"security@example.com"}}
		forged := clone(contract)
		forged.Set("status", "active")
		pg = b.post(step+"/contract", forged)
		mustPage(t, pg, 403)
		if msg := messageBy(pg, "status"); !strings.Contains(msg, "draft") {
			t.Errorf("status message %q", msg)
		}
		badDates := clone(contract)
		badDates.Set("effective_on", "01/01/2026")
		badDates.Set("breach_notification.window.unit", "")
		pg = b.post(step+"/contract", badDates)
		mustPage(t, pg, 422)
		if messageBy(pg, "effective_on") == "" || messageBy(pg, "breach_notification.window.unit") == "" {
			t.Errorf("no message next to effective_on or the window's unit:\n%s", pg.Body)
		}
		mustShow(t, pg, `value="01/01/2026"`, `value="Payroll services agreement"`, `value="security@example.com"`,
			`name="dpa" value="on" checked`)
		if n := e.count("SELECT count(*) FROM contracts"); n != 0 {
			t.Fatal("a refused contract was written")
		}
		mustRedirect(t, b.post(step+"/contract", contract), step+"/attestations?saved=contract")
		mustShow(t, b.get(step+"/contract"), "<strong>Payroll services agreement</strong>", "draft, from 2026-01-01",
			"72 hours", `id="next">Continue to the attestations</a>`)

		// Step 4: an attestation, then its evidence.
		pg = b.get(step + "/attestations?saved=contract")
		mustShow(t, pg, "The contract is recorded.", "Step 4 of 5:")
		pg = b.post(step+"/attestations", url.Values{"kind": {"soc2_type2"}, "issuer": {"Audit & Co"},
			"issued_on": {"2026-13-01"}, "review_status": {"received"}})
		mustPage(t, pg, 422)
		if messageBy(pg, "issued_on") == "" {
			t.Errorf("no message next to issued_on")
		}
		mustShow(t, pg, `value="Audit &amp; Co"`, `value="2026-13-01"`)
		if n := e.count("SELECT count(*) FROM attestations"); n != 0 {
			t.Fatal("a refused attestation was written")
		}
		pg = b.post(step+"/attestations", url.Values{"kind": {"soc2_type2"}, "issuer": {"Audit & Co"},
			"issued_on": {"2026-06-01"}, "period_start": {"2025-06-01"}, "period_end": {"2026-05-31"},
			"review_status": {"received"}})
		if pg.Code != 303 || !strings.HasSuffix(pg.Header.Get("Location"), "/evidence") {
			t.Fatalf("create attestation: %d to %q\n%s", pg.Code, pg.Header.Get("Location"), pg.Body)
		}
		evidence := pg.Header.Get("Location")
		pg = b.get(evidence)
		mustPage(t, pg, 200)
		mustShow(t, pg, `enctype="multipart/form-data"`, `type="file"`, fmt.Sprintf("at most %d bytes.", testEvidenceLimit))
		// Without the token, and with a file whose content is not an
		// accepted type: refused, nothing stored.
		mustPage(t, b.uploadForm(evidence, [][2]string{{"csrf", "forged"}, {"version", "1"}},
			&formFile{field: "file", name: "report.pdf", content: minimalPDF}), 403)
		pg = b.uploadForm(evidence, [][2]string{{"version", "1"}},
			&formFile{field: "file", name: "report.pdf", contentType: "application/pdf", content: []byte("MZ\x90\x00\x03 not a pdf at all")})
		mustPage(t, pg, 415)
		if messageBy(pg, "file") == "" {
			t.Errorf("no message next to the file:\n%s", pg.Body)
		}
		big := append(append([]byte{}, minimalPDF...), bytes.Repeat([]byte("x"), 2*testEvidenceLimit)...)
		pg = b.uploadForm(evidence, [][2]string{{"version", "1"}},
			&formFile{field: "file", name: "big.pdf", contentType: "application/pdf", content: big})
		mustPage(t, pg, 413)
		if !strings.Contains(messageBy(pg, "file"), "larger than") {
			t.Errorf("too large: %q", messageBy(pg, "file"))
		}
		pg = b.uploadForm(evidence, [][2]string{{"version", "1"}}, &formFile{field: "file", name: "", content: nil})
		mustPage(t, pg, 422)
		if n := e.count("SELECT count(*) FROM attestations WHERE evidence_sha256 <> ''"); n != 0 {
			t.Fatal("refused evidence was stored")
		}
		mustRedirect(t, b.uploadForm(evidence, [][2]string{{"version", "1"}},
			&formFile{field: "file", name: "soc2-2026.pdf", contentType: "application/pdf", content: minimalPDF}),
			step+"/attestations?saved=evidence")
		pg = b.get(step + "/attestations?saved=evidence")
		mustShow(t, pg, "The evidence file is stored.", "SOC 2 Type II", "evidence: soc2-2026.pdf",
			`id="next">Continue to the first review</a>`)

		// Step 5: the first review; a date in the future is refused.
		pg = b.get(step + "/review")
		mustShow(t, pg, `value="`+e.clock.Now().UTC().Format("2006-01-02")+`"`, "Finish without a review")
		pg = b.post(step+"/review", url.Values{"performed_on": {"2099-01-01"}, "reviewer": {"Dana"}, "outcome": {"approved"},
			"residual_risk": {"moderate"}, "notes": {"Clean report"}})
		mustPage(t, pg, 422)
		if messageBy(pg, "performed_on") == "" {
			t.Errorf("no message next to performed_on")
		}
		mustShow(t, pg, "Clean report")
		if n := e.count("SELECT count(*) FROM reviews"); n != 0 {
			t.Fatal("a refused review was written")
		}
		today := e.clock.Now().UTC().Format("2006-01-02")
		mustRedirect(t, b.post(step+"/review", url.Values{"performed_on": {today}, "reviewer": {"Dana"},
			"outcome": {"approved"}, "residual_risk": {"moderate"}, "notes": {"Clean report"}}), "/vendors/"+id)

		// The vendor's page shows what was entered.
		pg = b.get("/vendors/" + id)
		mustPage(t, pg, 200)
		mustShow(t, pg, "<h1>Contoso</h1>", "Contoso Ltd", "Payroll for the UK staff", "GB", "employee records",
			"Payroll services agreement", "72 hours", "SOC 2 Type II", today)
		if got := e.count("SELECT count(*) FROM audit_events") - audit; got < 5 {
			t.Errorf("%d audit events for the five writes", got)
		}
	})
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// TestConsoleVendorEdit: the profile's edit form carries the version
// read; bad input is refused next to its field and keeps what was typed;
// a stale edit is a conflict showing both values and writes nothing.
func TestConsoleVendorEdit(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		id := e.createVendor(map[string]any{"name": "Fabrikam", "service": "Hosting", "criticality": "moderate"})["id"].(string)
		dana, lee := e.signedIn(domain.RoleVendorManager), e.signedIn(domain.RoleAdmin)
		pg := dana.get("/vendors/" + id)
		mustShow(t, pg, `<a href="/vendors/`+id+`/edit" id="edit-profile">Edit the profile</a>`)
		pg = dana.get("/vendors/" + id + "/edit")
		mustPage(t, pg, 200)
		mustShow(t, pg, `name="version" value="1"`, `value="Fabrikam"`, `>Hosting</textarea>`)
		danaForm := func(service, owner string) url.Values {
			return url.Values{"version": {versionField.FindStringSubmatch(pg.Body)[1]}, "name": {"Fabrikam"},
				"service": {service}, "owner_email": {owner}, "status": {"active"}, "criticality": {"moderate"}}
		}
		lee.get("/vendors/" + id + "/edit")

		// Bad input: refused next to the field, kept, nothing written.
		res := dana.post("/vendors/"+id+"/edit", danaForm("Hosting and backups", "not-an-email"))
		mustPage(t, res, 422)
		if messageBy(res, "owner_email") == "" {
			t.Errorf("no message next to owner_email")
		}
		mustShow(t, res, `value="not-an-email"`, "Hosting and backups", `name="version" value="1"`)
		if n := e.count("SELECT version FROM vendors WHERE id = '" + id + "'"); n != 1 {
			t.Fatalf("version %d after a refused edit", n)
		}

		// Lee saves first.
		mustRedirect(t, lee.post("/vendors/"+id+"/edit", url.Values{"version": {"1"}, "name": {"Fabrikam"},
			"service": {"Managed hosting"}, "status": {"active"}, "criticality": {"high"}}), "/vendors/"+id)
		// Dana's edit, read at version 1, is a conflict showing both.
		res = dana.post("/vendors/"+id+"/edit", danaForm("Hosting and backups", "dana@example.com"))
		mustPage(t, res, 409)
		mustShow(t, res, `id="conflict"`, "You read version 1; it is now at version 2.",
			"<th scope=\"row\">Service</th><td>Hosting and backups</td><td>Managed hosting</td>",
			"<th scope=\"row\">Criticality</th><td>moderate</td><td>high</td>",
			`name="version" value="2"`, `value="dana@example.com"`)
		var service string
		if err := e.db.SQL().QueryRow("SELECT service FROM vendors WHERE id = $1", id).Scan(&service); err != nil {
			t.Fatal(err)
		}
		if service != "Managed hosting" {
			t.Errorf("stale edit overwrote: service %q", service)
		}
		// Sent again, knowingly, at the version now: saved.
		pg = res
		mustRedirect(t, dana.post("/vendors/"+id+"/edit", danaForm("Hosting and backups", "dana@example.com")), "/vendors/"+id)
		mustShow(t, dana.get("/vendors/"+id), "Hosting and backups", "dana@example.com")
		// Without the CSRF token: refused.
		form := danaForm("x", "")
		form.Set("csrf", "forged")
		mustPage(t, dana.post("/vendors/"+id+"/edit", form), 403)
	})
}

// TestConsoleImport: the dry run shows each row's errors with its column
// and writes nothing; a clean file is previewed, then committed only as
// the same file; legal imports contracts only.
func TestConsoleImport(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		b := e.signedIn(domain.RoleVendorManager)
		pg := b.get("/onboarding/import")
		mustPage(t, pg, 200)
		mustShow(t, pg, `href="/onboarding/import/templates/vendors.xlsx"`, `<input type="hidden" name="mode" value="dry_run">`)
		tpl := b.get("/onboarding/import/templates/contracts.xlsx")
		if tpl.Code != 200 || !strings.Contains(tpl.Header.Get("Content-Disposition"), "contracts-template.xlsx") {
			t.Errorf("template: %d %q", tpl.Code, tpl.Header.Get("Content-Disposition"))
		}

		header := []any{"Vendor Name", "Status", "Criticality", "Website"}
		withErrors := xlsxFile(t, [][]any{header,
			{"Acme Payments", "active", "high", "https://acme.example"},
			{"Bad Status Ltd", "sleeping", "", ""},
			{"Bad Site Ltd", "", "", "ftp://nope"}})
		vendors, audit := e.count("SELECT count(*) FROM vendors"), e.count("SELECT count(*) FROM audit_events")
		pg = b.uploadForm("/onboarding/import", [][2]string{{"kind", "vendors"}, {"mode", "dry_run"}},
			&formFile{field: "file", name: "vendors.xlsx", content: withErrors})
		mustPage(t, pg, 200)
		mustShow(t, pg, "Preview of vendors.xlsx", `id="row-errors"`, `<th scope="row" class="num">3</th>`,
			"B (Status)", `<th scope="row" class="num">4</th>`, "D (Website)")
		mustNotShow(t, pg, `id="commit-h"`)
		if e.count("SELECT count(*) FROM vendors") != vendors || e.count("SELECT count(*) FROM audit_events") != audit {
			t.Fatal("the dry run wrote")
		}

		// Without the token: refused before the file is read.
		mustPage(t, b.uploadForm("/onboarding/import", [][2]string{{"csrf", "forged"}, {"kind", "vendors"}, {"mode", "commit"}},
			&formFile{field: "file", name: "vendors.xlsx", content: withErrors}), 403)
		// Not a workbook: the message is next to the file.
		pg = b.uploadForm("/onboarding/import", [][2]string{{"kind", "vendors"}, {"mode", "dry_run"}},
			&formFile{field: "file", name: "vendors.xlsx", content: []byte("\x00\x01\x02 binary")})
		if pg.Code < 400 || messageBy(pg, "file") == "" {
			t.Errorf("a file that is no workbook: %d, message %q", pg.Code, messageBy(pg, "file"))
		}
		// No kind: next to the kind.
		pg = b.uploadForm("/onboarding/import", [][2]string{{"kind", ""}, {"mode", "dry_run"}},
			&formFile{field: "file", name: "vendors.xlsx", content: withErrors})
		mustPage(t, pg, 422)
		if messageBy(pg, "kind") == "" {
			t.Errorf("no message next to the kind")
		}

		clean := xlsxFile(t, [][]any{header, {"Acme Payments", "active", "high", "https://acme.example"},
			{"Beacon Hosting", "onboarding", "moderate", ""}})
		pg = b.uploadForm("/onboarding/import", [][2]string{{"kind", "vendors"}, {"mode", "dry_run"}},
			&formFile{field: "file", name: "clean.xlsx", content: clean})
		mustPage(t, pg, 200)
		mustShow(t, pg, `id="commit-h"`, `<input type="hidden" name="mode" value="commit">`, "The file previewed: clean.xlsx.")
		sha := regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(pg.Body)
		if sha == nil {
			t.Fatalf("no sha256 in the commit form")
		}
		commit := [][2]string{{"mode", "commit"}, {"kind", "vendors"}, {"sha256", sha[1]}, {"file_name", "clean.xlsx"}}
		// Another file than the one previewed is refused.
		pg = b.uploadForm("/onboarding/import", commit, &formFile{field: "file", name: "clean.xlsx", content: withErrors})
		mustPage(t, pg, 422)
		if !strings.Contains(messageBy(pg, "file"), "not the file previewed") {
			t.Errorf("file message %q", messageBy(pg, "file"))
		}
		if e.count("SELECT count(*) FROM vendors") != vendors {
			t.Fatal("a refused commit wrote")
		}
		pg = b.uploadForm("/onboarding/import", commit, &formFile{field: "file", name: "clean.xlsx", content: clean})
		mustPage(t, pg, 200)
		mustShow(t, pg, "Imported clean.xlsx")
		if n := e.count("SELECT count(*) FROM vendors"); n != vendors+2 {
			t.Errorf("%d vendors after the commit", n)
		}

		// Legal imports contracts only.
		legal := e.signedIn(domain.RoleLegal)
		legal.get("/onboarding/import")
		pg = legal.uploadForm("/onboarding/import", [][2]string{{"kind", "vendors"}, {"mode", "dry_run"}},
			&formFile{field: "file", name: "clean.xlsx", content: clean})
		mustPage(t, pg, 403)
		if !strings.Contains(messageBy(pg, "kind"), "contracts only") {
			t.Errorf("legal's kind message %q", messageBy(pg, "kind"))
		}
	})
}
