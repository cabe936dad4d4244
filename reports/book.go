package reports

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/policy"
)

// XLSXContentType is the media type of the workbooks.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Compression chooses the zip deflate level of a workbook.
type Compression int

// Compression levels.
const (
	// CompressFast deflates with flate.BestSpeed through File.SetZipWriter:
	// measured faster for a somewhat larger file (see the benchmark).
	CompressFast Compression = iota
	// CompressDefault is excelize's own zip writer (default deflate).
	CompressDefault
)

// SaveBook writes f to w as a zip compressed at level c. excelize's Write
// builds the whole zip in a bytes.Buffer before copying it to w, so a
// workbook's peak memory would grow with its file. The zip writer handed
// to excelize here ignores that buffer and writes straight to w: the
// buffer stays empty and nothing of the file is held.
func SaveBook(f *excelize.File, w io.Writer, c Compression) error {
	// zip.Writer buffers 4 KiB; larger writes cost fewer system calls.
	bw := bufio.NewWriterSize(w, 256<<10)
	zw := &directZip{zw: zip.NewWriter(bw)}
	if c == CompressFast {
		zw.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
	}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	rest := countWriter{w: io.Discard}
	if err := f.Write(&rest); err != nil {
		return err
	}
	if zw.err != nil {
		return zw.err
	}
	if rest.n != 0 { // a later excelize writing through its buffer after all
		return fmt.Errorf("workbook: excelize wrote %s past its zip writer", domain.Count(rest.n, "byte", "bytes"))
	}
	return bw.Flush()
}

// directZip is the excelize.ZipWriter of SaveBook. Parts of 4 GiB or more
// fail the save: excelize marks their local headers as zip64 by patching
// its buffer, which a stream cannot do, and Excel refuses them unmarked.
// (A sheet of Excel's 1,048,576 rows stays far below that.)
type directZip struct {
	zw   *zip.Writer
	part *partWriter
	err  error
}

// Create implements excelize.ZipWriter.
func (d *directZip) Create(name string) (io.Writer, error) {
	if err := d.checkPart(); err != nil {
		return nil, err
	}
	w, err := d.zw.Create(name)
	if err != nil {
		return nil, err
	}
	d.part = &partWriter{countWriter: countWriter{w: w}, name: name}
	return d.part, nil
}

// AddFS implements excelize.ZipWriter.
func (d *directZip) AddFS(fsys fs.FS) error { return d.zw.AddFS(fsys) }

// Close implements excelize.ZipWriter.
func (d *directZip) Close() error {
	if err := d.checkPart(); err != nil {
		return err
	}
	return d.zw.Close()
}

func (d *directZip) checkPart() error {
	if d.part != nil && d.part.n >= math.MaxUint32 {
		d.err = fmt.Errorf("workbook part %s is %s: parts of 4 GiB or more are not supported", d.part.name, domain.Count(d.part.n, "byte", "bytes"))
	}
	return d.err
}

// partWriter counts the bytes of one zip part.
type partWriter struct {
	countWriter
	name string
}

// Options configure the writing of a workbook.
type Options struct {
	Policy      policy.Policy // clause policy and review cadence; zero: DefaultPolicy
	GeneratedBy string        // shown on the first sheet
	GeneratedAt time.Time     // zero: the as-of instant
	// Progress, when set, is called as rows are written (every few
	// thousand rows and at the end of each sheet).
	Progress    func(sheet string, rows int64)
	Compression Compression
	// ExpiringDays is how close an expiry counts as "expiring" (default 30).
	ExpiringDays int
	// Checkpoint is the audit log's checkpoint the audit workbook's
	// Summary sheet states (Service.Generate fills it from
	// Service.Checkpoint); nil says none is available.
	Checkpoint *Checkpoint
	// Dora is the DORA register's pre-flight check the audit workbook's
	// "DORA check" sheet lists (Service.Generate fills it from
	// Service.DoraCheck); nil says the register was not checked.
	Dora *DoraCheck
}

// DoraCheck is what the "DORA check" sheet lists: the check's report (nil:
// the register has no financial entity), or why it could not run.
type DoraCheck struct {
	Report *dora.Report
	Err    error
}

// Checkpoint is what the audit workbook's Summary sheet states of the
// audit log: its latest signed checkpoint, or why there is none.
type Checkpoint struct {
	Signed auditlog.Signed // a zero Size: nothing sealed yet
	Err    error           // reading or verifying it failed
}

func (o *Options) defaults(asOf time.Time) {
	if o.Policy.Clauses.StandardWindows == nil {
		o.Policy = policy.DefaultPolicy()
	}
	if o.GeneratedAt.IsZero() {
		o.GeneratedAt = asOf
	}
	if o.ExpiringDays <= 0 {
		o.ExpiringDays = 30
	}
}

// styles are created once per workbook and reused by id.
type styles struct {
	header, title, section, bold, boldTop, date, datetime, num1, money2, int, change, wrap, link, note int
	bad, warn, dash, top, center, indent                                                               int            // cells of a late or overdue state, of a state due soon
	sev                                                                                                map[string]int // cell fill per Palette name
	late, soon                                                                                         int            // conditional (dxf) styles
}

// defaultFont is the font of every cell and chart text.
const defaultFont = "Arial"

// Number formats of the workbooks.
const (
	fmtDate     = "yyyy-mm-dd"
	fmtDateTime = "yyyy-mm-dd hh:mm"
	fmtInt      = "#,##0"
	fmtDays1    = "#,##0.0"
	fmtChange   = "+#,##0;-#,##0;0"
)

// newBook creates a workbook and its styles. Save it with SaveBook.
func newBook() (*excelize.File, *styles, error) {
	f := excelize.NewFile()
	st := &styles{sev: map[string]int{}}
	// Arial, or its metric twin Liberation Sans, is on every machine that
	// opens the workbooks: the widths and line breaks laid out here hold
	// in Excel and LibreOffice alike (Calibri falls back to a much wider
	// font where it is missing, and the pages break differently).
	err := f.SetDefaultFont(defaultFont)
	mk := func(dst *int, s *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(s)
		}
	}
	dateFmt, dtFmt, n1, n0, chg := fmtDate, fmtDateTime, fmtDays1, fmtInt, fmtChange
	top := &excelize.Alignment{Vertical: "top"}
	mk(&st.header, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true, Color: "FFFFFF"}, Fill: fill(headerFill),
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	mk(&st.title, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true, Size: 16}})
	mk(&st.section, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true, Size: 12, Color: headerFill},
		Alignment: &excelize.Alignment{Vertical: "bottom"}})
	mk(&st.bold, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true}, Alignment: top})
	mk(&st.boldTop, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true}, Alignment: top})
	mk(&st.date, &excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	mk(&st.datetime, &excelize.Style{CustomNumFmt: &dtFmt, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	mk(&st.num1, &excelize.Style{CustomNumFmt: &n1, Alignment: top})
	mk(&st.int, &excelize.Style{CustomNumFmt: &n0, Alignment: top})
	m2 := "#,##0.00"
	mk(&st.money2, &excelize.Style{CustomNumFmt: &m2, Alignment: top})
	mk(&st.change, &excelize.Style{CustomNumFmt: &chg, Alignment: top})
	mk(&st.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	mk(&st.indent, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Horizontal: "left", Indent: 1}})
	mk(&st.center, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Horizontal: "center"}})
	mk(&st.link, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: "0563C1", Underline: "single"}})
	mk(&st.note, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Italic: true, Color: "595959"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	mk(&st.bad, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: lateFont}, Fill: fill(lateFill), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	mk(&st.warn, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: soonFont}, Fill: fill(soonFill), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	mk(&st.top, &excelize.Style{Alignment: top})
	mk(&st.dash, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: "808080"}, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}})
	for _, s := range Palette {
		var id int
		mk(&id, &excelize.Style{Font: &excelize.Font{Family: defaultFont, Bold: true, Color: s.Font}, Fill: fill(s.Fill),
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		st.sev[s.Name] = id
	}
	if err == nil {
		st.late, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: lateFont}, Fill: fill(lateFill)})
	}
	if err == nil {
		st.soon, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Family: defaultFont, Color: soonFont}, Fill: fill(soonFill)})
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// severity is a tier or finding severity as a cell in its palette colour.
func (st *styles) severity(name string) any {
	if id, ok := st.sev[name]; ok {
		return excelize.Cell{StyleID: id, Value: name}
	}
	return orNil(name)
}

// Printing. Widths are in Excel's units (about 7 pixels at 100 %); a
// portrait A4 page holds about 90 of them inside its margins, Letter a
// little more, a landscape A4 page about 135.
const (
	portraitWidth  = 90.0
	landscapeWidth = 135.0
	// legibleScale is the smallest print scale a detail sheet is fitted to
	// its page width at; wider sheets print landscape at full size across
	// pages, with the header row and first column repeated.
	legibleScale = 0.72
)

// printSpec is how a sheet prints.
type printSpec struct {
	landscape bool
	fitWidth  bool   // scale to one page wide (and as many tall as needed)
	onePage   bool   // with fitWidth: one page tall too
	titles    string // rows and columns repeated on every page: "$1:$1", "$A:$A,$1:$1"
}

// detailPrint is the print spec of a detail sheet of total column width w.
func detailPrint(w float64) printSpec {
	switch {
	case w <= portraitWidth/legibleScale*0.8:
		return printSpec{fitWidth: true, titles: "$1:$1"}
	case w <= landscapeWidth/legibleScale:
		return printSpec{landscape: true, fitWidth: true, titles: "$1:$1"}
	}
	return printSpec{landscape: true, titles: "$A:$A,$1:$1"}
}

// setPrint applies p to sheet. A streamed sheet must call it before its
// stream writer starts (the fit flag is written first).
func setPrint(f *excelize.File, sheet string, p printSpec) error {
	orient := "portrait"
	if p.landscape {
		orient = "landscape"
	}
	fit := p.fitWidth
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	opts := &excelize.PageLayoutOptions{Orientation: &orient}
	if fit {
		one, tall := 1, 0
		if p.onePage {
			tall = 1
		}
		opts.FitToWidth, opts.FitToHeight = &one, &tall
	}
	if err := f.SetPageLayout(sheet, opts); err != nil {
		return err
	}
	margin, small := 0.5, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &margin,
		Bottom: &margin, Header: &small, Footer: &small}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&A&RPage &P of &N"}); err != nil {
		return err
	}
	if p.titles == "" {
		return nil
	}
	q := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	refs := strings.Split(p.titles, ",")
	for i := range refs {
		refs[i] = q + refs[i]
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: strings.Join(refs, ","), Scope: sheet})
}

// headerFit widens a column so that no word of its title breaks, and
// returns the lines the title takes at that width.
func headerFit(title string, width float64) (float64, int) {
	words := strings.Fields(title)
	for _, w := range words {
		if need := float64(len(w))*1.15 + 1.5; need > width {
			width = need
		}
	}
	return width, textLines(title, width*0.85)
}

// textLines estimates the lines text wraps to in a column of width
// (characters of an average width, bold a little wider). It allocates
// nothing: the streamed sheets call it on every long cell.
func textLines(text string, width float64) int {
	per := int(width * 1.25)
	if per < 1 {
		per = 1
	}
	lines, used, word := 1, 0, 0
	flush := func() {
		if word == 0 {
			return
		}
		switch {
		case used == 0:
			used = word
		case used+1+word <= per:
			used += 1 + word
		default:
			lines++
			used = word
		}
		for used > per { // a word longer than the line
			lines++
			used -= per
		}
		word = 0
	}
	for i := range len(text) {
		switch text[i] {
		case ' ', '\t':
			flush()
		case '\n':
			flush()
			lines++
			used = 0
		default:
			word++
		}
	}
	flush()
	return lines
}

// lineHeight is the height in points of one line of the default font.
const lineHeight = 15.0

// rowPixels is the height of a default row as LibreOffice draws it (Excel
// draws 20): charts sized in rows use it, so that they never cover the
// row after them.
const rowPixels = 17

// column is one column of a streamed sheet. A wrap column's long text
// wraps within its width, on a row made tall enough for it: the
// StreamWriter writes rows at the default height unless told, and a
// wrapped cell on a default-height row prints over the next.
//
// An id column (a UUID, a hash) is written last, whatever its place in
// the definition: people filter on it, nobody reads it, and printed in
// the middle it pushes the columns people read onto other pages.
type column struct {
	title string
	width float64
	wrap  bool
	id    bool
}

func col(title string, width float64) column { return column{title: title, width: width} }

func wrapCol(title string, width float64) column {
	return column{title: title, width: width, wrap: true}
}

func idCol(title string, width float64) column {
	return column{title: title, width: width, id: true}
}

// mark colours the cells of a state column by their value.
type mark struct {
	col    int // 1-based column of the definition holding the state
	values []string
	red    bool
}

// sheet streams one data sheet: frozen, styled header, column widths, rows,
// then conditional formats and the table before the one Flush.
type sheet struct {
	f        *excelize.File
	st       *styles
	name     string
	sw       *excelize.StreamWriter
	cols     []column // in the sheet's order
	at       []int    // at[i]: the sheet's 0-based column of the definition's column i
	row      []any    // the row being written, in the sheet's order
	wraps    []int    // 0-based sheet columns that wrap
	rows     int64    // data rows written
	progress func(string, int64)
}

// startSheet creates the sheet's stream writer and writes the header: the
// print settings, widths and panes come before the first SetRow, as the
// StreamWriter requires. Column widths grow so that no header word
// breaks; the sheet prints fitted to its page width when that stays
// legible, else landscape across pages with the header row and the first
// column repeated.
func startSheet(f *excelize.File, st *styles, name string, cols []column, progress func(string, int64)) (*sheet, error) {
	if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	at := make([]int, len(cols))
	ordered := make([]column, 0, len(cols))
	for _, ids := range []bool{false, true} {
		for i, c := range cols {
			if c.id == ids {
				at[i] = len(ordered)
				ordered = append(ordered, c)
			}
		}
	}
	cols = ordered
	total, lines, printed := 0.0, 1, 0
	var wraps []int
	for i := range cols {
		var n int
		cols[i].width, n = headerFit(cols[i].title, cols[i].width)
		if cols[i].wrap {
			wraps = append(wraps, i)
		}
		lines = max(lines, n)
		if cols[i].id {
			continue // not printed
		}
		printed = i + 1
		total += cols[i].width
	}
	if err := setPrint(f, name, detailPrint(total)); err != nil {
		return nil, err
	}
	if printed < len(cols) { // the id columns are for filtering, not for paper
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area",
			RefersTo: ref(name, 1, 1, printed, excelize.TotalRows), Scope: name}); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = excelize.Cell{StyleID: st.header, Value: c.title}
	}
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{Height: float64(lines)*lineHeight + 4}); err != nil {
		return nil, err
	}
	return &sheet{f: f, st: st, name: name, sw: sw, cols: cols, at: at, row: make([]any, len(cols)), wraps: wraps,
		progress: progress}, nil
}

// add writes one row; in has one value per column of the definition
// (nil: empty). Text longer than its wrap column wraps, and the row is
// made as tall as it.
func (s *sheet) add(in ...any) error {
	vals := s.row
	for i, v := range in {
		vals[s.at[i]] = v
	}
	s.rows++
	cell, err := excelize.CoordinatesToCellName(1, int(s.rows)+1)
	if err != nil {
		return err
	}
	lines := 1
	for _, i := range s.wraps {
		text, ok := vals[i].(string)
		if !ok || float64(len(text)) <= s.cols[i].width {
			continue // fits on one line
		}
		// A narrower estimate than the summaries': a line too many leaves
		// a gap, a line too few would hide the text's end.
		if n := textLines(text, s.cols[i].width*0.8); n > 1 {
			lines = max(lines, n)
			vals[i] = excelize.Cell{StyleID: s.st.wrap, Value: text}
		}
	}
	if lines > 1 {
		// On a tall row every cell reads from the top, as the wrapped one.
		for i, v := range vals {
			switch v.(type) {
			case nil, excelize.Cell:
			default:
				vals[i] = excelize.Cell{StyleID: s.st.top, Value: v}
			}
		}
		err = s.sw.SetRow(cell, vals, excelize.RowOpts{Height: min(float64(lines)*lineHeight, 409)})
	} else {
		err = s.sw.SetRow(cell, vals)
	}
	if err != nil {
		return err
	}
	if s.progress != nil && s.rows%5000 == 0 {
		s.progress(s.name, s.rows)
	}
	return nil
}

// finish adds the conditional formats and the table, then flushes. Both
// must precede Flush: conditional formats set after it are silently lost.
func (s *sheet) finish(marks []mark, tableName string) error {
	last := int(s.rows) + 1
	if last < 2 {
		last = 2 // a table needs a data row, even an empty one
	}
	lastCol, err := excelize.ColumnNumberToName(len(s.cols))
	if err != nil {
		return err
	}
	if s.rows > 0 {
		for _, m := range marks {
			colName, err := excelize.ColumnNumberToName(s.at[m.col-1] + 1)
			if err != nil {
				return err
			}
			// The state's own cell only: a whole row coloured would hide
			// the palette of its tier or severity cells.
			ref := fmt.Sprintf("%s2:%s%d", colName, colName, last)
			style := s.st.soon
			if m.red {
				style = s.st.late
			}
			for _, v := range m.values {
				id := style
				err := s.f.SetConditionalFormat(s.name, ref, []excelize.ConditionalFormatOptions{{
					Type: "formula", Criteria: fmt.Sprintf(`$%s2="%s"`, colName, v), Format: &id}})
				if err != nil {
					return err
				}
			}
		}
	}
	stripes := true
	if err := s.sw.AddTable(&excelize.Table{Range: fmt.Sprintf("A1:%s%d", lastCol, last), Name: tableName,
		StyleName: "TableStyleLight1", ShowRowStripes: &stripes}); err != nil {
		return err
	}
	if s.progress != nil {
		s.progress(s.name, s.rows)
	}
	return s.sw.Flush()
}

// Cell helpers: typed values with their number format. Strings are always
// written as text values, so a string that looks like a formula
// ("=HYPERLINK(...)") stays text.

func (st *styles) d(x domain.Date) any {
	if x.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: st.date, Value: x.Time()}
}

func (st *styles) t(x time.Time) any {
	if x.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: st.datetime, Value: x.UTC()}
}

func (st *styles) tp(x *time.Time) any {
	if x == nil {
		return nil
	}
	return st.t(*x)
}

// days1 is a number of days to one decimal (a notice lag of 2.5 days).
func (st *styles) days1(x float64) any {
	return excelize.Cell{StyleID: st.num1, Value: math.Round(x*10) / 10}
}

func (st *styles) money(x float64) any { return excelize.Cell{StyleID: st.money2, Value: x} }

func (st *styles) n(x int64) any { return excelize.Cell{StyleID: st.int, Value: x} }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// grid writes a small sheet in normal mode (the summaries): cells with
// their styles, header rows, and the row heights that wrapped text
// needs, set at the end (a row keeps the default height unless told,
// and wrapped text on it would print over the next).
type grid struct {
	f      *excelize.File
	st     *styles
	sheet  string
	widths []float64 // column widths, 1-based column i at widths[i-1]
	lines  map[int]int
	err    error
}

func newGrid(f *excelize.File, st *styles, sheet string, widths ...float64) *grid {
	g := &grid{f: f, st: st, sheet: sheet, widths: widths, lines: map[int]int{}}
	for i, w := range widths {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err == nil {
			err = f.SetColWidth(sheet, name, name, w)
		}
		g.fail(err)
	}
	return g
}

func (g *grid) fail(err error) {
	if g.err == nil && err != nil {
		g.err = err
	}
}

func (g *grid) width(col, span int) float64 {
	w := 0.0
	for c := col; c < col+span && c <= len(g.widths); c++ {
		w += g.widths[c-1]
	}
	return w
}

// set writes v at (col, row) with style (0: none).
func (g *grid) set(col, row int, v any, style int) {
	g.setSpan(col, row, 1, v, style)
}

// setSpan writes v at (col, row), merged over span columns; text in a
// wrapping style makes its row as tall as it needs.
func (g *grid) setSpan(col, row, span int, v any, style int) {
	if g.err != nil {
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		g.fail(err)
		return
	}
	g.fail(g.f.SetCellValue(g.sheet, cell, v))
	end := cell
	if span > 1 {
		end, err = excelize.CoordinatesToCellName(col+span-1, row)
		g.fail(err)
		g.fail(g.f.MergeCell(g.sheet, cell, end))
	}
	if style > 0 {
		g.fail(g.f.SetCellStyle(g.sheet, cell, end, style))
	}
	if text, ok := v.(string); ok && (style == g.st.wrap || style == g.st.indent || style == g.st.note || style == g.st.header || style == g.st.bad || style == g.st.warn) {
		// Conservative: LibreOffice does not grow a row to its wrapped
		// text, so a line too few overprints the next row.
		n := textLines(text, g.width(col, span)*0.95)
		if style == g.st.header {
			n = textLines(text, g.width(col, span)*0.85)
		}
		g.lines[row] = max(g.lines[row], n)
	}
}

// header writes a header row from column col.
func (g *grid) header(row, col int, titles ...string) {
	for i, t := range titles {
		g.set(col+i, row, t, g.st.header)
	}
}

// done sets the heights of the rows holding wrapped text.
func (g *grid) done() error {
	for row, n := range g.lines {
		if n > 1 {
			g.fail(g.f.SetRowHeight(g.sheet, row, min(float64(n)*lineHeight+2, 409)))
		}
	}
	return g.err
}

// chartTitle is a chart or axis title.
func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Family: defaultFont, Size: 10, Bold: true, Color: "404040"}}}}
}

// axisTitle is an axis title in a smaller font.
func axisTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Family: defaultFont, Size: 9, Color: "404040"}}}}
}

// axisFont is the font of axis labels: dark grey, readable on white.
var axisFont = excelize.Font{Family: defaultFont, Size: 9, Color: "404040"}

// ref is an absolute reference to cells of sheet: ref(s, 1, 2, 1, 5) is
// 'Sheet'!$A$2:$A$5.
func ref(sheet string, col1, row1, col2, row2 int) string {
	a, _ := excelize.CoordinatesToCellName(col1, row1, true)
	b, _ := excelize.CoordinatesToCellName(col2, row2, true)
	q := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	if a == b {
		return q + a
	}
	return q + a + ":" + b
}

// countUnit is the major unit of an axis of counts up to most: whole
// numbers, about five gridlines.
func countUnit(most int64) float64 {
	unit := 1.0
	for float64(most)/unit > 6 {
		switch {
		case unit*2 >= float64(most)/6:
			unit *= 2
		case unit*5 >= float64(most)/6:
			unit *= 5
		default:
			unit *= 10
		}
	}
	return unit
}
