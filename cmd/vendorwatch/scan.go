package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/finding"
)

// cmdScan runs the compliance scan once and prints a summary: findings
// opened, still open, resolved and reopened, by rule. Progress goes to
// stderr when it is a terminal.
func cmdScan(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("scan", args, stdout, stderr)
	cfg.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	var progress func(finding.ScanProgress)
	if scanTerminal(stderr) {
		progress = func(p finding.ScanProgress) {
			state := "…"
			if p.Done {
				state = "done\n"
			}
			fmt.Fprintf(stderr, "\r%-12s %9d facts %8d findings %s", p.Family, p.Facts, p.Findings, state)
		}
	}
	res, err := a.svc.Scan.RunWithProgress(ctx, progress)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	fmt.Fprintf(stdout, "scan %s: %d opened, %d still open, %d resolved, %d reopened, %d escalated in %s\n",
		res.RunID, res.Opened, res.StillOpen, res.Resolved, res.Reopened, res.Escalated,
		res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
	rules := make([]string, 0, len(res.ByRule))
	for r := range res.ByRule {
		rules = append(rules, r)
	}
	slices.Sort(rules)
	if len(rules) > 0 {
		fmt.Fprintf(stdout, "%-34s %8s %10s %8s %8s\n", "rule", "opened", "still_open", "resolved", "reopened")
	}
	for _, r := range rules {
		c := res.ByRule[r]
		fmt.Fprintf(stdout, "%-34s %8d %10d %8d %8d\n", r, c.Opened, c.StillOpen, c.Resolved, c.Reopened)
	}
	if res.EventsFailed > 0 {
		logger.Warn("scan events not delivered", "count", res.EventsFailed)
	}
	return nil
}

// scanTerminal reports whether w is a terminal, where progress is shown.
func scanTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
