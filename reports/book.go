package reports

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"math"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
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
	header, title, bold, boldTop, date, datetime, num2, int, wrap, link int
	red, amber                                                          int // conditional (dxf) styles
}

// newBook creates a workbook and its styles. Save it with SaveBook.
func newBook() (*excelize.File, *styles, error) {
	f := excelize.NewFile()
	st := &styles{}
	var err error
	mk := func(dst *int, s *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(s)
		}
	}
	dateFmt, dtFmt, n2, n0 := "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "#,##0.00", "#,##0"
	mk(&st.header, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	mk(&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	mk(&st.bold, &excelize.Style{Font: &excelize.Font{Bold: true}})
	mk(&st.boldTop, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	mk(&st.date, &excelize.Style{CustomNumFmt: &dateFmt})
	mk(&st.datetime, &excelize.Style{CustomNumFmt: &dtFmt})
	mk(&st.num2, &excelize.Style{CustomNumFmt: &n2})
	mk(&st.int, &excelize.Style{CustomNumFmt: &n0})
	mk(&st.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	mk(&st.link, &excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	if err == nil {
		st.red, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9C0006"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	}
	if err == nil {
		st.amber, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9C5700"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// column is one column of a streamed sheet.
type column struct {
	title string
	width float64
}

// mark colours whole rows by the value of one column (the row's state).
type mark struct {
	col    int // 1-based column holding the state
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
	cols     []column
	rows     int64 // data rows written
	buf      []any
	progress func(string, int64)
}

// startSheet creates the sheet's stream writer and writes the header: the
// widths and panes come before the first SetRow, as the StreamWriter
// requires.
func startSheet(f *excelize.File, st *styles, name string, cols []column, progress func(string, int64)) (*sheet, error) {
	if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	// Printed: landscape, one page wide, the header row on every page.
	if err := printFit(f, name, 0); err != nil {
		return nil, err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + name + "'!$1:$1",
		Scope: name}); err != nil {
		return nil, err
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
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{Height: 30}); err != nil {
		return nil, err
	}
	return &sheet{f: f, st: st, name: name, sw: sw, cols: cols, buf: make([]any, len(cols)), progress: progress}, nil
}

// add writes one row; vals has one value per column (nil: empty).
func (s *sheet) add(vals ...any) error {
	s.rows++
	cell, err := excelize.CoordinatesToCellName(1, int(s.rows)+1)
	if err != nil {
		return err
	}
	if err := s.sw.SetRow(cell, vals); err != nil {
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
		ref := fmt.Sprintf("A2:%s%d", lastCol, last)
		for _, m := range marks {
			colName, err := excelize.ColumnNumberToName(m.col)
			if err != nil {
				return err
			}
			style := s.st.amber
			if m.red {
				style = s.st.red
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
		StyleName: "TableStyleLight9", ShowRowStripes: &stripes}); err != nil {
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

func (st *styles) f2(x float64) any { return excelize.Cell{StyleID: st.num2, Value: x} }

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
