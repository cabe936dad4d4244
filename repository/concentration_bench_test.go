package repository_test

// GET /concentration's recursive query against a plain GROUP BY over the
// direct edges, in the same run, on an existing PostgreSQL portfolio:
//
//	vendorwatch seed --vendors 100000 --db postgres://.../vw_bench   (about 300k edges, 400 providers)
//	VW_BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/vw_bench?sslmode=disable \
//	  go test ./repository -run '^$' -bench BenchmarkConcentration -benchtime 5x -timeout 30m
//
// Each iteration runs the recursive query (every path to rank 5, the
// union of categories and countries) and then the baseline, each timed on
// its own, so both see the same load; the ratio is their total times'.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
)

// directGroupBySQL counts, per provider, the distinct vendors of ours on a
// direct edge to it and the critical ones: rank 1 only, no categories.
const directGroupBySQL = `SELECT e.provider_id, p.name, COUNT(DISTINCT e.vendor_id),
		COUNT(DISTINCT CASE WHEN v.tier = 'critical' THEN e.vendor_id END)
	FROM vendor_dependencies e JOIN vendors v ON v.id = e.vendor_id JOIN vendors p ON p.id = e.provider_id
	WHERE v.status <> 'fourth_party'
	GROUP BY e.provider_id, p.name, p.name_key
	ORDER BY COUNT(DISTINCT e.vendor_id) DESC, p.name_key
	LIMIT 50`

func BenchmarkConcentration(b *testing.B) {
	url := os.Getenv("VW_BENCH_DB_URL")
	if url == "" {
		b.Skip("VW_BENCH_DB_URL names a seeded PostgreSQL portfolio")
	}
	ctx := context.Background()
	db, err := repository.Open(ctx, url, repository.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var edges, providers int
	if err := db.SQL().QueryRow("SELECT count(*), count(DISTINCT provider_id) FROM vendor_dependencies").Scan(&edges, &providers); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d edges to %d providers", edges, providers)
	store := repository.NewDependencies(db)
	for _, bc := range []struct {
		name   string
		filter register.ConcentrationFilter
	}{
		{"all", register.ConcentrationFilter{Limit: 50}},
		{"health_phi", register.ConcentrationFilter{Limit: 50, DataCategory: register.CatHealthPHI}},
		{"rank2_critical", register.ConcentrationFilter{Limit: 50, MinRank: 2, Tier: register.TierCritical}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var recursive, baseline time.Duration
			iterations := 0
			for b.Loop() {
				iterations++
				t0 := time.Now()
				got, err := store.Concentration(ctx, bc.filter)
				if err != nil || len(got) == 0 {
					b.Fatalf("concentration: %d rows, %v", len(got), err)
				}
				t1 := time.Now()
				if n := directGroupBy(ctx, b, db); n == 0 {
					b.Fatal("baseline: no rows")
				}
				recursive += t1.Sub(t0)
				baseline += time.Since(t1)
			}
			b.ReportMetric(float64(recursive.Milliseconds())/float64(iterations), "recursive-ms/op")
			b.ReportMetric(float64(baseline.Milliseconds())/float64(iterations), "groupby-ms/op")
			b.ReportMetric(float64(recursive)/float64(baseline), "ratio")
		})
	}
}

// directGroupBy runs directGroupBySQL and returns its row count.
func directGroupBy(ctx context.Context, b *testing.B, db *repository.DB) int {
	rows, err := db.SQL().QueryContext(ctx, directGroupBySQL)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	n := 0
	for rows.Next() {
		var id, name string
		var vendors, critical int
		if err := rows.Scan(&id, &name, &vendors, &critical); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
