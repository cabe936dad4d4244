package register

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/vendorwatch/vendorwatch/domain"
)

// SupplyChainService is the use-case layer for fourth parties: the edges
// from our vendors to their providers, the tree below a vendor, provider
// concentration, and merging duplicate provider records. Every write runs
// in one transaction with its audit events.
type SupplyChainService struct {
	Tx           domain.Transactor
	Vendors      VendorStore
	Handling     DataHandlingStore
	Dependencies DependencyStore
	Audit        domain.Auditor
	Clock        domain.Clock
}

// Get returns one edge.
func (s *SupplyChainService) Get(ctx context.Context, id string) (Dependency, error) {
	return domain.Lookup(ctx, "dependency", id, s.Dependencies.Get)
}

// ListProviders returns a vendor's direct providers' edges.
func (s *SupplyChainService) ListProviders(ctx context.Context, vendorID string) ([]Dependency, error) {
	if _, err := domain.Lookup(ctx, "vendor", vendorID, s.Vendors.Get); err != nil {
		return nil, err
	}
	return s.Dependencies.ListByVendor(ctx, vendorID)
}

// Create records that vendorID depends on a provider. The provider must
// exist, the categories must be ones the vendor holds of ours, and the
// edge must not close a cycle.
func (s *SupplyChainService) Create(ctx context.Context, vendorID string, in DependencyInput) (Dependency, error) {
	now := s.Clock.Now()
	d := Dependency{ID: domain.NewID(), VendorID: vendorID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := d.Apply(in); err != nil {
		return Dependency{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Dependencies.LockGraph(ctx); err != nil {
			return err
		}
		if _, err := domain.Lookup(ctx, "vendor", vendorID, s.Vendors.Get); err != nil {
			return err
		}
		if err := s.checkEdge(ctx, d); err != nil {
			return err
		}
		if err := s.Dependencies.Create(ctx, d); err != nil {
			return fmt.Errorf("create dependency: %w", err)
		}
		return s.Audit.Record(ctx, "dependency.create", "dependency", d.ID, nil, d)
	})
	if err != nil {
		return Dependency{}, err
	}
	return d, nil
}

// Update applies a partial update to an edge. expectedVersion 0 skips the
// version check.
func (s *SupplyChainService) Update(ctx context.Context, id string, in DependencyInput, expectedVersion int64) (Dependency, error) {
	var out Dependency
	err := domain.Edit(ctx, s.Tx, "dependency", id, expectedVersion, s.Dependencies.Get, func(ctx context.Context, before Dependency) error {
		if err := s.Dependencies.LockGraph(ctx); err != nil {
			return err
		}
		d := before
		if err := d.Apply(in); err != nil {
			return err
		}
		if err := s.checkEdge(ctx, d); err != nil {
			return err
		}
		d.UpdatedAt = s.Clock.Now()
		if err := s.Dependencies.Update(ctx, d, before.Version); err != nil {
			return fmt.Errorf("update dependency: %w", err)
		}
		d.Version = before.Version + 1
		out = d
		return s.Audit.Record(ctx, "dependency.update", "dependency", d.ID, before, d)
	})
	return out, err
}

// Delete removes an edge.
func (s *SupplyChainService) Delete(ctx context.Context, id string, expectedVersion int64) error {
	return domain.Edit(ctx, s.Tx, "dependency", id, expectedVersion, s.Dependencies.Get, func(ctx context.Context, before Dependency) error {
		if err := s.Dependencies.Delete(ctx, id, before.Version); err != nil {
			return fmt.Errorf("delete dependency: %w", err)
		}
		return s.Audit.Record(ctx, "dependency.delete", "dependency", id, before, nil)
	})
}

// checkEdge refuses an edge whose provider does not exist, whose
// categories the vendor does not hold of ours, or that would close a
// cycle. Run with the graph locked.
func (s *SupplyChainService) checkEdge(ctx context.Context, d Dependency) error {
	if _, err := s.Vendors.Get(ctx, d.ProviderID); errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("provider_id", "no vendor with id %s", d.ProviderID)
	} else if err != nil {
		return err
	}
	if len(d.DataCategories) > 0 {
		held, err := s.heldCategories(ctx, d.VendorID)
		if err != nil {
			return err
		}
		var fe domain.FieldErrors
		for i, c := range d.DataCategories {
			if !slices.Contains(held, c) {
				fe.Add(domain.IndexField("data_categories", i),
					"%s does not reach this vendor: it neither handles it for us (data handling) nor receives it from a vendor above", c)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
	}
	cycle, err := s.Dependencies.Reaches(ctx, []string{d.ProviderID}, d.VendorID)
	if err != nil {
		return err
	}
	if cycle {
		return domain.Invalid("provider_id", "would make a cycle: the provider already depends on this vendor down its chain")
	}
	return nil
}

// List returns a page of every edge of the supply chain, in id order.
func (s *SupplyChainService) List(ctx context.Context, p domain.PageRequest) (domain.Page[Dependency], error) {
	return s.Dependencies.List(ctx, p)
}

// HeldCategories are the categories of ours a vendor holds (what an edge
// from it may carry): see heldCategories.
func (s *SupplyChainService) HeldCategories(ctx context.Context, vendorID string) ([]string, error) {
	return s.heldCategories(ctx, vendorID)
}

// heldCategories are the categories of ours a vendor holds: those it
// handles for us, and those that flow to it from the vendors above it (a
// fourth party holds only the latter).
func (s *SupplyChainService) heldCategories(ctx context.Context, vendorID string) ([]string, error) {
	hs, err := s.Handling.ListByVendor(ctx, vendorID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		out = append(out, h.Category)
	}
	in, err := s.Dependencies.CategoriesInto(ctx, vendorID)
	if err != nil {
		return nil, err
	}
	out = append(out, in...)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SupplyChain returns the tree below a vendor to MaxRank.
func (s *SupplyChainService) SupplyChain(ctx context.Context, vendorID string) ([]ChainLink, error) {
	if _, err := domain.Lookup(ctx, "vendor", vendorID, s.Vendors.Get); err != nil {
		return nil, err
	}
	return s.Dependencies.SupplyChain(ctx, vendorID)
}

// DefaultConcentrationLimit is how many providers Concentration returns
// when the filter names no limit; MaxConcentrationLimit bounds it.
const (
	DefaultConcentrationLimit = 50
	MaxConcentrationLimit     = 1000
)

// Concentration ranks providers by how many of our vendors depend on them.
func (s *SupplyChainService) Concentration(ctx context.Context, f ConcentrationFilter) ([]ProviderConcentration, error) {
	var fe domain.FieldErrors
	if f.MinRank < 0 || f.MinRank > MaxRank {
		fe.Add("min_rank", "must be between 1 and %d", MaxRank)
	}
	if f.Tier != "" && !f.Tier.Valid() {
		fe.Add("tier", "must be one of critical, high, moderate, low")
	}
	if _, ok := LookupCategory(f.DataCategory); f.DataCategory != "" && !ok {
		fe.Add("data_category", "unknown data category; GET /api/v1/data-categories lists them")
	}
	if f.Limit < 0 || f.Limit > MaxConcentrationLimit {
		fe.Add("limit", "must be between 1 and %d", MaxConcentrationLimit)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultConcentrationLimit
	}
	return s.Dependencies.Concentration(ctx, f)
}

// Upstream returns the vendors of ours above a provider whose data flows
// to it.
func (s *SupplyChainService) Upstream(ctx context.Context, providerID string) ([]UpstreamVendor, error) {
	if _, err := domain.Lookup(ctx, "vendor", providerID, s.Vendors.Get); err != nil {
		return nil, err
	}
	return s.Dependencies.Upstream(ctx, providerID)
}

// MergeResult says what a merge of duplicate provider records did.
type MergeResult struct {
	Into   Vendor `json:"into"`
	Moved  int    `json:"moved"`  // edges re-pointed at the kept record
	Joined int    `json:"joined"` // edges folded into an edge the kept record already had
}

// Merge folds the duplicate provider record from into the record into:
// every edge into or out of from is re-pointed at into (an edge that
// would duplicate one into already has is folded into it, the categories
// and countries joined), then from is deleted. Each edge change and the
// merge itself are in the audit trail, which keeps from's history under
// its id. A duplicate that other records (contracts, data handling,
// incidents...) still refer to is refused: merge those first.
func (s *SupplyChainService) Merge(ctx context.Context, intoID, fromID string) (MergeResult, error) {
	var res MergeResult
	if intoID == fromID {
		return res, domain.Invalid("from", "is the record being kept; name the duplicate")
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Dependencies.LockGraph(ctx); err != nil {
			return err
		}
		into, err := domain.Lookup(ctx, "vendor", intoID, s.Vendors.GetForUpdate)
		if err != nil {
			return err
		}
		from, err := domain.Lookup(ctx, "vendor", fromID, s.Vendors.GetForUpdate)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Invalid("from", "no vendor with id %s", fromID)
		} else if err != nil {
			return err
		}
		if hs, err := s.Handling.ListByVendor(ctx, fromID); err != nil {
			return err
		} else if len(hs) > 0 {
			return domain.Invalid("from", "the duplicate has data handling records; move them to the kept record first")
		}
		in, err := s.Dependencies.ListByProvider(ctx, fromID)
		if err != nil {
			return err
		}
		out, err := s.Dependencies.ListByVendor(ctx, fromID)
		if err != nil {
			return err
		}
		for _, d := range slices.Concat(in, out) {
			moved, err := s.repoint(ctx, d, fromID, intoID)
			if err != nil {
				return err
			}
			if moved {
				res.Moved++
			} else {
				res.Joined++
			}
		}
		if cycle, err := s.Dependencies.Reaches(ctx, []string{intoID}, intoID); err != nil {
			return err
		} else if cycle {
			return domain.Invalid("from", "merging would make a cycle of dependencies")
		}
		if err := s.Vendors.Delete(ctx, fromID, from.Version); err != nil {
			return fmt.Errorf("merge: delete the duplicate: %w", err)
		}
		res.Into = into
		return s.Audit.Record(ctx, "vendor.merge", "vendor", fromID, from, map[string]any{
			"merged_into": intoID, "edges_moved": res.Moved, "edges_joined": res.Joined})
	})
	return res, err
}

// repoint moves one edge of from onto into. It reports true when the edge
// moved, false when it was folded into an edge into already had (or was
// an edge between the two records, which the merge dissolves).
func (s *SupplyChainService) repoint(ctx context.Context, d Dependency, fromID, intoID string) (bool, error) {
	moved := d
	if moved.VendorID == fromID {
		moved.VendorID = intoID
	}
	if moved.ProviderID == fromID {
		moved.ProviderID = intoID
	}
	if moved.VendorID == moved.ProviderID {
		return false, s.dropEdge(ctx, d)
	}
	siblings, err := s.Dependencies.ListByVendor(ctx, moved.VendorID)
	if err != nil {
		return false, err
	}
	for _, e := range siblings {
		if e.ProviderID != moved.ProviderID || e.Service != moved.Service || e.ID == d.ID {
			continue
		}
		joined := e
		joined.DataCategories = union(e.DataCategories, d.DataCategories)
		joined.Countries = union(e.Countries, d.Countries)
		joined.UpdatedAt = s.Clock.Now()
		if err := s.Dependencies.Update(ctx, joined, e.Version); err != nil {
			return false, fmt.Errorf("merge: join edge: %w", err)
		}
		joined.Version = e.Version + 1
		if err := s.Audit.Record(ctx, "dependency.update", "dependency", e.ID, e, joined); err != nil {
			return false, err
		}
		return false, s.dropEdge(ctx, d)
	}
	moved.UpdatedAt = s.Clock.Now()
	if err := s.Dependencies.Update(ctx, moved, d.Version); err != nil {
		return false, fmt.Errorf("merge: move edge: %w", err)
	}
	moved.Version = d.Version + 1
	return true, s.Audit.Record(ctx, "dependency.update", "dependency", d.ID, d, moved)
}

// dropEdge deletes an edge a merge made redundant, with its audit event.
func (s *SupplyChainService) dropEdge(ctx context.Context, d Dependency) error {
	if err := s.Dependencies.Delete(ctx, d.ID, d.Version); err != nil {
		return fmt.Errorf("merge: drop edge: %w", err)
	}
	return s.Audit.Record(ctx, "dependency.delete", "dependency", d.ID, d, nil)
}

// union is the sorted, distinct union of two lists.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
