package repository

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"
)

// The read budget keeps long reads from taking the whole pool.
//
// A compliance scan and an audit workbook each stream several statements
// at once, and a streaming statement holds its connection until its last
// row has been consumed: by the scan's judging and writing, or by the
// workbook's sheet writer. Meanwhile the scan writes its findings, and
// report runs record their progress, on further connections. Taken one
// connection at a time, such readers could fill the pool and then wait for
// each other for good (seen: four workbooks and a scan on a pool of eight
// connections all stood still until their deadline). So an operation
// reserves, all at once and before its first read, every connection its
// reads can hold together, out of a budget smaller than the pool: an
// operation never waits for a connection while it holds one of the
// budget, and the rest of the pool stays free for short statements (API
// requests, the scan's writes), which hold one connection at a time.

// readSlots is the read budget of a pool of maxConns connections: all
// but a quarter of the pool, and at least two connections are left over.
func readSlots(maxConns int) int { return maxConns - max(2, maxConns/4) }

// readBudget is a pool's read budget.
type readBudget struct {
	sem  *semaphore.Weighted
	size int // connections in the budget
	pool int // connections in the pool
}

func newReadBudget(maxConns int) *readBudget {
	n := max(readSlots(maxConns), 1)
	return &readBudget{sem: semaphore.NewWeighted(int64(n)), size: n, pool: maxConns}
}

// reserveReads waits until n connections of the read budget are free and
// reserves them together (waiters are served in order, so a large
// reservation is not starved by small ones). release returns them; it
// may be called more than once. A reservation larger than the whole
// budget is refused: the pool is too small for the operation.
func (db *DB) reserveReads(ctx context.Context, n int) (release func(), err error) {
	if n > db.reads.size {
		return nil, fmt.Errorf("the operation reads on %d connections at once, but a pool of %d allows %d "+
			"(raise VW_DB_MAX_CONNS)", n, db.reads.pool, db.reads.size)
	}
	if err := db.reads.sem.Acquire(ctx, int64(n)); err != nil {
		return nil, fmt.Errorf("wait for %d database connections: %w", n, err)
	}
	var once sync.Once
	return func() { once.Do(func() { db.reads.sem.Release(int64(n)) }) }, nil
}

// ReadSlots reports the read budget's size (for tests and diagnostics).
func (db *DB) ReadSlots() int { return db.reads.size }
