package domain

import (
	"encoding/json"
	"time"
)

// AuditEvent records one write: who did what to which entity, with the
// state before and after. Events are written in the transaction of their
// change; the audit log's sealer (package auditlog) later appends each
// committed event to a signed Merkle tree log and records its leaf index,
// so a stored event that is edited or deleted afterwards no longer matches
// the published checkpoints.
type AuditEvent struct {
	Seq       int64           `json:"seq"` // assigned by the database on insert; orders the list
	ID        string          `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   string          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"` // e.g. vendor.create
	Entity    string          `json:"entity"` // e.g. vendor
	EntityID  string          `json:"entity_id"`
	RequestID string          `json:"request_id"`
	Before    json.RawMessage `json:"before"` // null for creates
	After     json.RawMessage `json:"after"`  // null for deletes
	// Leaf is the event's index in the audit log's Merkle tree; nil until
	// the sealer has sealed it.
	Leaf *int64 `json:"leaf_index"`
}

// Snapshot marshals an entity for the audit trail.
func Snapshot(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// AuditFilter selects audit events.
type AuditFilter struct {
	Entity   string
	EntityID string
}
