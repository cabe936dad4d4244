package auditlog

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Head is the log's state in the database: the size and root of the tree
// and the signed checkpoint of them. A database writer can change it; what
// it says is only believed as far as it matches the recomputed tree and
// the checkpoints kept elsewhere.
type Head struct {
	Size     int64
	Root     tlog.Hash
	Note     string // the signed checkpoint of Size and Root; "" before the first seal
	SealedAt time.Time
}

// Queued is a committed event waiting to be sealed: its number and leaf
// hash (LeafHash).
type Queued struct {
	Seq  int64
	Hash tlog.Hash
}

// IndexedHash is a stored tree hash at its tlog storage index.
type IndexedHash struct {
	Index int64
	Hash  tlog.Hash
}

// Store keeps the log: the leaf index of each sealed event, the tree's
// stored hashes (tlog storage order) and the head.
type Store interface {
	// LockHead returns the head; inside a transaction it holds the head's
	// row lock until the transaction ends, so sealers take turns.
	LockHead(ctx context.Context) (Head, error)
	// Head returns the head without locking it.
	Head(ctx context.Context) (Head, error)
	// Unsealed returns up to limit committed events that have no leaf
	// index yet, in sequence order.
	Unsealed(ctx context.Context, limit int) ([]Queued, error)
	// Seal gives the events numbered seqs the leaf indexes first,
	// first+1, ..., stores hashes at the storage indexes from
	// tlog.StoredHashCount(first) on, and writes head. It runs in the
	// transaction of LockHead.
	Seal(ctx context.Context, seqs []int64, first int64, hashes []tlog.Hash, head Head) error
	// ReadHashes returns the stored hashes at indexes, in that order. It
	// fails when one is missing.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// Sealed returns up to limit sealed events with leaf index from on,
	// in leaf order.
	Sealed(ctx context.Context, from int64, limit int) ([]domain.AuditEvent, error)
	// Hashes returns the stored hashes with storage index in [lo, hi), in
	// index order.
	Hashes(ctx context.Context, lo, hi int64) ([]IndexedHash, error)
	// Pending counts the committed events not sealed yet and returns the
	// time of the oldest.
	Pending(ctx context.Context) (count int64, oldest time.Time, err error)
	// Event returns one event by id. Returns domain.ErrNotFound.
	Event(ctx context.Context, id string) (domain.AuditEvent, error)
}

// hashReader reads stored hashes from the store, as tlog needs them.
func hashReader(ctx context.Context, st Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return st.ReadHashes(ctx, indexes)
	})
}

// hashCache is a tlog.HashReader over the store that remembers what it
// read and the hashes being added, so appending many leaves in one round
// reads each stored hash once.
type hashCache struct {
	ctx context.Context
	st  Store
	m   map[int64]tlog.Hash
}

func newHashCache(ctx context.Context, st Store) *hashCache {
	return &hashCache{ctx: ctx, st: st, m: map[int64]tlog.Hash{}}
}

// add records hashes stored from index first on.
func (c *hashCache) add(first int64, hs []tlog.Hash) {
	for i, h := range hs {
		c.m[first+int64(i)] = h
	}
}

// ReadHashes implements tlog.HashReader.
func (c *hashCache) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	var miss []int64
	for _, i := range indexes {
		if _, ok := c.m[i]; !ok {
			miss = append(miss, i)
		}
	}
	if len(miss) > 0 {
		hs, err := c.st.ReadHashes(c.ctx, miss)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(miss) {
			return nil, fmt.Errorf("read %s, got %d", domain.Count(len(miss), "stored hash", "stored hashes"), len(hs))
		}
		for k, i := range miss {
			c.m[i] = hs[k]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for k, i := range indexes {
		out[k] = c.m[i]
	}
	return out, nil
}
