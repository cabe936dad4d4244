package contract

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// ContractStore persists contracts (without their clause versions).
type ContractStore interface {
	// Create inserts c. Returns a ConflictError when the vendor is missing.
	Create(ctx context.Context, c Contract) error
	// Get returns a contract. Returns ErrNotFound.
	Get(ctx context.Context, id string) (Contract, error)
	// Update writes c if the stored version is expectedVersion, bumping it.
	// Returns ErrNotFound or ErrPrecondition.
	Update(ctx context.Context, c Contract, expectedVersion int64) error
	// Delete removes a contract and its clause versions. Returns
	// ErrNotFound, ErrPrecondition, or a ConflictError when still referenced.
	Delete(ctx context.Context, id string, expectedVersion int64) error
	// List returns a page of contracts in creation order.
	List(ctx context.Context, f ContractFilter, p domain.PageRequest) (domain.Page[Contract], error)
	// ListByVendor returns the vendor's contracts (a vendor has few).
	ListByVendor(ctx context.Context, vendorID string) ([]Contract, error)
	PortfolioStore
}

// ClauseStore persists breach-notification clause versions.
type ClauseStore interface {
	// Insert stores a new version. Returns a ConflictError when the
	// contract already has an open version.
	Insert(ctx context.Context, v ClauseVersion) error
	// Close ends the open version of a contract at the given instant.
	// Returns ErrNotFound when there is no open version.
	Close(ctx context.Context, contractID string, at time.Time) error
	// ReplaceTerms corrects the terms of a version in place.
	ReplaceTerms(ctx context.Context, id string, terms ClauseTerms) error
	// Latest returns the contract's most recent version (open or closed).
	// Returns ErrNotFound when the contract never had a clause.
	Latest(ctx context.Context, contractID string) (ClauseVersion, error)
	// InForce returns, per contract id, the version in force at instant at.
	// Contracts without one are absent from the map.
	InForce(ctx context.Context, contractIDs []string, at time.Time) (map[string]ClauseVersion, error)
	// Versions returns all versions of a contract, oldest first.
	Versions(ctx context.Context, contractID string) ([]ClauseVersion, error)
}
