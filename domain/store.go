package domain

import (
	"context"
	"time"
)

// The store interfaces are implemented by the repository package. Every
// method takes its database connection from ctx: inside
// Transactor.WithinTx it joins the transaction.

// Transactor runs fn in one database transaction. A nested call joins the
// outer transaction. fn's error rolls everything back.
type Transactor interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// VendorStore persists vendors.
type VendorStore interface {
	// Create inserts v. Returns a ConflictError (ErrConflict) when the name
	// or external_ref is taken, or when the parent does not exist.
	Create(ctx context.Context, v Vendor) error
	// Get returns the vendor. Returns ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Vendor, error)
	// Update writes v if the stored version is expectedVersion, and sets
	// v.Version to expectedVersion+1. Returns ErrNotFound, ErrPrecondition
	// on a stale version, or a ConflictError.
	Update(ctx context.Context, v Vendor, expectedVersion int64) error
	// Delete removes the vendor (and its data handling) if the stored
	// version is expectedVersion (0: any). Returns ErrNotFound,
	// ErrPrecondition, or a ConflictError when other rows still refer to it.
	Delete(ctx context.Context, id string, expectedVersion int64) error
	// List returns a page of vendors ordered by name (case-insensitive).
	// Returns a FieldErrors on field "cursor" when p.After is malformed.
	List(ctx context.Context, f VendorFilter, p PageRequest) (Page[Vendor], error)
}

// DataHandlingStore persists what data each vendor handles.
type DataHandlingStore interface {
	// Upsert inserts or replaces the record for (VendorID, Category).
	Upsert(ctx context.Context, h DataHandling) error
	// Get returns one record. Returns ErrNotFound if there is none.
	Get(ctx context.Context, vendorID, category string) (DataHandling, error)
	// ListByVendor returns the vendor's records ordered by category.
	ListByVendor(ctx context.Context, vendorID string) ([]DataHandling, error)
	// Delete removes one record. Returns ErrNotFound if there is none.
	Delete(ctx context.Context, vendorID, category string) error
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// Create inserts k. Returns ErrConflict if the prefix is taken.
	Create(ctx context.Context, k APIKey) error
	// Get returns a key by id. Returns ErrNotFound.
	Get(ctx context.Context, id string) (APIKey, error)
	// GetByPrefix returns a key by its public prefix. Returns ErrNotFound.
	GetByPrefix(ctx context.Context, prefix string) (APIKey, error)
	// List returns a page of keys, newest first.
	List(ctx context.Context, p PageRequest) (Page[APIKey], error)
	// Revoke sets revoked_at if not yet set. Returns ErrNotFound.
	Revoke(ctx context.Context, id string, at time.Time) error
	// Touch records that the key was used at, at most once per interval.
	Touch(ctx context.Context, id string, at time.Time, interval time.Duration) error
	// CountActive counts unrevoked, unexpired keys with role at now.
	CountActive(ctx context.Context, role Role, now time.Time) (int64, error)
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
