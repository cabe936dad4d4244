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
