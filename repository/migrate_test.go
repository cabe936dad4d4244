package repository_test

import (
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// latestVersion reads the highest migration version from the file names
// (00001_foundation.sql is version 1) and the Go migrations, and counts
// them.
func latestVersion(t *testing.T, d repository.Dialect) (latest int64, count int) {
	t.Helper()
	files, err := fs.Glob(repository.MigrationFS(d), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		num, _, _ := strings.Cut(filepath.Base(f), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: no version number: %v", f, err)
		}
		latest = max(latest, v)
	}
	if len(files) == 0 {
		t.Fatalf("no migrations embedded for %s", d)
	}
	for _, v := range repository.GoMigrationVersions() {
		latest = max(latest, v)
	}
	return latest, len(files) + len(repository.GoMigrationVersions())
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		for run := range 2 {
			n, err := db.Migrate(t.Context())
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			if n != 0 {
				t.Errorf("run %d on a migrated database applied %d migrations, want 0", run, n)
			}
		}
		current, latest, err := db.MigrationStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := latestVersion(t, db.Dialect())
		if current != latest || latest != want {
			t.Errorf("MigrationStatus = current %d, latest %d; want both %d", current, latest, want)
		}
	})
}

func TestMigrateFromEmptySQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := repository.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "sub", "empty.db"), repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	want, files := latestVersion(t, repository.SQLite)

	current, latest, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if current != 0 || latest != want {
		t.Errorf("before: MigrationStatus = %d, %d; want 0, %d", current, latest, want)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != files {
		t.Errorf("first Migrate applied %d, want %d", n, files)
	}
	if n, err := db.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	if current, latest, err := db.MigrationStatus(ctx); err != nil || current != want || latest != want {
		t.Errorf("after: MigrationStatus = %d, %d, %v; want %d, %d, nil", current, latest, err, want, want)
	}
}
