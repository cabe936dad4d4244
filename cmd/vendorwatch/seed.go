package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
)

// cmdSeed fills an empty database with a deterministic synthetic
// portfolio (seedgen.Seed). Seeded rows have no audit event each: one
// event per batch of a thousand vendors records them.
func cmdSeed(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("seed", args, stdout, stderr)
	cfg.dbFlag(fs)
	vendors := fs.Int("vendors", 0, fmt.Sprintf("how many vendors to generate, 1 to %d (required)", seedgen.MaxVendors))
	seed := fs.Int64("seed", 1, "the portfolio to generate: the same seed gives the same rows")
	providers := fs.Int("providers", -1, fmt.Sprintf("the pool of shared providers (fourth parties) vendors depend on, "+
		"0 to %d; -1: one per 250 vendors, at most 400 (about 4 edges per vendor holding data)", seedgen.MaxProviders))
	asOf := fs.String("as-of", seedgen.DefaultAsOf.Format(time.RFC3339),
		"the reference now (RFC 3339 or YYYY-MM-DD): expiries, incidents and reviews are laid out around it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed: unexpected argument %q", fs.Arg(0))
	}
	if *vendors < 1 || *vendors > seedgen.MaxVendors {
		return fmt.Errorf("seed: --vendors must be from 1 to %d", seedgen.MaxVendors)
	}
	if *providers < -1 || *providers > seedgen.MaxProviders {
		return fmt.Errorf("seed: --providers must be from -1 to %d", seedgen.MaxProviders)
	}
	if *providers == -1 {
		*providers = min(max(*vendors/250, 1), 400)
	}
	ref, err := time.Parse(time.RFC3339, *asOf)
	if err != nil {
		d, derr := domain.ParseDate(*asOf)
		if derr != nil {
			return fmt.Errorf("seed: --as-of %q is neither RFC 3339 nor YYYY-MM-DD", *asOf)
		}
		ref = d.Time()
	}
	profile, err := cfg.orgProfile()
	if err != nil {
		return err
	}
	policy, err := cfg.policy()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()

	var progress func(done, total int)
	start := time.Now()
	if isTerminal(stderr) {
		progress = func(done, total int) {
			fmt.Fprintf(stderr, "\rseeding: %d/%s (%d%%), %s", done, domain.Count(total, "vendor", "vendors"), done*100/total,
				time.Since(start).Round(time.Second))
			if done == total {
				fmt.Fprintln(stderr)
			}
		}
	}
	// The seed's audit events name the command as their actor.
	ctx = domain.WithActor(ctx, domain.Actor{ID: "system", Name: "vendorwatch seed", Role: domain.RoleAdmin})
	counts, err := seedgen.Seed(ctx, a.db, seedgen.Options{Vendors: *vendors, Seed: *seed, AsOf: ref,
		Calendar: calendar.USFederal(), Standards: policy.Clauses.StandardWindows, Profile: profile,
		Providers: *providers}, progress)
	if errors.Is(err, seedgen.ErrNotEmpty) {
		return fmt.Errorf("seed: %w (use a fresh database)", err)
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "seeded %s (seed %d, as of %s) in %s; synthetic rows, one audit event (seed.write) per thousand vendors:\n",
		a.db.Dialect(), *seed, ref.UTC().Format(time.RFC3339), took.Round(time.Millisecond))
	for _, c := range []struct {
		name string
		n    int64
	}{
		{"vendors", counts.Vendors}, {"data_handling", counts.DataHandling}, {"contracts", counts.Contracts},
		{"clause_versions", counts.ClauseVersions}, {"attestations", counts.Attestations}, {"reviews", counts.Reviews},
		{"incidents", counts.Incidents}, {"incident_timeline", counts.Timeline}, {"obligations", counts.Obligations},
		{"providers", counts.Providers}, {"vendor_dependencies", counts.Dependencies}, {"total", counts.Total()},
	} {
		fmt.Fprintf(stdout, "  %-19s %9d\n", c.name, c.n)
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal), where
// progress is worth printing.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
