package repository_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// rowText is every column of a webhook row as text.
func rowText(t *testing.T, db *repository.DB, id string) string {
	t.Helper()
	rows, err := db.SQL().Query("SELECT * FROM webhooks WHERE id = '" + id + "'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("no webhook %s", id)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, c := range cols {
		b.WriteString(c + "=" + vals[i].String + " ")
	}
	return b.String()
}

// claimSecret queues a delivery for webhook id and returns the secret the
// dispatcher would sign it with.
func claimSecret(t *testing.T, ctx context.Context, store *repository.Webhooks, id string, at time.Time) string {
	t.Helper()
	ev := domain.NewID()
	if err := store.Enqueue(ctx, []webhook.WebhookDelivery{{ID: domain.NewID(), WebhookID: id, EventID: ev, EventType: domain.EventFindingOpened,
		Payload: []byte(`{}`), NextAttemptAt: at, CreatedAt: at}}); err != nil {
		t.Fatal(err)
	}
	ds, err := store.ClaimDue(ctx, at, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.EventID == ev {
			return d.Secret
		}
	}
	return ""
}

// A secret stored in clear before sealing is sealed by the migration;
// stored secrets never appear in clear; rotation seals them with a new
// key; a sealed secret copied to another row does not open.
func TestWebhookSecretsSealedAtRest(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			keyFile := filepath.Join(t.TempDir(), "keys", "webhook.key")
			u := repotest.URL(t, d)
			db, err := repository.Open(ctx, u, repository.Options{Secrets: repository.FileSecretKeys(keyFile)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.MigrateDownTo(ctx, 16); err != nil {
				t.Fatal(err)
			}
			const clear = "whsec_stored_in_clear_0123456789"
			id := domain.NewID()
			now := time.Now().UTC().Truncate(time.Second)
			if _, err := db.SQL().Exec(db.SQLBind("INSERT INTO webhooks (id, url, secret, events, description, created_by, created_at) VALUES (?, ?, ?, ?, '', 'test', ?)"),
				id, "https://hooks.example.com/in", clear, `["finding.opened"]`, now); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("key file made before it was needed: %v", err)
			}
			if n, err := db.Migrate(ctx); err != nil || n < 2 { // 17 and 18, and any later migration
				t.Fatalf("Migrate = %d, %v; want at least 2", n, err)
			}
			if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v, %v; want mode 0600", st, err)
			}
			row := rowText(t, db, id)
			if strings.Contains(row, clear) || strings.Contains(row, " secret=") || !strings.Contains(row, "sealed_secret=v1.") {
				t.Errorf("webhook row after the migration: %s", row)
			}
			store := repository.NewWebhooks(db)
			w, err := store.Get(ctx, id)
			if err != nil || w.SecretHint != "whsec_…6789" || w.Secret != "" {
				t.Errorf("Get = %+v, %v", w, err)
			}
			if got := claimSecret(t, ctx, store, id, now); got != clear {
				t.Errorf("dispatcher secret %q, want the original", got)
			}

			// A new webhook's secret is sealed too.
			other := webhook.Webhook{ID: domain.NewID(), URL: "https://hooks.example.com/b", Secret: "whsec_another_secret_abcdefghij",
				Events: []string{domain.EventFindingOpened}, CreatedBy: "test", CreatedAt: now}
			if err := store.Create(ctx, other); err != nil {
				t.Fatal(err)
			}
			if row := rowText(t, db, other.ID); strings.Contains(row, other.Secret) {
				t.Errorf("new webhook stored in clear: %s", row)
			}

			// Rotation: new key file, old kept aside, secrets still open.
			before, _ := os.ReadFile(keyFile)
			r, err := db.RotateWebhookKey(ctx)
			if err != nil || r.Resealed != 2 || r.NewKeyID == r.OldKeyID {
				t.Fatalf("RotateWebhookKey = %+v, %v", r, err)
			}
			after, _ := os.ReadFile(keyFile)
			if old, _ := os.ReadFile(keyFile + ".old"); string(old) != string(before) || string(after) == string(before) {
				t.Errorf("key files after rotation: old %q, current %q (was %q)", old, after, before)
			}
			if row := rowText(t, db, id); !strings.Contains(row, "sealed_secret=v1."+r.NewKeyID+".") {
				t.Errorf("not sealed with the new key %s: %s", r.NewKeyID, row)
			}
			// Another process that holds only the new key opens them.
			db2, err := repository.Open(ctx, u, repository.Options{Secrets: repository.FileSecretKeys(keyFile)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db2.Close() })
			if got := claimSecret(t, ctx, repository.NewWebhooks(db2), id, now.Add(time.Hour)); got != clear {
				t.Errorf("after rotation the secret is %q", got)
			}

			// A sealed secret moved to another row does not open there.
			if _, err := db.SQL().Exec(db.SQLBind("UPDATE webhooks SET sealed_secret = (SELECT sealed_secret FROM webhooks WHERE id = ?) WHERE id = ?"), id, other.ID); err != nil {
				t.Fatal(err)
			}
			if got := claimSecret(t, ctx, store, other.ID, now.Add(2*time.Hour)); got != "" {
				t.Errorf("a secret moved between rows opened: %q", got)
			}
			if n, _, err := db.CheckWebhookKeys(ctx); err != nil || n != 1 {
				t.Errorf("CheckWebhookKeys = %d, %v; want 1 unreadable", n, err)
			}
		})
	}
}
