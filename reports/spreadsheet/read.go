// Package spreadsheet reads uploaded .xlsx and .csv files row by row for
// imports, and writes import templates and exports in the same column
// layout. It streams both ways: excelize's row iterator on read, its
// StreamWriter (or encoding/csv) on write.
package spreadsheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
)

// Format is a file format.
type Format string

// Formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// Media types.
const (
	XLSXMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	CSVMediaType  = "text/csv; charset=utf-8"
)

// Sniff tells the format from a file's first bytes: an .xlsx is a zip
// (PK\x03\x04); a CSV is text. Anything else is an *domain.UploadError
// (unsupported media type).
func Sniff(head []byte) (Format, error) {
	unsupported := func(msg string) error {
		return &domain.UploadError{Kind: domain.ErrUnsupportedMediaType, Field: "file", Message: msg}
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return XLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", unsupported("is a legacy Excel .xls file; save it as .xlsx (Excel Workbook) or CSV UTF-8")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return CSV, nil // text, but UTF-16: the CSV reader explains
	case bytes.IndexByte(head, 0) >= 0:
		return "", unsupported("is neither an .xlsx workbook nor a CSV text file")
	}
	return CSV, nil
}

// Source is an open file's rows.
type Source interface {
	importing.RowSource
	Close() error
}

// OpenFile opens the file at name for reading rows of its first sheet.
// limit is the upload limit of an import (0: the default): an .xlsx may
// decompress to at most UnzipRatio times it, and may hold only sheet
// parts; beyond that it is refused (*domain.UploadError, 413) before it
// is decompressed.
func OpenFile(name string, limit int64) (Source, Format, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, "", err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	format, err := Sniff(head[:n])
	if err != nil {
		_ = fh.Close()
		return nil, "", err
	}
	if format == CSV {
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			_ = fh.Close()
			return nil, "", err
		}
		src, err := newCSVSource(fh)
		if err != nil {
			_ = fh.Close()
			return nil, "", err
		}
		return src, CSV, nil
	}
	_ = fh.Close()
	src, err := openXLSX(name, boundsFor(limit))
	return src, XLSX, err
}

func fileInvalid(format string, args ...any) error { return domain.Invalid("file", format, args...) }

// ---- CSV ----

type csvSource struct {
	c    io.Closer
	r    *csv.Reader
	line int
}

func newCSVSource(rc io.ReadCloser) (*csvSource, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(4096)
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fileInvalid("is UTF-16 text; save it as \"CSV UTF-8 (Comma delimited)\" and upload again")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		head = head[3:]
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	// Spreadsheets in many locales save CSV with semicolons: take the
	// separator the header line uses most.
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	} else if bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
		r.Comma = '\t'
	}
	return &csvSource{c: rc, r: r}, nil
}

func (s *csvSource) Next() (importing.SourceRow, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return importing.SourceRow{}, io.EOF
	}
	s.line++
	if err != nil {
		return importing.SourceRow{}, fileInvalid("is not valid CSV (record %d): %v", s.line, err)
	}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return importing.SourceRow{}, fileInvalid("is not UTF-8 text (record %d); save it as \"CSV UTF-8 (Comma delimited)\" and upload again", s.line)
		}
		if strings.IndexByte(v, 0) >= 0 {
			return importing.SourceRow{}, fileInvalid("has a NUL character in record %d; it is not text a spreadsheet writes", s.line)
		}
		rec[i] = unescapeFormula(v)
	}
	return importing.SourceRow{Number: s.line, Cells: rec}, nil
}

func (s *csvSource) Close() error { return s.c.Close() }

// formulaLead reports whether a cell starting with c would be taken for a
// formula by a spreadsheet (OWASP CSV injection).
func formulaLead(v string) bool {
	return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))
}

// EscapeFormula prefixes formula-looking text with a single quote, as
// OWASP recommends for CSV.
func EscapeFormula(v string) string {
	if formulaLead(v) {
		return "'" + v
	}
	return v
}

// unescapeFormula removes the quote EscapeFormula added.
func unescapeFormula(v string) string {
	if strings.HasPrefix(v, "'") && formulaLead(v[1:]) {
		return v[1:]
	}
	return v
}

// ---- XLSX ----

type xlsxSource struct {
	f        *excelize.File
	rows     *excelize.Rows
	n        int
	formulas map[int][]int // row -> 0-based columns holding a formula
}

func openXLSX(name string, b zipBounds) (*xlsxSource, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, fileInvalid("is not a readable .xlsx workbook: %v", err)
	}
	err = b.check(zr.File)
	_ = zr.Close()
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(name, excelize.Options{UnzipSizeLimit: b.total, UnzipXMLSizeLimit: b.stream})
	if err != nil {
		return nil, fileInvalid("is not a readable .xlsx workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, fileInvalid("has no worksheet")
	}
	formulas, err := scanFormulas(name, 0)
	if err != nil {
		_ = f.Close()
		return nil, fileInvalid("is not a readable .xlsx workbook: %v", err)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, fileInvalid("is not a readable .xlsx workbook: %v", err)
	}
	return &xlsxSource{f: f, rows: rows, formulas: formulas}, nil
}

func (s *xlsxSource) Next() (importing.SourceRow, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return importing.SourceRow{}, fileInvalid("could not be read: %v", err)
		}
		return importing.SourceRow{}, io.EOF
	}
	s.n++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return importing.SourceRow{}, fileInvalid("could not be read at row %d: %v", s.n, err)
	}
	return importing.SourceRow{Number: s.n, Cells: cells, Formulas: s.formulas[s.n]}, nil
}

func (s *xlsxSource) Close() error {
	_ = s.rows.Close()
	return s.f.Close()
}

// scanFormulas finds the cells of the workbook's sheet number idx that
// hold a formula: excelize's row iterator returns a formula's cached value
// without saying it was one, and imports never evaluate formulas. A quick
// byte scan skips the XML parse when the sheet has none.
func scanFormulas(name string, idx int) (map[int][]int, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	sheetPath, err := sheetXMLPath(&zr.Reader, idx)
	if err != nil || sheetPath == "" {
		return nil, err
	}
	var entry *zip.File
	for _, f := range zr.File {
		if f.Name == sheetPath {
			entry = f
		}
	}
	if entry == nil {
		return nil, nil
	}
	if found, err := containsFormula(entry); err != nil || !found {
		return nil, err
	}
	rc, err := entry.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[int][]int{}
	d := xml.NewDecoder(rc)
	var cell string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "c":
			cell = ""
			for _, a := range el.Attr {
				if a.Name.Local == "r" {
					cell = a.Value
				}
			}
		case "f":
			if col, row, err := excelize.CellNameToCoordinates(cell); err == nil {
				out[row] = append(out[row], col-1)
			}
		}
	}
}

func containsFormula(entry *zip.File) (bool, error) {
	rc, err := entry.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	var prev []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := br.Read(buf)
		chunk := append(prev, buf[:n]...)
		if bytes.Contains(chunk, []byte("<f>")) || bytes.Contains(chunk, []byte("<f ")) || bytes.Contains(chunk, []byte(":f>")) || bytes.Contains(chunk, []byte(":f ")) {
			return true, nil
		}
		if len(chunk) > 8 {
			prev = append(prev[:0], chunk[len(chunk)-8:]...)
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// sheetXMLPath resolves the part name of the idx-th sheet from
// xl/workbook.xml and its relationships.
func sheetXMLPath(zr *zip.Reader, idx int) (string, error) {
	var wb struct {
		Sheets []struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readZipXML(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	if err := readZipXML(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	if idx >= len(wb.Sheets) {
		return "", nil
	}
	for _, r := range rels.Rels {
		if r.ID == wb.Sheets[idx].RID {
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/"), nil
			}
			return path.Join("xl", r.Target), nil
		}
	}
	return "", nil
}

func readZipXML(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > 16<<20 {
			return fmt.Errorf("%s is too large", name)
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(v)
	}
	return fmt.Errorf("%s is missing", name)
}
