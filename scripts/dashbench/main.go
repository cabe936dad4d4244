// Command dashbench times the executive read model, what GET
// /api/v1/dashboard and the console overview compute
// (reports.BuildExecutive: ReportSource.ExecutiveFigures and Trend), on a
// database, as the executive report does with -changes (the figures again
// as of 30 and 90 days before). It prints one line per run and a JSON
// summary (wall seconds per run, median); -out writes the figures the
// last run returned, to compare the answers of two builds.
//
//	go run ./scripts/dashbench -db URL -runs 5 [-as-of 2026-12-07T00:00:00Z] [-changes] [-out figures.json]
//
// run.sh builds it at a base commit and at this tree and alternates the
// two on one database, so that both see the same load.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
)

func main() {
	dbURL := flag.String("db", "", "database URL")
	asOf := flag.String("as-of", "", "as-of instant (RFC 3339; default now)")
	runs := flag.Int("runs", 3, "timed runs")
	changes := flag.Bool("changes", false, "also the figures as of 30 and 90 days before (the executive report)")
	out := flag.String("out", "", "write the last run's figures here as JSON")
	label := flag.String("label", "", "label of the summary line")
	flag.Parse()
	if err := run(context.Background(), *dbURL, *asOf, *runs, *changes, *out, *label); err != nil {
		slog.Error("dashbench", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL, asOfText string, runs int, changes bool, out, label string) error {
	asOf := time.Now().UTC()
	if asOfText != "" {
		t, err := time.Parse(time.RFC3339, asOfText)
		if err != nil {
			return fmt.Errorf("-as-of: %w", err)
		}
		asOf = t
	}
	db, err := repository.Open(ctx, dbURL, repository.Options{MaxOpenConns: 4})
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	src := repository.NewReportSource(db)
	pol := policy.DefaultPolicy()
	var ex reports.Executive
	var secs []float64
	for i := range runs {
		start := time.Now()
		ex, err = reports.BuildExecutive(ctx, src, reporting.Filter{AsOf: asOf}, pol)
		if err == nil && changes {
			err = reports.AddChanges(ctx, src, &ex, pol)
		}
		if err != nil {
			return err
		}
		secs = append(secs, time.Since(start).Seconds())
		fmt.Printf("%s run %d: %.3f s\n", label, i+1, secs[len(secs)-1])
	}
	sorted := slices.Clone(secs)
	slices.Sort(sorted)
	summary, _ := json.Marshal(map[string]any{"label": label, "runs": secs, "median": sorted[len(sorted)/2]})
	fmt.Println(string(summary))
	if out == "" {
		return nil
	}
	b, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o600)
}
