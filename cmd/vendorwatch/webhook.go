package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// cmdWebhook runs "webhook rotate-key": every webhook secret is sealed
// again with a new key, in one transaction.
func cmdWebhook(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("webhook", args, stdout, stderr)
	cfg.dbFlag(fs)
	if err := subcommand(fs, args, "rotate-key"); err != nil {
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
	r, err := a.db.RotateWebhookKey(ctx)
	if err != nil {
		return fmt.Errorf("rotate the webhook key: %w", err)
	}
	fmt.Fprintf(stdout, "sealed %s with key %s (in %s); the replaced key %s is in %s\n",
		domain.Count(r.Resealed, "webhook secret", "webhook secrets"), r.NewKeyID, r.KeyFile, r.OldKeyID, r.OldKeyFile)
	fmt.Fprintln(stdout, "replicas that share the key file read the new key by themselves; copy it to any that do not, then delete the old key file")
	return nil
}
