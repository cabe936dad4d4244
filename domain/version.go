package domain

import (
	"context"
	"fmt"
)

// Versioned is an entity written under optimistic concurrency: a write
// names the version it read (If-Match) and the store keeps the next.
type Versioned interface {
	// EntityID is the entity's id, as the audit trail names it.
	EntityID() string
	// StoredVersion is the version the entity was read at.
	StoredVersion() int64
}

// Lookup reads the entity of a kind ("vendor") by id with get. An id that
// is not a UUID names none: ErrNotFound, without asking get.
func Lookup[T any](ctx context.Context, kind, id string, get func(context.Context, string) (T, error)) (T, error) {
	if !ValidID(id) {
		var zero T
		return zero, fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	}
	return get(ctx, id)
}

// ForUpdate reads the entity a write is about to change, with get (in the
// caller's transaction: Edit opens it), and checks that it is still at the
// version the caller expects; expected 0 (no If-Match) takes any version.
// An id that is not a UUID gives ErrNotFound without asking get, a stale
// version ErrPrecondition; both name the kind ("vendor") and the id.
func ForUpdate[T Versioned](ctx context.Context, kind, id string, expected int64,
	get func(context.Context, string) (T, error)) (T, error) {
	var zero T
	v, err := Lookup(ctx, kind, id, get)
	if err != nil {
		return zero, err
	}
	if expected != 0 && v.StoredVersion() != expected {
		return zero, fmt.Errorf("%s %s is at version %d: %w", kind, id, v.StoredVersion(), ErrPrecondition)
	}
	return v, nil
}

// Edit is the write of one versioned entity: in one transaction, the
// entity as ForUpdate reads it (kind, id, the version the caller expects)
// is handed to write, which changes it, saves it at the version it was
// read at and records the change in the audit trail.
func Edit[T Versioned](ctx context.Context, tx Transactor, kind, id string, expected int64,
	get func(context.Context, string) (T, error), write func(ctx context.Context, before T) error) error {
	return tx.WithinTx(ctx, func(ctx context.Context) error {
		before, err := ForUpdate(ctx, kind, id, expected, get)
		if err != nil {
			return err
		}
		return write(ctx, before)
	})
}
