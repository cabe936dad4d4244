package register

import (
	"context"
	"errors"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
)

// VendorService is the use-case layer for vendors and the data they
// handle. Every write runs in one transaction with its audit event.
type VendorService struct {
	Tx       domain.Transactor
	Vendors  VendorStore
	Handling DataHandlingStore
	Audit    domain.Auditor
	Clock    domain.Clock
}

// maxParentDepth bounds the walk that rejects parent cycles.
const maxParentDepth = 32

// Create validates in and stores a new vendor.
func (s *VendorService) Create(ctx context.Context, in VendorInput) (Vendor, error) {
	now := s.Clock.Now()
	v := Vendor{ID: domain.NewID(), Status: DefaultVendorStatus, Criticality: DefaultVendorCriticality,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := v.Apply(in); err != nil {
		return Vendor{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.checkParent(ctx, v); err != nil {
			return err
		}
		if err := s.Vendors.Create(ctx, v); err != nil {
			return fmt.Errorf("create vendor: %w", err)
		}
		return s.Audit.Record(ctx, "vendor.create", "vendor", v.ID, nil, v)
	})
	if err != nil {
		return Vendor{}, err
	}
	return v, nil
}

// Get returns one vendor.
func (s *VendorService) Get(ctx context.Context, id string) (Vendor, error) {
	return domain.Lookup(ctx, "vendor", id, s.Vendors.Get)
}

// List returns a page of vendors.
func (s *VendorService) List(ctx context.Context, f VendorFilter, p domain.PageRequest) (domain.Page[Vendor], error) {
	return s.Vendors.List(ctx, f, p)
}

// Update applies a partial update. expectedVersion 0 skips the version
// check (no If-Match).
func (s *VendorService) Update(ctx context.Context, id string, in VendorInput, expectedVersion int64) (Vendor, error) {
	var out Vendor
	err := domain.Edit(ctx, s.Tx, "vendor", id, expectedVersion, s.Vendors.Get, func(ctx context.Context, before Vendor) error {
		v := before
		if err := v.Apply(in); err != nil {
			return err
		}
		if err := s.checkParent(ctx, v); err != nil {
			return err
		}
		v.UpdatedAt = s.Clock.Now()
		if err := s.Vendors.Update(ctx, v, before.Version); err != nil {
			return fmt.Errorf("update vendor: %w", err)
		}
		v.Version = before.Version + 1
		out = v
		return s.Audit.Record(ctx, "vendor.update", "vendor", v.ID, before, v)
	})
	return out, err
}

// Delete removes a vendor and its data handling records.
func (s *VendorService) Delete(ctx context.Context, id string, expectedVersion int64) error {
	return domain.Edit(ctx, s.Tx, "vendor", id, expectedVersion, s.Vendors.Get, func(ctx context.Context, before Vendor) error {
		if err := s.Vendors.Delete(ctx, id, before.Version); err != nil {
			return fmt.Errorf("delete vendor: %w", err)
		}
		return s.Audit.Record(ctx, "vendor.delete", "vendor", id, before, nil)
	})
}

// checkParent rejects a parent that does not exist or that would make a
// cycle.
func (s *VendorService) checkParent(ctx context.Context, v Vendor) error {
	parent := v.ParentVendorID
	for depth := 0; parent != ""; depth++ {
		if parent == v.ID {
			return domain.Invalid("parent_vendor_id", "would make a cycle of parent vendors")
		}
		if depth == maxParentDepth {
			return domain.Invalid("parent_vendor_id", "parent chain is deeper than %s", domain.Count(maxParentDepth, "vendor", "vendors"))
		}
		p, err := s.Vendors.Get(ctx, parent)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Invalid("parent_vendor_id", "no vendor with id %s", parent)
		}
		if err != nil {
			return err
		}
		parent = p.ParentVendorID
	}
	return nil
}

// lockVendor reads a vendor and holds its row until the transaction
// ends: changes to its data handling take turns, so each sees the record
// the previous one left (a create, then updates with their true before)
// and the vendor version it moved.
func (s *VendorService) lockVendor(ctx context.Context, id string) (Vendor, error) {
	return domain.Lookup(ctx, "vendor", id, s.Vendors.GetForUpdate)
}

// ListHandling returns what data the vendor handles.
func (s *VendorService) ListHandling(ctx context.Context, vendorID string) ([]DataHandling, error) {
	if _, err := s.Get(ctx, vendorID); err != nil {
		return nil, err
	}
	return s.Handling.ListByVendor(ctx, vendorID)
}

// PutHandling records (or replaces) that the vendor handles a category of
// data, and recomputes the vendor's inherent risk. It reports whether the
// record was new.
func (s *VendorService) PutHandling(ctx context.Context, vendorID string, in DataHandlingInput) (DataHandling, bool, error) {
	h, err := NewDataHandling(vendorID, in)
	if err != nil {
		return DataHandling{}, false, err
	}
	var created bool
	err = s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.lockVendor(ctx, vendorID); err != nil {
			return err
		}
		now := s.Clock.Now()
		before, err := s.Handling.Get(ctx, vendorID, h.Category)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			created = true
			h.CreatedAt = now
		case err != nil:
			return err
		default:
			h.CreatedAt = before.CreatedAt
		}
		h.UpdatedAt = now
		if err := s.Handling.Upsert(ctx, h); err != nil {
			return fmt.Errorf("put data handling: %w", err)
		}
		action, prev := "data_handling.update", any(before)
		if created {
			action, prev = "data_handling.create", nil
		}
		if err := s.Audit.Record(ctx, action, "data_handling", vendorID+"/"+h.Category, prev, h); err != nil {
			return err
		}
		return s.refreshRisk(ctx, vendorID)
	})
	return h, created, err
}

// DeleteHandling removes one category from a vendor and recomputes its
// risk.
func (s *VendorService) DeleteHandling(ctx context.Context, vendorID, category string) error {
	return s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.lockVendor(ctx, vendorID); err != nil {
			return err
		}
		before, err := s.Handling.Get(ctx, vendorID, category)
		if err != nil {
			return err
		}
		if err := s.Handling.Delete(ctx, vendorID, category); err != nil {
			return fmt.Errorf("delete data handling: %w", err)
		}
		if err := s.Audit.Record(ctx, "data_handling.delete", "data_handling", vendorID+"/"+category, before, nil); err != nil {
			return err
		}
		return s.refreshRisk(ctx, vendorID)
	})
}

// refreshRisk recomputes a vendor's inherent risk from its data handling
// and stores it (a new version) when it changed.
func (s *VendorService) refreshRisk(ctx context.Context, vendorID string) error {
	v, err := s.Vendors.Get(ctx, vendorID)
	if err != nil {
		return err
	}
	hs, err := s.Handling.ListByVendor(ctx, vendorID)
	if err != nil {
		return err
	}
	var sens int
	var records int64
	for _, h := range hs {
		c, _ := LookupCategory(h.Category)
		sens = max(sens, c.Sensitivity)
		records = max(records, h.RecordCount)
	}
	if sens == v.MaxSensitivity && records == v.MaxRecords {
		return nil
	}
	before := v
	v.MaxSensitivity, v.MaxRecords = sens, records
	v.Risk = ComputeInherentRisk(RiskInputs{MaxSensitivity: sens, MaxRecords: records, Criticality: v.Criticality})
	v.UpdatedAt = s.Clock.Now()
	if err := s.Vendors.Update(ctx, v, before.Version); err != nil {
		return fmt.Errorf("update vendor risk: %w", err)
	}
	v.Version = before.Version + 1
	return s.Audit.Record(ctx, "vendor.risk_recomputed", "vendor", v.ID, before, v)
}
