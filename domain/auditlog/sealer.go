package auditlog

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// DefaultBatch is how many events one sealing transaction takes at most.
const DefaultBatch = 2000

// Sealer appends committed events to the log and signs checkpoints. Run
// one per replica; the scheduler's job claim lets one replica seal at a
// time, and the head's row lock keeps overlapping sealers correct.
type Sealer struct {
	Tx    domain.Transactor
	Store Store
	Keys  Keys
	Clock domain.Clock
	// Events receives an audit.checkpoint event per published checkpoint
	// (the webhook outbox); nil sends none.
	Events domain.EventSink
	// Publish keeps each published checkpoint outside the database (the
	// checkpoint file); nil keeps none. It is called after the commit.
	Publish func(ctx context.Context, s Signed) error
	// Batch bounds the events of one transaction (default DefaultBatch).
	Batch int

	mu   sync.Mutex
	last *Signed // the latest checkpoint published; the log must extend it
}

// Result says what one Seal did.
type Result struct {
	Sealed     int    // events sealed
	Checkpoint Signed // the head after it (zero Size before the first seal)
}

// ErrNotExtended: the log in the database does not extend the last
// checkpoint this sealer published (events were removed or rewritten, or
// the database was restored from an older backup). The sealer signs
// nothing until an operator has looked.
var ErrNotExtended = errors.New("the audit log in the database does not extend the last published checkpoint")

// Extend tells the sealer a checkpoint published earlier (the last line
// of the checkpoint file at start): it will sign nothing that does not
// extend it.
func (s *Sealer) Extend(c Signed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil || c.Size >= s.last.Size {
		s.last = &c
	}
}

// CheckpointEvent is the data of the audit.checkpoint webhook event.
type CheckpointEvent struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root_hash"` // base64, as in the note
	Note   string `json:"note"`      // the signed checkpoint
}

// EventOf is the webhook event data of c.
func EventOf(c Signed) CheckpointEvent {
	return CheckpointEvent{Origin: c.Origin, Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root[:]), Note: c.Note}
}

// Seal seals every committed unsealed event, in transactions of at most
// Batch events, each of which signs the checkpoint it leaves as the head.
// When it sealed anything, the final checkpoint is published (Publish,
// then Events).
func (s *Sealer) Seal(ctx context.Context) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	if s.Clock == nil {
		s.Clock = domain.SystemClock{}
	}
	var res Result
	for {
		n, head, err := s.sealBatch(ctx, batch)
		if err != nil {
			return res, err
		}
		res.Sealed += n
		res.Checkpoint = head
		if n > 0 {
			s.last = &head
		}
		if n < batch {
			break
		}
	}
	if res.Sealed == 0 {
		return res, nil
	}
	if s.Publish != nil {
		if err := s.Publish(ctx, res.Checkpoint); err != nil {
			return res, fmt.Errorf("publish checkpoint %d: %w", res.Checkpoint.Size, err)
		}
	}
	if s.Events != nil {
		ev := domain.Event{ID: domain.NewID(), Type: domain.EventAuditCheckpoint, At: s.Clock.Now(), Data: EventOf(res.Checkpoint)}
		if err := s.Events.Publish(ctx, ev); err != nil {
			return res, fmt.Errorf("publish checkpoint %d to webhooks: %w", res.Checkpoint.Size, err)
		}
	}
	return res, nil
}

// sealBatch seals up to limit events in one transaction and returns how
// many and the signed head.
func (s *Sealer) sealBatch(ctx context.Context, limit int) (int, Signed, error) {
	var sealed int
	var out Signed
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		head, err := s.Store.LockHead(ctx)
		if err != nil {
			return fmt.Errorf("lock audit log head: %w", err)
		}
		cur, err := s.checkHead(ctx, head)
		if err != nil {
			return err
		}
		out = cur
		events, err := s.Store.Unsealed(ctx, limit)
		if err != nil || len(events) == 0 {
			return err
		}
		r := newHashCache(ctx, s.Store)
		var all []tlog.Hash
		seqs := make([]int64, len(events))
		for i, e := range events {
			n := head.Size + int64(i)
			hs, err := tlog.StoredHashesForRecordHash(n, e.Hash, r)
			if err != nil {
				return fmt.Errorf("hash leaf %d: %w", n, err)
			}
			r.add(tlog.StoredHashCount(n), hs)
			all = append(all, hs...)
			seqs[i] = e.Seq
		}
		size := head.Size + int64(len(events))
		root, err := tlog.TreeHash(size, r)
		if err != nil {
			return fmt.Errorf("tree hash %d: %w", size, err)
		}
		signed, err := Sign(Checkpoint{Origin: s.Keys.Signer.Name(), Size: size, Root: root}, s.Keys.Signer)
		if err != nil {
			return err
		}
		next := Head{Size: size, Root: root, Note: signed.Note, SealedAt: s.Clock.Now()}
		if err := s.Store.Seal(ctx, seqs, head.Size, all, next); err != nil {
			return fmt.Errorf("seal %s: %w", domain.Count(len(events), "event", "events"), err)
		}
		sealed, out = len(events), signed
		return nil
	})
	return sealed, out, err
}

// checkHead refuses to build on a head it cannot vouch for: one whose
// checkpoint is not signed by this key or does not state its size and
// root, whose stored tree does not give that root, or that does not
// extend the last checkpoint published.
func (s *Sealer) checkHead(ctx context.Context, head Head) (Signed, error) {
	if head.Size == 0 && head.Note == "" {
		if s.last != nil && s.last.Size > 0 {
			return Signed{}, fmt.Errorf("%w: the log is empty, checkpoint %d was published", ErrNotExtended, s.last.Size)
		}
		return Signed{}, nil
	}
	cur, err := Open(head.Note, s.Keys.Verifier)
	if err != nil {
		return Signed{}, fmt.Errorf("the audit log head's checkpoint: %w (every replica must use the same key file)", err)
	}
	if cur.Size != head.Size || cur.Root != head.Root {
		return Signed{}, fmt.Errorf("%w: the head records size %d, its signed checkpoint says %d", ErrNotExtended, head.Size, cur.Size)
	}
	r := hashReader(ctx, s.Store)
	if root, err := tlog.TreeHash(head.Size, r); err != nil || root != head.Root {
		return Signed{}, fmt.Errorf("%w: the stored tree hashes do not give the head's root (%v)", ErrNotExtended, err)
	}
	if s.last == nil {
		return cur, nil
	}
	if err := Extends(ctx, s.Store, cur.Checkpoint, s.last.Checkpoint); err != nil {
		return Signed{}, err
	}
	return cur, nil
}

// Extends checks with a consistency proof read from the store that the
// tree of cur extends the tree of old. Returns ErrNotExtended when not.
func Extends(ctx context.Context, st Store, cur, old Checkpoint) error {
	switch {
	case cur.Size < old.Size:
		return fmt.Errorf("%w: checkpoint %d was published but the log holds %s", ErrNotExtended, old.Size, domain.Count(cur.Size, "leaf", "leaves"))
	case cur.Size == old.Size:
		if cur.Root != old.Root {
			return fmt.Errorf("%w: checkpoint %d has another root hash", ErrNotExtended, old.Size)
		}
		return nil
	}
	proof, err := tlog.ProveTree(cur.Size, old.Size, hashReader(ctx, st))
	if err != nil {
		return fmt.Errorf("%w: no consistency proof from %d to %d: %w", ErrNotExtended, old.Size, cur.Size, err)
	}
	if err := tlog.CheckTree(proof, cur.Size, cur.Root, old.Size, old.Root); err != nil {
		return fmt.Errorf("%w: checkpoint %d is not a prefix of the log of %d: %w", ErrNotExtended, old.Size, cur.Size, err)
	}
	return nil
}
