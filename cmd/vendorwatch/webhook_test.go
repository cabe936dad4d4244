package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// webhook rotate-key seals the stored secrets with a new key kept in
// VW_WEBHOOK_KEY_FILE, and the secrets still open with it alone.
func TestWebhookRotateKeyCommand(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "webhook.key")
	db := "sqlite:" + filepath.Join(dir, "vw.db")
	getenv := oneVar("VW_WEBHOOK_KEY_FILE", keyFile)
	cfg, err := loadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = db
	ctx := domain.WithActor(context.Background(), domain.Actor{ID: "test", Name: "test", Role: domain.RoleAdmin})
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), true)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := a.svc.Webhooks.Create(ctx, webhook.NewWebhook{URL: "https://hooks.example.com/x", Events: []string{domain.EventFindingOpened}})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	before, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("the key file was not created: %v", err)
	}

	var out, errs syncBuffer
	if err := run(ctx, []string{"webhook", "rotate-key", "--db", db}, getenv, &out, &errs); err != nil {
		t.Fatalf("rotate-key: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "sealed 1 webhook secret with") {
		t.Errorf("output: %s", out.String())
	}
	after, _ := os.ReadFile(keyFile)
	if old, _ := os.ReadFile(keyFile + ".old"); string(after) == string(before) || string(old) != string(before) {
		t.Error("the key file was not replaced, or the old key not kept as .old")
	}
	// The new key alone opens the secret.
	if err := os.Remove(keyFile + ".old"); err != nil {
		t.Fatal(err)
	}
	a, err = openApp(ctx, cfg, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n, first, err := a.db.CheckWebhookKeys(ctx); err != nil || n != 0 {
		t.Errorf("after rotation %d secrets do not open (%s, %v); webhook %s", n, first, err, w.ID)
	}
}
