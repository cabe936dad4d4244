package register

import (
	"context"
	"github.com/vendorwatch/vendorwatch/domain"
)

// DependencyStore persists the supply chain's edges and answers the
// questions asked of it, each with one set-based query.
type DependencyStore interface {
	// Create inserts d. Returns a ConflictError when the vendor already
	// has an edge to the provider for the service, or when either vendor
	// does not exist.
	Create(ctx context.Context, d Dependency) error
	// Get returns the edge. Returns ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Dependency, error)
	// Update writes d if the stored version is expectedVersion. Returns
	// ErrNotFound, ErrPrecondition on a stale version, or a ConflictError.
	Update(ctx context.Context, d Dependency, expectedVersion int64) error
	// Delete removes the edge if the stored version is expectedVersion
	// (0: any). Returns ErrNotFound or ErrPrecondition.
	Delete(ctx context.Context, id string, expectedVersion int64) error
	// ListByVendor returns the vendor's direct providers' edges, by
	// provider name then service.
	ListByVendor(ctx context.Context, vendorID string) ([]Dependency, error)
	// List returns a page of every edge, in id order (keyset on id).
	List(ctx context.Context, p domain.PageRequest) (domain.Page[Dependency], error)
	// ListByProvider returns the edges into the provider, by vendor name
	// then service.
	ListByProvider(ctx context.Context, providerID string) ([]Dependency, error)
	// CategoriesInto returns the distinct data categories the edges into
	// the provider carry, sorted.
	CategoriesInto(ctx context.Context, providerID string) ([]string, error)
	// LockGraph makes the transaction of ctx the only writer of edges until
	// it ends, so the cycle check sees every committed edge.
	LockGraph(ctx context.Context) error
	// Reaches reports whether to is reachable along edges, one step or
	// more, from any of from (one query however many they are).
	Reaches(ctx context.Context, from []string, to string) (bool, error)
	// SupplyChain returns the tree below the vendor to MaxRank, by rank,
	// then parent, then provider name.
	SupplyChain(ctx context.Context, vendorID string) ([]ChainLink, error)
	// Concentration returns the providers by how many distinct vendors of
	// ours depend on them (down to MaxRank), most first, then by name.
	Concentration(ctx context.Context, f ConcentrationFilter) ([]ProviderConcentration, error)
	// Upstream returns the vendors of ours above the provider (down to
	// MaxRank) whose data flows to it, by name.
	Upstream(ctx context.Context, providerID string) ([]UpstreamVendor, error)
}
