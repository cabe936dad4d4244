package repository_test

import (
	"context"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// PostgreSQL sessions run without JIT compilation unless the URL asks for
// it.
func TestPostgresJITOff(t *testing.T) {
	for raw, want := range map[string]string{
		"postgres://u:p%40ss@db:5432/vw?sslmode=disable": "postgres://u:p%40ss@db:5432/vw?sslmode=disable&jit=off",
		"postgres://db/vw?jit=on":                        "postgres://db/vw?jit=on",
		"postgres://h1:5432,h2:5432/vw":                  "postgres://h1:5432,h2:5432/vw?jit=off",
	} {
		_, dsn, err := repository.ParseURL(raw)
		if err != nil || dsn != want {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", raw, dsn, err, want)
		}
	}
	db := repotest.Open(t, repository.Postgres)
	var jit string
	if err := db.SQL().QueryRowContext(context.Background(), "SHOW jit").Scan(&jit); err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Errorf("jit = %s in a session, want off", jit)
	}
}
