package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
)

// Dora is the store of the DORA register's own facts and the source of its
// templates' rows: set-based queries streamed row by row (each), joined to
// the vendors, contracts, data categories and supply-chain edges they map.
type Dora struct{ db *DB }

var (
	_ dora.Store  = (*Dora)(nil)
	_ dora.Source = (*Dora)(nil)
)

// NewDora returns the DORA store on db.
func NewDora(db *DB) *Dora { return &Dora{db: db} }

func (s *Dora) exec(ctx context.Context, q string, args ...any) error {
	return translate(s.db.conn(ctx).Exec(q, args...).Error)
}

// PutEntity implements dora.Store.
func (s *Dora) PutEntity(ctx context.Context, e dora.Entity) (bool, error) {
	_, err := s.GetEntity(ctx, e.LEI)
	created := errors.Is(err, domain.ErrNotFound)
	if err != nil && !created {
		return false, err
	}
	err = s.exec(ctx, `INSERT INTO dora_entities (lei, name, country, entity_type, currency, competent_authority,
	    hierarchy, parent_lei, total_assets_minor, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)
	  ON CONFLICT (lei) DO UPDATE SET name = excluded.name, country = excluded.country,
	    entity_type = excluded.entity_type, currency = excluded.currency,
	    competent_authority = excluded.competent_authority, hierarchy = excluded.hierarchy,
	    parent_lei = excluded.parent_lei, total_assets_minor = excluded.total_assets_minor,
	    updated_at = excluded.updated_at`,
		e.LEI, e.Name, e.Country, e.EntityType, e.Currency, e.CompetentAuthority, e.Hierarchy, e.ParentLEI,
		e.TotalAssetsMinor, e.CreatedAt.UTC(), e.UpdatedAt.UTC())
	if err != nil {
		return false, fmt.Errorf("put entity %s: %w", e.LEI, err)
	}
	return created, nil
}

const entityCols = `lei, name, country, entity_type, currency, competent_authority, hierarchy, parent_lei,
	total_assets_minor, created_at, updated_at`

func scanEntity(r rowScanner, e *dora.Entity) error {
	var assets sql.NullInt64
	if err := r.Scan(&e.LEI, &e.Name, &e.Country, &e.EntityType, &e.Currency, &e.CompetentAuthority, &e.Hierarchy,
		&e.ParentLEI, &assets, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return err
	}
	if assets.Valid {
		e.TotalAssetsMinor = &assets.Int64
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return nil
}

// GetEntity implements dora.Store.
func (s *Dora) GetEntity(ctx context.Context, lei string) (dora.Entity, error) {
	e, err := queryOne(ctx, s.db, scanEntity, "SELECT "+entityCols+" FROM dora_entities WHERE lei = ?", lei)
	if err != nil {
		return dora.Entity{}, fmt.Errorf("entity %s: %w", lei, err)
	}
	return e, nil
}

// ListEntities implements dora.Store.
func (s *Dora) ListEntities(ctx context.Context) ([]dora.Entity, error) {
	return queryRows(ctx, s.db, 4, scanEntity, "SELECT "+entityCols+" FROM dora_entities ORDER BY lei")
}

// PutProvider implements dora.Store.
func (s *Dora) PutProvider(ctx context.Context, p dora.Provider) error {
	err := s.exec(ctx, `INSERT INTO dora_providers (vendor_id, euid, person_type, hq_country, ultimate_parent_vendor_id,
	    updated_at) VALUES (?,?,?,?,?,?)
	  ON CONFLICT (vendor_id) DO UPDATE SET euid = excluded.euid, person_type = excluded.person_type,
	    hq_country = excluded.hq_country, ultimate_parent_vendor_id = excluded.ultimate_parent_vendor_id,
	    updated_at = excluded.updated_at`,
		p.VendorID, p.EUID, p.PersonType, p.HQCountry, nullString(p.UltimateParentVendorID), p.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("put provider %s: %w", p.VendorID, err)
	}
	return nil
}

// GetProvider implements dora.Store.
func (s *Dora) GetProvider(ctx context.Context, vendorID string) (dora.Provider, error) {
	p, err := queryOne(ctx, s.db, func(r rowScanner, p *dora.Provider) error {
		var parent sql.NullString
		if err := r.Scan(&p.VendorID, &p.EUID, &p.PersonType, &p.HQCountry, &parent, &p.UpdatedAt); err != nil {
			return err
		}
		p.UltimateParentVendorID, p.UpdatedAt = parent.String, p.UpdatedAt.UTC()
		return nil
	}, `SELECT vendor_id, euid, person_type, hq_country, ultimate_parent_vendor_id, updated_at
	  FROM dora_providers WHERE vendor_id = ?`, vendorID)
	if err != nil {
		return dora.Provider{}, fmt.Errorf("provider %s: %w", vendorID, err)
	}
	return p, nil
}

// PutArrangement implements dora.Store.
func (s *Dora) PutArrangement(ctx context.Context, a dora.Arrangement) error {
	var minor *int64
	var cur string
	if a.AnnualExpense != nil {
		minor, cur = &a.AnnualExpense.AmountMinor, a.AnnualExpense.Currency
	}
	err := s.exec(ctx, `INSERT INTO dora_contracts (contract_id, entity_lei, arrangement_ref, arrangement_type,
	    overarching_ref, annual_expense_minor, expense_currency, governing_law_country, notice_entity_days,
	    notice_provider_days, termination_reason, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
	  ON CONFLICT (contract_id) DO UPDATE SET entity_lei = excluded.entity_lei,
	    arrangement_ref = excluded.arrangement_ref, arrangement_type = excluded.arrangement_type,
	    overarching_ref = excluded.overarching_ref, annual_expense_minor = excluded.annual_expense_minor,
	    expense_currency = excluded.expense_currency, governing_law_country = excluded.governing_law_country,
	    notice_entity_days = excluded.notice_entity_days, notice_provider_days = excluded.notice_provider_days,
	    termination_reason = excluded.termination_reason, updated_at = excluded.updated_at`,
		a.ContractID, a.EntityLEI, a.Reference, a.Type, a.OverarchingRef, minor, cur, a.GoverningLawCountry,
		a.NoticeEntityDays, a.NoticeProviderDays, a.TerminationReason, a.UpdatedAt.UTC())
	var conflict *domain.ConflictError
	if errors.As(err, &conflict) {
		return &domain.ConflictError{Field: "reference", Message: "is the reference of another contractual arrangement"}
	}
	if err != nil {
		return fmt.Errorf("put arrangement %s: %w", a.ContractID, err)
	}
	return nil
}

// GetArrangement implements dora.Store.
func (s *Dora) GetArrangement(ctx context.Context, contractID string) (dora.Arrangement, error) {
	a, err := queryOne(ctx, s.db, func(r rowScanner, a *dora.Arrangement) error {
		var minor sql.NullInt64
		var cur string
		var ne, np sql.NullInt64
		if err := r.Scan(&a.ContractID, &a.EntityLEI, &a.Reference, &a.Type, &a.OverarchingRef, &minor, &cur,
			&a.GoverningLawCountry, &ne, &np, &a.TerminationReason, &a.UpdatedAt); err != nil {
			return err
		}
		if minor.Valid {
			a.AnnualExpense = &domain.Money{AmountMinor: minor.Int64, Currency: cur}
		}
		a.NoticeEntityDays, a.NoticeProviderDays, a.UpdatedAt = intPtr(ne), intPtr(np), a.UpdatedAt.UTC()
		return nil
	}, `SELECT contract_id, entity_lei, arrangement_ref, arrangement_type, overarching_ref, annual_expense_minor,
	    expense_currency, governing_law_country, notice_entity_days, notice_provider_days, termination_reason, updated_at
	  FROM dora_contracts WHERE contract_id = ?`, contractID)
	if err != nil {
		return dora.Arrangement{}, fmt.Errorf("arrangement %s: %w", contractID, err)
	}
	return a, nil
}

// PutFunction implements dora.Store.
func (s *Dora) PutFunction(ctx context.Context, f dora.Function) error {
	err := s.exec(ctx, `INSERT INTO dora_functions (function_id, entity_lei, name, licensed_activity, criticality,
	    criticality_reasons, last_assessed_on, rto_hours, rpo_hours, discontinuation_impact, updated_at)
	    VALUES (?,?,?,?,?,?,?,?,?,?,?)
	  ON CONFLICT (entity_lei, function_id) DO UPDATE SET name = excluded.name,
	    licensed_activity = excluded.licensed_activity, criticality = excluded.criticality,
	    criticality_reasons = excluded.criticality_reasons, last_assessed_on = excluded.last_assessed_on,
	    rto_hours = excluded.rto_hours, rpo_hours = excluded.rpo_hours,
	    discontinuation_impact = excluded.discontinuation_impact, updated_at = excluded.updated_at`,
		f.FunctionID, f.EntityLEI, f.Name, f.LicensedActivity, f.Criticality, f.CriticalityReasons,
		sqlDate(f.LastAssessedOn), f.RTOHours, f.RPOHours, f.DiscontinuationImpact, f.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("put function %s/%s: %w", f.EntityLEI, f.FunctionID, err)
	}
	return nil
}

const functionCols = `f.function_id, f.entity_lei, f.name, f.licensed_activity, f.criticality, f.criticality_reasons,
	f.last_assessed_on, f.rto_hours, f.rpo_hours, f.discontinuation_impact, f.updated_at`

func scanFunction(r rowScanner, f *dora.Function) error {
	var assessed dateCol
	var rto, rpo sql.NullInt64
	if err := r.Scan(&f.FunctionID, &f.EntityLEI, &f.Name, &f.LicensedActivity, &f.Criticality, &f.CriticalityReasons,
		&assessed, &rto, &rpo, &f.DiscontinuationImpact, &f.UpdatedAt); err != nil {
		return err
	}
	f.LastAssessedOn, f.RTOHours, f.RPOHours, f.UpdatedAt = assessed.Date, intPtr(rto), intPtr(rpo), f.UpdatedAt.UTC()
	return nil
}

// GetFunction implements dora.Store.
func (s *Dora) GetFunction(ctx context.Context, ref dora.FunctionRef) (dora.Function, error) {
	f, err := queryOne(ctx, s.db, scanFunction, "SELECT "+functionCols+
		" FROM dora_functions f WHERE f.entity_lei = ? AND f.function_id = ?", ref.EntityLEI, ref.FunctionID)
	if err != nil {
		return dora.Function{}, fmt.Errorf("function %s/%s: %w", ref.EntityLEI, ref.FunctionID, err)
	}
	return f, nil
}

// ListFunctions implements dora.Store.
func (s *Dora) ListFunctions(ctx context.Context) ([]dora.Function, error) {
	return queryRows(ctx, s.db, 8, scanFunction, "SELECT "+functionCols+
		" FROM dora_functions f ORDER BY f.entity_lei, f.function_id")
}

// PutService implements dora.Store: the service and the functions it
// supports, replaced together (call it in a transaction).
func (s *Dora) PutService(ctx context.Context, v dora.ICTService) error {
	err := s.exec(ctx, `INSERT INTO dora_services (contract_id, service_type, start_on, end_on, provision_country,
	    stores_data, storage_country, processing_country, sensitivity, reliance, substitutability,
	    not_substitutable_reason, last_audit_on, exit_plan, reintegration, discontinuation_impact, alternatives,
	    alternative_providers, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
	  ON CONFLICT (contract_id, service_type) DO UPDATE SET start_on = excluded.start_on, end_on = excluded.end_on,
	    provision_country = excluded.provision_country, stores_data = excluded.stores_data,
	    storage_country = excluded.storage_country, processing_country = excluded.processing_country,
	    sensitivity = excluded.sensitivity, reliance = excluded.reliance,
	    substitutability = excluded.substitutability, not_substitutable_reason = excluded.not_substitutable_reason,
	    last_audit_on = excluded.last_audit_on, exit_plan = excluded.exit_plan,
	    reintegration = excluded.reintegration, discontinuation_impact = excluded.discontinuation_impact,
	    alternatives = excluded.alternatives, alternative_providers = excluded.alternative_providers,
	    updated_at = excluded.updated_at`,
		v.ContractID, v.ServiceType, sqlDate(v.StartOn), sqlDate(v.EndOn), v.ProvisionCountry, v.StoresData,
		v.StorageCountry, v.ProcessingCountry, v.Sensitivity, v.Reliance, v.Substitutability, v.NotSubstitutableReason,
		sqlDate(v.LastAuditOn), v.ExitPlan, v.Reintegration, v.DiscontinuationImpact, v.Alternatives,
		v.AlternativeProviders, v.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("put service %s/%s: %w", v.ContractID, v.ServiceType, err)
	}
	if err := s.exec(ctx, "DELETE FROM dora_service_functions WHERE contract_id = ? AND service_type = ?",
		v.ContractID, v.ServiceType); err != nil {
		return fmt.Errorf("put service %s/%s: %w", v.ContractID, v.ServiceType, err)
	}
	for _, f := range v.Functions {
		if err := s.exec(ctx, `INSERT INTO dora_service_functions (contract_id, service_type, entity_lei, function_id)
		  VALUES (?,?,?,?)`, v.ContractID, v.ServiceType, f.EntityLEI, f.FunctionID); err != nil {
			return fmt.Errorf("put service %s/%s: %w", v.ContractID, v.ServiceType, err)
		}
	}
	return nil
}

// ListServices implements dora.Store.
func (s *Dora) ListServices(ctx context.Context, contractID string) ([]dora.ICTService, error) {
	out, err := queryRows(ctx, s.db, 4, func(r rowScanner, v *dora.ICTService) error {
		var start, end, audit dateCol
		var stores, exit sql.NullBool
		if err := r.Scan(&v.ContractID, &v.ServiceType, &start, &end, &v.ProvisionCountry, &stores, &v.StorageCountry,
			&v.ProcessingCountry, &v.Sensitivity, &v.Reliance, &v.Substitutability, &v.NotSubstitutableReason, &audit,
			&exit, &v.Reintegration, &v.DiscontinuationImpact, &v.Alternatives, &v.AlternativeProviders,
			&v.UpdatedAt); err != nil {
			return err
		}
		v.StartOn, v.EndOn, v.LastAuditOn = start.Date, end.Date, audit.Date
		v.StoresData, v.ExitPlan, v.UpdatedAt = boolPtr(stores), boolPtr(exit), v.UpdatedAt.UTC()
		v.Functions = []dora.FunctionRef{}
		return nil
	}, `SELECT contract_id, service_type, start_on, end_on, provision_country, stores_data, storage_country,
	    processing_country, sensitivity, reliance, substitutability, not_substitutable_reason, last_audit_on, exit_plan,
	    reintegration, discontinuation_impact, alternatives, alternative_providers, updated_at
	  FROM dora_services WHERE contract_id = ? ORDER BY service_type`, contractID)
	if err != nil {
		return nil, fmt.Errorf("services of %s: %w", contractID, err)
	}
	refs, err := queryRows(ctx, s.db, 8, func(r rowScanner, f *struct {
		st string
		dora.FunctionRef
	}) error {
		return r.Scan(&f.st, &f.EntityLEI, &f.FunctionID)
	}, `SELECT service_type, entity_lei, function_id FROM dora_service_functions WHERE contract_id = ?
	  ORDER BY service_type, entity_lei, function_id`, contractID)
	if err != nil {
		return nil, fmt.Errorf("functions of %s: %w", contractID, err)
	}
	byType := make(map[string]*dora.ICTService, len(out))
	for i := range out {
		byType[out[i].ServiceType] = &out[i]
	}
	for _, f := range refs {
		if v := byType[f.st]; v != nil {
			v.Functions = append(v.Functions, f.FunctionRef)
		}
	}
	return out, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func boolPtr(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	v := b.Bool
	return &v
}
