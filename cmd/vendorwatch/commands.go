package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// newFlags returns the flag set of command name, whose usage is the
// command's help: on stdout when args ask for it (Parse then returns
// flag.ErrHelp, which run turns into success), on stderr after a bad flag.
func newFlags(name string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if helpRequested(args) {
		fs.SetOutput(stdout)
	}
	fs.Usage = func() {
		w := fs.Output()
		for _, c := range commands {
			if c.name == name {
				fmt.Fprintf(w, "usage: vendorwatch %s\n\n%s.\n\nflags:\n", c.synopsis, c.summary)
			}
		}
		fs.PrintDefaults()
	}
	return fs
}

// subcommand checks that args start with the one subcommand of a command
// (apikey create, audit verify). Without it, help prints the command's
// help (returning flag.ErrHelp), anything else is an error.
func subcommand(fs *flag.FlagSet, args []string, sub string) error {
	switch {
	case len(args) > 0 && args[0] == sub:
		return nil
	case helpRequested(args):
		fs.Usage()
		return flag.ErrHelp
	}
	return fmt.Errorf("usage: vendorwatch %s %s ... (vendorwatch %s --help explains)", fs.Name(), sub, fs.Name())
}

func cmdMigrate(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", args, stdout, stderr)
	cfg.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	cur, latest, err := a.db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s schema at version %d (latest %d)\n", a.db.Dialect(), cur, latest)
	return nil
}

func cmdAPIKey(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("apikey", args, stdout, stderr)
	cfg.dbFlag(fs)
	name := fs.String("name", "", "a name that says who or what uses the key (required)")
	role := fs.String("role", "", "admin, vendor_manager, legal, executive or auditor (required)")
	expiresIn := fs.Duration("expires-in", 0, "expire the key after this long, e.g. 720h (default: never)")
	if err := subcommand(fs, args, "create"); err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	in := access.NewKey{Name: *name, Role: domain.Role(*role)}
	if *expiresIn > 0 {
		t := time.Now().UTC().Add(*expiresIn)
		in.ExpiresAt = &t
	}
	ctx = domain.WithActor(ctx, domain.Actor{ID: "cli", Name: "command line", Role: domain.RoleAdmin})
	k, plaintext, err := a.svc.Keys.Create(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s key %q (id %s); it is shown only once:\n%s\n", k.Role, k.Name, k.ID, plaintext)
	return nil
}
