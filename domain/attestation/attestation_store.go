package attestation

import (
	"context"

	"github.com/vendorwatch/vendorwatch/domain"
)

// AttestationStore persists attestations and their evidence metadata.
type AttestationStore interface {
	// Create inserts a. Returns a ConflictError (ErrConflict) when the
	// vendor does not exist or the id is taken.
	Create(ctx context.Context, a Attestation) error
	// Get returns the attestation. Returns ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Attestation, error)
	// Update writes a (including its evidence) if the stored version is
	// expectedVersion. Returns ErrNotFound, or ErrPrecondition on a stale
	// version.
	Update(ctx context.Context, a Attestation, expectedVersion int64) error
	// Delete removes the attestation if the stored version is
	// expectedVersion (0: any). Returns ErrNotFound or ErrPrecondition.
	Delete(ctx context.Context, id string, expectedVersion int64) error
	// List returns a page of attestations ordered by id (creation order).
	// Returns a FieldErrors on field "cursor" when p.After is malformed.
	List(ctx context.Context, f AttestationFilter, p domain.PageRequest) (domain.Page[Attestation], error)
	// ListByVendor returns all of a vendor's attestations, ordered by id.
	ListByVendor(ctx context.Context, vendorID string) ([]Attestation, error)
}
