package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestReportsReadable opens both workbooks of the [24]7 scenario and
// checks what a program can of what a reader needs (rendering them and
// looking is the rest: reports/README.md): no formula from user text,
// tiers and severities in the palette, words where codes would be, dates
// formatted as dates, a lag chart that caps nothing, and the print
// settings (portrait executive report, header rows repeated, a page per
// section).
func TestReportsReadable(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reportT0)
		chat := e.reportFixture()
		e.providerEdge(chat, "Nimbus Cloud", "hosting", "cardholder_data")
		e.clock.set(reportT0.Add(time.Hour))
		_, audit := e.runReport(e.keys[domain.RoleAuditor], map[string]any{"kind": "audit"})
		_, exec := e.runReport(e.keys[domain.RoleExecutive], map[string]any{"kind": "executive"})
		for name, body := range map[string][]byte{"audit": audit, "executive": exec} {
			t.Run(name, func(t *testing.T) {
				f, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = f.Close() }()
				checkCells(t, f)
				checkChartColours(t, body)
				checkPrint(t, f, name)
			})
		}
		checkLagChart(t, audit)
		// Durations in whole days, or in years and days in words.
		f, err := excelize.OpenReader(bytes.NewReader(exec))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		_, cells := findRow(t, f, reports.SheetVendorNotices, 1, "[24]7.ai")
		if !slices.Contains(cells, "164 days") {
			t.Errorf("the [24]7 notice is not late by 164 days in words: %q", cells)
		}
		_, cells = findRow(t, f, reports.SheetOverdue, 1, "Our obligation")
		if n := cells[4]; strings.Contains(n, ".") {
			t.Errorf("days overdue %q: want whole days", n)
		}
		if !regexp.MustCompile(`^\d+ years? \d+ days?$`).MatchString(cells[5]) {
			t.Errorf("overdue by %q: want years and days", cells[5])
		}
		if _, cells = findRow(t, f, reports.SheetExecutive, 1, "Mastercard Account Data Compromise notice to Mastercard"); len(cells) < 5 {
			t.Errorf("first page obligation row %q", cells)
		}
	})
}

// providerEdge records that vendor depends on a new fourth party named
// provider for service, with category flowing to it from vendor, and
// returns the provider's id.
func (e *testEnv) providerEdge(vendor, provider, service, category string) string {
	e.t.Helper()
	id := e.createVendor(map[string]any{"name": provider, "status": "fourth_party"})["id"].(string)
	mustStatus(e.t, e.do("POST", "/api/v1/vendors/"+vendor+"/providers", e.keys[domain.RoleVendorManager], map[string]any{
		"provider_id": id, "service": service, "data_categories": []string{category}, "countries": []string{"IE"},
		"source": "published_list", "as_of": "2025-05-01"}), http.StatusCreated)
	return id
}

// headerFill is the fill of the workbooks' header rows.
const headerFill = "1F4E78"

// codeLike is a stored code: lower-case words joined by underscores, or a
// code with an upper-case part ("Amex_EIRP").
var codeLike = regexp.MustCompile(`^[A-Za-z]+(_[A-Za-z0-9]+)+$`)

// codeColumns hold codes on purpose, for filtering.
var codeColumns = []string{"Rule", "Regime ID", "Category"}

// dateWords mark the headers of date columns.
var dateWords = []string{"created", "updated", "due", "expires", "effective", "issued", "period", "seen", "resolved",
	"discovered", "notified", "learned", "exposure", "done", "last review", "next review", "performed", "snapshot day",
	"deadline (vendor)", "accepted until", "renewal notice deadline", "in force from", "as of", "generated at"}

func checkCells(t *testing.T, f *excelize.File) {
	t.Helper()
	var palette, dates int
	defer func() {
		if palette == 0 || dates == 0 {
			t.Errorf("checked %d palette cells and %d date cells: the checks saw nothing", palette, dates)
		}
	}()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var header []string
		for r, row := range rows {
			if len(row) > 1 && strings.HasSuffix(row[0], "(UTC)") { // As of, Generated at
				if cell, _ := excelize.CoordinatesToCellName(2, r+1); !dateFormatted(t, f, sheet, cell) {
					t.Errorf("%s!%s (%s) is not formatted as a date", sheet, cell, row[0])
				}
				continue
			}
			if a1, _ := excelize.CoordinatesToCellName(1, r+1); len(row) > 0 && cellFill(t, f, sheet, a1) == headerFill {
				header = row
				continue
			}
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
					t.Errorf("%s!%s holds a formula %q", sheet, cell, formula)
				}
				title := ""
				if c < len(header) {
					title = header[c]
				}
				if codeLike.MatchString(v) && !slices.Contains(codeColumns, title) {
					t.Errorf("%s!%s (%s) holds the code %q where words belong", sheet, cell, title, v)
				}
				if sev, ok := reports.SeverityOf(v); ok && (title == "Tier" || title == "Severity" || title == "Vendor tier") {
					palette++
					if got := cellFill(t, f, sheet, cell); got != sev.Fill {
						t.Errorf("%s!%s %q is filled %q, want the palette's %q", sheet, cell, v, got, sev.Fill)
					}
				}
				isDate := false
				for _, w := range dateWords {
					isDate = isDate || strings.Contains(strings.ToLower(title), w)
				}
				isDate = isDate && !strings.Contains(strings.ToLower(title), "days")
				if typ, _ := f.GetCellType(sheet, cell); isDate && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
					dates++
					if !dateFormatted(t, f, sheet, cell) {
						t.Errorf("%s!%s (%s) = %q is a number without a date format", sheet, cell, title, v)
					}
				}
			}
		}
	}
}

func cellFill(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil || len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(strings.TrimPrefix(st.Fill.Color[0], "#"))
}

func dateFormatted(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if raw == "" {
		return true
	}
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.CustomNumFmt != nil && strings.Contains(*st.CustomNumFmt, "yy")
}

// zipParts returns the parts of a workbook whose names start with prefix.
func zipParts(t *testing.T, body []byte, prefix string) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, prefix) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(b)
	}
	return out
}

var (
	serPart = regexp.MustCompile(`(?s)<c:ser>.*?</c:ser>`)
	rgbPart = regexp.MustCompile(`srgbClr val="([0-9A-Fa-f]{6})"`)
)

// Every series of every chart has its colour set, from the palette or a
// neutral grey: none falls back to the theme's blue.
func checkChartColours(t *testing.T, body []byte) {
	t.Helper()
	allowed := map[string]bool{"404040": true}
	for _, s := range reports.Palette {
		allowed[s.Fill] = true
	}
	charts := zipParts(t, body, "xl/charts/chart")
	if len(charts) == 0 {
		t.Fatal("no chart")
	}
	for name, xml := range charts {
		for _, ser := range serPart.FindAllString(strings.ReplaceAll(xml, "<ser>", "<c:ser>"), -1) {
			m := rgbPart.FindStringSubmatch(ser)
			if m == nil || !allowed[strings.ToUpper(m[1])] {
				t.Errorf("%s: a series without a palette colour: %.200s", name, ser)
			}
		}
	}
}

func checkPrint(t *testing.T, f *excelize.File, name string) {
	t.Helper()
	titles := map[string]bool{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			titles[d.Scope] = true
		}
	}
	for i, sheet := range f.GetSheetList() {
		pl, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if name == "executive" && (pl.Orientation == nil || *pl.Orientation != "portrait") {
			t.Errorf("%s: executive sheet %s is not portrait", name, sheet)
		}
		if i > 0 && !titles[sheet] {
			t.Errorf("%s: sheet %s repeats no header row when printed", name, sheet)
		}
	}
	if name == "audit" {
		// The Summary's lag section starts a page.
		if _, err := f.GetRows(reports.SheetSummary); err != nil {
			t.Fatal(err)
		}
	}
}

// The lag chart: one marker per incident for its lag and one for its
// window, no line joining incidents, a logarithmic axis and no cap: the
// [24]7 notice's 167 days stand as they are.
func checkLagChart(t *testing.T, body []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	row, _ := findRow(t, f, reports.SheetSummary, 1, "Chat widget malware")
	if got := numberAt(t, f, reports.SheetSummary, cellName(t, 2, row)); got != 167 {
		t.Errorf("lag in the table %v, want 167", got)
	}
	found := false
	for name, xml := range zipParts(t, body, "xl/charts/chart") {
		if !strings.Contains(xml, "Notification lag") {
			continue
		}
		found = true
		if !strings.Contains(xml, `logBase val="10"`) {
			t.Errorf("%s: the lag axis is not logarithmic", name)
		}
		if strings.Contains(xml, "<c:max ") || strings.Contains(xml, "<max ") || strings.Contains(xml, "capped") {
			t.Errorf("%s: the lag axis has a maximum", name)
		}
		for _, ser := range serPart.FindAllString(strings.ReplaceAll(xml, "<ser>", "<c:ser>"), -1) {
			if !strings.Contains(ser, "noFill") || !strings.Contains(ser, "marker") {
				t.Errorf("%s: a lag series joins incidents with a line or has no marker: %.300s", name, ser)
			}
		}
	}
	if !found {
		t.Error("no lag chart")
	}
	if !strings.Contains(zipParts(t, body, "xl/worksheets/sheet1.xml")["xl/worksheets/sheet1.xml"], "<rowBreaks") {
		t.Error("the Summary's lag section does not start a page")
	}
}
