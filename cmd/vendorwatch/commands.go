package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdMigrate(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
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
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: vendorwatch apikey create --name NAME --role ROLE [--expires-in DURATION] [--db URL]`)
	}
	fs := newFlags("apikey create", stderr)
	cfg.dbFlag(fs)
	name := fs.String("name", "", "a name that says who or what uses the key (required)")
	role := fs.String("role", "", "admin, vendor_manager, legal, executive or auditor (required)")
	expiresIn := fs.Duration("expires-in", 0, "expire the key after this long, e.g. 720h (default: never)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	in := domain.NewKey{Name: *name, Role: domain.Role(*role)}
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
