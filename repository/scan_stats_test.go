package repository_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// SQLite plans the scan's queries badly without statistics, and nothing
// else gathers them: a scan's start does.
func TestScanGathersSQLiteStatistics(t *testing.T) {
	ctx := context.Background()
	db := repotest.Open(t, repository.SQLite)
	stats := func() int {
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if stats() != 0 {
		t.Skip("the template database already has statistics")
	}
	f := repository.NewFindings(db)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := f.BeginRun(ctx, "01a20a1b-0000-7000-8000-000000000001", now, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if stats() != 1 {
		t.Error("BeginRun on SQLite left the database without sqlite_stat1")
	}
}
