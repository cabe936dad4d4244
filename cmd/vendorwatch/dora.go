package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/reports/doraroi"
)

const doraUsage = "usage: vendorwatch dora check|export --reference-date DATE [--entity LEI] [--level IND|CON] [--json] [--out DIR] [--force] [--db URL]"

// cmdDora checks the DORA register of information (dora check: the issues,
// exit status 1 while errors remain) or writes its report package (dora
// export: refused while the check finds errors, unless --force).
func cmdDora(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "export" && !isHelpFlag(args[0])) {
		return errors.New(doraUsage)
	}
	sub := args[0]
	if isHelpFlag(sub) {
		sub = "check"
	} else {
		args = args[1:]
	}
	fs := newFlags("dora", args, stdout, stderr)
	cfg.dbFlag(fs)
	ref := fs.String("reference-date", "", "the register's reference date (YYYY-MM-DD)")
	entity := fs.String("entity", "", "LEI of the filing entity (default: the register's only entity)")
	level := fs.String("level", "IND", "IND (the entity alone) or CON (every entity of the register)")
	asJSON := fs.Bool("json", false, "check: print the report as JSON")
	out := fs.String("out", ".", "export: the directory the package is written to")
	force := fs.Bool("force", false, "export: build the package although the check finds errors")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	d := a.svc.Dora
	filer, sc, err := d.Scope(ctx, *entity, dora.Level(*level), *ref)
	if err != nil {
		return err
	}
	report, err := d.Check(ctx, filer, sc)
	if err != nil {
		return err
	}
	if sub == "check" {
		return printDoraCheck(stdout, report, *asJSON)
	}
	if !report.Clean() && !*force {
		return errors.New(report.Summary() + " Run vendorwatch dora check, or pass --force.")
	}
	return writeDoraPackage(ctx, a, *out, filer, sc, report, stdout)
}

func printDoraCheck(w io.Writer, r dora.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		for _, i := range r.Issues {
			fmt.Fprintf(w, "%s %s %-11s %s %s (%s): %s\n", i.Template, i.Column, i.Rule, i.Subject, i.SubjectID, i.Key,
				i.Message)
		}
		if r.Truncated {
			fmt.Fprintf(w, "... only the first %d issues are listed\n", dora.MaxIssues)
		}
		fmt.Fprintln(w, r.Summary())
	}
	if !r.Clean() {
		return errors.New(domain.Count(r.Errors, "error", "errors") + " in the register")
	}
	return nil
}

func writeDoraPackage(ctx context.Context, a *app, dir string, filer dora.Entity, sc dora.Scope, r dora.Report, stdout io.Writer) error {
	tmp, err := os.CreateTemp(dir, ".dora-*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	start := time.Now()
	sum, err := doraroi.Write(ctx, tmp, a.svc.Dora.Source, filer, sc, a.svc.Clock.Now())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	path := filepath.Join(dir, sum.Name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	note := ""
	if !r.Clean() {
		note = " (forced: " + domain.Count(r.Errors, "error", "errors") + " remain)"
	}
	fmt.Fprintf(stdout, "%s: %s, %s in %.1fs%s\n", path, domain.Count(sum.Rows["B_02.01"], "arrangement", "arrangements"),
		domain.Count(sum.Rows["B_05.01"], "provider", "providers"), time.Since(start).Seconds(), note)
	return nil
}
