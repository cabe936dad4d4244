package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestSeedCommand(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := repotest.URL(t, d)
			var stdout, stderr bytes.Buffer
			if err := run(ctx, []string{"seed", "--vendors", "50", "--db", url}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("seed: %v\nstderr: %s", err, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{"seeded " + string(d), "vendors                    50", "providers                   1",
				"vendor_dependencies", "attestations", "obligations", "total"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(stderr.String(), "seeding:") {
				t.Errorf("progress printed to a non-terminal: %s", stderr.String())
			}

			// The audit log verifies: the seed's one audit event (one batch)
			// waits for the sealer of a server, and is reported as unsealed.
			stdout.Reset()
			pub := repotest.AuditKeys(t).Public
			if err := run(ctx, []string{"audit", "verify", "--db", url, "--public-key", pub}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("audit verify: %v\n%s", err, stdout.String())
			}
			if !strings.Contains(stdout.String(), "0 sealed events") || !strings.Contains(stdout.String(), "1 event is not sealed yet") {
				t.Errorf("audit verify after the seed: %s", stdout.String())
			}

			// A second seed is refused.
			err := run(ctx, []string{"seed", "--vendors", "50", "--db", url}, noEnv, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "already has vendors") {
				t.Errorf("second seed: %v", err)
			}
			db, err := repository.Open(ctx, url, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			// 50 vendors and the pool's one provider (one per 250 vendors, at
			// least one).
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM vendors").Scan(&n); err != nil || n != 51 {
				t.Errorf("vendor rows: %d, %v", n, err)
			}
		})
	}
}

// A new SQLite file, migrated by the same process just before (as
// `vendorwatch seed` with no database does): the migrations have used the
// connection's temporary storage, which SQLite then refuses to reconfigure
// inside a transaction.
func TestSeedCommandNewSQLiteFile(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "new.db")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"seed", "--vendors", "20", "--db", url}, noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("seed on a new file: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "vendors                    20") {
		t.Errorf("output: %s", stdout.String())
	}
}

func TestSeedCommandFlags(t *testing.T) {
	url := repotest.URL(t, repository.SQLite)
	for _, args := range [][]string{
		{"seed", "--db", url},
		{"seed", "--vendors", "0", "--db", url},
		{"seed", "--vendors", "1000001", "--db", url},
		{"seed", "--vendors", "5", "--as-of", "yesterday", "--db", url},
		{"seed", "--vendors", "5", "--db", url, "extra"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, noEnv, &stdout, &stderr); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
