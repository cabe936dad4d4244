// Command dorabench measures the DORA register's report package against
// plain CSV writing of the same rows, one variant per process so that peak
// RSS is the variant's own:
//
//	vendorwatch seed --vendors 100000 --db URL             # the portfolio
//	go run ./scripts/dorabench -db URL -mode fill          # its DORA facts and a supply chain, set-based
//	go run ./scripts/dorabench -db URL -mode package       # the zip, as GET /dora/register writes it
//	go run ./scripts/dorabench -db URL -mode csv           # the same rows, plain CSV files
//
// package and csv print one JSON line: wall seconds, the process's CPU
// seconds (user and system), peak RSS (VmHWM), Go TotalAlloc, bytes written
// and rows. Both read the rows through the same
// dora.Source and format them with the same row functions; the package adds
// the zip (deflate), its fixed files and the bookkeeping of the filing
// indicators and decimals.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/reports/doraroi"
	"github.com/vendorwatch/vendorwatch/repository"
)

// The filing entity of the benchmark (a synthetic LEI with valid check
// digits).
const lei = "7245009VELDHAVENBK96"

func main() {
	dbURL := flag.String("db", "", "database URL")
	mode := flag.String("mode", "package", "fill | package | csv")
	out := flag.String("out", "/tmp/dorabench", "output directory")
	ref := flag.String("reference-date", "2026-10-31", "reference date")
	flag.Parse()
	ctx := domain.WithActor(context.Background(), domain.SystemActor)
	if err := run(ctx, *dbURL, *mode, *out, *ref); err != nil {
		fmt.Fprintln(os.Stderr, "dorabench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL, mode, out, ref string) error {
	db, err := repository.Open(ctx, dbURL, repository.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	switch mode {
	case "fill":
		return fill(ctx, db)
	case "edges":
		return edges(ctx, db)
	}
	store := repository.NewDora(db)
	filer, err := store.GetEntity(ctx, lei)
	if err != nil {
		return err
	}
	refDate, err := domain.ParseDate(ref)
	if err != nil {
		return err
	}
	sc := dora.Scope{EntityLEI: lei, Level: dora.Consolidated, ReferenceDate: refDate}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	start := time.Now()
	var written int64
	rows := map[string]int{}
	switch mode {
	case "package":
		f, err := os.Create(filepath.Join(out, "package.zip"))
		if err != nil {
			return err
		}
		cw := &counter{w: f}
		sum, err := doraroi.Write(ctx, cw, store, filer, sc, time.Now())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		written, rows = cw.n, sum.Rows
	case "csv":
		if written, err = plainCSV(ctx, store, filer, sc, filepath.Join(out, "csv"), rows); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	wall := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := 0
	for _, n := range rows {
		total += n
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"mode": mode, "seconds": wall.Seconds(), "cpu_seconds": cpu.Seconds(),
		"peak_rss_mib": peakRSS() / 1024, "total_alloc_mib": ms.TotalAlloc >> 20, "bytes": written, "rows": total})
}

// plainCSV writes each template's rows, read and formatted as the package
// does, to a plain CSV file of its own: no zip, no fixed files.
func plainCSV(ctx context.Context, src dora.Source, filer dora.Entity, sc dora.Scope, dir string, rows map[string]int) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var written int64
	table := func(id string, fill func(emit func([]string) error) error) error {
		t, _ := dora.TemplateByID(id)
		f, err := os.Create(filepath.Join(dir, t.File()))
		if err != nil {
			return err
		}
		cnt := &counter{w: f}
		w := csv.NewWriter(cnt)
		_ = w.Write(t.Columns)
		err = fill(func(r []string) error { rows[id]++; return w.Write(r) })
		w.Flush()
		if err == nil {
			err = w.Error()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		written += cnt.n
		return err
	}
	arr := func(row func(dora.ArrangementRow) []string) func(func([]string) error) error {
		return func(emit func([]string) error) error {
			return src.Arrangements(ctx, sc, func(a dora.ArrangementRow) error { return emit(row(a)) })
		}
	}
	steps := []struct {
		id   string
		fill func(func([]string) error) error
	}{
		{"B_01.01", func(emit func([]string) error) error { return emit(dora.B0101(filer, sc)) }},
		{"B_01.02", func(emit func([]string) error) error {
			return src.Entities(ctx, sc, func(e dora.Entity) error { return emit(dora.B0102(e)) })
		}},
		{"B_02.01", arr(dora.B0201)},
		{"B_02.02", func(emit func([]string) error) error {
			return src.ServiceFunctions(ctx, sc, func(s dora.ServiceRow) error { return emit(dora.B0202(s)) })
		}},
		{"B_03.01", arr(dora.B0301)},
		{"B_03.02", arr(dora.B0302)},
		{"B_04.01", arr(dora.B0401)},
		{"B_05.01", func(emit func([]string) error) error {
			return src.Providers(ctx, sc, func(p dora.ProviderRow) error { return emit(dora.B0501(p)) })
		}},
		{"B_05.02", func(emit func([]string) error) error {
			return src.SupplyChain(ctx, sc, func(c dora.ChainRow) error { return emit(dora.B0502(c)) })
		}},
		{"B_06.01", func(emit func([]string) error) error {
			return src.Functions(ctx, sc, func(f dora.Function) error { return emit(dora.B0601(f)) })
		}},
		{"B_07.01", func(emit func([]string) error) error {
			return src.Assessments(ctx, sc, func(s dora.ServiceRow) error { return emit(dora.B0701(s)) })
		}},
	}
	for _, s := range steps {
		if err := table(s.id, s.fill); err != nil {
			return 0, fmt.Errorf("%s: %w", s.id, err)
		}
	}
	return written, nil
}

// fill adds the register's facts to a seeded portfolio, set-based: one
// filing entity, ten functions, every vendor a provider with an EUID, every
// contract an arrangement with one ICT service supporting one function.
func fill(ctx context.Context, db *repository.DB) error {
	now := time.Now().UTC()
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO dora_entities (lei, name, country, entity_type, currency, competent_authority, hierarchy,
		    parent_lei, total_assets_minor, created_at, updated_at)
		  VALUES (?, 'Veldhaven Bank N.V.', 'NL', 'x12', 'EUR', 'De Nederlandsche Bank', 'ultimate_parent', '', 1, ?, ?)`,
			[]any{lei, now, now}},
		{`INSERT INTO dora_providers (vendor_id, euid, person_type, hq_country, updated_at)
		  SELECT id, 'NLKVK.' || id, 'legal', 'NL', ? FROM vendors`, []any{now}},
		{`INSERT INTO dora_contracts (contract_id, entity_lei, arrangement_ref, arrangement_type, overarching_ref,
		    expense_currency, governing_law_country, notice_entity_days, notice_provider_days, termination_reason, updated_at)
		  SELECT id, ?, 'C-' || id, 'standalone', '', '', 'NL', 90, 90, '', ? FROM contracts`, []any{lei, now}},
		{`INSERT INTO dora_services (contract_id, service_type, provision_country, stores_data, storage_country,
		    processing_country, sensitivity, reliance, substitutability, not_substitutable_reason, last_audit_on, exit_plan,
		    reintegration, discontinuation_impact, alternatives, alternative_providers, updated_at)
		  SELECT id, 'S19', 'NL', true, 'NL', 'NL', '', 'material', 'medium', '', '2026-01-15', true, 'difficult', 'medium',
		    'yes', '', ? FROM contracts`, []any{now}},
	}
	for i := 1; i <= 10; i++ {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO dora_functions (function_id, entity_lei, name, licensed_activity, criticality, criticality_reasons,
		    last_assessed_on, rto_hours, rpo_hours, discontinuation_impact, updated_at)
		  VALUES (?, ?, ?, 'eba_TA:x162', 'yes', '', '2026-01-15', 4, 1, 'high', ?)`,
			[]any{fmt.Sprintf("F%d", i), lei, fmt.Sprintf("Function %d", i), now}})
	}
	stmts = append(stmts, struct {
		q    string
		args []any
	}{`INSERT INTO dora_service_functions (contract_id, service_type, entity_lei, function_id)
	  SELECT contract_id, service_type, ?, 'F' || (1 + (length(contract_id) + unicode(substr(contract_id, 36, 1))) % 10)
	  FROM dora_services`, []any{lei}})
	if db.Dialect() == repository.Postgres {
		last := &stmts[len(stmts)-1]
		last.q = strings.ReplaceAll(last.q, "unicode(substr(contract_id, 36, 1))", "ascii(substr(contract_id::text, 36, 1))")
		last.q = strings.ReplaceAll(last.q, "length(contract_id)", "length(contract_id::text)")
		stmts[1].q = strings.ReplaceAll(stmts[1].q, "'NLKVK.' || id", "'NLKVK.' || id::text")
		stmts[2].q = strings.ReplaceAll(stmts[2].q, "'C-' || id", "'C-' || id::text")
	}
	for _, s := range stmts {
		q := s.q
		if db.Dialect() == repository.Postgres {
			q = dollar(q)
		}
		if _, err := db.SQL().ExecContext(ctx, q, s.args...); err != nil {
			return fmt.Errorf("%.60s: %w", s.q, err)
		}
	}
	return edges(ctx, db)
}

// edges adds a supply chain: every fourth vendor depends on one of a
// hundred hosts (the 101st to 200th vendors by id), each of which depends
// on one of the first hundred: B_05.02 ranks 2 and 3. An edge the seed
// already made is left as it is.
func edges(ctx context.Context, db *repository.DB) error {
	now := time.Now().UTC()
	newID, idType := "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || "+
		"hex(randomblob(2)) || '-' || hex(randomblob(6)))", "TEXT"
	if db.Dialect() == repository.Postgres {
		newID, idType = "gen_random_uuid()", "uuid"
	}
	stmts := []string{
		"CREATE TABLE bench_vn (n integer PRIMARY KEY, id " + idType + " NOT NULL)",
		"INSERT INTO bench_vn (n, id) SELECT ROW_NUMBER() OVER (ORDER BY id), id FROM vendors",
		`INSERT INTO vendor_dependencies (id, vendor_id, provider_id, service, data_categories, countries, source, as_of,
		    evidence_ref, notes, version, created_at, updated_at)
		  SELECT ` + newID + `, a.id, b.id, 'hosting', '[]', '[]', 'manual', '2026-01-01', '', '', 1, ?, ?
		  FROM bench_vn a JOIN bench_vn b ON b.n = CASE WHEN a.n > 200 THEN 101 + a.n % 100 ELSE a.n - 100 END
		  WHERE (a.n > 200 AND a.n % 4 = 0) OR a.n BETWEEN 101 AND 200
		  ON CONFLICT DO NOTHING`,
		"DROP TABLE bench_vn",
	}
	for _, q := range stmts {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{now, now}
		}
		if db.Dialect() == repository.Postgres {
			q = dollar(q)
		}
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}

func dollar(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// peakRSS is the process's peak resident set (VmHWM) in KiB, 0 when unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return 0
}
