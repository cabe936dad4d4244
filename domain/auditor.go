package domain

import (
	"context"
	"fmt"
)

// Auditor appends audit events for the services. Call Record inside the
// transaction of the change.
type Auditor struct {
	Store AuditStore
	Clock Clock
}

// Record appends one event; before and after are entity snapshots (nil for
// create and delete respectively).
func (a Auditor) Record(ctx context.Context, action, entity, entityID string, before, after any) error {
	actor := ActorFrom(ctx)
	e := AuditEvent{
		ID:        NewID(),
		At:        a.Clock.Now(),
		ActorID:   actor.ID,
		ActorName: actor.Name,
		Action:    action,
		Entity:    entity,
		EntityID:  entityID,
		RequestID: RequestIDFrom(ctx),
		Before:    Snapshot(before),
		After:     Snapshot(after),
	}
	if _, err := a.Store.Append(ctx, e); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, entityID, err)
	}
	return nil
}

// AuditBreak is the first event whose hash does not verify.
type AuditBreak struct {
	Seq    int64
	Reason string
}

// VerifyAuditChain walks the trail and returns the first broken link, or
// nil when the chain is intact, with the number of events checked.
func VerifyAuditChain(ctx context.Context, store AuditStore) (checked int64, broken *AuditBreak, err error) {
	prev := GenesisHash
	var want int64 = 1
	err = store.Walk(ctx, func(e AuditEvent) error {
		switch {
		case e.Seq != want:
			broken = &AuditBreak{Seq: want, Reason: fmt.Sprintf("event %d is missing (next stored is %d)", want, e.Seq)}
		case e.PrevHash != prev:
			broken = &AuditBreak{Seq: e.Seq, Reason: "prev_hash does not match the previous event's hash"}
		case ChainHash(prev, e) != e.Hash:
			broken = &AuditBreak{Seq: e.Seq, Reason: "content does not match its hash (edited after it was written)"}
		}
		if broken != nil {
			return errStopWalk
		}
		checked++
		prev, want = e.Hash, want+1
		return nil
	})
	if err == errStopWalk {
		return checked, broken, nil
	}
	if err != nil {
		return checked, nil, err
	}
	// Events deleted from the end leave a head that points past the last
	// stored event.
	headSeq, headHash, err := store.Head(ctx)
	if err != nil {
		return checked, nil, err
	}
	if headSeq != want-1 || headHash != prev {
		broken = &AuditBreak{Seq: want, Reason: fmt.Sprintf("the chain head records %s but %s stored (events removed from the end)",
			Count(headSeq, "event", "events"), Count(want-1, "is", "are"))}
	}
	return checked, broken, nil
}

var errStopWalk = fmt.Errorf("stop walk")
