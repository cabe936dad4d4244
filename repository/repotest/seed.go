package repotest

import (
	"context"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
)

// Seed fills the empty db with the seeded portfolio of vendors vendors
// and seed seed (seedgen.Seed), checking that progress is reported once per
// batch, in order.
func Seed(t *testing.T, db *repository.DB, vendors int, seed int64) seedgen.Counts {
	t.Helper()
	return SeedOptions(t, db, seedgen.Options{Vendors: vendors, Seed: seed})
}

// SeedOptions is Seed with every option of seedgen.Seed (the pool of
// providers among them).
func SeedOptions(t *testing.T, db *repository.DB, opt seedgen.Options) seedgen.Counts {
	t.Helper()
	var calls, last int
	vendors := opt.Vendors
	counts, err := seedgen.Seed(context.Background(), db, opt,
		func(done, total int) {
			calls++
			if done <= last || total != vendors {
				t.Errorf("progress(%d, %d) after %d", done, total, last)
			}
			last = done
		})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if last != vendors || calls != (vendors+999)/1000 {
		t.Errorf("progress ended at %d after %d calls", last, calls)
	}
	return counts
}
