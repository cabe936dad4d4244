package reports_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
)

// The Summary sheet states the audit log's checkpoint on row 6: its size,
// root and signed note (which opens with the log's key), or why there is
// none.
func TestSummaryStatesTheAuditCheckpoint(t *testing.T) {
	keys, err := auditlog.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: auditlog.Origin, Size: 42, Root: tlog.RecordHash([]byte("x"))}, keys.Signer)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		cp         *reports.Checkpoint
		b, c, note string
	}{
		{"signed", &reports.Checkpoint{Signed: signed}, "42", base64.StdEncoding.EncodeToString(signed.Root[:]), signed.Note},
		{"nothing sealed", &reports.Checkpoint{}, "none yet: no audit event has been sealed", "", ""},
		{"unreadable", &reports.Checkpoint{Err: errors.New("no key file")}, "not available: no key file", "", ""},
		{"not given", nil, "not available: this workbook was written without the audit log", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := reports.WriteAudit(t.Context(), fakeSource{n: 2}, reporting.Filter{AsOf: asOf},
				reports.Options{Checkpoint: tt.cp}, &buf); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cell := func(c string) string {
				v, _ := f.GetCellValue(reports.SheetSummary, c)
				return v
			}
			// A message spans B to F (one merged cell, read in each).
			if !strings.HasPrefix(cell("A6"), "Audit log checkpoint") || cell("B6") != tt.b ||
				tt.note != "" && (cell("C6") != tt.c || cell("D6") != tt.note) {
				t.Errorf("row 6 = %q | %q | %q | %q", cell("A6"), cell("B6"), cell("C6"), cell("D6"))
			}
			if tt.note != "" {
				if got, err := auditlog.Open(cell("D6"), keys.Verifier); err != nil || got.Size != 42 {
					t.Errorf("the note in the workbook opens as %+v, %v", got, err)
				}
			}
		})
	}
}
