package repository_test

import (
	"context"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
)

// TestReportSourceBatches reads sheets longer than one keyset batch and
// checks every row comes once, in key order, with the clause version in
// force: the keyset bounds repeated on join keys (so that PostgreSQL does
// not merge-join from the first row on every batch) must not drop or
// repeat rows.
func TestReportSourceBatches(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		counts := repotest.SeedOptions(t, db, seedgen.Options{Vendors: reporting.BatchSize * 6 / 5, Seed: 5, Providers: 10})
		if counts.Contracts <= reporting.BatchSize || counts.DataHandling <= reporting.BatchSize ||
			counts.Dependencies <= reporting.BatchSize {
			t.Fatalf("the portfolio fits in one batch: %+v", counts)
		}
		src := repository.NewReportSource(db)
		f := reporting.Filter{AsOf: seedgen.DefaultAsOf}
		count := func(query string) int {
			var n int
			if err := db.SQL().QueryRowContext(ctx, query).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		asOf := "'" + f.AsOf.Format("2006-01-02 15:04:05") + "'"

		var contracts, withClause int
		last := ""
		err := src.EachContract(ctx, f, func(r reporting.ContractRow) error {
			if r.Contract.ID <= last {
				t.Fatalf("contract %s after %s", r.Contract.ID, last)
			}
			last = r.Contract.ID
			contracts++
			if r.Clause != nil {
				if r.Clause.ContractID != r.Contract.ID {
					t.Fatalf("contract %s with the clause of %s", r.Contract.ID, r.Clause.ContractID)
				}
				withClause++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := count(`SELECT count(*) FROM contracts c JOIN vendors v ON v.id = c.vendor_id
			WHERE v.created_at <= ` + asOf + ` AND c.created_at <= ` + asOf)
		wantClause := count(`SELECT count(DISTINCT c.id) FROM contracts c JOIN vendors v ON v.id = c.vendor_id
			JOIN clause_versions cv ON cv.contract_id = c.id AND cv.effective_from <= ` + asOf + `
				AND (cv.effective_to IS NULL OR cv.effective_to > ` + asOf + `)
			WHERE v.created_at <= ` + asOf + ` AND c.created_at <= ` + asOf)
		if contracts != want || withClause != wantClause || want <= reporting.BatchSize || wantClause == 0 {
			t.Errorf("%d contracts (%d with a clause in force), SQL counts %d (%d)", contracts, withClause, want, wantClause)
		}

		var handling int
		lastKey := ""
		err = src.EachHandling(ctx, f, func(r reporting.HandlingRow) error {
			key := r.VendorID + "/" + r.Category
			if key <= lastKey {
				t.Fatalf("data handling %s after %s", key, lastKey)
			}
			lastKey = key
			handling++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want = count(`SELECT count(*) FROM data_handling dh JOIN vendors v ON v.id = dh.vendor_id
			WHERE v.created_at <= ` + asOf + ` AND dh.created_at <= ` + asOf)
		if handling != want || want <= reporting.BatchSize {
			t.Errorf("%d data handling rows, SQL counts %d", handling, want)
		}

		var edges, ranked int
		last = ""
		err = src.EachDependency(ctx, f, func(r reporting.DependencyRow) error {
			if r.ID <= last {
				t.Fatalf("edge %s after %s", r.ID, last)
			}
			last = r.ID
			edges++
			if r.Rank > 0 {
				ranked++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want = count(`SELECT count(*) FROM vendor_dependencies e WHERE e.created_at <= ` + asOf)
		if edges != want || ranked != want || want <= reporting.BatchSize {
			t.Errorf("%d edges (%d ranked), SQL counts %d", edges, ranked, want)
		}
	})
}
