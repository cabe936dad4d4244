package repository_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestReportSupplyChain reads the hand-built chain (Alpha and Bravo on P,
// Charlie on P through I) as the audit workbook does: every edge with its
// rank below the vendors the filter selects, the concentration table, and
// both in the written workbook.
func TestReportSupplyChain(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		f := newChain(t, db)
		src := repository.NewReportSource(db)
		later := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		ranks := func(filter reporting.Filter) map[string]int {
			t.Helper()
			got := map[string]int{}
			err := src.EachDependency(ctx, filter, func(r reporting.DependencyRow) error {
				got[r.VendorName+" -> "+r.ProviderName] = r.Rank
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		tests := []struct {
			name   string
			filter reporting.Filter
			want   map[string]int
		}{
			{"every edge", reporting.Filter{AsOf: later}, map[string]int{"Alpha Pay -> Provider Cloud": 1,
				"Bravo Mail -> Provider Cloud": 1, "Charlie Care -> Intermediate Desk": 1, "Intermediate Desk -> Provider Cloud": 2}},
			{"critical vendors: Bravo's edge left out", reporting.Filter{AsOf: later, Tier: register.TierCritical},
				map[string]int{"Alpha Pay -> Provider Cloud": 1, "Charlie Care -> Intermediate Desk": 1,
					"Intermediate Desk -> Provider Cloud": 2}},
			{"Bravo alone", reporting.Filter{AsOf: later, VendorIDs: []string{f.bravo.ID}},
				map[string]int{"Bravo Mail -> Provider Cloud": 1}},
			{"before the edges were recorded", reporting.Filter{AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
				map[string]int{}},
		}
		for _, tc := range tests {
			if got := ranks(tc.filter); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: ranks %v, want %v", tc.name, got, tc.want)
			}
		}

		conc, err := src.Concentration(ctx, reporting.Filter{AsOf: later}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(conc) != 1 || conc[0].ProviderID != f.p.ID || conc[0].Vendors != 3 || conc[0].CriticalVendors != 2 {
			t.Fatalf("concentration %+v, want Provider Cloud under 3 vendors, 2 critical", conc)
		}

		var buf bytes.Buffer
		if _, err := reports.WriteAudit(ctx, src, reporting.Filter{AsOf: later}, reports.Options{}, &buf); err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows(reports.SheetSupplyChain)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][0] != "Vendor" || rows[0][3] != "Rank" {
			t.Fatalf("Supply chain sheet %q", rows)
		}
		found := false
		for _, r := range rows[1:] {
			if r[0] == "Intermediate Desk" {
				found = true
				if r[1] != "Provider Cloud" || r[2] != "fourth party" || r[3] != "2" || r[4] != "hosting" ||
					r[5] != "Health information (PHI)" || r[6] != "IE" || r[7] != "published list" {
					t.Errorf("the rank-2 edge reads %q", r)
				}
			}
		}
		if !found {
			t.Errorf("no rank-2 edge in %q", rows)
		}
		summary, err := book.GetRows(reports.SheetSummary)
		if err != nil {
			t.Fatal(err)
		}
		var provider []string
		for i, r := range summary {
			if len(r) > 0 && r[0] == "Provider" && i+1 < len(summary) {
				provider = summary[i+1]
			}
		}
		if len(provider) < 5 || provider[0] != "Provider Cloud (fourth party)" || provider[1] != "3" || provider[2] != "2" ||
			provider[3] != "DE, IE, US" {
			t.Errorf("concentration row %q", provider)
		}
	})
}
