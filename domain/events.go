package domain

import (
	"context"
	"time"
)

// Event types sent to webhook subscribers.
const (
	EventFindingOpened     = "finding.opened"
	EventFindingEscalated  = "finding.escalated"
	EventFindingResolved   = "finding.resolved"
	EventNoticeLate        = "incident.notice_late"
	EventObligationDueSoon = "obligation.due_soon"
	// EventAuditCheckpoint carries each signed checkpoint of the audit log
	// (package auditlog), so receivers keep a copy outside the database.
	EventAuditCheckpoint = "audit.checkpoint"
)

// EventTypes lists every event type a webhook may subscribe to.
var EventTypes = []string{EventFindingOpened, EventFindingEscalated, EventFindingResolved, EventNoticeLate, EventObligationDueSoon,
	EventAuditCheckpoint}

// Event is something people should be told about.
type Event struct {
	ID   string    `json:"id"`   // unique, for receivers to de-duplicate
	Type string    `json:"type"` // one of EventTypes
	At   time.Time `json:"at"`
	Data any       `json:"data"` // the finding, incident or obligation concerned
}

// EventSink receives events. Publishing must not block on slow receivers:
// implementations queue deliveries and retry them on their own.
type EventSink interface {
	Publish(ctx context.Context, events ...Event) error
}

// DiscardEvents is an EventSink that drops everything.
type DiscardEvents struct{}

// Publish implements EventSink.
func (DiscardEvents) Publish(context.Context, ...Event) error { return nil }
