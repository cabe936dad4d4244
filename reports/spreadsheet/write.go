package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
)

// maxSheetRows is the last row of a worksheet: drop-down lists cover the
// whole column below the header.
const maxSheetRows = 1048576

// Writer writes rows in a kind's column layout. Values are given per
// column as text; date columns take YYYY-MM-DD, integer and decimal
// columns their decimal text, bool columns TRUE or FALSE.
type Writer interface {
	Row(values []string) error
	// Close finishes the file and writes it out (an .xlsx is written only
	// here: a workbook cannot be sent before it is complete).
	Close() error
}

// NewWriter starts a file of the given format for kind's columns, with
// its header row.
func NewWriter(w io.Writer, format Format, kind importing.ImportKind) (Writer, error) {
	cols := importing.ImportColumns(kind)
	if format == CSV {
		return newCSVWriter(w, cols)
	}
	return newXLSXWriter(w, string(kind), cols, nil)
}

// NewColumnsWriter starts a file of the given format with an export-only
// column layout (findings, which are never imported).
func NewColumnsWriter(w io.Writer, format Format, sheet string, cols []importing.ImportColumn) (Writer, error) {
	if format == CSV {
		return newCSVWriter(w, cols)
	}
	return newXLSXWriter(w, sheet, cols, nil)
}

// MaxTemplateVendors is the most vendor names a template's vendor
// drop-down lists: as many as Excel shows in a drop-down.
const MaxTemplateVendors = 32768

// listsSheet is the hidden sheet that holds a template's long drop-down
// lists, one per column.
const listsSheet = "Lists"

// WriteTemplate writes the .xlsx import template of kind: a styled header,
// an example row (marked with importing.ExampleRowMarker, ignored on import),
// drop-down lists for every enumerated column and for countries,
// jurisdictions and vendors (vendorNames, at most MaxTemplateVendors, on
// the kinds that name a vendor), date-formatted date columns, and a Notes
// sheet that explains each column.
func WriteTemplate(w io.Writer, kind importing.ImportKind, vendorNames []string) error {
	lists := map[importing.ImportList][]string{
		importing.ListCountries:     domain.CountryCodes(),
		importing.ListJurisdictions: domain.JurisdictionCodes(),
		importing.ListVendors:       vendorNames[:min(len(vendorNames), MaxTemplateVendors)],
	}
	x, err := newXLSXWriter(w, string(kind), importing.ImportColumns(kind), lists)
	if err != nil {
		return err
	}
	if err := x.exampleRow(); err != nil {
		_ = x.f.Close()
		return err
	}
	return x.Close()
}

// ---- CSV ----

type csvWriter struct {
	cw *csv.Writer
}

func newCSVWriter(w io.Writer, cols []importing.ImportColumn) (*csvWriter, error) {
	cw := csv.NewWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Header
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	return &csvWriter{cw: cw}, nil
}

func (c *csvWriter) Row(values []string) error {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = EscapeFormula(v)
	}
	return c.cw.Write(out)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

// ---- XLSX ----

type xlsxWriter struct {
	w         io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	cols      []importing.ImportColumn
	row       int
	dateStyle int
	numStyle  int
}

// newXLSXWriter starts a workbook with kind's header row. lists, given for
// a template (nil for an export), are the long drop-down lists; the
// template also gets its Notes sheet.
func newXLSXWriter(w io.Writer, sheet string, cols []importing.ImportColumn, lists map[importing.ImportList][]string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	fail := func(err error) (*xlsxWriter, error) {
		_ = f.Close()
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	headerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	})
	if err != nil {
		return fail(err)
	}
	dateFmt, numFmt := "yyyy-mm-dd", "0.00"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fail(err)
	}
	numStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return fail(err)
	}
	listRanges := map[importing.ImportList]string{}
	if lists != nil {
		if listRanges, err = writeLists(f, cols, lists); err != nil {
			return fail(err)
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fail(err)
	}
	// Column widths, styles and panes come before the first row.
	for i, c := range cols {
		width := float64(max(14, min(40, len(c.Header)+4)))
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
		switch c.Type {
		case importing.ColDate:
			err = sw.SetColStyle(i+1, i+1, dateStyle)
		case importing.ColDecimal:
			err = sw.SetColStyle(i+1, i+1, numStyle)
		}
		if err != nil {
			return fail(err)
		}
	}
	if lists != nil { // the template's example-row marker
		if err := sw.SetColWidth(len(cols)+1, len(cols)+1, 32); err != nil {
			return fail(err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: headerStyle, Value: c.Header}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return fail(err)
	}
	// Data validation has no stream API; it must be added before Flush or
	// it is silently lost.
	for i, c := range cols {
		if err := addDropDown(f, sheet, i+1, c, listRanges[c.List]); err != nil {
			return fail(fmt.Errorf("column %s: %w", c.Field, err))
		}
	}
	x := &xlsxWriter{w: w, f: f, sw: sw, cols: cols, row: 1, dateStyle: dateStyle, numStyle: numStyle}
	if lists != nil {
		if err := x.notesSheet(headerStyle); err != nil {
			return fail(err)
		}
	}
	return x, nil
}

// writeLists writes the long drop-down lists that cols use to the hidden
// Lists sheet, one column each under a header naming the list, and
// returns the range of each (absent: an empty list, no drop-down).
func writeLists(f *excelize.File, cols []importing.ImportColumn, lists map[importing.ImportList][]string) (map[importing.ImportList]string, error) {
	var used []importing.ImportList
	for _, c := range cols {
		if c.List != "" && len(lists[c.List]) > 0 && !slices.Contains(used, c.List) {
			used = append(used, c.List)
		}
	}
	ranges := map[importing.ImportList]string{}
	if len(used) == 0 {
		return ranges, nil
	}
	if _, err := f.NewSheet(listsSheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(listsSheet)
	if err != nil {
		return nil, err
	}
	longest := 0
	for _, l := range used {
		longest = max(longest, len(lists[l]))
	}
	for row := 0; row <= longest; row++ {
		cells := make([]any, len(used))
		for j, l := range used {
			switch {
			case row == 0:
				cells[j] = string(l)
			case row <= len(lists[l]):
				cells[j] = lists[l][row-1]
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	for j, l := range used {
		col := importing.ColumnLetter(j + 1)
		ranges[l] = fmt.Sprintf("%s!$%s$2:$%s$%d", listsSheet, col, col, len(lists[l])+1)
	}
	return ranges, f.SetSheetVisible(listsSheet, false)
}

// addDropDown puts the drop-down of column c (the n-th) on every row below
// the header: its Values inline, or listRange for a long list. A country
// must come from its list; a jurisdictions cell may hold several codes and
// a vendor cell an external_ref, so those lists only suggest.
func addDropDown(f *excelize.File, sheet string, n int, c importing.ImportColumn, listRange string) error {
	if len(c.Values) == 0 && listRange == "" {
		return nil
	}
	name := importing.ColumnLetter(n)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("%s2:%s%d", name, name, maxSheetRows))
	switch {
	case len(c.Values) > 0:
		if err := dv.SetDropList(c.Values); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Choose a value from the list: "+strings.Join(c.Values, ", "))
	case c.List == importing.ListCountries:
		dv.SetSqrefDropList(listRange)
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Choose an ISO 3166-1 alpha-2 code from the list, e.g. US, GB, DE.")
	case c.List == importing.ListJurisdictions:
		dv.SetSqrefDropList(listRange)
		dv.SetError(excelize.DataValidationErrorStyleInformation, c.Header,
			"Several codes go in one cell, comma-separated: GB, EU, US-CA.")
	default:
		dv.SetSqrefDropList(listRange)
		dv.SetError(excelize.DataValidationErrorStyleInformation, c.Header,
			"Not a vendor name from the register: the vendor's external_ref works too; otherwise import the vendor first.")
	}
	return f.AddDataValidation(sheet, dv)
}

// exampleRow writes the template's example row below the header, in grey
// italics, with importing.ExampleRowMarker in the column after the last, so
// that an import skips it.
func (x *xlsxWriter) exampleRow() error {
	grey := &excelize.Font{Italic: true, Color: "808080"}
	dateFmt, numFmt := "yyyy-mm-dd", "0.00"
	text, err := x.f.NewStyle(&excelize.Style{Font: grey})
	if err != nil {
		return err
	}
	date, err := x.f.NewStyle(&excelize.Style{Font: grey, CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	num, err := x.f.NewStyle(&excelize.Style{Font: grey, CustomNumFmt: &numFmt})
	if err != nil {
		return err
	}
	marker, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Italic: true, Color: "C00000"}})
	if err != nil {
		return err
	}
	x.row++
	out := make([]any, len(x.cols)+1)
	for i, c := range x.cols {
		style := text
		switch c.Type {
		case importing.ColDate:
			style = date
		case importing.ColDecimal:
			style = num
		}
		v := x.cell(c, c.Example)
		if cell, ok := v.(excelize.Cell); ok {
			v = cell.Value
		}
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	out[len(x.cols)] = excelize.Cell{StyleID: marker, Value: importing.ExampleRowMarker}
	return x.sw.SetRow("A2", out)
}

// notesSheet explains each column (normal mode: it is small).
func (x *xlsxWriter) notesSheet(headerStyle int) error {
	const notes = "Notes"
	if _, err := x.f.NewSheet(notes); err != nil {
		return err
	}
	head := []any{"Column", "Field", "Required", "Type", "Allowed values", "Explanation"}
	if err := x.f.SetSheetRow(notes, "A1", &head); err != nil {
		return err
	}
	if err := x.f.SetCellStyle(notes, "A1", "F1", headerStyle); err != nil {
		return err
	}
	for i, c := range x.cols {
		req := "optional"
		if c.Required {
			req = "required"
		}
		typ := string(c.Type)
		if c.Type == importing.ColDate {
			typ = "date (a date cell, or text YYYY-MM-DD)"
		}
		row := []any{c.Header, c.Field, req, typ, strings.Join(c.Values, ", "), c.Note}
		if err := x.f.SetSheetRow(notes, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	general := []string{
		"Fill the first sheet, one record per row, below the header. Keep the header row; columns may be in any order and missing optional columns are left unchanged.",
		"Row 2 is an example, marked \"" + importing.ExampleRowMarker + "\" in the column after the last: an import skips any row so marked (status ignored). Delete it or leave it.",
		"Drop-downs offer the allowed values; countries, jurisdictions and vendor names come from the hidden Lists sheet. Several jurisdictions go in one cell, comma-separated (GB, EU, US-CA).",
		"Imports never evaluate formulas: a cell holding a formula is rejected. Paste values instead.",
		"POST /api/v1/imports?kind=KIND&mode=dry_run checks every row without writing; mode=commit applies all rows in one transaction, or none if any row has an error.",
	}
	for i, g := range general {
		if err := x.f.SetCellValue(notes, fmt.Sprintf("A%d", len(x.cols)+3+i), g); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 28, "B": 26, "C": 10, "D": 14, "E": 40, "F": 100} {
		if err := x.f.SetColWidth(notes, col, col, width); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxWriter) Row(values []string) error {
	x.row++
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = x.cell(x.cols[i], v)
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, out)
}

// cell types a value for its column. Text is always written as a string
// cell, which a spreadsheet never takes for a formula, even when it
// starts with =, +, - or @.
func (x *xlsxWriter) cell(c importing.ImportColumn, v string) any {
	if v == "" {
		return nil
	}
	switch c.Type {
	case importing.ColDate:
		if d, err := domain.ParseDate(v); err == nil {
			return excelize.Cell{StyleID: x.dateStyle, Value: d.Time()}
		}
	case importing.ColInteger:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case importing.ColDecimal:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return excelize.Cell{StyleID: x.numStyle, Value: f}
		}
	}
	return v
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.f.SetActiveSheet(0)
	return x.f.Write(x.w)
}

// FormatDate renders a date for a Writer ("" for none).
func FormatDate(d domain.Date) string { return d.String() }

// FormatBool renders a bool for a Writer.
func FormatBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}
