// Package repotest gives tests real, migrated, throwaway databases: a
// fresh SQLite file per test always, and a fresh PostgreSQL database per
// test when VW_TEST_POSTGRES_URL is set. It never mocks the database.
//
// SQLite databases are copies of a template file migrated once per
// migration set (cached in the OS temp directory under a name derived from
// the migration files). PostgreSQL databases are cloned with CREATE
// DATABASE ... TEMPLATE from a template database, vw_tmpl_<hash of the
// migration files>, migrated once per migration set and shared by every
// test process and run. Templates of older migration sets stay on the
// server until removed by hand:
//
//	ALTER DATABASE vw_tmpl_... WITH IS_TEMPLATE false; DROP DATABASE vw_tmpl_...;
//
// A PostgreSQL test database (vw_t_...) is dropped when its test passes and
// kept, with its URL logged, when it fails.
package repotest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/vendorwatch/vendorwatch/repository"
)

// EnvPostgresURL names the environment variable that enables the
// PostgreSQL tests. Its value is the URL of an existing database on a
// server where the role may CREATE DATABASE, for example
// postgres://postgres@127.0.0.1:5432/vw_ci?sslmode=disable.
const EnvPostgresURL = "VW_TEST_POSTGRES_URL"

// templateLockKey is hashed into the advisory lock that serialises
// template builds across test processes (go test runs packages in
// parallel processes).
const templateLockKey = "vendorwatch-test-template"

// recipe is part of every template name: bump it when the way templates
// are built changes, so stale templates are not reused.
const recipe = "1"

// Target names one database a test can run against.
type Target struct {
	// Name is the dialect: "sqlite" or "postgres".
	Name string
	// URL is a fresh, migrated database in the form repository.Open takes.
	URL string
}

// Dialects returns the dialects available to tests: SQLite always, and
// PostgreSQL when VW_TEST_POSTGRES_URL is set.
func Dialects() []repository.Dialect {
	if os.Getenv(EnvPostgresURL) == "" {
		return []repository.Dialect{repository.SQLite}
	}
	return []repository.Dialect{repository.SQLite, repository.Postgres}
}

// Targets returns one fresh, migrated database URL per available dialect
// (see Dialects). The databases are removed in tb.Cleanup.
func Targets(tb testing.TB) []Target {
	tb.Helper()
	var out []Target
	for _, d := range Dialects() {
		out = append(out, Target{Name: string(d), URL: URL(tb, d)})
	}
	return out
}

// Each runs fn as the subtest "sqlite" and as the subtest "postgres", each
// with its own fresh, migrated database. The postgres subtest is skipped
// (visibly) when VW_TEST_POSTGRES_URL is unset, and fails when it is set
// but the server cannot be used.
func Each(t *testing.T, fn func(t *testing.T, db *repository.DB)) {
	t.Helper()
	for _, d := range []repository.Dialect{repository.SQLite, repository.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of the given dialect. It is
// closed (and, for PostgreSQL, dropped unless the test failed) in
// t.Cleanup. For PostgreSQL it skips the test when VW_TEST_POSTGRES_URL is
// unset.
func Open(t testing.TB, dialect repository.Dialect) *repository.DB {
	t.Helper()
	u := URL(t, dialect)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := repository.Open(ctx, u, repository.Options{})
	if err != nil {
		t.Fatalf("repotest: open %s: %v", redact(u), err)
	}
	// Registered after URL's cleanup, so it runs first: the pool is
	// closed before the database is dropped or its directory removed.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("repotest: close %s: %v", redact(u), err)
		}
	})
	return db
}

// URL creates a fresh, migrated database of the given dialect and returns
// its URL without opening it, for code under test that opens the database
// itself. The database is removed in t.Cleanup (a PostgreSQL database is
// kept, and its URL logged, when the test failed). Callers must close
// their connections before the test ends. For PostgreSQL it skips the test
// when VW_TEST_POSTGRES_URL is unset.
func URL(t testing.TB, dialect repository.Dialect) string {
	t.Helper()
	switch dialect {
	case repository.SQLite:
		return sqliteURL(t)
	case repository.Postgres:
		return postgresURL(t)
	}
	t.Fatalf("repotest: unknown dialect %q", dialect)
	return ""
}

// migrationsHash returns the first 12 hex digits of a SHA-256 over the
// names and contents of a dialect's migration files, and the recipe.
func migrationsHash(d repository.Dialect) (string, error) {
	fsys := repository.MigrationFS(d)
	var names []string
	err := fs.WalkDir(fsys, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			names = append(names, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "recipe %s\n", recipe)
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return raw
	}
	return u.Redacted()
}

// ---- SQLite ----

var sqliteTmpl struct {
	once sync.Once
	path string
	err  error
}

func sqliteURL(t testing.TB) string {
	t.Helper()
	sqliteTmpl.once.Do(func() { sqliteTmpl.path, sqliteTmpl.err = buildSQLiteTemplate() })
	if sqliteTmpl.err != nil {
		t.Fatalf("repotest: sqlite template: %v", sqliteTmpl.err)
	}
	path := filepath.Join(t.TempDir(), "vendorwatch.db")
	if err := copyFile(sqliteTmpl.path, path); err != nil {
		t.Fatalf("repotest: copy sqlite template: %v", err)
	}
	return "sqlite:" + path
}

// buildSQLiteTemplate returns the path of a migrated SQLite file for the
// current migrations. The file is cached in the OS temp directory and
// shared by test processes and runs; it is built under a unique name and
// renamed into place only when complete, so a crash mid-build leaves
// nothing that a later run would reuse.
func buildSQLiteTemplate() (string, error) {
	sum, err := migrationsHash(repository.SQLite)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("vendorwatch-repotest-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(dir, "vw_tmpl_"+sum+".db")
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	removeStaleBuilds(dir)
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, "tmpl.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := repository.Open(ctx, "sqlite:"+tmp, repository.Options{})
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx)
	if err == nil {
		// Move everything from the WAL into the main file, so the file
		// alone is the whole database.
		_, err = db.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(tmp + "-wal"); err == nil && fi.Size() > 0 {
		return "", fmt.Errorf("sqlite template %s still has a write-ahead log after close", tmp)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	return final, nil
}

// removeStaleBuilds removes build directories that a crashed process left
// behind (an hour is far longer than any build takes).
func removeStaleBuilds(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, "build-*"))
	for _, d := range stale {
		if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Hour {
			_ = os.RemoveAll(d)
		}
	}
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = io.Copy(out, in)
	return err
}

// ---- PostgreSQL ----

var pgState struct {
	mu    sync.Mutex
	admin *sql.DB // pool on VW_TEST_POSTGRES_URL, kept for the process
	base  *url.URL
	tmpl  string // name of the complete template database
}

// postgresSetup connects to the admin database and makes sure the
// template exists, once per process. A failure is not cached, so each
// test reports it.
func postgresSetup(ctx context.Context) (*sql.DB, *url.URL, string, error) {
	pgState.mu.Lock()
	defer pgState.mu.Unlock()
	if pgState.tmpl != "" {
		return pgState.admin, pgState.base, pgState.tmpl, nil
	}
	raw := os.Getenv(EnvPostgresURL)
	base, err := url.Parse(raw)
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") || base.Host == "" {
		return nil, nil, "", fmt.Errorf("%s must be a postgres:// URL, got %q", EnvPostgresURL, redact(raw))
	}
	if pgState.admin == nil {
		admin, err := sql.Open("pgx", raw)
		if err != nil {
			return nil, nil, "", err
		}
		admin.SetMaxOpenConns(4)
		admin.SetConnMaxIdleTime(30 * time.Second)
		pgState.admin = admin
	}
	if err := pgState.admin.PingContext(ctx); err != nil {
		return nil, nil, "", fmt.Errorf("connect to %s: %w", base.Redacted(), err)
	}
	sum, err := migrationsHash(repository.Postgres)
	if err != nil {
		return nil, nil, "", err
	}
	tmpl := "vw_tmpl_" + sum
	if err := ensurePostgresTemplate(ctx, pgState.admin, base, tmpl); err != nil {
		return nil, nil, "", fmt.Errorf("template %s: %w", tmpl, err)
	}
	pgState.base, pgState.tmpl = base, tmpl
	return pgState.admin, base, tmpl, nil
}

// ensurePostgresTemplate creates and migrates the template database tmpl
// unless a complete one exists. Complete means datistemplate is true,
// which is set only after migrating and closing every connection; an
// incomplete leftover (a crash mid-build) is dropped and rebuilt. The
// advisory lock makes concurrent test processes take turns.
func ensurePostgresTemplate(ctx context.Context, admin *sql.DB, base *url.URL, tmpl string) (err error) {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", templateLockKey); err != nil {
		return fmt.Errorf("take template lock: %w", err)
	}
	defer func() {
		// A fresh context: unlock even when ctx has expired. Closing the
		// session would release the lock too, but the conn returns to
		// the pool.
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, uerr := conn.ExecContext(uctx, "SELECT pg_advisory_unlock(hashtext($1))", templateLockKey); uerr != nil {
			// Discard the session, so the lock cannot stay held in the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = fmt.Errorf("release template lock: %w", uerr)
			}
		}
	}()

	ident := pgx.Identifier{tmpl}.Sanitize()
	var isTemplate bool
	switch err := conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", tmpl).Scan(&isTemplate); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case isTemplate:
		return nil
	default:
		// A half-built leftover.
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop incomplete template: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	db, err := repository.Open(ctx, withDatabase(base, tmpl), repository.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	_, err = db.Migrate(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// No connection may be open to a template while it is cloned; refusing
	// connections keeps it that way.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+ident+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true"); err != nil {
		return err
	}
	return nil
}

func withDatabase(base *url.URL, name string) string {
	u := *base
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

func postgresURL(t testing.TB) string {
	t.Helper()
	if os.Getenv(EnvPostgresURL) == "" {
		t.Skipf("PostgreSQL tests need %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", EnvPostgresURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, base, tmpl, err := postgresSetup(ctx)
	if err != nil {
		t.Fatalf("repotest: postgres: %v", err)
	}
	name := "vw_t_" + randomHex(8)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		t.Fatalf("repotest: create database %s from %s: %v", name, tmpl, err)
	}
	dbURL := withDatabase(base, name)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("repotest: kept database of failed test: %s", redact(dbURL))
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a connection the code under test forgot to close must
		// not leave the database behind.
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("repotest: drop database %s: %v", name, err)
		}
	})
	return dbURL
}
