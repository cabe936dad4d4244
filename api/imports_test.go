package api_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// importResult is the part of an import report the tests read.
type importResult struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	Message        string   `json:"message"`
	FileSHA256     string   `json:"file_sha256"`
	UnknownColumns []string `json:"unknown_columns"`
	Columns        []struct{ Column, Field string }
	Summary        struct{ Rows, Create, Update, Unchanged, Error, Ignored int }
	Rows           []struct {
		Row    int
		Status string
		Key    string
		Errors []struct{ Column, Letter, Header, Message string }
	}
}

// xlsxFile builds a workbook whose first sheet holds rows; a cell value
// starting with "=" is written as a formula (with a cached value).
func xlsxFile(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if s, ok := v.(string); ok && strings.HasPrefix(s, "=") {
				if err := f.SetCellFormula("Sheet1", cell, s[1:]); err != nil {
					t.Fatal(err)
				}
				_ = f.SetCellValue("Sheet1", cell, "cached")
				if err := f.SetCellFormula("Sheet1", cell, s[1:]); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importFile posts a file to /api/v1/imports.
func (e *testEnv) importFile(key, query, name string, content []byte) response {
	e.t.Helper()
	return e.uploadTo("/api/v1/imports?"+query, key, []evidencePart{{field: "file", filename: name, content: content}})
}

func decodeImport(t *testing.T, res response) importResult {
	t.Helper()
	var r importResult
	res.decode(t, &r)
	return r
}

func rowStatuses(r importResult) []string {
	out := make([]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = row.Status
	}
	return out
}

func TestImportTemplates(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.createVendor(map[string]any{"name": "Zeta Couriers"})
		e.createVendor(map[string]any{"name": "Alpha Analytics"})
		for _, kind := range importing.ImportKinds {
			res := e.do("GET", "/api/v1/imports/templates/"+string(kind)+".xlsx", e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, 200)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.openxmlformats") {
				t.Errorf("%s: content type %q", kind, ct)
			}
			f, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatalf("%s: template does not open: %v", kind, err)
			}
			sheets := f.GetSheetList()
			if !slices.Equal(sheets, []string{string(kind), "Lists", "Notes"}) {
				t.Errorf("%s: sheets %v", kind, sheets)
			}
			if visible, _ := f.GetSheetVisible("Lists"); visible {
				t.Errorf("%s: the Lists sheet is visible", kind)
			}
			rows, err := f.GetRows(string(kind))
			if err != nil || len(rows) != 2 {
				t.Fatalf("%s: rows %v, %v", kind, rows, err)
			}
			cols := importing.ImportColumns(kind)
			drops := map[string]string{} // column letter -> list source
			dvs, err := f.GetDataValidations(string(kind))
			if err != nil {
				t.Fatal(err)
			}
			for _, dv := range dvs {
				if dv.Type != "list" || dv.Formula1 == "" {
					t.Errorf("%s: validation %+v is not a drop-down list", kind, dv)
				}
				drops[strings.SplitN(dv.Sqref, "2:", 2)[0]] = dv.Formula1 // "C2:C1048576" -> C
			}
			for i, c := range cols {
				letter := importing.ColumnLetter(i + 1)
				if rows[0][i] != c.Header {
					t.Errorf("%s: header %d = %q, want %q", kind, i, rows[0][i], c.Header)
				}
				// Row 2 is the example row; the column after the last marks it.
				if c.Example != "" && rows[1][i] == "" {
					t.Errorf("%s: example row has no %s", kind, c.Field)
				}
				src, ok := drops[letter]
				switch {
				case len(c.Values) > 0 && !ok:
					t.Errorf("%s: enumerated column %s has no drop-down", kind, c.Field)
				case c.List != "" && (!ok || !strings.HasPrefix(src, "Lists!")):
					t.Errorf("%s: column %s has drop-down %q, want one from the Lists sheet", kind, c.Field, src)
				case c.List == "" && len(c.Values) == 0 && ok:
					t.Errorf("%s: free column %s has a drop-down", kind, c.Field)
				}
			}
			if len(rows[1]) != len(cols)+1 || rows[1][len(cols)] != importing.ExampleRowMarker {
				t.Errorf("%s: example row is not marked: %q", kind, rows[1])
			}
			lists, _ := f.GetCols("Lists")
			byName := map[string][]string{}
			for _, l := range lists {
				byName[l[0]] = slices.DeleteFunc(l[1:], func(v string) bool { return v == "" })
			}
			switch kind {
			case importing.ImportVendors:
				if !slices.Contains(byName["countries"], "GB") || slices.Contains(byName["countries"], "UK") {
					t.Errorf("country list %v", byName["countries"])
				}
			case importing.ImportDataHandling:
				if !slices.Contains(byName["jurisdictions"], "US-CA") || !slices.Contains(byName["jurisdictions"], "EU") {
					t.Errorf("jurisdiction list %v", byName["jurisdictions"])
				}
			}
			if kind != importing.ImportVendors && !slices.Equal(byName["vendors"], []string{"Alpha Analytics", "Zeta Couriers"}) {
				t.Errorf("%s: vendor drop-down %v, want the register's names in order", kind, byName["vendors"])
			}
			notes, _ := f.GetRows("Notes")
			if len(notes) < len(cols)+1 || notes[1][0] != cols[0].Header || notes[1][5] == "" {
				t.Errorf("%s: notes sheet %v", kind, notes)
			}
			if kind == importing.ImportContracts || kind == importing.ImportAttestations {
				// Date columns carry a date number format.
				for i, c := range cols {
					if c.Type != importing.ColDate {
						continue
					}
					name, _ := excelize.ColumnNumberToName(i + 1)
					style, err := f.GetCellStyle(string(kind), name+"2")
					if err != nil || style == 0 {
						t.Errorf("%s: date column %s has style %d (%v)", kind, c.Field, style, err)
					}
				}
			}
			_ = f.Close()
		}
		mustStatus(t, e.do("GET", "/api/v1/imports/templates/widgets.xlsx", e.keys[domain.RoleAdmin], nil), 404)
	})
}

// TestImportTemplateExampleRows imports each template as downloaded: the
// marked example row is ignored and nothing is written. Unmarked, the
// example rows are valid records of every kind.
func TestImportTemplateExampleRows(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		template := func(kind importing.ImportKind) *excelize.File {
			res := e.do("GET", "/api/v1/imports/templates/"+string(kind)+".xlsx", admin, nil)
			mustStatus(t, res, 200)
			f, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = f.Close() })
			return f
		}
		save := func(f *excelize.File) []byte {
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		for _, kind := range importing.ImportKinds {
			before := e.countRows("audit_events")
			res := e.importFile(admin, "kind="+string(kind)+"&mode=commit", string(kind)+".xlsx", save(template(kind)))
			mustStatus(t, res, 201)
			r := decodeImport(t, res)
			if r.Summary.Rows != 0 || r.Summary.Ignored != 1 || len(r.Rows) != 1 || r.Rows[0].Status != "ignored" ||
				!strings.Contains(r.Message, "1 example row ignored") {
				t.Errorf("%s: template as downloaded: %s", kind, res.Body)
			}
			if e.countRows("audit_events") != before {
				t.Errorf("%s: importing the untouched template wrote", kind)
			}
		}
		for _, kind := range importing.ImportKinds {
			f := template(kind)
			cell := importing.ColumnLetter(len(importing.ImportColumns(kind))+1) + "2"
			if err := f.SetCellValue(string(kind), cell, ""); err != nil {
				t.Fatal(err)
			}
			res := e.importFile(admin, "kind="+string(kind)+"&mode=commit", string(kind)+".xlsx", save(f))
			mustStatus(t, res, 201)
			if got := rowStatuses(decodeImport(t, res)); !slices.Equal(got, []string{"create"}) {
				t.Errorf("%s: the unmarked example row: %s", kind, res.Body)
			}
		}
	})
}

func TestImportVendorsDryRunAndCommit(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vm := e.keys[domain.RoleVendorManager]
		existing := e.createVendor(map[string]any{"name": "Existing Co", "external_ref": "EXT-1", "criticality": "low"})
		header := []any{"External Ref", "Vendor Name", "STATUS", "criticality", "Web site", "Favourite colour"}
		file := xlsxFile(t, [][]any{
			header,
			{"", "Acme Payments", "active", "high", "https://acme.example", "blue"},
			{"EXT-1", "Existing Co", "active", "low", "", ""},
			{"", "Bad Status Ltd", "sleeping", "", "", ""},
			{"", "Bad Site Ltd", "", "", "ftp://nope", ""},
			{"", "ACME payments", "", "", "", ""},
			{"EXT-9", "existing co", "", "", "", ""},
		})
		vendorsBefore, auditBefore := e.countRows("vendors"), e.countRows("audit_events")

		res := e.importFile(vm, "kind=vendors&mode=dry_run", "vendors.xlsx", file)
		mustStatus(t, res, 200)
		r := decodeImport(t, res)
		if got := rowStatuses(r); !slices.Equal(got, []string{"create", "update", "error", "error", "error", "error"}) {
			t.Errorf("dry run statuses %v; %s", got, res.Body)
		}
		if r.Status != "dry_run" || r.ID != "" || r.Summary.Error != 4 || r.Rows[0].Row != 2 {
			t.Errorf("dry run report %+v", r)
		}
		if !slices.Equal(r.UnknownColumns, []string{"Favourite colour"}) {
			t.Errorf("unknown columns %v", r.UnknownColumns)
		}
		mapped := map[string]string{}
		for _, c := range r.Columns {
			mapped[c.Column] = c.Field
		}
		if mapped["Vendor Name"] != "name" || mapped["Web site"] != "website" || mapped["External Ref"] != "external_ref" {
			t.Errorf("column mapping %v", mapped)
		}
		wantErr := map[int]string{4: "status", 5: "website", 6: "name", 7: "name"}
		for _, row := range r.Rows {
			if col, ok := wantErr[row.Row]; ok && (len(row.Errors) == 0 || row.Errors[0].Column != col) {
				t.Errorf("row %d errors %v, want one on %s", row.Row, row.Errors, col)
			}
		}
		if !strings.Contains(r.Rows[4].Errors[0].Message, "duplicates row 2") {
			t.Errorf("duplicate row message %q", r.Rows[4].Errors[0].Message)
		}
		if e.countRows("vendors") != vendorsBefore || e.countRows("audit_events") != auditBefore {
			t.Fatalf("dry run wrote")
		}

		// A commit with errors writes nothing and says so; the run is kept.
		res = e.importFile(vm, "kind=vendors&mode=commit", "vendors.xlsx", file)
		mustStatus(t, res, 422)
		r = decodeImport(t, res)
		if r.Status != "rejected" || !strings.Contains(r.Message, "NO row was written") || r.ID == "" {
			t.Errorf("rejected commit %+v", r)
		}
		if e.countRows("vendors") != vendorsBefore || e.countRows("audit_events") != auditBefore {
			t.Fatalf("rejected commit wrote")
		}
		mustStatus(t, e.do("GET", "/api/v1/imports/"+r.ID, vm, nil), 200)

		// The good rows commit: created and updated as reported.
		good := xlsxFile(t, [][]any{header[:5], {"", "Acme Payments", "active", "high", "https://acme.example"}, {"EXT-1", "Existing Co", "active", "low", ""}})
		res = e.importFile(vm, "kind=vendors&mode=commit", "good.xlsx", good)
		mustStatus(t, res, 201)
		r = decodeImport(t, res)
		if got := rowStatuses(r); !slices.Equal(got, []string{"create", "update"}) || r.Status != "committed" {
			t.Fatalf("commit %v %s", got, res.Body)
		}
		if r.FileSHA256 != sha256Hex(good) || res.Header.Get("Location") != "/api/v1/imports/"+r.ID {
			t.Errorf("sha %s location %s", r.FileSHA256, res.Header.Get("Location"))
		}
		got := e.do("GET", "/api/v1/vendors/"+existing["id"].(string), vm, nil).object(t)
		if got["status"] != "active" {
			t.Errorf("existing vendor not updated: %v", got)
		}
		acme := e.do("GET", "/api/v1/vendors/"+r.Rows[0].Key, vm, nil).object(t)
		if acme["name"] != "Acme Payments" || acme["criticality"] != "high" {
			t.Errorf("created vendor %v", acme)
		}
		// Every write is in the audit trail, attributed to the import.
		var n int64
		if err := db.SQL().QueryRow(fmt.Sprintf("SELECT count(*) FROM audit_events WHERE actor_name = 'import %s' AND request_id = 'import:%s'",
			r.ID, r.ID)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d audit events attributed to the import, want 2", n)
		}
		if sealed := repotest.SealAndVerify(t, e.db); sealed == 0 {
			t.Error("no audit event sealed after the bulk import")
		}
		kept := e.do("GET", "/api/v1/imports/"+r.ID, e.keys[domain.RoleAdmin], nil)
		mustStatus(t, kept, 200)
		if k := decodeImport(t, kept); k.Status != "committed" || k.FileSHA256 != r.FileSHA256 || len(k.Rows) != 2 {
			t.Errorf("kept run %+v", k)
		}
		mustStatus(t, e.do("GET", "/api/v1/imports/"+domain.NewID(), vm, nil), 404)

		// A legal key may import contracts only.
		res = e.importFile(e.keys[domain.RoleLegal], "kind=vendors&mode=dry_run", "v.xlsx", good)
		mustStatus(t, res, 403)
	})
}

func TestImportOtherKinds(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		vm, legal := e.keys[domain.RoleVendorManager], e.keys[domain.RoleLegal]
		v := e.createVendor(map[string]any{"name": "Chatty Inc", "external_ref": "V-100"})
		e.createVendor(map[string]any{"name": "Quiet LLC"})

		// Data handling by CSV (with BOM), vendors named by ref or name.
		csv := "\ufeffVendor,Data category,Access,Record count,Jurisdictions,Systems\n" +
			"V-100,contact_pii,\"stores, processes\",5000,\"US-CA, EU\",crm\n" +
			"quiet llc,chat_transcripts,transmits,10,GB,\n" +
			"Nobody,ssn,stores,1,US,\n" +
			"V-100,contact_pii,stores,1,US,\n"
		res := e.importFile(vm, "kind=data_handling&mode=commit", "dh.csv", []byte(csv))
		mustStatus(t, res, 422)
		r := decodeImport(t, res)
		if got := rowStatuses(r); !slices.Equal(got, []string{"create", "create", "error", "error"}) {
			t.Errorf("data handling statuses %v: %s", got, res.Body)
		}
		res = e.importFile(vm, "kind=data_handling&mode=commit", "dh.csv", []byte(strings.Join(strings.Split(csv, "\n")[:3], "\n")))
		mustStatus(t, res, 201)
		hs := e.do("GET", "/api/v1/vendors/"+v["id"].(string)+"/data-handling", vm, nil).object(t)
		if items := hs["items"].([]any); len(items) != 1 {
			t.Errorf("data handling %v", hs)
		}
		// The same file again: unchanged.
		res = e.importFile(vm, "kind=data_handling&mode=dry_run", "dh.csv", []byte(strings.Join(strings.Split(csv, "\n")[:3], "\n")))
		mustStatus(t, res, 200)
		if got := rowStatuses(decodeImport(t, res)); !slices.Equal(got, []string{"unchanged", "unchanged"}) {
			t.Errorf("data handling re-import %v", got)
		}

		// Contracts with the breach clause, as legal.
		contracts := xlsxFile(t, [][]any{
			{"Vendor", "Title", "Reference", "Status", "Start date", "Expires on", "Auto renew", "Annual value", "Annual value currency",
				"Breach notification window", "Breach window unit", "Breach trigger", "Breach notify"},
			{"V-100", "MSA", "C-1", "active", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2027-12-31", "TRUE", 12000.5, "USD",
				72, "hours", "discovery", "CISO <ciso@example.com>"},
			{"Quiet LLC", "DPA", "", "", "2026-02-30", "", "maybe", "", "", "", "", "", ""},
		})
		res = e.importFile(legal, "kind=contracts&mode=dry_run", "c.xlsx", contracts)
		mustStatus(t, res, 200)
		r = decodeImport(t, res)
		if got := rowStatuses(r); !slices.Equal(got, []string{"create", "error"}) {
			t.Fatalf("contract statuses %v: %s", got, res.Body)
		}
		cols := map[string]bool{}
		for _, er := range r.Rows[1].Errors {
			cols[er.Column] = true
		}
		if !cols["effective_on"] || !cols["auto_renew"] {
			t.Errorf("contract row errors %v", r.Rows[1].Errors)
		}
		ok := xlsxFile(t, [][]any{
			{"Vendor", "Title", "Reference", "Status", "Start date", "Expires on", "Auto renew", "Annual value", "Annual value currency",
				"Breach notification window", "Breach window unit", "Breach trigger", "Breach notify"},
			{"V-100", "MSA", "C-1", "active", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2027-12-31", "TRUE", 12000.5, "USD",
				72, "hours", "discovery", "CISO <ciso@example.com>"},
		})
		res = e.importFile(legal, "kind=contracts&mode=commit", "c.xlsx", ok)
		mustStatus(t, res, 201)
		c := e.do("GET", "/api/v1/contracts/"+decodeImport(t, res).Rows[0].Key, legal, nil).object(t)
		if c["effective_on"] != "2025-01-01" || c["annual_value"].(map[string]any)["amount_minor"] != float64(1200050) ||
			c["breach_notification"] == nil {
			t.Errorf("imported contract %v", c)
		}

		// Attestations.
		atts := xlsxFile(t, [][]any{
			{"Vendor", "Kind", "Issuer", "Period start", "Period end", "Issued on", "Review status"},
			{"V-100", "soc2_type2", "Big Four LLP", "2025-01-01", "2025-12-31", "2026-02-01", "accepted"},
			{"V-100", "pentest", "", "", "", "", ""},
		})
		res = e.importFile(vm, "kind=attestations&mode=dry_run", "a.xlsx", atts)
		mustStatus(t, res, 200)
		if got := rowStatuses(decodeImport(t, res)); !slices.Equal(got, []string{"create", "error"}) {
			t.Errorf("attestation statuses %v: %s", got, res.Body)
		}
	})
}

func TestExportImportRoundTrip(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		vm, legal := e.keys[domain.RoleVendorManager], e.keys[domain.RoleLegal]
		evil := "=HYPERLINK(\"http://evil.example\",\"x\")"
		a := e.createVendor(map[string]any{"name": "Alpha", "external_ref": "A-1", "website": "https://alpha.example",
			"criticality": "critical", "country": "US", "tier_override": "high", "tier_override_reason": "board says",
			"lei": "HWUPKR0MPOU8FGXBT394", "registration_number": "C0806592", "domain": "alpha.example"})
		b := e.createVendor(map[string]any{"name": evil, "service": "+1 formulas; @sum -2"})
		for i := range 3 {
			e.createVendor(map[string]any{"name": fmt.Sprintf("Vendor %03d", i), "owner_email": "o@example.com"})
		}
		e.createContract(map[string]any{"vendor_id": a["id"], "title": "MSA", "status": "active", "effective_on": "2024-01-01",
			"expires_on": "2026-12-31", "auto_renew": true, "renewal_notice_days": 30,
			"annual_value":        map[string]any{"amount_minor": 1_000_050, "currency": "EUR"},
			"breach_notification": map[string]any{"standard": "without_undue_delay", "trigger": "awareness", "notify": []map[string]any{{"role": "DPO", "email": "dpo@example.com"}}}})
		e.createContract(map[string]any{"vendor_id": b["id"], "title": "Order form", "effective_on": "2025-05-05"})
		e.createAttestation(map[string]any{"vendor_id": a["id"], "kind": "soc2_type2", "period_start": "2025-01-01", "period_end": "2025-12-31", "issued_on": "2026-02-01"})
		e.createAttestation(map[string]any{"vendor_id": b["id"], "kind": "soc2_type1", "expires_on": "2027-01-01", "review_status": "accepted"})

		for _, tc := range []struct {
			list, kind, key string
			rows            int
		}{
			{"vendors", "vendors", vm, 5},
			{"contracts", "contracts", legal, 2},
			{"attestations", "attestations", vm, 2},
		} {
			for _, format := range []string{"xlsx", "csv"} {
				res := e.do("GET", "/api/v1/"+tc.list+"?format="+format+"&limit=1", e.keys[domain.RoleAuditor], nil)
				mustStatus(t, res, 200)
				if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "."+format) {
					t.Errorf("%s.%s: disposition %q", tc.list, format, cd)
				}
				if tc.list == "vendors" && format == "csv" && !strings.Contains(string(res.Body), `"'=HYPERLINK(`) {
					t.Errorf("csv does not neutralise formula text: %s", res.Body)
				}
				if tc.list == "vendors" && format == "xlsx" {
					f, err := excelize.OpenReader(bytes.NewReader(res.Body))
					if err != nil {
						t.Fatal(err)
					}
					rows, _ := f.GetRows("vendors")
					for i, r := range rows {
						if len(r) > 1 && r[1] == evil {
							cell, _ := excelize.CoordinatesToCellName(2, i+1)
							if formula, _ := f.GetCellFormula("vendors", cell); formula != "" {
								t.Errorf("vendor name written as a formula %q", formula)
							}
						}
					}
					if len(rows) != tc.rows+1 {
						t.Errorf("xlsx has %d rows, want %d (the whole list, not one page)", len(rows), tc.rows+1)
					}
					_ = f.Close()
				}
				imp := e.importFile(tc.key, "kind="+tc.kind+"&mode=commit", tc.list+"."+format, res.Body)
				mustStatus(t, imp, 201)
				r := decodeImport(t, imp)
				if r.Summary.Rows != tc.rows || r.Summary.Unchanged != tc.rows || len(r.UnknownColumns) != 0 {
					t.Errorf("%s.%s round trip: %+v\n%s", tc.list, format, r.Summary, imp.Body)
				}
			}
		}
		mustStatus(t, e.do("GET", "/api/v1/vendors?format=pdf", vm, nil), 400)
	})
}

func TestImportFileProblems(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vm := e.keys[domain.RoleVendorManager]
		fileField := func(res response) {
			t.Helper()
			if !slices.Contains(res.fields(t), "file") {
				t.Errorf("problem fields %v, want file: %s", res.fields(t), res.Body)
			}
		}

		// Formulas are rejected, never evaluated.
		res := e.importFile(vm, "kind=vendors&mode=dry_run", "f.xlsx", xlsxFile(t, [][]any{{"Name", "Service"}, {"Calc Co", "=1+1"}, {"Plain Co", "x"}}))
		mustStatus(t, res, 200)
		r := decodeImport(t, res)
		if got := rowStatuses(r); !slices.Equal(got, []string{"error", "create"}) || r.Rows[0].Errors[0].Column != "service" ||
			!strings.Contains(r.Rows[0].Errors[0].Message, "formula") {
			t.Errorf("formula rows %v: %s", got, res.Body)
		}

		// Encodings: UTF-16 and Latin-1 get a clear error; UTF-8 with BOM works.
		utf16 := []byte{0xFF, 0xFE, 'N', 0, 'a', 0, 'm', 0, 'e', 0}
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "u16.csv", utf16)
		mustStatus(t, res, 422)
		fileField(res)
		if !strings.Contains(string(res.Body), "UTF-16") {
			t.Errorf("utf-16: %s", res.Body)
		}
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "latin1.csv", []byte("Name\nCaf\xe9 Ltd\n"))
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "not UTF-8") {
			t.Errorf("latin-1: %s", res.Body)
		}
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "bom.csv", []byte("\xef\xbb\xbfName;Status\nCafé Ltd;active\n"))
		mustStatus(t, res, 200)

		// A missing required column, an unknown kind, not a spreadsheet.
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "x.csv", []byte("Website\nhttps://a.example\n"))
		mustStatus(t, res, 422)
		fileField(res)
		if !strings.Contains(string(res.Body), "missing the required column name") {
			t.Errorf("missing column: %s", res.Body)
		}
		res = e.importFile(vm, "kind=widgets&mode=dry_run", "x.csv", []byte("Name\nA\n"))
		mustStatus(t, res, 422)
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "x.pdf", []byte("%PDF-1.7\x00\x01binary"))
		mustStatus(t, res, 415)
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "empty.csv", []byte(""))
		mustStatus(t, res, 422)

		// kind and mode as form fields before the file.
		res = e.uploadTo("/api/v1/imports", vm, []evidencePart{
			{field: "kind", content: []byte("vendors")}, {field: "mode", content: []byte("dry_run")},
			{field: "file", filename: "v.csv", content: []byte("Vendor name\nForm Co\n")}})
		mustStatus(t, res, 200)

		// Too large: 413, with a small limit on a second router.
		svc := services.New(db.Stores(filepath.Join(t.TempDir(), "ev")), services.Settings{Clock: e.clock, Calendar: calendar.USFederal(), KeyPepper: "test-pepper"})
		small, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxImportBytes: 100})
		if err != nil {
			t.Fatal(err)
		}
		router := e.router
		e.router = small
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "big.csv", []byte("Name\n"+strings.Repeat("A very long vendor name\n", 20)))
		e.router = router
		mustStatus(t, res, 413)
	})
}

func TestExportFindings(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.createVendor(map[string]any{"name": "Never Reviewed", "external_ref": "NR-1", "status": "active",
			"tier_override": "critical", "tier_override_reason": "test"})
		if _, err := e.scan.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		auditor := e.keys[domain.RoleAuditor]
		var list struct{ Items []map[string]any }
		e.do("GET", "/api/v1/findings?limit=500", auditor, nil).decode(t, &list)
		res := e.do("GET", "/api/v1/findings?format=csv", auditor, nil)
		mustStatus(t, res, 200)
		lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
		if !strings.HasPrefix(lines[0], "Finding id,Rule,Severity,Vendor,") || len(lines)-1 != len(list.Items) {
			t.Errorf("findings csv has %d rows for %d findings:\n%s", len(lines)-1, len(list.Items), res.Body)
		}
		if len(list.Items) > 0 && !strings.Contains(string(res.Body), "NR-1") {
			t.Errorf("findings csv does not name the vendor: %s", res.Body)
		}
		res = e.do("GET", "/api/v1/findings?format=xlsx", auditor, nil)
		mustStatus(t, res, 200)
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if rows, _ := f.GetRows("findings"); len(rows) != len(list.Items)+1 {
			t.Errorf("findings xlsx has %d rows for %d findings", len(rows), len(list.Items))
		}
	})
}

// TestImportBatches crosses batch boundaries: duplicates are found across
// batches, and a commit writes every batch in one transaction.
func TestImportBatches(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vm := e.keys[domain.RoleVendorManager]
		var b strings.Builder
		b.WriteString("External ref,Name\n")
		for i := range 2500 {
			fmt.Fprintf(&b, "R-%05d,Vendor %05d\n", i, i)
		}
		clean := b.String()
		dup := clean + "R-00003,Someone Else\n"
		res := e.importFile(vm, "kind=vendors&mode=commit", "dup.csv", []byte(dup))
		mustStatus(t, res, 422)
		r := decodeImport(t, res)
		last := r.Rows[len(r.Rows)-1]
		if r.Summary.Rows != 2501 || r.Summary.Error != 1 || last.Row != 2502 || !strings.Contains(last.Errors[0].Message, "duplicates row 5") {
			t.Errorf("cross-batch duplicate: %+v %+v", r.Summary, last)
		}
		if n := e.countRows("vendors"); n != 0 {
			t.Fatalf("a rejected commit left %d vendors", n)
		}
		res = e.importFile(vm, "kind=vendors&mode=commit", "clean.csv", []byte(clean))
		mustStatus(t, res, 201)
		if n := e.countRows("vendors"); n != 2500 {
			t.Errorf("%d vendors after commit", n)
		}
		repotest.SealAndVerify(t, e.db)
		res = e.do("GET", "/api/v1/vendors?format=csv", vm, nil)
		mustStatus(t, res, 200)
		res = e.importFile(vm, "kind=vendors&mode=dry_run", "again.csv", res.Body)
		mustStatus(t, res, 200)
		if r := decodeImport(t, res); r.Summary.Unchanged != 2500 {
			t.Errorf("re-import of the export: %+v", r.Summary)
		}
	})
}

// TestImportErrorsNameTheColumn: a row error names the file's column letter
// and header, and a bad country gets the API's own message.
func TestImportErrorsNameTheColumn(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		api := e.do("POST", "/api/v1/vendors", admin, map[string]any{"name": "Kingdom Ltd", "country": "UK"})
		mustStatus(t, api, 422)
		var apiMsg string
		for _, fe := range problemErrors(t, api) {
			if fe.Field == "country" {
				apiMsg = fe.Message
			}
		}
		if apiMsg != `"UK" is not an ISO 3166 code; use "GB"` {
			t.Errorf("API message for country UK: %q", apiMsg)
		}
		file := xlsxFile(t, [][]any{{"Vendor name", "Web site", "HQ country"}, {"Kingdom Ltd", "", "UK"}})
		res := e.importFile(admin, "kind=vendors&mode=dry_run", "v.xlsx", file)
		mustStatus(t, res, 200)
		r := decodeImport(t, res)
		if len(r.Rows) != 1 || len(r.Rows[0].Errors) != 1 {
			t.Fatalf("dry run: %s", res.Body)
		}
		got := r.Rows[0].Errors[0]
		if got.Column != "country" || got.Letter != "C" || got.Header != "HQ country" || got.Message != apiMsg {
			t.Errorf("row error %+v, want column country, letter C, header \"HQ country\" and the API's message %q", got, apiMsg)
		}
		if r.Message != "Dry run: 1 row checked, 1 with errors; nothing was written." {
			t.Errorf("message %q", r.Message)
		}
	})
}
