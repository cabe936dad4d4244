package review

import (
	"context"

	"github.com/vendorwatch/vendorwatch/domain"
)

// ReviewStore persists due-diligence reviews and the date of each
// vendor's latest review.
type ReviewStore interface {
	// Create inserts r. Returns a ConflictError on vendor_id when the
	// vendor does not exist.
	Create(ctx context.Context, r Review) error
	// Get returns the review with VendorTier filled in. Returns
	// ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Review, error)
	// Update writes r if the stored version is expectedVersion, and stores
	// version expectedVersion+1. The vendor cannot change. Returns
	// ErrNotFound or ErrPrecondition on a stale version.
	Update(ctx context.Context, r Review, expectedVersion int64) error
	// Delete removes the review if the stored version is expectedVersion
	// (0: any). Returns ErrNotFound or ErrPrecondition.
	Delete(ctx context.Context, id string, expectedVersion int64) error
	// List returns a page of reviews, newest first (by id), with
	// VendorTier filled in. Returns a FieldErrors on field "cursor" when
	// p.After is malformed.
	List(ctx context.Context, f ReviewFilter, p domain.PageRequest) (domain.Page[Review], error)
	// RefreshLastReview sets the vendor's last_review_on to the latest
	// performed_on of its reviews (none: NULL) in one statement, without
	// touching the vendor's version or updated_at. Call it inside the
	// transaction of the review write. Returns ErrNotFound when the vendor
	// does not exist.
	RefreshLastReview(ctx context.Context, vendorID string) error
}
