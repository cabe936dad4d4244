package repository_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestReadBudget: a scan and an audit workbook each reserve, all at once,
// the connections they read on, out of a budget of all but a quarter of
// the pool (at least two left over); a reservation waits while the budget
// is taken and is served when it is released; one larger than the budget
// is refused at once.
func TestReadBudget(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			db, err := repository.Open(ctx, repotest.URL(t, d), repository.Options{MaxOpenConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = db.Close() }()
			if db.ReadSlots() != 6 {
				t.Fatalf("read budget of a pool of 8: %d, want 6", db.ReadSlots())
			}
			src, scan := repository.NewReportSource(db), repository.NewFindings(db)
			release, err := src.ReserveReads(ctx, 3) // the Vendors sheet reads on four
			if err != nil {
				t.Fatal(err)
			}
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if _, err := scan.ReserveReads(short, 3); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("a scan reserved while a workbook held the budget: %v", err)
			}
			got := make(chan error, 1)
			go func() {
				r, err := scan.ReserveReads(ctx, 3)
				if err == nil {
					r()
				}
				got <- err
			}()
			time.Sleep(50 * time.Millisecond)
			release()
			release() // a second call returns nothing more
			select {
			case err := <-got:
				if err != nil {
					t.Fatalf("the waiting scan: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the waiting scan was not served after the release")
			}
			if _, err := src.ReserveReads(ctx, 4); err == nil || !strings.Contains(err.Error(), "VW_DB_MAX_CONNS") {
				t.Errorf("a reservation of 7 from a budget of 6: %v", err)
			}
			// Both released: the budget is whole again.
			r1, err := src.ReserveReads(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			r1()
		})
	}
}
