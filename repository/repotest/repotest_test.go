package repotest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
)

func TestMigrationsHash(t *testing.T) {
	lite, err := migrationsHash(repository.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrationsHash(repository.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	hex12 := regexp.MustCompile(`^[0-9a-f]{12}$`)
	if !hex12.MatchString(lite) || !hex12.MatchString(pg) {
		t.Errorf("hashes %q, %q: want 12 lower-case hex digits", lite, pg)
	}
	if lite == pg {
		t.Errorf("the two dialects' migrations hash alike (%s)", lite)
	}
	again, _ := migrationsHash(repository.Postgres)
	if again != pg {
		t.Errorf("hash is not stable: %s then %s", pg, again)
	}
}

// checkFreshAndIsolated opens two databases of dialect d and checks that
// both are migrated and that a write to one is not seen in the other.
func checkFreshAndIsolated(t *testing.T, d repository.Dialect) {
	t.Helper()
	u1, u2 := URL(t, d), URL(t, d)
	if u1 == u2 {
		t.Fatalf("URL returned %s twice", u1)
	}
	ctx := t.Context()
	var dbs []*repository.DB
	for _, u := range []string{u1, u2} {
		db, err := repository.Open(ctx, u, repository.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if db.Dialect() != d {
			t.Errorf("%s opened as %s, want %s", redact(u), db.Dialect(), d)
		}
		current, latest, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if current == 0 || current != latest {
			t.Errorf("%s: schema version %d of %d, want fully migrated", redact(u), current, latest)
		}
		dbs = append(dbs, db)
	}
	v := register.Vendor{ID: domain.NewID(), Name: "Isolated", Status: register.StatusActive,
		Criticality: register.CriticalityLow, Version: 1}
	v.Risk = register.ComputeInherentRisk(register.RiskInputs{Criticality: v.Criticality})
	if err := repository.NewVendors(dbs[0]).Create(ctx, v); err != nil {
		t.Fatal(err)
	}
	page, err := repository.NewVendors(dbs[1]).List(ctx, register.VendorFilter{}, domain.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("second database sees %d vendors written to the first, want 0", len(page.Items))
	}
}

func TestSQLiteDatabasesAreFreshAndIsolated(t *testing.T) {
	checkFreshAndIsolated(t, repository.SQLite)
}

func TestPostgresDatabasesAreFreshAndIsolated(t *testing.T) {
	checkFreshAndIsolated(t, repository.Postgres)
}

func TestEachRunsBothDialects(t *testing.T) {
	var ran []string
	Each(t, func(t *testing.T, db *repository.DB) {
		ran = append(ran, string(db.Dialect()))
		if got := t.Name(); !strings.HasSuffix(got, "/"+string(db.Dialect())) {
			t.Errorf("subtest %s runs on %s", got, db.Dialect())
		}
	})
	want := "sqlite"
	if os.Getenv(EnvPostgresURL) != "" {
		want = "sqlite,postgres"
	}
	if got := strings.Join(ran, ","); got != want {
		t.Errorf("Each ran %q, want %q", got, want)
	}
}

// cleanupTB records cleanups instead of running them, and pretends the
// test failed when failed is set.
type cleanupTB struct {
	testing.TB
	failed   bool
	cleanups []func()
	logs     []string
}

func (c *cleanupTB) Cleanup(f func())           { c.cleanups = append(c.cleanups, f) }
func (c *cleanupTB) Failed() bool               { return c.failed }
func (c *cleanupTB) Logf(f string, args ...any) { c.logs = append(c.logs, fmt.Sprintf(f, args...)) }
func (c *cleanupTB) runCleanups() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}

func pgAdmin(t *testing.T) *sql.DB {
	t.Helper()
	if os.Getenv(EnvPostgresURL) == "" {
		t.Skipf("needs %s", EnvPostgresURL)
	}
	admin, _, _, err := postgresSetup(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return admin
}

func databaseExists(t *testing.T, admin *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := admin.QueryRowContext(t.Context(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func databaseName(t *testing.T, rawURL string) string {
	t.Helper()
	i := strings.LastIndex(rawURL, "/")
	name, _, _ := strings.Cut(rawURL[i+1:], "?")
	if !strings.HasPrefix(name, "vw_t_") {
		t.Fatalf("database %q of %s: want the prefix vw_t_", name, redact(rawURL))
	}
	return name
}

func TestPostgresDropOnSuccessKeepOnFailure(t *testing.T) {
	admin := pgAdmin(t)
	for _, failed := range []bool{false, true} {
		t.Run(fmt.Sprintf("failed=%v", failed), func(t *testing.T) {
			tb := &cleanupTB{TB: t, failed: failed}
			name := databaseName(t, URL(tb, repository.Postgres))
			if !databaseExists(t, admin, name) {
				t.Fatalf("database %s was not created", name)
			}
			tb.runCleanups()
			if got := databaseExists(t, admin, name); got != failed {
				t.Errorf("after cleanup of a test with failed=%v: database exists = %v, want %v", failed, got, failed)
			}
			if failed {
				if len(tb.logs) == 0 || !strings.Contains(tb.logs[0], name) {
					t.Errorf("kept database not logged; logs: %q", tb.logs)
				}
				if _, err := admin.ExecContext(t.Context(), "DROP DATABASE "+name); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestPostgresIncompleteTemplateIsRebuilt(t *testing.T) {
	admin := pgAdmin(t)
	ctx := t.Context()
	base := pgState.base
	tmpl := "vw_tmpl_test_" + randomHex(4)
	ident := pgx.Identifier{tmpl}.Sanitize()
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = admin.ExecContext(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false")
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+ident); err != nil {
			t.Errorf("drop %s: %v", tmpl, err)
		}
	})

	// What a crash mid-build leaves: a database by the template's name,
	// with part of the schema, not marked as a template.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+ident); err != nil {
		t.Fatal(err)
	}
	half, err := sql.Open("pgx", withDatabase(base, tmpl))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := half.ExecContext(ctx, "CREATE TABLE vendors (id uuid PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	// A connection still open to it, as from a build that hangs on.
	stuck, err := half.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	defer stuck.Close()

	for run := range 2 { // the second run finds it complete
		if err := ensurePostgresTemplate(ctx, admin, base, tmpl); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	var isTemplate, allowConn bool
	if err := admin.QueryRowContext(ctx, "SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1", tmpl).
		Scan(&isTemplate, &allowConn); err != nil {
		t.Fatal(err)
	}
	if !isTemplate || allowConn {
		t.Errorf("rebuilt template: datistemplate %v, datallowconn %v; want true, false", isTemplate, allowConn)
	}

	clone := "vw_t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+clone+" TEMPLATE "+ident); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+clone+" WITH (FORCE)")
	}()
	db, err := repository.Open(ctx, withDatabase(base, clone), repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	current, latest, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if current == 0 || current != latest {
		t.Errorf("clone of the rebuilt template: schema version %d of %d, want fully migrated", current, latest)
	}
}
