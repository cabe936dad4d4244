package auditlog

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Given is a checkpoint to verify the log against, with where it came
// from (for the report).
type Given struct {
	Source string // e.g. "checkpoints.jsonl:12"
	Note   string // the signed checkpoint
}

// CheckpointResult is the verdict on one given checkpoint.
type CheckpointResult struct {
	Source string
	Size   int64
	Err    error // nil: the log extends it
}

// Report is what Verify found.
type Report struct {
	// Leaves is how many sealed events were recomputed, in leaf order
	// without a gap; Root is the root of their tree.
	Leaves int64
	Root   tlog.Hash
	// Head is the log's head as the database states it.
	Head Head
	// Unsealed events are committed but not sealed yet: no checkpoint
	// covers them. OldestUnsealed is when the oldest was written.
	Unsealed       int64
	OldestUnsealed time.Time
	// Checkpoints are the verdicts on the given checkpoints, in the order
	// given.
	Checkpoints []CheckpointResult
	// Problems found in the database itself; empty when it is
	// consistent.
	Problems []string
}

// Intact reports whether nothing failed.
func (r Report) Intact() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, c := range r.Checkpoints {
		if c.Err != nil {
			return false
		}
	}
	return true
}

// verifyBatch is how many sealed events Verify reads at a time.
const verifyBatch = 2000

// Verify recomputes the log from the stored events and checks it: every
// sealed event must hash to its leaf and the leaves must be contiguous,
// the stored tree hashes and the head must match the recomputed tree and
// the head's checkpoint must be signed by v, and for every given
// checkpoint the log must extend it (the first Size leaves hash to its
// root, and a consistency proof from the stored tree to the recomputed
// root checks). Memory stays O(log n): the tree is recomputed as a
// frontier of complete subtrees while the events stream.
func Verify(ctx context.Context, st Store, v note.Verifier, given []Given) (Report, error) {
	var rep Report
	type want struct {
		i int
		c Checkpoint
	}
	var wants []want
	for i, g := range given {
		s, err := Open(g.Note, v)
		rep.Checkpoints = append(rep.Checkpoints, CheckpointResult{Source: g.Source, Size: s.Size, Err: err})
		if err == nil {
			wants = append(wants, want{i, s.Checkpoint})
		}
	}
	slices.SortStableFunc(wants, func(a, b want) int { return cmp.Compare(a.c.Size, b.c.Size) })
	roots := map[int64]tlog.Hash{} // recomputed root at each wanted size
	var tree frontier
	wi := 0
	rootsAtSize := func() {
		for ; wi < len(wants) && wants[wi].c.Size == tree.n; wi++ {
			roots[tree.n] = tree.root()
		}
	}
	hashesOK := true
	for gap := false; !gap; {
		events, err := st.Sealed(ctx, tree.n, verifyBatch)
		if err != nil {
			return rep, fmt.Errorf("read sealed events: %w", err)
		}
		if len(events) == 0 {
			break
		}
		first, lo := tree.n, tlog.StoredHashCount(tree.n)
		var computed []tlog.Hash
		for _, e := range events {
			if *e.Leaf != tree.n {
				rep.Problems = append(rep.Problems, fmt.Sprintf("leaf %d is missing (the next sealed event, seq %d, has leaf %d): sealed events were deleted",
					tree.n, e.Seq, *e.Leaf))
				gap = true
				break
			}
			rootsAtSize()
			computed = append(computed, tree.append(LeafHash(e))...)
		}
		if hashesOK {
			stored, err := st.Hashes(ctx, lo, lo+int64(len(computed)))
			if err != nil {
				return rep, fmt.Errorf("read stored tree hashes: %w", err)
			}
			if p := compareHashes(lo, computed, stored, events, first); p != "" {
				rep.Problems = append(rep.Problems, p)
				hashesOK = false // the first difference is the one that matters
			}
		}
	}
	rootsAtSize()
	rep.Leaves, rep.Root = tree.n, tree.root()

	for _, w := range wants {
		res := &rep.Checkpoints[w.i]
		switch {
		case w.c.Size > rep.Leaves:
			res.Err = fmt.Errorf("%w: it covers %s but the log holds %d in order: events were removed from the end or the log was rolled back",
				ErrNotExtended, domain.Count(w.c.Size, "event", "events"), rep.Leaves)
		case roots[w.c.Size] != w.c.Root:
			res.Err = fmt.Errorf("%w: the first %s do not hash to its root: events among them were edited, deleted, reordered or replaced",
				ErrNotExtended, domain.Count(w.c.Size, "stored event", "stored events"))
		default:
			res.Err = Extends(ctx, st, Checkpoint{Size: rep.Leaves, Root: rep.Root}, w.c)
		}
	}

	head, err := st.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("read the audit log head: %w", err)
	}
	rep.Head = head
	rep.Problems = append(rep.Problems, checkHeadAgainst(head, rep.Leaves, rep.Root, v)...)
	if rep.Unsealed, rep.OldestUnsealed, err = st.Pending(ctx); err != nil {
		return rep, fmt.Errorf("count unsealed events: %w", err)
	}
	return rep, nil
}

// checkHeadAgainst compares the head with the recomputed tree.
func checkHeadAgainst(head Head, leaves int64, root tlog.Hash, v note.Verifier) []string {
	var out []string
	switch {
	case head.Size != leaves:
		out = append(out, fmt.Sprintf("the head records %s but %s in leaf order", domain.Count(head.Size, "sealed event", "sealed events"), domain.Count(leaves, "is stored", "are stored")))
	case head.Root != root:
		out = append(out, "the head's root hash is not the root of the stored events")
	}
	if head.Note == "" {
		if head.Size > 0 {
			out = append(out, "the head has no signed checkpoint")
		}
		return out
	}
	s, err := Open(head.Note, v)
	switch {
	case err != nil:
		out = append(out, fmt.Sprintf("the head's checkpoint: %v", err))
	case s.Size != head.Size || s.Root != head.Root:
		out = append(out, fmt.Sprintf("the head's signed checkpoint is of size %d, not of the head it is stored with", s.Size))
	}
	return out
}

// compareHashes compares the stored hashes recomputed for the events
// (whose first leaf is first) with those read from the store, from
// storage index lo on, and describes the first difference ("" if none).
func compareHashes(lo int64, computed []tlog.Hash, stored []IndexedHash, events []domain.AuditEvent, first int64) string {
	for i, h := range computed {
		idx := lo + int64(i)
		if i >= len(stored) || stored[i].Index != idx {
			return fmt.Sprintf("stored tree hash %d is missing", idx)
		}
		if stored[i].Hash == h {
			continue
		}
		level, n := tlog.SplitStoredHashIndex(idx)
		if level == 0 && n-first < int64(len(events)) {
			e := events[n-first]
			return fmt.Sprintf("the event at leaf %d (seq %d, id %s) does not hash to its stored leaf hash: it was edited after it was sealed", n, e.Seq, e.ID)
		}
		return fmt.Sprintf("stored tree hash %d (level %d) is not the hash of its subtree", idx, level)
	}
	return ""
}

// frontier is a Merkle tree kept as its complete subtrees' roots, largest
// first: enough to append leaves and compute the root.
type frontier struct {
	hs []tlog.Hash
	n  int64 // leaves
}

// append adds a leaf and returns the hashes tlog stores for it, in
// storage order (the leaf hash, then each subtree it completes), as
// tlog.StoredHashesForRecordHash does.
func (f *frontier) append(h tlog.Hash) []tlog.Hash {
	stored := []tlog.Hash{h}
	for m := f.n; m&1 == 1; m >>= 1 {
		left := f.hs[len(f.hs)-1]
		f.hs = f.hs[:len(f.hs)-1]
		h = tlog.NodeHash(left, h)
		stored = append(stored, h)
	}
	f.hs = append(f.hs, h)
	f.n++
	return stored
}

// root is the RFC 6962 tree hash of the leaves so far.
func (f *frontier) root() tlog.Hash {
	if len(f.hs) == 0 {
		return sha256.Sum256(nil)
	}
	h := f.hs[len(f.hs)-1]
	for i := len(f.hs) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.hs[i], h)
	}
	return h
}
