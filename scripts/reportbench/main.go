// Command reportbench measures the audit workbook against a bare excelize
// StreamWriter writing the same number of rows and columns, one variant
// per process so peak RSS is the variant's own:
//
//	go run ./scripts/reportbench -db sqlite:/tmp/vw.db -mode report   # the audit workbook from the database
//	go run ./scripts/reportbench -db sqlite:/tmp/vw.db -mode source   # the database reads only (no workbook)
//	go run ./scripts/reportbench -mode baseline -shape 'Vendors=10000x21,...'   # bare StreamWriter, same shape
//	go run ./scripts/reportbench -mode baseline -shape 'Vendors=10000x21:s30.s36.n.d.-...,...'   # same cell kinds
//
// A shape with cell kinds (printed as typed_shape by -mode report, sampled
// from the first rows of each sheet it wrote) makes the baseline write, per
// column, what the workbook has there: s<len> a string of that length, n a
// number, d a styled date, b a boolean, - nothing.
//
// mode report prints the shape (rows x columns per sheet) to pass to the
// baseline, then one JSON line: wall seconds, peak RSS (VmHWM), Go
// TotalAlloc, file size.
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
	shape := flag.String("shape", "", "baseline: Sheet=ROWSxCOLS,... as printed by -mode report")
	fast := flag.Bool("fast", true, "flate.BestSpeed zip writer")
	direct := flag.Bool("direct", false, "baseline: save the zip straight to the file, as the workbook does")
	asOf := flag.String("as-of", "2026-11-01T00:00:00Z", "as-of instant")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	memprofile := flag.String("memprofile", "", "write an allocation profile here at the end")
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
	if shapeOut != "" {
		// After the measurements: sampling the cells is not the report's work.
		typedOut, err := typedShape(*out, shapeOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "reportbench:", err)
			os.Exit(1)
		}
		res["shape"], res["typed_shape"] = shapeOut, typedOut
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

// columns per sheet of the audit workbook (the Contracts sheet adds one
// per clause requirement of the default policy).
var sheetCols = map[string]int{reports.SheetVendors: 21, reports.SheetInventory: 16, reports.SheetContracts: 33,
	reports.SheetAttestations: 15, reports.SheetReviews: 11, reports.SheetFindings: 12, reports.SheetIncidents: 17,
	reports.SheetObligations: 14}

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
		parts = append(parts, fmt.Sprintf("%s=%dx%d", s, st.Rows[s], sheetCols[s]))
	}
	return st.TotalRows(), strings.Join(parts, ","), nil
}

// runBaseline writes the same sheets, rows and columns with a bare
// StreamWriter: synthetic int/string/date cells, one date style, no
// table, no conditional format, no database.
// With direct, it saves as the workbook does (reports.SaveBook: the zip
// straight to the file, not first into memory).
func runBaseline(shape, out string, fast, direct bool) (int64, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if fast && !direct {
		f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
			zw := zip.NewWriter(w)
			zw.RegisterCompressor(zip.Deflate, func(o io.Writer) (io.WriteCloser, error) { return flate.NewWriter(o, flate.BestSpeed) })
			return zw
		})
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return 0, err
	}
	var total int64
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, part := range strings.Split(shape, ",") {
		name, dims, ok := strings.Cut(part, "=")
		if !ok {
			return 0, fmt.Errorf("bad shape %q", part)
		}
		dims, kindList, typed := strings.Cut(dims, ":")
		rs, cs, _ := strings.Cut(dims, "x")
		nrows, _ := strconv.Atoi(rs)
		ncols, _ := strconv.Atoi(cs)
		kinds := strings.Split(kindList, ".")
		if typed && len(kinds) != ncols {
			return 0, fmt.Errorf("sheet %s: %d cell kinds for %d columns", name, len(kinds), ncols)
		}
		if _, err := f.NewSheet(name); err != nil {
			return 0, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return 0, err
		}
		row := make([]any, ncols)
		for c := range row {
			row[c] = fmt.Sprintf("Column %d", c+1)
		}
		if err := sw.SetRow("A1", row); err != nil {
			return 0, err
		}
		for r := range nrows {
			for c := range row {
				if typed {
					row[c] = kindValue(kinds[c], r, c, dateStyle, day)
					continue
				}
				switch c % 3 {
				case 0:
					row[c] = fmt.Sprintf("vendor-%08d-%d", r, c)
				case 1:
					row[c] = int64(r * c)
				default:
					row[c] = excelize.Cell{StyleID: dateStyle, Value: day.AddDate(0, 0, r%365)}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return 0, err
			}
		}
		if err := sw.Flush(); err != nil {
			return 0, err
		}
		total += int64(nrows)
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

// kindValue is the baseline's cell r, c of a typed shape.
func kindValue(kind string, r, c, dateStyle int, day time.Time) any {
	switch {
	case kind == "n":
		return int64(r * c)
	case kind == "d":
		return excelize.Cell{StyleID: dateStyle, Value: day.AddDate(0, 0, r%365)}
	case kind == "b":
		return r%2 == 0
	case strings.HasPrefix(kind, "s"):
		n, _ := strconv.Atoi(kind[1:])
		v := fmt.Sprintf("v%08d-%d-", r, c)
		for len(v) < n {
			v += v
		}
		return v[:max(n, 1)]
	}
	return nil
}

// typedShape samples the first data rows of each sheet of the workbook at
// path (the sheets' XML, in order after Summary) and returns shape with
// each column's usual cell kind.
func typedShape(path, shape string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = zr.Close() }()
	parts := strings.Split(shape, ",")
	for i, part := range parts {
		name, dims, _ := strings.Cut(part, "=")
		_, cs, _ := strings.Cut(dims, "x")
		ncols, _ := strconv.Atoi(cs)
		fh, err := zr.Open(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2))
		if err != nil {
			return "", fmt.Errorf("sheet %s: %w", name, err)
		}
		kinds, err := sampleKinds(fh, ncols, 200)
		_ = fh.Close()
		if err != nil {
			return "", fmt.Errorf("sheet %s: %w", name, err)
		}
		parts[i] = part + ":" + strings.Join(kinds, ".")
	}
	return strings.Join(parts, ","), nil
}

// sampleKinds reads rows 2..n+1 of a worksheet's XML and returns, per
// column, the most frequent kind (s<average length>, n, d, b or -).
func sampleKinds(r io.Reader, ncols, n int) ([]string, error) {
	counts := make([]map[string]int, ncols)
	strLen := make([]int, ncols)
	for i := range counts {
		counts[i] = map[string]int{}
	}
	dec := xml.NewDecoder(r)
	rows, col, kind := 0, -1, ""
	for rows <= n {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
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
			case "c":
				if rows < 2 {
					continue
				}
				c, _, err := excelize.CellNameToCoordinates(attr("r"))
				if err != nil || c > ncols {
					continue
				}
				col, kind = c-1, "n"
				switch {
				case attr("t") == "inlineStr" || attr("t") == "str" || attr("t") == "s":
					kind = "s"
				case attr("t") == "b":
					kind = "b"
				case attr("s") != "":
					kind = "d"
				}
				counts[col][kind]++
			}
		case xml.CharData:
			if col >= 0 && kind == "s" {
				strLen[col] += len(t)
			}
		case xml.EndElement:
			if t.Name.Local == "c" {
				col = -1
			}
		}
	}
	out := make([]string, ncols)
	for i, m := range counts {
		best, bestN := "-", max(rows-1, 0)-(m["s"]+m["n"]+m["d"]+m["b"]) // empty cells
		for _, k := range []string{"s", "n", "d", "b"} {
			if m[k] > bestN {
				best, bestN = k, m[k]
			}
		}
		if best == "s" {
			best = "s" + strconv.Itoa(strLen[i]/max(m["s"], 1))
		}
		out[i] = best
	}
	return out, nil
}
