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
	// Append stores e, which the database numbers (Seq), unsealed. It must
	// run inside the transaction of the change it records, and takes no
	// lock that other writers wait for.
	Append(ctx context.Context, e AuditEvent) (AuditEvent, error)
	// List returns a page of events, newest first.
	List(ctx context.Context, f AuditFilter, p PageRequest) (Page[AuditEvent], error)
}

// Pinger checks that the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}
