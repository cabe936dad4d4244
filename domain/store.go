package domain

import (
	"context"
)

// The store interfaces are implemented by the repository package. Every
// method takes its database connection from ctx: inside
// Transactor.WithinTx it joins the transaction.

// Transactor runs fn in one database transaction. A nested call joins the
// outer transaction. fn's error rolls everything back.
type Transactor interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// AuditStore persists the audit trail.
type AuditStore interface {
	// Append assigns e its sequence number and chain hashes and stores it.
	// It must run inside the transaction of the change it records.
	Append(ctx context.Context, e AuditEvent) (AuditEvent, error)
	// List returns a page of events, newest first.
	List(ctx context.Context, f AuditFilter, p PageRequest) (Page[AuditEvent], error)
	// Walk calls fn for every event in sequence order, streaming.
	Walk(ctx context.Context, fn func(AuditEvent) error) error
	// Head returns the chain head: the last sequence number and its hash.
	Head(ctx context.Context) (seq int64, hash string, err error)
}

// Pinger checks that the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}
