package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// newReportService is the report service of the test router: files under
// the test's temporary directory.
func newReportService(db *repository.DB, clock domain.Clock, evidenceDir string) *reports.Service {
	return &reports.Service{Source: repository.NewReportSource(db), Runs: repository.NewReportRuns(db), Tx: db,
		Audit: repository.NewAudit(db), Clock: clock, Dir: filepath.Join(filepath.Dir(evidenceDir), "reports"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

var reportT0 = time.Date(2026, time.November, 20, 9, 0, 0, 0, time.UTC)

// reportFixture builds a small portfolio: the [24]7 late notice, a vendor
// whose name looks like a formula, an expired attestation, a review and a
// finding. It returns the [24]7 vendor id.
func (e *testEnv) reportFixture() string {
	e.t.Helper()
	chat := e.vendorWithData("[24]7.ai", []string{"US", "US-CA"}, "cardholder_data", "chat_transcripts")
	e.createContract(map[string]any{"vendor_id": chat, "title": "Chat MSA", "status": "active", "effective_on": "2016-06-01",
		"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
	e.createIncident(map[string]any{"vendor_id": chat, "title": "Chat widget malware",
		"exposure_start": "2017-09-26T00:00:00Z", "exposure_end": "2017-10-12T00:00:00Z",
		"vendor_discovered_at": "2017-10-12T00:00:00Z", "vendor_notified_us_at": "2018-03-28T00:00:00Z",
		"we_learned_at": "2018-03-28T00:00:00Z", "learned_via": "vendor_notice"})
	e.createAttestation(map[string]any{"vendor_id": chat, "kind": "soc2_type2", "issued_on": "2025-06-01",
		"expires_on": "2026-06-01"})
	mustStatus(e.t, e.do("POST", "/api/v1/reviews", e.keys[domain.RoleVendorManager], map[string]any{"vendor_id": chat,
		"performed_on": "2025-01-15", "reviewer": "Dana", "outcome": "approved", "residual_risk": "high"}), http.StatusCreated)
	e.vendorWithData(`=HYPERLINK("http://evil.example","click")`, []string{"GB"}, "contact_pii")

	q := `INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at,
		last_seen_at, last_seen_run, version, updated_at) VALUES (?, 'attestation.expired', 'high', ?, 'attestation', ?, '{}',
		'open', ?, ?, 'test', 1, ?)`
	args := []any{domain.NewID(), chat, domain.NewID(), reportT0, reportT0, reportT0}
	if e.db.Dialect() == repository.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := e.db.SQL().Exec(q, args...); err != nil {
		e.t.Fatal(err)
	}
	return chat
}

// runReport starts a report and polls it until it is done; it returns the
// run and the downloaded workbook bytes.
func (e *testEnv) runReport(key string, body map[string]any) (map[string]any, []byte) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/reports", key, body)
	mustStatus(e.t, res, http.StatusAccepted)
	run := res.object(e.t)
	id := run["id"].(string)
	if res.Header.Get("Location") != "/api/v1/reports/"+id {
		e.t.Errorf("Location = %q", res.Header.Get("Location"))
	}
	deadline := time.Now().Add(60 * time.Second)
	for run["status"] != "done" {
		if run["status"] == "failed" || time.Now().After(deadline) {
			e.t.Fatalf("report run: %v", run)
		}
		time.Sleep(20 * time.Millisecond)
		res = e.do("GET", "/api/v1/reports/"+id, key, nil)
		mustStatus(e.t, res, http.StatusOK)
		run = res.object(e.t)
	}
	res = e.do("GET", "/api/v1/reports/"+id+"/download", key, nil)
	mustStatus(e.t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != reports.XLSXContentType {
		e.t.Errorf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="vendorwatch-`) ||
		!strings.HasSuffix(cd, `.xlsx"`) {
		e.t.Errorf("Content-Disposition %q", cd)
	}
	sum := sha256.Sum256(res.Body)
	if got := hex.EncodeToString(sum[:]); got != run["sha256"] || got != res.Header.Get("X-Content-SHA256") {
		e.t.Errorf("sha256 of the download %s, run %v, header %s", got, run["sha256"], res.Header.Get("X-Content-SHA256"))
	}
	if int(run["size"].(float64)) != len(res.Body) {
		e.t.Errorf("size %v, downloaded %d bytes", run["size"], len(res.Body))
	}
	return run, res.Body
}

// findRow returns the 1-based row of the sheet whose column col holds want.
func findRow(t *testing.T, f *excelize.File, sheet string, col int, want string) (int, []string) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if col-1 < len(r) && r[col-1] == want {
			return i + 1, r
		}
	}
	t.Fatalf("%s: no row with %q in column %d", sheet, want, col)
	return 0, nil
}

func cellName(t *testing.T, col, row int) string {
	t.Helper()
	c, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// headerCol returns the 1-based column of a header.
func headerCol(t *testing.T, f *excelize.File, sheet, title string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: no header (%v)", sheet, err)
	}
	i := slices.Index(rows[0], title)
	if i < 0 {
		t.Fatalf("%s: no column %q in %v", sheet, title, rows[0])
	}
	return i + 1
}

// numberAt reads a numeric cell and checks it is stored as a number.
func numberAt(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s!%s has type %v, want a number", sheet, cell, typ)
	}
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q is not a number", sheet, cell, raw)
	}
	return v
}

// dateAt checks that a cell is a real Excel date (a serial number with a
// date format) and returns it.
func dateAt(t *testing.T, f *excelize.File, sheet, cell string) time.Time {
	t.Helper()
	serial := numberAt(t, f, sheet, cell)
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || !strings.HasPrefix(*st.CustomNumFmt, "yyyy-mm-dd") {
		t.Errorf("%s!%s is not formatted as a date: %+v", sheet, cell, st.CustomNumFmt)
	}
	tm, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestAuditWorkbook(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reportT0)
		e.reportFixture()
		e.clock.set(reportT0.Add(time.Hour))

		mustStatus(t, e.do("POST", "/api/v1/reports", e.keys[domain.RoleVendorManager], map[string]any{"kind": "audit"}),
			http.StatusForbidden)
		mustStatus(t, e.do("POST", "/api/v1/reports", e.keys[domain.RoleAuditor], map[string]any{"kind": "weekly"}),
			http.StatusUnprocessableEntity)
		mustStatus(t, e.do("POST", "/api/v1/reports", e.keys[domain.RoleAuditor], map[string]any{"kind": "audit",
			"as_of": reportT0.Add(48 * time.Hour)}), http.StatusUnprocessableEntity)
		mustStatus(t, e.do("GET", "/api/v1/reports/"+domain.NewID(), e.keys[domain.RoleAuditor], nil), http.StatusNotFound)

		run, body := e.runReport(e.keys[domain.RoleAuditor], map[string]any{"kind": "audit"})
		keepRendering(t, db, "247-audit.xlsx", body)
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		if got := f.GetSheetList(); !slices.Equal(got, reports.AuditSheets) {
			t.Fatalf("sheets %v, want %v", got, reports.AuditSheets)
		}
		headers := map[string][]string{
			reports.SheetVendors:      {"Vendor", "Tier", "Inherent score", "Owner", "Data categories", "Last review", "Next review due", "Open findings"},
			reports.SheetInventory:    {"Vendor", "Category", "Records", "Jurisdictions"},
			reports.SheetSupplyChain:  {"Vendor", "Provider", "Provider status", "Rank", "Service", "Data categories", "Countries", "Source", "As of", "Edge ID"},
			reports.SheetContracts:    {"Effective", "Renewal notice deadline", "Breach-notification window", "Trigger", "Right to audit", "Clause audit", "breach-window-card-data"},
			reports.SheetAttestations: {"Kind", "Period start", "Issued", "Expires", "Days left", "Opinion", "Review status", "Evidence sha256"},
			reports.SheetReviews:      {"Performed on", "Reviewer", "Outcome", "Residual risk", "Next due"},
			reports.SheetFindings:     {"Severity", "State", "Rule", "First seen", "Resolved"},
			reports.SheetIncidents:    {"Exposure start", "Vendor discovered", "Vendor notified us", "Lag days", "Window", "Late by days", "Status"},
			reports.SheetObligations:  {"Regime", "Recipient", "Due", "Status", "Citation", "Citation verification"},
		}
		for sheet, want := range headers {
			for _, h := range want {
				headerCol(t, f, sheet, h)
			}
			if tables, err := f.GetTables(sheet); err != nil || len(tables) != 1 {
				t.Errorf("%s: tables %v (%v), want one", sheet, tables, err)
			}
			if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("%s: header row not frozen: %+v %v", sheet, panes, err)
			}
		}
		for _, sheet := range []string{reports.SheetIncidents, reports.SheetAttestations, reports.SheetReviews} {
			cf, err := f.GetConditionalFormats(sheet)
			if err != nil || len(cf) == 0 {
				t.Errorf("%s: no conditional formats (%v)", sheet, err)
			}
		}

		// The [24]7 late notice: 167 days of lag, 164 days late, dates as dates.
		inc := reports.SheetIncidents
		row, cells := findRow(t, f, inc, 1, "[24]7.ai")
		if lag := numberAt(t, f, inc, cellName(t, headerCol(t, f, inc, "Lag days"), row)); lag != 167 {
			t.Errorf("[24]7 lag %v days, want 167", lag)
		}
		if late := numberAt(t, f, inc, cellName(t, headerCol(t, f, inc, "Late by days"), row)); late != 164 {
			t.Errorf("[24]7 late by %v days, want 164", late)
		}
		if got := dateAt(t, f, inc, cellName(t, headerCol(t, f, inc, "Vendor discovered"), row)); !got.Equal(time.Date(2017, 10, 12, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("[24]7 discovered %v", got)
		}
		if st := cells[headerCol(t, f, inc, "Notice status")-1]; st != "late" {
			t.Errorf("[24]7 notice status %q", st)
		}

		// A name that looks like a formula stays text.
		ven := reports.SheetVendors
		evil := `=HYPERLINK("http://evil.example","click")`
		row, _ = findRow(t, f, ven, 1, evil)
		cell := cellName(t, 1, row)
		if formula, _ := f.GetCellFormula(ven, cell); formula != "" {
			t.Errorf("vendor name became a formula: %q", formula)
		}
		if typ, _ := f.GetCellType(ven, cell); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("vendor name cell type %v, want a string", typ)
		}
		row, cells = findRow(t, f, ven, 1, "[24]7.ai")
		if got := numberAt(t, f, ven, cellName(t, headerCol(t, f, ven, "Open findings"), row)); got != 1 {
			t.Errorf("[24]7 open findings %v", got)
		}
		if got := dateAt(t, f, ven, cellName(t, headerCol(t, f, ven, "Last review"), row)); !got.Equal(time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("[24]7 last review %v", got)
		}
		if st := cells[headerCol(t, f, ven, "Review state")-1]; st != "overdue" {
			t.Errorf("[24]7 review state %q (critical/high tier: 12 months)", st)
		}

		// Attestation: expired on 2026-06-01, days left negative.
		att := reports.SheetAttestations
		row, cells = findRow(t, f, att, 1, "[24]7.ai")
		if left := numberAt(t, f, att, cellName(t, headerCol(t, f, att, "Days left"), row)); left != -172 {
			t.Errorf("days left %v, want -172", left)
		}
		if cells[headerCol(t, f, att, "State")-1] != "expired" {
			t.Errorf("attestation state %v", cells)
		}
		dateAt(t, f, att, cellName(t, headerCol(t, f, att, "Expires"), row))

		// Contracts: the card-data breach window (72 hours against 24) is too weak.
		ctr := reports.SheetContracts
		_, cells = findRow(t, f, ctr, 1, "[24]7.ai")
		if v := cells[headerCol(t, f, ctr, "breach-window-card-data")-1]; v != "too weak" {
			t.Errorf("card-data breach window verdict %q", v)
		}
		// A known row on every other sheet.
		fnd := reports.SheetFindings
		row, cells = findRow(t, f, fnd, 4, "[24]7.ai")
		if cells[0] != "high" || cells[1] != "open" {
			t.Errorf("finding row %v", cells)
		}
		dateAt(t, f, fnd, cellName(t, headerCol(t, f, fnd, "First seen"), row))
		inv := reports.SheetInventory
		row, cells = findRow(t, f, inv, 1, "[24]7.ai")
		if c := cells[headerCol(t, f, inv, "Category")-1]; c != "cardholder_data" && c != "chat_transcripts" {
			t.Errorf("inventory row %v", cells)
		}
		if n := numberAt(t, f, inv, cellName(t, headerCol(t, f, inv, "Records"), row)); n != 50000 {
			t.Errorf("inventory records %v", n)
		}
		rev := reports.SheetReviews
		row, cells = findRow(t, f, rev, 1, "[24]7.ai")
		if got := dateAt(t, f, rev, cellName(t, headerCol(t, f, rev, "Performed on"), row)); !got.Equal(time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("review performed on %v", got)
		}
		if cells[headerCol(t, f, rev, "State")-1] != "overdue" {
			t.Errorf("review row %v", cells)
		}
		obl := reports.SheetObligations
		row, cells = findRow(t, f, obl, 2, "Chat widget malware")
		if cells[0] != "[24]7.ai" || cells[headerCol(t, f, obl, "Citation")-1] == "" {
			t.Errorf("obligation row %v", cells)
		}
		if cells[headerCol(t, f, obl, "Due")-1] != "" {
			dateAt(t, f, obl, cellName(t, headerCol(t, f, obl, "Due"), row))
		}

		// Summary: as-of, links to the sheets, headline figures, three charts.
		sum := reports.SheetSummary
		if v, _ := f.GetCellValue(sum, "A1"); v != "Vendorwatch audit workbook" {
			t.Errorf("summary title %q", v)
		}
		dateAt(t, f, sum, "B2")
		if ok, link, _ := f.GetCellHyperLink(sum, "A9"); !ok || link != "'Vendors'!A1" {
			t.Errorf("summary link A9 = %v %q", ok, link)
		}
		row, _ = findRow(t, f, sum, 1, "Incidents with late notices (late or overdue)")
		if n := numberAt(t, f, sum, cellName(t, 2, row)); n != 1 {
			t.Errorf("incidents with late notices %v", n)
		}
		if charts := zipEntries(t, body, "xl/charts/chart"); charts != 3 {
			t.Errorf("%d charts, want 3", charts)
		}

		// The audit trail lists the file with its sha256.
		var after string
		if err := db.SQL().QueryRow("SELECT after FROM audit_events WHERE action = 'report.generate'").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(after, run["sha256"].(string)) {
			t.Errorf("audit event %s lacks the sha256 %v", after, run["sha256"])
		}
		res := e.do("GET", "/api/v1/reports?limit=1", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, http.StatusOK)
		if items := res.object(t)["items"].([]any); len(items) != 1 {
			t.Errorf("report list %v", items)
		}

		// As of before anything was created: the register is empty.
		_, body = e.runReport(e.keys[domain.RoleLegal], map[string]any{"kind": "audit",
			"as_of": reportT0.Add(-time.Minute).Format(time.RFC3339)})
		g, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = g.Close() }()
		if rows, _ := g.GetRows(reports.SheetVendors); len(rows) > 2 || (len(rows) == 2 && rows[1][0] != "") {
			t.Errorf("as-of before creation still lists %d vendor rows", len(rows)-1)
		}
	})
}

// keepRendering writes a workbook to $VW_KEEP_REPORTS (when set), to be
// rendered and looked at (the [24]7 scenario: see reports/README.md).
func keepRendering(t *testing.T, db *repository.DB, name string, body []byte) {
	t.Helper()
	dir := os.Getenv("VW_KEEP_REPORTS")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, string(db.Dialect())+"-"+name), body, 0o600); err != nil {
		t.Fatal(err)
	}
}

func zipEntries(t *testing.T, body []byte, prefix string) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, prefix) && strings.HasSuffix(f.Name, ".xml") {
			n++
		}
	}
	return n
}

func TestExecutiveReport(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reportT0)
		chat := e.reportFixture()
		e.clock.set(reportT0.Add(time.Hour))

		mustStatus(t, e.do("GET", "/api/v1/dashboard", e.keys[domain.RoleVendorManager], nil), http.StatusForbidden)
		res := e.do("GET", "/api/v1/dashboard?vendor_id="+chat, e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, http.StatusOK)
		var dash reports.Executive
		res.decode(t, &dash)
		if dash.Vendors != 1 || len(dash.TopVendors) != 1 || dash.TopVendors[0].Name != "[24]7.ai" || len(dash.TopVendors[0].Why) < 3 {
			t.Errorf("dashboard top vendors %+v", dash.TopVendors)
		}
		if len(dash.LateNotices) != 1 || dash.LateNotices[0].LagDays == nil || *dash.LateNotices[0].LagDays != 167 {
			t.Errorf("late notices %+v", dash.LateNotices)
		}
		if dash.Overdue.Attestations != 1 || dash.Overdue.Reviews != 1 || !strings.Contains(dash.RiskBasis, "residual tier") {
			t.Errorf("overdue %+v, basis %q", dash.Overdue, dash.RiskBasis)
		}
		mustStatus(t, e.do("GET", "/api/v1/dashboard?as_of=yesterday", e.keys[domain.RoleExecutive], nil), http.StatusBadRequest)

		_, body := e.runReport(e.keys[domain.RoleExecutive], map[string]any{"kind": "executive"})
		keepRendering(t, db, "247-executive.xlsx", body)
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		if got := f.GetSheetList(); !slices.Equal(got, reports.ExecutiveSheets) {
			t.Fatalf("sheets %v", got)
		}
		findRow(t, f, reports.SheetExecutive, 1, "[24]7.ai")
		findRow(t, f, reports.SheetTopVendors, 2, "[24]7.ai")
		if charts := zipEntries(t, body, "xl/charts/chart"); charts < 1 {
			t.Errorf("no chart in the executive report")
		}
	})
}

// TestReportRunRecovery: runs a stopped process left queued or running are
// marked failed at the next start; the weekly job stores a done run.
func TestReportRunRecovery(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reportT0)
		svc := newReportService(db, e.clock, e.evidenceDir)
		runs := repository.NewReportRuns(db)
		ctx := t.Context()
		started := reportT0.Add(-time.Minute)
		stale := reporting.Run{ID: domain.NewID(), Kind: reporting.KindAudit, AsOf: reportT0, Status: reporting.RunRunning,
			RequestedBy: "test", CreatedAt: reportT0.Add(-time.Hour), StartedAt: &started}
		if err := runs.Create(ctx, stale); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("recover: %d, %v", n, err)
		}
		got, err := runs.Get(ctx, stale.ID)
		if err != nil || got.Status != reporting.RunFailed || got.Error == "" || got.FinishedAt == nil {
			t.Errorf("stale run after recovery: %+v, %v", got, err)
		}
		counts, err := svc.WeeklyAudit(ctx)
		if err != nil || counts["bytes"] <= 0 {
			t.Fatalf("weekly audit: %v, %v", counts, err)
		}
		res := e.do("GET", "/api/v1/reports", e.keys[domain.RoleAdmin], nil)
		mustStatus(t, res, http.StatusOK)
		items := res.object(t)["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["status"] != "done" ||
			items[0].(map[string]any)["requested_by"] != "scheduler (system)" {
			t.Errorf("runs after the weekly job: %v", items)
		}
	})
}

// gatedSource holds every workbook at its Vendors sheet until gate is
// closed (or the run is stopped), and tells entered when one arrives.
type gatedSource struct {
	reporting.Source
	gate    chan struct{}
	entered chan string
}

func (s gatedSource) EachVendor(ctx context.Context, f reporting.Filter, fn func(reporting.VendorRow) error) error {
	s.entered <- f.Owner
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Source.EachVendor(ctx, f, fn)
}

// Report runs beyond Service.Workers wait queued, in order, and start
// when a worker is free; stopping the service fails the queued ones too.
func TestReportRunQueue(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reportT0)
		ctx := t.Context()
		start := func(svc *reports.Service, owner string) reporting.Run {
			r, err := svc.Start(ctx, reporting.KindAudit, reporting.Filter{Owner: owner})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		status := func(svc *reports.Service, id string) reporting.Run {
			r, err := svc.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		gated := func() (*reports.Service, gatedSource) {
			svc := newReportService(db, e.clock, e.evidenceDir)
			src := gatedSource{Source: svc.Source, gate: make(chan struct{}), entered: make(chan string, 4)}
			svc.Source, svc.Workers = src, 1
			return svc, src
		}

		svc, src := gated()
		first := start(svc, "first@example.com")
		if got := <-src.entered; got != "first@example.com" {
			t.Fatalf("the first run to read is %q", got)
		}
		second := start(svc, "second@example.com")
		select {
		case got := <-src.entered:
			t.Fatalf("%q started while the only worker was busy", got)
		case <-time.After(300 * time.Millisecond):
		}
		if r := status(svc, second.ID); r.Status != reporting.RunQueued || r.StartedAt != nil {
			t.Errorf("second run while the worker is busy: %s, started %v", r.Status, r.StartedAt)
		}
		if r := status(svc, first.ID); r.Status != reporting.RunRunning {
			t.Errorf("first run: %s", r.Status)
		}
		close(src.gate)
		if got := <-src.entered; got != "second@example.com" {
			t.Errorf("after the first run, %q read", got)
		}
		svc.Wait()
		for _, r := range []reporting.Run{first, second} {
			if r := status(svc, r.ID); r.Status != reporting.RunDone || r.SHA256 == "" {
				t.Errorf("run %s: %s %q", r.ID, r.Status, r.Error)
			}
		}

		svc, src = gated()
		running, queued := start(svc, "a@example.com"), start(svc, "b@example.com")
		<-src.entered
		svc.Close()
		for _, r := range []reporting.Run{running, queued} {
			if r := status(svc, r.ID); r.Status != reporting.RunFailed || r.Error == "" || r.FinishedAt == nil {
				t.Errorf("run %s after Close: %s %q", r.ID, r.Status, r.Error)
			}
		}
	})
}
