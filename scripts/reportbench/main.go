// Command reportbench measures the audit workbook against a bare excelize
// StreamWriter writing the same cells, one variant per process so peak
// RSS is the variant's own:
//
//	go run ./scripts/reportbench -db URL -mode report     # the audit workbook from the database
//	go run ./scripts/reportbench -db URL -mode source     # the database reads only (no workbook)
//	go run ./scripts/reportbench -mode baseline -shape '...'   # a bare StreamWriter, the same cells
//
// -mode report prints one JSON line: wall seconds, peak RSS (VmHWM), Go
// TotalAlloc, file size; with -print-shape also the shape of the workbook
// it wrote (read back after the measurements): per sheet its rows, the share of rows
// with a height set, and per column the kinds of cell it holds there
// (strings of their average length, plain or styled; numbers, plain or
// formatted; dates; booleans; empty cells) with their shares. -mode
// baseline writes that shape with a bare StreamWriter loop, reading
// nothing.
package main

import (
	"archive/zip"
	"compress/flate"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
)

func main() {
	dbURL := flag.String("db", "", "database URL (report, source)")
	mode := flag.String("mode", "report", "report | source | baseline")
	out := flag.String("out", "/tmp/reportbench.xlsx", "output file")
	shape := flag.String("shape", "", "baseline: the cells of each sheet, as printed by -mode report")
	fast := flag.Bool("fast", true, "flate.BestSpeed zip writer")
	direct := flag.Bool("direct", false, "baseline: save the zip straight to the file, as the workbook does")
	asOf := flag.String("as-of", "2026-11-01T00:00:00Z", "as-of instant")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	memprofile := flag.String("memprofile", "", "write an allocation profile here at the end")
	printShape := flag.Bool("print-shape", false, "report: read the workbook back afterwards and print its shape for the baseline")
	flag.Parse()
	if *memprofile != "" {
		defer func() {
			if pf, err := os.Create(*memprofile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(pf, 0)
				_ = pf.Close()
			}
		}()
	}
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(pf) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	ctx := context.Background()
	t0 := time.Now()
	var rows int64
	var err error
	shapeOut := ""
	switch *mode {
	case "report", "source":
		rows, shapeOut, err = runReport(ctx, *dbURL, *mode, *out, *fast, *asOf)
	case "baseline":
		rows, err = runBaseline(*shape, *out, *fast, *direct)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	wall := time.Since(t0).Seconds()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var size int64
	if fi, err := os.Stat(*out); err == nil && *mode != "source" {
		size = fi.Size()
	}
	res := map[string]any{"mode": *mode, "fast": *fast, "rows": rows, "wall_s": round(wall), "open_s": round(openSeconds), "peak_rss_mib": procStatus("VmHWM"),
		"rss_file_mib": procStatus("RssFile"), "rss_anon_mib": procStatus("RssAnon"), "heap_sys_mib": ms.HeapSys >> 20,
		"heap_released_mib": ms.HeapReleased >> 20, "total_alloc_mib": ms.TotalAlloc >> 20,
		"file_mib": round(float64(size) / (1 << 20))}
	if shapeOut != "" && *printShape {
		// After the measurements, and not in a measured run: reading the
		// cells back is not the report's work.
		cells, err := cellShape(*out, shapeOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "reportbench:", err)
			os.Exit(1)
		}
		res["shape"] = cells
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}

func round(f float64) float64 { return float64(int64(f*100)) / 100 }

// procStatus is a field of /proc/self/status in MiB: VmHWM (peak resident
// set), RssAnon, RssFile.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb >> 10
		}
	}
	return -1
}

// openSeconds is how long opening the database took (part of wall_s).
var openSeconds float64

func runReport(ctx context.Context, dbURL, mode, out string, fast bool, asOfS string) (int64, string, error) {
	asOf, err := time.Parse(time.RFC3339, asOfS)
	if err != nil {
		return 0, "", err
	}
	t := time.Now()
	db, err := repository.Open(ctx, dbURL, repository.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, "", err
	}
	openSeconds = time.Since(t).Seconds()
	defer func() { _ = db.Close() }()
	src := repository.NewReportSource(db)
	f := reporting.Filter{AsOf: asOf}
	if mode == "source" {
		var n int64
		count := func(name string) func() {
			t := time.Now()
			return func() { fmt.Fprintf(os.Stderr, "%s %.2fs\n", name, time.Since(t).Seconds()) }
		}
		steps := []struct {
			name string
			run  func() error
		}{
			{"vendors", func() error { return src.EachVendor(ctx, f, func(reporting.VendorRow) error { n++; return nil }) }},
			{"handling", func() error { return src.EachHandling(ctx, f, func(reporting.HandlingRow) error { n++; return nil }) }},
			{"contracts", func() error { return src.EachContract(ctx, f, func(reporting.ContractRow) error { n++; return nil }) }},
			{"attestations", func() error {
				return src.EachAttestation(ctx, f, func(reporting.AttestationRow) error { n++; return nil })
			}},
			{"reviews", func() error { return src.EachReview(ctx, f, func(reporting.ReviewRow) error { n++; return nil }) }},
			{"findings", func() error {
				return src.EachFinding(ctx, f, asOf.AddDate(0, 0, -90), func(reporting.FindingRow) error { n++; return nil })
			}},
			{"incidents", func() error { return src.EachIncident(ctx, f, func(reporting.IncidentRow) error { n++; return nil }) }},
			{"obligations", func() error {
				return src.EachObligation(ctx, f, func(reporting.ObligationRow) error { n++; return nil })
			}},
		}
		for _, s := range steps {
			done := count(s.name)
			if err := s.run(); err != nil {
				return n, "", err
			}
			done()
		}
		return n, "", nil
	}
	fh, err := os.Create(out)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = fh.Close() }()
	opt := reports.Options{GeneratedBy: "reportbench", Compression: reports.CompressDefault}
	if fast {
		opt.Compression = reports.CompressFast
	}
	last := time.Now()
	opt.Progress = func(sheet string, rows int64) {
		if os.Getenv("REPORTBENCH_VERBOSE") != "" {
			fmt.Fprintf(os.Stderr, "%s %d %.2fs\n", sheet, rows, time.Since(last).Seconds())
		}
	}
	st, err := reports.WriteAudit(ctx, src, f, opt, fh)
	if err != nil {
		return 0, "", err
	}
	var parts []string
	for _, s := range reports.AuditSheets[1:] {
		parts = append(parts, fmt.Sprintf("%s=%d", s, st.Rows[s]))
	}
	return st.TotalRows(), strings.Join(parts, ","), nil
}

// A shape is what the baseline writes: per sheet, the rows, which of them
// are tall (a row height set, as the workbook sets on rows of wrapped
// text), and per column the cells the workbook has there, with their
// shares. As text (printed by -mode report, passed to -shape):
//
//	Sheet=ROWS:TALL:col.col...,Sheet=...
//
// TALL is the share of tall rows in permille; a col is kind~permille
// entries joined by '+', a kind being s<len> (a string of that average
// length), S<len> (the same with a cell style), n (a number), N (a number
// with a number format), d (a date), b (a boolean) or - (an empty cell).
type sheetShape struct {
	name string
	rows int
	tall int // permille
	cols [][]cellKind
}

// cellKind is one kind of cell of a column and its share.
type cellKind struct {
	kind    byte // s S n N d b -
	length  int  // strings
	permill int
}

func (k cellKind) String() string {
	s := string(k.kind)
	if k.kind == 's' || k.kind == 'S' {
		s += strconv.Itoa(k.length)
	}
	return s + "~" + strconv.Itoa(k.permill)
}

func formatShape(sheets []sheetShape) string {
	parts := make([]string, len(sheets))
	for i, sh := range sheets {
		cols := make([]string, len(sh.cols))
		for c, kinds := range sh.cols {
			ks := make([]string, len(kinds))
			for j, k := range kinds {
				ks[j] = k.String()
			}
			cols[c] = strings.Join(ks, "+")
		}
		parts[i] = fmt.Sprintf("%s=%d:%d:%s", sh.name, sh.rows, sh.tall, strings.Join(cols, "."))
	}
	return strings.Join(parts, ",")
}

func parseShape(text string) ([]sheetShape, error) {
	var out []sheetShape
	for _, part := range strings.Split(text, ",") {
		name, rest, ok := strings.Cut(part, "=")
		f := strings.SplitN(rest, ":", 3)
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("bad shape %q", part)
		}
		sh := sheetShape{name: name}
		var err1, err2 error
		sh.rows, err1 = strconv.Atoi(f[0])
		sh.tall, err2 = strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad shape %q", part)
		}
		for _, col := range strings.Split(f[2], ".") {
			var kinds []cellKind
			for _, e := range strings.Split(col, "+") {
				k, p, ok := strings.Cut(e, "~")
				if !ok || k == "" {
					return nil, fmt.Errorf("sheet %s: bad cell kind %q", name, e)
				}
				ck := cellKind{kind: k[0]}
				ck.length, _ = strconv.Atoi(k[1:])
				ck.permill, _ = strconv.Atoi(p)
				kinds = append(kinds, ck)
			}
			sh.cols = append(sh.cols, kinds)
		}
		out = append(out, sh)
	}
	return out, nil
}

// runBaseline writes the cells of shape with a bare StreamWriter, one
// sheet after another: header, then per row the column's cells in their
// shares (strings of their average length, plain or styled; numbers,
// plain or formatted; dates), tall rows in theirs with every cell styled
// (as the workbook top-aligns a tall row's cells). No database, no
// labels, no line estimates, no table, no conditional format, no print
// settings. With direct, it saves as the workbook does (reports.SaveBook:
// the zip straight to the file, not first into memory).
func runBaseline(shapeText, out string, fast, direct bool) (int64, error) {
	shape, err := parseShape(shapeText)
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if fast && !direct {
		f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
			zw := zip.NewWriter(w)
			zw.RegisterCompressor(zip.Deflate, func(o io.Writer) (io.WriteCloser, error) { return flate.NewWriter(o, flate.BestSpeed) })
			return zw
		})
	}
	dateFmt, intFmt := "yyyy-mm-dd", "#,##0"
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	var dateStyle, intStyle, textStyle, headStyle int
	for _, s := range []struct {
		id *int
		st *excelize.Style
	}{
		{&dateStyle, &excelize.Style{CustomNumFmt: &dateFmt, Alignment: top}},
		{&intStyle, &excelize.Style{CustomNumFmt: &intFmt, Alignment: top}},
		{&textStyle, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}, Alignment: top}},
		{&headStyle, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}},
	} {
		if *s.id, err = f.NewStyle(s.st); err != nil {
			return 0, err
		}
	}
	var total int64
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sh := range shape {
		if _, err := f.NewSheet(sh.name); err != nil {
			return 0, err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return 0, err
		}
		row := make([]any, len(sh.cols))
		for c := range row {
			row[c] = excelize.Cell{StyleID: headStyle, Value: fmt.Sprintf("Column %d", c+1)}
		}
		if err := sw.SetRow("A1", row, excelize.RowOpts{Height: 34}); err != nil {
			return 0, err
		}
		// the strings of each length, made once (the workbook's come from
		// the database): a pool of varied ones, so that they deflate about
		// as the workbook's do
		strs := map[int][]string{}
		for _, kinds := range sh.cols {
			for _, k := range kinds {
				if _, ok := strs[k.length]; !ok && (k.kind == 's' || k.kind == 'S') {
					strs[k.length] = stringPool(rng, max(k.length, 1))
				}
			}
		}
		for r := range sh.rows {
			tall := (r*389)%1000 < sh.tall
			for c, kinds := range sh.cols {
				row[c] = cellValue(kinds, (r*7919+c*31)%1000, r, c, tall, strs, dateStyle, intStyle, textStyle, day)
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if tall {
				err = sw.SetRow(cell, row, excelize.RowOpts{Height: 30})
			} else {
				err = sw.SetRow(cell, row)
			}
			if err != nil {
				return 0, err
			}
		}
		if err := sw.Flush(); err != nil {
			return 0, err
		}
		total += int64(sh.rows)
	}
	fh, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer func() { _ = fh.Close() }()
	if direct {
		c := reports.CompressDefault
		if fast {
			c = reports.CompressFast
		}
		return total, reports.SaveBook(f, fh, c)
	}
	return total, f.Write(fh)
}

// cellValue is the baseline's cell r, c: the column's kind whose share
// covers pick (0-999).
func cellValue(kinds []cellKind, pick, r, c int, tall bool, strs map[int][]string, dateStyle, intStyle, textStyle int, day time.Time) any {
	k := kinds[len(kinds)-1]
	for _, x := range kinds {
		if pick < x.permill {
			k = x
			break
		}
		pick -= x.permill
	}
	var v any
	style := 0
	switch k.kind {
	case 'n':
		v = int64(r * c)
	case 'N':
		v, style = int64(r*c), intStyle
	case 'd':
		v, style = day.AddDate(0, 0, r%365), dateStyle
	case 'b':
		v = r%2 == 0
	case 's':
		v = pooled(strs[k.length], r, c)
	case 'S':
		v, style = pooled(strs[k.length], r, c), textStyle
	default:
		return nil
	}
	if tall && style == 0 {
		style = textStyle
	}
	if style != 0 {
		return excelize.Cell{StyleID: style, Value: v}
	}
	return v
}

// stringPool is poolSize strings of n bytes, words from a vocabulary of
// 256, 256 distinct strings; of up to 12 bytes, 16 (the
// workbook's short strings are labels and codes from small sets).
func stringPool(rng *rand.Rand, n int) []string {
	vocab := make([]string, 256)
	for i := range vocab {
		w := make([]byte, 3+rng.IntN(6))
		for j := range w {
			w[j] = byte('a' + rng.IntN(26))
		}
		vocab[i] = string(w)
	}
	distinct := 256
	if n <= 12 {
		distinct = 16
	}
	out := make([]string, poolSize)
	for i := range out {
		if i >= distinct {
			out[i] = out[i%distinct]
			continue
		}
		var b strings.Builder
		for b.Len() < n {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[rng.IntN(len(vocab))])
		}
		out[i] = b.String()[:n]
	}
	return out
}

const poolSize = 4096

func pooled(pool []string, r, c int) string { return pool[(r/4*2654435761+c*40503)%poolSize] }

// sampledRows bounds the rows of a sheet cellShape reads.
const sampledRows = 50000

// cellShape reads back the workbook at path and returns the shape of its
// data sheets (rows per sheet as rowsText, "Sheet=ROWS,..."): the columns
// of the header row, and per column the kinds of cell in up to
// sampledRows rows, with their shares.
func cellShape(path, rowsText string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = zr.Close() }()
	dates, err := dateStyles(&zr.Reader)
	if err != nil {
		return "", err
	}
	var sheets []sheetShape
	for i, part := range strings.Split(rowsText, ",") {
		name, rs, _ := strings.Cut(part, "=")
		nrows, _ := strconv.Atoi(rs)
		fh, err := zr.Open(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2))
		if err != nil {
			return "", fmt.Errorf("sheet %s: %w", name, err)
		}
		sh, err := sampleCells(fh, dates)
		_ = fh.Close()
		if err != nil {
			return "", fmt.Errorf("sheet %s: %w", name, err)
		}
		sh.name, sh.rows = name, nrows
		sheets = append(sheets, sh)
	}
	return formatShape(sheets), nil
}

// dateStyles are the cell styles (cellXfs indexes) of the workbook whose
// number format is a date.
func dateStyles(zr *zip.Reader) (map[string]bool, error) {
	fh, err := zr.Open("xl/styles.xml")
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }()
	var ss struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmt int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.NewDecoder(fh).Decode(&ss); err != nil {
		return nil, err
	}
	dateFmt := map[int]bool{}
	for id := 14; id <= 22; id++ {
		dateFmt[id] = true
	}
	for _, n := range ss.NumFmts {
		dateFmt[n.ID] = strings.Contains(n.Code, "yy")
	}
	out := map[string]bool{}
	for i, x := range ss.Xfs {
		if dateFmt[x.NumFmt] {
			out[strconv.Itoa(i)] = true
		}
	}
	return out, nil
}

// sampleCells reads the header and up to sampledRows data rows of a
// worksheet's XML: the columns, the share of tall rows, and per column
// the shares of its kinds of cell.
func sampleCells(r io.Reader, dates map[string]bool) (sheetShape, error) {
	var sh sheetShape
	type acc struct{ n, length int }
	var counts []map[byte]*acc
	dec := xml.NewDecoder(r)
	rows, tall, col := 0, 0, -1
	var kind byte
	var seen []bool
	endRow := func() {
		if rows < 2 {
			return
		}
		for c := range counts {
			if !seen[c] {
				a := counts[c]['-']
				if a == nil {
					a = &acc{}
					counts[c]['-'] = a
				}
				a.n++
			}
			seen[c] = false
		}
	}
	for rows <= sampledRows {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sh, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range t.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch t.Name.Local {
			case "row":
				rows++
				if rows > 1 && attr("customHeight") != "" {
					tall++
				}
			case "c":
				c, _, err := excelize.CellNameToCoordinates(attr("r"))
				if err != nil {
					continue
				}
				if rows == 1 {
					counts = append(counts, map[byte]*acc{})
					seen = append(seen, false)
					continue
				}
				if c > len(counts) {
					continue
				}
				col = c - 1
				styled := attr("s") != "" && attr("s") != "0"
				switch tt := attr("t"); {
				case tt == "inlineStr" || tt == "str" || tt == "s":
					kind = 's'
					if styled {
						kind = 'S'
					}
				case tt == "b":
					kind = 'b'
				case dates[attr("s")]:
					kind = 'd'
				case styled:
					kind = 'N'
				default:
					kind = 'n'
				}
				if counts[col][kind] == nil {
					counts[col][kind] = &acc{}
				}
				counts[col][kind].n++
				seen[col] = true
			}
		case xml.CharData:
			if col >= 0 && (kind == 's' || kind == 'S') {
				counts[col][kind].length += len(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				col = -1
			case "row":
				endRow()
			}
		}
	}
	data := max(rows-1, 1)
	sh.tall = tall * 1000 / data
	for _, m := range counts {
		var kinds []cellKind
		left := 1000
		for _, k := range []byte("sSnNdb-") {
			a := m[k]
			if a == nil || a.n == 0 {
				continue
			}
			p := a.n * 1000 / data
			if p == 0 {
				p = 1
			}
			p = min(p, left)
			left -= p
			kinds = append(kinds, cellKind{kind: k, length: a.length / a.n, permill: p})
		}
		if len(kinds) == 0 {
			kinds = []cellKind{{kind: '-', permill: 1000}}
		}
		kinds[len(kinds)-1].permill += left // rounding
		sh.cols = append(sh.cols, kinds)
	}
	return sh, nil
}
