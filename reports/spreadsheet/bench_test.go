package spreadsheet_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// writeVendorsFile generates an .xlsx of n vendor rows in the template
// layout.
func writeVendorsFile(tb testing.TB, n int) string {
	tb.Helper()
	name := filepath.Join(tb.TempDir(), "vendors.xlsx")
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	w, err := spreadsheet.NewWriter(bw, spreadsheet.XLSX, importing.ImportVendors)
	if err != nil {
		tb.Fatal(err)
	}
	statuses := register.VendorStatuses
	crits := []register.Criticality{register.CriticalityCritical, register.CriticalityHigh, register.CriticalityModerate, register.CriticalityLow}
	for i := range n {
		v := register.Vendor{ExternalRef: fmt.Sprintf("ERP-%06d", i), Name: fmt.Sprintf("Vendor %06d Ltd", i),
			LegalName: fmt.Sprintf("Vendor %06d Limited", i), Website: fmt.Sprintf("https://v%06d.example", i),
			Service: "Payments processing", OwnerEmail: "owner@example.com", Status: statuses[i%len(statuses)],
			Criticality: crits[i%len(crits)], Country: "GB"}
		if err := w.Row(spreadsheet.VendorValues(v)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return name
}

// BenchmarkImportVendors50k commits 50,000 generated vendor rows from an
// .xlsx into a fresh PostgreSQL database (VW_TEST_POSTGRES_URL), one
// transaction, audit trail included:
//
//	VW_TEST_POSTGRES_URL=postgres://... go test -run '^$' -bench ImportVendors50k -benchtime 1x ./spreadsheet
func BenchmarkImportVendors50k(b *testing.B) {
	if os.Getenv(repotest.EnvPostgresURL) == "" {
		b.Skip("set " + repotest.EnvPostgresURL + " to run the import benchmark on PostgreSQL")
	}
	const rows = 50_000
	name := writeVendorsFile(b, rows)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := repotest.Open(b, repository.Postgres)
		svc := services.New(db.Stores(b.TempDir()), services.Settings{})
		src, _, err := spreadsheet.OpenFile(name, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := svc.Imports.Run(context.Background(), importing.ImportRequest{Kind: importing.ImportVendors,
			Mode: importing.ImportCommit, FileName: "vendors.xlsx", Source: src})
		b.StopTimer()
		_ = src.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.Status != importing.ImportStatusCommitted || res.Summary.Create != rows {
			b.Fatalf("import: %s %+v", res.Status, res.Summary)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows), "rows/op")
}
