package spreadsheet_test

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// rawWorkbook writes a minimal .xlsx by hand: one worksheet whose XML
// sheet writes, and a shared-strings part when shared is not empty.
func rawWorkbook(tb testing.TB, shared []string, sheet func(w io.Writer)) string {
	tb.Helper()
	name := filepath.Join(tb.TempDir(), "raw.xlsx")
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(bufio.NewWriterSize(f, 1<<20))
	part := func(n string, write func(w io.Writer)) {
		w, err := zw.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		write(bw)
		if err := bw.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { _, _ = io.WriteString(w, s) } }
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	types := `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/>`
	if len(shared) > 0 {
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="sharedStrings.xml"/>`
	}
	part("[Content_Types].xml", text(types+`</Types>`))
	part("_rels/.rels", text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="`+rel+`/officeDocument" Target="xl/workbook.xml"/></Relationships>`))
	part("xl/workbook.xml", text(`<?xml version="1.0" encoding="UTF-8"?><workbook `+ns+` xmlns:r="`+rel+`">`+
		`<sheets><sheet name="vendors" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	part("xl/_rels/workbook.xml.rels", text(rels+`</Relationships>`))
	part("xl/worksheets/sheet1.xml", func(w io.Writer) {
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet `+ns+`><sheetData>`)
		sheet(w)
		_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	})
	if len(shared) > 0 {
		part("xl/sharedStrings.xml", func(w io.Writer) {
			_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">`, ns, len(shared), len(shared))
			for _, s := range shared {
				_, _ = io.WriteString(w, "<si><t>"+s+"</t></si>")
			}
			_, _ = io.WriteString(w, `</sst>`)
		})
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return name
}

// headerRow writes the vendor columns' headers as inline strings.
func headerRow(w io.Writer) {
	_, _ = io.WriteString(w, `<row r="1">`)
	for i, c := range importing.ImportColumns(importing.ImportVendors)[:9] {
		_, _ = fmt.Fprintf(w, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, c.Header)
	}
	_, _ = io.WriteString(w, `</row>`)
}

// peakSampler follows the heap in use (runtime/metrics, every 2 ms).
type peakSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func samplePeak() *peakSampler {
	s := &peakSampler{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	s.done.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			s.peak = max(s.peak, sample[0].Value.Uint64())
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *peakSampler) end() uint64 {
	close(s.stop)
	s.done.Wait()
	return s.peak
}

// peakRSS reads the process's peak resident set (VmHWM, Linux), and
// resets it when reset is set.
func peakRSS(reset bool) uint64 {
	if reset {
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	}
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkImportPeakMemory measures the peak memory of the largest
// imports the default limits accept (VW_IMPORT_MAX_BYTES, 32 MiB; an
// .xlsx decompressing to at most spreadsheet.UnzipRatio times that): a
// dry run of the vendors import on SQLite, file opened and every row
// validated, as POST /imports does. Shapes:
//
//   - rows100k: the most rows an import takes (100,000 vendor rows, as the
//     export writes them);
//   - shared_strings: 100,000 rows naming 300,000 distinct shared strings,
//     the shared-strings part just under the size excelize keeps in memory
//     (VW_BENCH_SHARED_PER_ROW changes the 3 strings per row);
//   - bound: 100,000 rows of 9 cells of 240 characters, the sheet
//     decompressing to just under the 256 MiB bound.
//
// Run alone (it reads the process's peak RSS):
//
//	go test -run '^$' -bench ImportPeakMemory -benchtime 1x ./reports/spreadsheet
func BenchmarkImportPeakMemory(b *testing.B) {
	const rows = importing.MaxImportRows
	shapes := []struct {
		name string
		file func(b *testing.B) string
	}{
		{"rows100k", func(b *testing.B) string { return writeVendorsFile(b, rows) }},
		{"shared_strings", func(b *testing.B) string {
			perRow, _ := strconv.Atoi(os.Getenv("VW_BENCH_SHARED_PER_ROW"))
			if perRow == 0 {
				perRow = 3
			}
			shared := make([]string, 0, rows*perRow)
			for i := range rows * perRow {
				shared = append(shared, "s"+strconv.Itoa(i))
			}
			return rawWorkbook(b, shared, func(w io.Writer) {
				headerRow(w)
				for r := range rows {
					_, _ = fmt.Fprintf(w, `<row r="%d">`, r+2)
					for c := range perRow {
						_, _ = fmt.Fprintf(w, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+rune(c), r+2, r*perRow+c)
					}
					_, _ = io.WriteString(w, `</row>`)
				}
			})
		}},
		{"bound", func(b *testing.B) string {
			long := strings.Repeat("Acme Payments Limited ", 12)[:230]
			return rawWorkbook(b, nil, func(w io.Writer) {
				headerRow(w)
				for r := range rows {
					_, _ = fmt.Fprintf(w, `<row r="%d">`, r+2)
					for c := range 9 {
						_, _ = fmt.Fprintf(w, `<c r="%c%d" t="inlineStr"><is><t>%s %d</t></is></c>`, 'A'+c, r+2, long, r)
					}
					_, _ = io.WriteString(w, `</row>`)
				}
			})
		}},
	}
	for _, shape := range shapes {
		b.Run(shape.name, func(b *testing.B) {
			name := shape.file(b)
			st, err := os.Stat(name)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := zip.OpenReader(name)
			if err != nil {
				b.Fatal(err)
			}
			var unzipped uint64
			for _, f := range zr.File {
				unzipped += f.UncompressedSize64
			}
			_ = zr.Close()
			db := repotest.Open(b, repository.SQLite)
			svc := services.New(db.Stores(b.TempDir()), services.Settings{})
			var heap, rss, baseRSS uint64
			b.ResetTimer()
			for range b.N {
				runtime.GC()
				base := peakRSS(true)
				s := samplePeak()
				src, _, err := spreadsheet.OpenFile(name, importing.DefaultMaxImportBytes)
				if err != nil {
					b.Fatal(err)
				}
				res, err := svc.Imports.Run(context.Background(), importing.ImportRequest{Kind: importing.ImportVendors,
					Mode: importing.ImportDryRun, FileName: "vendors.xlsx", Source: src})
				_ = src.Close()
				heap, rss, baseRSS = max(heap, s.end()), max(rss, peakRSS(false)), base
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Rows) != rows {
					b.Fatalf("%d rows reported, want %d", len(res.Rows), rows)
				}
			}
			b.ReportMetric(float64(st.Size())/(1<<20), "upload-MiB")
			b.ReportMetric(float64(unzipped)/(1<<20), "unzipped-MiB")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
			b.ReportMetric(float64(baseRSS)/(1<<20), "rss-before-MiB")
		})
	}
}
