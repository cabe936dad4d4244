package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
)

// reportsDir is where report runs store their files.
func (c config) reportsDir() string { return filepath.Join(c.DataDir, "reports") }

// newReportService wires the report service to the app's database.
func newReportService(cfg config, a *app, logger *slog.Logger) (*reports.Service, error) {
	policy, err := cfg.policy()
	if err != nil {
		return nil, err
	}
	svc := &reports.Service{Source: repository.NewReportSource(a.db), Runs: repository.NewReportRuns(a.db), Tx: a.db,
		Audit: a.svc.Audit, Clock: a.svc.Clock, Policy: policy, Dir: cfg.reportsDir(), Logger: logger,
		Workers: cfg.ReportWorkers, DoraCheck: a.svc.Dora.CheckRegister}
	// Audit workbooks state the audit log's checkpoint, checked with the
	// log's public key; without the key file they say why they cannot.
	if keys, err := auditVerifier(cfg, "", logger); err != nil {
		svc.Checkpoint = func(context.Context) (auditlog.Signed, error) { return auditlog.Signed{}, err }
	} else {
		svc.Checkpoint = auditCheckpoint(a.db, keys.Verifier)
	}
	return svc, nil
}

// startReports builds the report service for serve and marks the runs a
// previous process left unfinished as failed.
func startReports(ctx context.Context, cfg config, a *app, logger *slog.Logger) (*reports.Service, error) {
	svc, err := newReportService(cfg, a, logger)
	if err != nil {
		return nil, err
	}
	n, err := svc.Recover(ctx)
	if err != nil {
		return nil, fmt.Errorf("report runs: %w", err)
	}
	if n > 0 {
		logger.Warn("report runs interrupted by a restart marked failed", "count", n)
	}
	return svc, nil
}

// JobAuditReport is the scheduled audit report's job name.
const JobAuditReport = "weekly-audit-report"

// registerReportJobs adds the scheduled audit report to serve's scheduler
// on spec (VW_REPORT_SCHEDULE, validated by checkJobs); an empty spec
// (off) leaves it out.
func registerReportJobs(sched *jobs.Scheduler, spec string, reps *reports.Service, logger *slog.Logger) error {
	logger.Info("scheduler", "audit_report", cmp.Or(spec, "off"))
	if spec == "" {
		return nil
	}
	return sched.Add(JobAuditReport, spec, reps.WeeklyAudit)
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

// cmdReport writes a report to a file:
//
//	vendorwatch report [--kind audit|executive] [--out FILE.xlsx] [--vendor ID ...] [--tier T] [--owner EMAIL] [--as-of TIME]
func cmdReport(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("report", args, stdout, stderr)
	cfg.dbFlag(fs)
	kind := fs.String("kind", "audit", "audit (the audit workbook) or executive (the executive report)")
	out := fs.String("out", "", "output file (default vendorwatch-<kind>-<as-of>.xlsx in the current directory)")
	var vendors multiFlag
	fs.Var(&vendors, "vendor", "only this vendor id (repeat, or comma-separate)")
	tier := fs.String("tier", "", "only vendors of this effective tier")
	owner := fs.String("owner", "", "only vendors with this owner_email")
	asOf := fs.String("as-of", "", "the instant the report describes, RFC 3339 or YYYY-MM-DD (default now)")
	fast := fs.Bool("fast-zip", true, "deflate with flate.BestSpeed (faster, somewhat larger file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := reporting.Filter{VendorIDs: vendors, Tier: register.Tier(*tier), Owner: *owner}
	if *asOf != "" {
		t, err := parseInstant(*asOf)
		if err != nil {
			return err
		}
		f.AsOf = t
	}
	k := reporting.Kind(*kind)
	if !k.Valid() {
		return fmt.Errorf("--kind must be audit or executive, not %q", *kind)
	}
	a, err := openApp(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer func() { _ = a.Close() }()
	svc, err := newReportService(cfg, a, logger)
	if err != nil {
		return err
	}
	f, err = svc.CheckFilter(f)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = fmt.Sprintf("vendorwatch-%s-%s.xlsx", k, f.AsOf.Format("20060102T150405Z"))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	opt := reports.Options{GeneratedBy: "vendorwatch report (command line)"}
	if !*fast {
		opt.Compression = reports.CompressDefault
	}
	start := time.Now()
	if reportTerminal(stderr) {
		opt.Progress = func(sheet string, rows int64) {
			fmt.Fprintf(stderr, "\r\033[K%-16s %10d rows  %6.1fs", sheet, rows, time.Since(start).Seconds())
		}
	}
	st, err := svc.Generate(ctx, k, f, opt, tmp)
	if opt.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s report as of %s: %s in %.1fs -> %s\n", k, f.AsOf.Format(time.RFC3339), domain.Count(st.TotalRows(), "row", "rows"),
		time.Since(start).Seconds(), path)
	return nil
}

func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := domain.ParseDate(s); err == nil {
		// A date means the end of that day (UTC): the state at close.
		end := d.Time().Add(24*time.Hour - time.Microsecond)
		if now := time.Now().UTC(); end.After(now) {
			end = now
		}
		return end, nil
	}
	return time.Time{}, errors.New("--as-of must be RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01)")
}

// reportTerminal reports whether w is a character device (progress is shown
// only there).
func reportTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
