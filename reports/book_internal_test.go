package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// SaveBook streams the zip to its writer: the bytes that reach w are a
// whole workbook, and nothing went through excelize's own buffer (SaveBook
// fails if anything did).
func TestSaveBookStreams(t *testing.T) {
	for _, c := range []Compression{CompressFast, CompressDefault} {
		f, _, err := newBook()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Sheet1", "A1", "streamed"); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := SaveBook(f, &out, c); err != nil {
			t.Fatal(err)
		}
		back, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("compression %d: reopen: %v", c, err)
		}
		if v, err := back.GetCellValue("Sheet1", "A1"); err != nil || v != "streamed" {
			t.Fatalf("compression %d: A1 = %q, %v", c, v, err)
		}
		zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatal(err)
		}
		want := zip.Deflate
		for _, zf := range zr.File {
			if zf.Method != want {
				t.Fatalf("compression %d: part %s stored with method %d", c, zf.Name, zf.Method)
			}
		}
	}
}

// A part of 4 GiB or more fails the save rather than producing a file
// Excel refuses.
func TestSaveBookRefusesHugeParts(t *testing.T) {
	d := &directZip{zw: zip.NewWriter(io.Discard)}
	if _, err := d.Create("xl/worksheets/sheet1.xml"); err != nil {
		t.Fatal(err)
	}
	d.part.n = math.MaxUint32
	err := d.Close()
	if err == nil || !strings.Contains(err.Error(), "sheet1.xml") {
		t.Fatalf("Close of a 4 GiB part: %v", err)
	}
	if _, err := d.Create("next"); err == nil {
		t.Fatal("Create after the failure succeeded")
	}
}
