package register

import (
	"context"

	"github.com/vendorwatch/vendorwatch/domain"
)

// VendorStore persists vendors.
type VendorStore interface {
	// Create inserts v. Returns a ConflictError (ErrConflict) when the name
	// or external_ref is taken, or when the parent does not exist.
	Create(ctx context.Context, v Vendor) error
	// Get returns the vendor. Returns ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Vendor, error)
	// GetForUpdate is Get that also locks the vendor's row until the
	// transaction of ctx ends, so writers of the vendor's dependent rows
	// (data handling) take turns. Returns ErrNotFound if there is none.
	GetForUpdate(ctx context.Context, id string) (Vendor, error)
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
	List(ctx context.Context, f VendorFilter, p domain.PageRequest) (domain.Page[Vendor], error)
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
