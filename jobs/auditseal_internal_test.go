package jobs

import (
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// The sealer's run ends by the end of its slot, so the next slot's tick
// finds it finished (a tick that finds it running would be skipped, and
// nothing sealed for a slot).
func TestSealUntilEndsWithinItsSlot(t *testing.T) {
	db := repotest.Open(t, repository.SQLite)
	sealer := repotest.Sealer(db, repotest.AuditKeys(t))
	start := time.Now()
	end := start.Add(590 * time.Millisecond) // ticks at 100 ms, ..., 500 ms; the next would be past it
	counts, err := sealUntil(t.Context(), sealer, 100*time.Millisecond, end, make(chan struct{}))
	if err != nil {
		t.Fatal(err)
	}
	if done := time.Now(); !done.Before(end) {
		t.Errorf("the run ended %s after its end, not after its last round that fits", done.Sub(end))
	}
	if counts["sealed"] != 0 || counts["checkpoints"] != 0 {
		t.Errorf("counts %v, want nothing sealed on an empty trail", counts)
	}
}
