package repository_test

// The compliance scan over a generated portfolio, against the single
// set-based SQL that finds the same expired attestations and late notices
// (the floor of perf-notes §2b). PostgreSQL only (VW_TEST_POSTGRES_URL);
// the portfolio comes from seedgen.Seed.
//
//	VW_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/vw_dev_scan?sslmode=disable \
//	  go test ./repository -run '^$' -bench BenchmarkScan -benchtime 3x -timeout 60m
//
// VW_BENCH_VENDORS (comma-separated, default 10000) picks the sizes.
// VW_BENCH_DB_URL instead runs on an existing portfolio (from `vendorwatch
// seed`, ANALYZEd), skipping the seeding; the fresh mode truncates its
// findings, scan_runs and scan_rules.

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
	"github.com/vendorwatch/vendorwatch/services"
)

// benchAsOf is the scan's now: the seed's reference instant.
var benchAsOf = seedgen.DefaultAsOf

// baselineSQL finds what attestation.expired and incident.notice_late
// find, each in one statement: the latest unrejected attestation of each
// kind of a vendor in service (active, offboarding, or onboarding and
// already holding data: finding.ScopeInService, written out here) that
// expired before today, and notices that came after their due instant.
const (
	baselineExpiredSQL = `SELECT a.id, a.vendor_id, v.name, a.kind, a.expires_on
	FROM attestations a JOIN vendors v ON v.id = a.vendor_id
	WHERE (v.status IN ('active', 'offboarding')
		OR (v.status = 'onboarding' AND EXISTS (SELECT 1 FROM data_handling h WHERE h.vendor_id = v.id)))
	AND a.review_status <> 'rejected' AND a.expires_on < $1
	AND NOT EXISTS (SELECT 1 FROM attestations b WHERE b.vendor_id = a.vendor_id AND b.kind = a.kind
		AND b.review_status <> 'rejected' AND (b.expires_on > a.expires_on OR (b.expires_on = a.expires_on AND b.id > a.id)))`
	baselineLateSQL = `SELECT i.id, i.vendor_id, v.name, i.vendor_discovered_at, i.vendor_notified_us_at, i.notice_due_at
	FROM incidents i JOIN vendors v ON v.id = i.vendor_id
	WHERE i.notice_due_at IS NOT NULL AND i.vendor_notified_us_at > i.notice_due_at`
)

type baselineRow struct {
	id, vendorID, name, kind string
	at, notified, due        time.Time
}

// baseline runs both statements, scanning rows into structs, and returns
// the counts.
func baseline(tb testing.TB, db *repository.DB) (expired, late int) {
	tb.Helper()
	ctx := context.Background()
	rows, err := db.SQL().QueryContext(ctx, baselineExpiredSQL, domain.DateOf(benchAsOf).String()) //nolint:sqlclosecheck // read to the end, which closes them
	if err != nil {
		tb.Fatal(err)
	}
	var out []baselineRow
	for rows.Next() {
		var r baselineRow
		if err := rows.Scan(&r.id, &r.vendorID, &r.name, &r.kind, &r.at); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	expired = len(out)
	rows, err = db.SQL().QueryContext(ctx, baselineLateSQL) //nolint:sqlclosecheck // read to the end, which closes them
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var r baselineRow
		if err := rows.Scan(&r.id, &r.vendorID, &r.name, &r.at, &r.notified, &r.due); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return expired, len(out) - expired
}

// peakHeap samples HeapInuse every 5 ms until stop is called and returns
// the maximum seen.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

func benchSizes() []int {
	s := os.Getenv("VW_BENCH_VENDORS")
	if s == "" {
		return []int{10_000}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func BenchmarkScan(b *testing.B) {
	if os.Getenv(repotest.EnvPostgresURL) == "" {
		b.Skip("the scan benchmark runs on PostgreSQL: set " + repotest.EnvPostgresURL)
	}
	sizes, existing := benchSizes(), os.Getenv("VW_BENCH_DB_URL")
	if existing != "" {
		sizes = []int{0}
	}
	for _, n := range sizes {
		b.Run("vendors="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			var db *repository.DB
			if existing != "" {
				var err error
				if db, err = repository.Open(ctx, existing, repository.Options{}); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = db.Close() })
				if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM vendors").Scan(&n); err != nil {
					b.Fatal(err)
				}
				b.Logf("existing portfolio of %d vendors", n)
			} else {
				db = repotest.Open(b, repository.Postgres)
				start := time.Now()
				counts, err := seedgen.Seed(ctx, db, seedgen.Options{Vendors: n, Seed: 1}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
					b.Fatal(err)
				}
				b.Logf("seeded %d vendors, %d records in %s: %+v", n, counts.Total(), time.Since(start).Round(time.Millisecond), counts)
			}

			// The baseline: median of five runs here, and one more run
			// beside each scan (below), so that the ratio compares runs
			// made under the same load.
			var times []time.Duration
			var wantExpired, wantLate int
			var basePeak uint64
			for range 5 {
				runtime.GC()
				stop := peakHeap()
				t0 := time.Now()
				wantExpired, wantLate = baseline(b, db)
				times = append(times, time.Since(t0))
				basePeak = max(basePeak, stop())
			}
			slices.Sort(times)
			b.Logf("baseline SQL: %d expired attestations, %d late notices, median %s, peak heap %.1f MiB",
				wantExpired, wantLate, times[len(times)/2], float64(basePeak)/(1<<20))
			if wantExpired == 0 || wantLate == 0 {
				b.Fatal("the portfolio has no expired attestation or no late notice")
			}

			svc := services.New(db.Stores(b.TempDir()), services.Settings{Clock: domain.FixedClock(benchAsOf),
				Events: domain.DiscardEvents{}})
			if p, err := strconv.Atoi(os.Getenv("VW_BENCH_PARALLEL")); err == nil {
				svc.Scan.Parallel = p // rule families at once (default 3)
			}
			for _, mode := range []string{"fresh", "rescan"} {
				b.Run(mode, func(b *testing.B) {
					var peak, alloc uint64
					var res finding.ScanResult
					famTime := map[string]time.Duration{}
					var baseTotal time.Duration
					for b.Loop() {
						b.StopTimer()
						if mode == "fresh" {
							if _, err := db.SQL().ExecContext(ctx, "TRUNCATE findings, scan_runs, scan_rules"); err != nil {
								b.Fatal(err)
							}
						}
						t0 := time.Now()
						baseline(b, db)
						baseTotal += time.Since(t0)
						b.StartTimer()
						runtime.GC()
						var before runtime.MemStats
						runtime.ReadMemStats(&before)
						stop := peakHeap()
						var err error
						res, err = svc.Scan.RunWithProgress(ctx, func(p finding.ScanProgress) {
							if p.Done {
								famTime[p.Family] += p.Elapsed
							}
						})
						p := stop()
						var after runtime.MemStats
						runtime.ReadMemStats(&after)
						if err != nil {
							b.Fatal(err)
						}
						peak = max(peak, p)
						alloc += after.TotalAlloc - before.TotalAlloc
					}
					perRun := b.Elapsed() / time.Duration(b.N)
					base := baseTotal / time.Duration(b.N)
					b.ReportMetric(float64(perRun)/float64(base), "x-baseline")
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
					b.ReportMetric(float64(peak)/float64(basePeak), "x-baseline-heap")
					b.ReportMetric(float64(alloc)/float64(b.N)/(1<<20), "alloc-MiB/op")
					live := res.Opened + res.StillOpen
					b.ReportMetric(float64(live), "findings")

					// A fast but wrong scan fails here.
					got := map[string]int{}
					for r, c := range res.ByRule {
						got[r] = c.Opened + c.StillOpen
					}
					// The baseline knows the contract's deadline only: the
					// scan's late notices that broke the law alone (a
					// vendor's statutory duty, no clause) are left out.
					var lateContract int
					if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM findings WHERE rule_id = $1
						AND status <> 'resolved' AND facts->>'broken' <> $2`,
						finding.RuleIncidentNoticeLate, incident.BrokeLaw).Scan(&lateContract); err != nil {
						b.Fatal(err)
					}
					if got[finding.RuleAttestationExpired] != wantExpired || lateContract != wantLate {
						b.Fatalf("scan found %d expired attestations and %d notices late against their clause; the baseline SQL finds %d and %d",
							got[finding.RuleAttestationExpired], lateContract, wantExpired, wantLate)
					}
					var stored int
					if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM findings WHERE status <> 'resolved'").Scan(&stored); err != nil {
						b.Fatal(err)
					}
					if stored != live {
						b.Fatalf("%d live findings stored, the run reports %d", stored, live)
					}
					if mode == "rescan" && res.Opened != 0 {
						b.Fatalf("a rescan of unchanged data opened %d findings", res.Opened)
					}
					for f, d := range famTime {
						famTime[f] = (d / time.Duration(b.N)).Round(time.Millisecond)
					}
					b.Logf("%s: per family %v", mode, famTime)
					b.Logf("%s: %s per run (baseline beside it %s, x%.2f), peak heap %.1f MiB (baseline %.1f MiB), %d live findings, by rule %v",
						mode, perRun, base, float64(perRun)/float64(base), float64(peak)/(1<<20), float64(basePeak)/(1<<20), live, got)
				})
			}
		})
	}
}
