package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// withPart returns the workbook xlsx with one more part, name, holding
// size zero bytes (deflated: a few bytes per kilobyte).
func withPart(t *testing.T, xlsx []byte, name string, size int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A workbook may decompress to at most UnzipRatio times the import limit
// (413), and may hold only sheet parts (422); both are refused before
// excelize decompresses anything.
func TestImportZipBomb(t *testing.T) {
	db := repotest.Open(t, repository.SQLite) // the bounds do not depend on the database
	e := newEnv(t, db)
	const limit = 64 << 10
	svc := services.New(db.Stores(filepath.Join(t.TempDir(), "ev")), services.Settings{Clock: e.clock, Calendar: calendar.USFederal(), KeyPepper: "test-pepper"})
	small, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxImportBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	e.router = small
	vm := e.keys[domain.RoleVendorManager]
	good := xlsxFile(t, [][]any{{"Vendor name"}, {"Zip Co"}})
	mustStatus(t, e.importFile(vm, "kind=vendors&mode=dry_run", "v.xlsx", good), http.StatusOK)

	for _, tc := range []struct {
		part   string
		size   int
		status int
		says   string
	}{
		// 4 MiB of zeros in a worksheet: a 5 KiB upload, 64 times the limit.
		{"xl/worksheets/sheet2.xml", 4 << 20, http.StatusRequestEntityTooLarge, "decompresses to more than 524288 bytes (8 times the import limit)"},
		// Small parts held in memory are bounded by the limit itself.
		{"xl/styles2.xml", 0, http.StatusUnprocessableEntity, `xl/styles2.xml\", which is not part of a workbook's sheets`},
		{"xl/sharedStrings.xml", 100 << 10, http.StatusRequestEntityTooLarge, "more than 65536 bytes of parts besides its large worksheets"},
		// A part that is not a sheet is refused whatever its size.
		{"xl/media/zeros.bin", 16 << 20, http.StatusUnprocessableEntity, `xl/media/zeros.bin\", which is not part of a workbook's sheets`},
		{"xl/embeddings/oleObject1.bin", 10, http.StatusUnprocessableEntity, "embedded objects"},
	} {
		file := withPart(t, good, tc.part, tc.size)
		if len(file) > limit {
			t.Fatalf("%s: the upload is %d bytes, over the limit", tc.part, len(file))
		}
		res := e.importFile(vm, "kind=vendors&mode=dry_run", "bomb.xlsx", file)
		if res.Code != tc.status || res.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(string(res.Body), tc.says) || !strings.Contains(string(res.Body), `"field":"file"`) {
			t.Errorf("%s (%d bytes, %d decompressed): %d %s", tc.part, len(file), tc.size, res.Code, res.Body)
		}
	}
}
