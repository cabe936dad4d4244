package dora

import (
	"context"
	"errors"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Store persists the register's own facts.
type Store interface {
	// PutEntity inserts or replaces an entity (by LEI), keeping its
	// created_at; created reports an insert.
	PutEntity(ctx context.Context, e Entity) (created bool, err error)
	// GetEntity returns an entity. Returns ErrNotFound.
	GetEntity(ctx context.Context, lei string) (Entity, error)
	// ListEntities returns every entity, by LEI.
	ListEntities(ctx context.Context) ([]Entity, error)
	// PutProvider inserts or replaces a vendor's provider facts.
	PutProvider(ctx context.Context, p Provider) error
	// GetProvider returns a vendor's provider facts. Returns ErrNotFound.
	GetProvider(ctx context.Context, vendorID string) (Provider, error)
	// PutArrangement inserts or replaces a contract's arrangement facts.
	// Returns a ConflictError on "reference" when another contract has it.
	PutArrangement(ctx context.Context, a Arrangement) error
	// GetArrangement returns a contract's arrangement facts. Returns ErrNotFound.
	GetArrangement(ctx context.Context, contractID string) (Arrangement, error)
	// PutFunction inserts or replaces a function.
	PutFunction(ctx context.Context, f Function) error
	// GetFunction returns a function. Returns ErrNotFound.
	GetFunction(ctx context.Context, ref FunctionRef) (Function, error)
	// ListFunctions returns the functions of every entity, by entity and id.
	ListFunctions(ctx context.Context) ([]Function, error)
	// PutService inserts or replaces a contract's ICT service and the
	// functions it supports.
	PutService(ctx context.Context, s ICTService) error
	// ListServices returns a contract's ICT services, by type.
	ListServices(ctx context.Context, contractID string) ([]ICTService, error)
}

// Service maintains the register's own facts: each write checks its input,
// that what it names exists, and records an audit event in its transaction.
type Service struct {
	Tx        domain.Transactor
	Store     Store
	Source    Source
	Vendors   register.VendorStore
	Contracts contract.ContractStore
	Audit     domain.Auditor
	Clock     domain.Clock
}

// PutEntity records a financial entity of the register.
func (s *Service) PutEntity(ctx context.Context, e Entity) (Entity, bool, error) {
	if err := e.Check(); err != nil {
		return Entity{}, false, err
	}
	var created bool
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now().UTC()
		e.CreatedAt, e.UpdatedAt = now, now
		var err error
		if created, err = s.Store.PutEntity(ctx, e); err != nil {
			return err
		}
		if e, err = s.Store.GetEntity(ctx, e.LEI); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "dora_entity.put", "dora_entity", e.LEI, nil, e)
	})
	return e, created, err
}

// Entities lists the financial entities of the register.
func (s *Service) Entities(ctx context.Context) ([]Entity, error) { return s.Store.ListEntities(ctx) }

// PutProvider records a vendor's facts as an ICT third-party service provider.
func (s *Service) PutProvider(ctx context.Context, p Provider) (Provider, error) {
	if err := p.Check(); err != nil {
		return Provider{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.Vendors.Get(ctx, p.VendorID); err != nil {
			return err
		}
		if p.UltimateParentVendorID != "" {
			if _, err := s.Vendors.Get(ctx, p.UltimateParentVendorID); errors.Is(err, domain.ErrNotFound) {
				return domain.Invalid("ultimate_parent_vendor_id", "is not a vendor")
			} else if err != nil {
				return err
			}
		}
		p.UpdatedAt = s.Clock.Now().UTC()
		if err := s.Store.PutProvider(ctx, p); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "dora_provider.put", "vendor", p.VendorID, nil, p)
	})
	return p, err
}

// Provider returns a vendor's provider facts (empty ones when none are kept).
func (s *Service) Provider(ctx context.Context, vendorID string) (Provider, error) {
	if _, err := s.Vendors.Get(ctx, vendorID); err != nil {
		return Provider{}, err
	}
	p, err := s.Store.GetProvider(ctx, vendorID)
	if errors.Is(err, domain.ErrNotFound) {
		return Provider{VendorID: vendorID}, nil
	}
	return p, err
}

// PutArrangement records a contract's facts as a contractual arrangement.
func (s *Service) PutArrangement(ctx context.Context, a Arrangement) (Arrangement, error) {
	if err := a.Check(); err != nil {
		return Arrangement{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.Contracts.Get(ctx, a.ContractID); err != nil {
			return err
		}
		if err := s.entityExists(ctx, "entity_lei", a.EntityLEI); err != nil {
			return err
		}
		a.UpdatedAt = s.Clock.Now().UTC()
		if err := s.Store.PutArrangement(ctx, a); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "dora_arrangement.put", "contract", a.ContractID, nil, a)
	})
	return a, err
}

// Arrangement returns a contract's arrangement facts. Returns ErrNotFound
// when the contract has none.
func (s *Service) Arrangement(ctx context.Context, contractID string) (Arrangement, error) {
	return s.Store.GetArrangement(ctx, contractID)
}

// PutFunction records a function of a financial entity.
func (s *Service) PutFunction(ctx context.Context, f Function) (Function, error) {
	if err := f.Check(); err != nil {
		return Function{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.entityExists(ctx, "entity_lei", f.EntityLEI); err != nil {
			return err
		}
		f.UpdatedAt = s.Clock.Now().UTC()
		if err := s.Store.PutFunction(ctx, f); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "dora_function.put", "dora_function", f.EntityLEI+"/"+f.FunctionID, nil, f)
	})
	return f, err
}

// Functions lists the functions of every entity.
func (s *Service) Functions(ctx context.Context) ([]Function, error) {
	return s.Store.ListFunctions(ctx)
}

// PutService records an ICT service of a contract and the functions it
// supports (replacing the ones recorded before).
func (s *Service) PutService(ctx context.Context, svc ICTService) (ICTService, error) {
	if err := svc.Check(); err != nil {
		return ICTService{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.Contracts.Get(ctx, svc.ContractID); err != nil {
			return err
		}
		for i, f := range svc.Functions {
			if _, err := s.Store.GetFunction(ctx, f); errors.Is(err, domain.ErrNotFound) {
				return domain.Invalid(domain.IndexField("functions", i), "names function %s of %s, which the register does not have", f.FunctionID, f.EntityLEI)
			} else if err != nil {
				return err
			}
		}
		svc.UpdatedAt = s.Clock.Now().UTC()
		if err := s.Store.PutService(ctx, svc); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "dora_service.put", "contract", svc.ContractID, nil, svc)
	})
	return svc, err
}

// Services lists a contract's ICT services.
func (s *Service) Services(ctx context.Context, contractID string) ([]ICTService, error) {
	if _, err := s.Contracts.Get(ctx, contractID); err != nil {
		return nil, err
	}
	return s.Store.ListServices(ctx, contractID)
}

func (s *Service) entityExists(ctx context.Context, field, lei string) error {
	_, err := s.Store.GetEntity(ctx, lei)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid(field, "is not a financial entity of the register (record it first)")
	}
	if err != nil {
		return fmt.Errorf("entity %s: %w", lei, err)
	}
	return nil
}

// Scope resolves what a filing covers: the filing entity (entityLEI, or the
// register's only entity when it is ""), the level (IND when "") and the
// reference date. Each bad parameter is a field error naming it.
func (s *Service) Scope(ctx context.Context, entityLEI string, level Level, referenceDate string) (Entity, Scope, error) {
	var fe domain.FieldErrors
	if level == "" {
		level = Individual
	}
	if !level.Valid() {
		fe.Add("level", "must be IND or CON")
	}
	ref, err := domain.ParseDate(referenceDate)
	if err != nil {
		fe.Add("reference_date", "is required: a date in the form YYYY-MM-DD")
	}
	var filer Entity
	if entityLEI == "" {
		all, err := s.Store.ListEntities(ctx)
		if err != nil {
			return Entity{}, Scope{}, err
		}
		if len(all) == 1 {
			filer = all[0]
		} else {
			fe.Add("entity", "is required: the LEI of the filing entity (the register has %s)", domain.Count(len(all), "entity", "entities"))
		}
	} else if filer, err = s.Store.GetEntity(ctx, entityLEI); errors.Is(err, domain.ErrNotFound) {
		fe.Add("entity", "is not a financial entity of the register")
	} else if err != nil {
		return Entity{}, Scope{}, err
	}
	if err := fe.Err(); err != nil {
		return Entity{}, Scope{}, err
	}
	return filer, Scope{EntityLEI: filer.LEI, Level: level, ReferenceDate: ref}, nil
}

// Check runs the pre-flight check of the register for sc.
func (s *Service) Check(ctx context.Context, filer Entity, sc Scope) (Report, error) {
	return Check(ctx, s.Source, filer, sc)
}

// CheckRegister is the check the audit workbook shows: the register as of
// on, filed by its ultimate parent (or its first entity by LEI) at CON when
// it has more than one entity, at IND otherwise. Nil when the register has
// no entity.
func (s *Service) CheckRegister(ctx context.Context, on domain.Date) (*Report, error) {
	all, err := s.Store.ListEntities(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	filer := all[0]
	for _, e := range all {
		if e.Hierarchy == "ultimate_parent" {
			filer = e
			break
		}
	}
	sc := Scope{EntityLEI: filer.LEI, Level: Individual, ReferenceDate: on}
	if len(all) > 1 {
		sc.Level = Consolidated
	}
	r, err := s.Check(ctx, filer, sc)
	if err != nil {
		return nil, err
	}
	return &r, nil
}
