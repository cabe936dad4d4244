package doraroi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestAuditWorkbookListsTheCheck: the audit workbook's "DORA check" sheet
// has one row per issue of the register's check, with what to edit.
func TestAuditWorkbookListsTheCheck(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		ctx := domain.WithActor(context.Background(), domain.SystemActor)
		okFor(t)(p.svc.Dora.PutProvider(ctx, dora.Provider{VendorID: p.ostrava.ID}))
		r := must(p.svc.Dora.CheckRegister(ctx, reference))
		if r == nil || r.Errors != 1 || r.Level != dora.Consolidated || r.EntityLEI != bankLEI {
			t.Fatalf("register check %+v", r)
		}
		var buf bytes.Buffer
		asOf := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
		if _, err := reports.WriteAudit(ctx, repository.NewReportSource(db), reporting.Filter{AsOf: asOf},
			reports.Options{Dora: &reports.DoraCheck{Report: r}}, &buf); err != nil {
			t.Fatal(err)
		}
		f := must(excelize.OpenReader(&buf))
		rows := must(f.GetRows(reports.SheetDora))
		if len(rows) != 2 {
			t.Fatalf("DORA check sheet: %v", rows)
		}
		got := strings.Join(rows[1], "|")
		if want := "B_05.01|c0070|mandatory|vendor|" + ostravaLEI + "|Missing: type of person of the provider.|" + p.ostrava.ID; got != want {
			t.Errorf("row %s, want %s", got, want)
		}
	})
}
