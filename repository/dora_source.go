package repository

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The register's template rows. Every query is one set-based statement
// read row by row; the scope (the filing entity at IND, every entity at
// CON, contracts in force by the reference date) is arrangementScope.

// arrangementScope filters dora_contracts dc joined to contracts c.
func arrangementScope(sc dora.Scope) (string, []any) {
	cond := "c.effective_on <= ?"
	args := []any{sqlDate(sc.ReferenceDate)}
	if sc.Level == dora.Individual {
		cond += " AND dc.entity_lei = ?"
		args = append(args, sc.EntityLEI)
	}
	return cond, args
}

// entityScope filters a table's entity_lei column named col.
func entityScope(sc dora.Scope, col string) (string, []any) {
	if sc.Level == dora.Individual {
		return col + " = ?", []any{sc.EntityLEI}
	}
	return "1 = 1", nil
}

// partyCols are a vendor's identification (alias v, its provider facts p).
func partyCols(v, p string) string {
	return v + ".id, COALESCE(" + v + ".lei, ''), COALESCE(" + p + ".euid, '')"
}

func scanParty(dst *dora.Party) []any { return []any{&dst.VendorID, &dst.LEI, &dst.EUID} }

// Entities implements dora.Source.
func (s *Dora) Entities(ctx context.Context, sc dora.Scope, fn func(dora.Entity) error) error {
	cond, args := entityScope(sc, "lei")
	return each(ctx, s.db, "SELECT "+entityCols+" FROM dora_entities WHERE "+cond+" ORDER BY lei", args,
		func(r rowScanner) error {
			var e dora.Entity
			if err := scanEntity(r, &e); err != nil {
				return err
			}
			return fn(e)
		})
}

// Arrangements implements dora.Source.
func (s *Dora) Arrangements(ctx context.Context, sc dora.Scope, fn func(dora.ArrangementRow) error) error {
	cond, args := arrangementScope(sc)
	q := `SELECT c.id, dc.arrangement_ref, dc.arrangement_type, dc.overarching_ref, dc.annual_expense_minor,
	    dc.expense_currency, c.annual_value_minor, COALESCE(c.annual_value_currency, ''), dc.entity_lei, ` +
		partyCols("v", "p") + `
	  FROM dora_contracts dc JOIN contracts c ON c.id = dc.contract_id JOIN vendors v ON v.id = c.vendor_id
	  LEFT JOIN dora_providers p ON p.vendor_id = v.id
	  WHERE ` + cond + ` ORDER BY dc.arrangement_ref`
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		var a dora.ArrangementRow
		var own, contractValue sql.NullInt64
		var ownCur, contractCur string
		dst := append([]any{&a.ContractID, &a.Reference, &a.Type, &a.OverarchingRef, &own, &ownCur, &contractValue,
			&contractCur, &a.EntityLEI}, scanParty(&a.Provider)...)
		if err := r.Scan(dst...); err != nil {
			return err
		}
		a.Expense = expense(own, ownCur, contractValue, contractCur)
		return fn(a)
	})
}

// expense is an arrangement's annual expense: its own, else its contract's
// annual value.
func expense(own sql.NullInt64, ownCur string, contract sql.NullInt64, contractCur string) *domain.Money {
	switch {
	case own.Valid:
		return &domain.Money{AmountMinor: own.Int64, Currency: ownCur}
	case contract.Valid:
		return &domain.Money{AmountMinor: contract.Int64, Currency: contractCur}
	}
	return nil
}

// serviceCols are what B_02.02 and B_07.01 read of a service (s), its
// arrangement (dc), contract (c), vendor (v) and provider facts (p).
const serviceCols = `c.id, dc.arrangement_ref, dc.entity_lei, v.id, COALESCE(v.lei, ''), COALESCE(p.euid, ''),
	s.service_type, s.start_on, c.effective_on, s.end_on, c.expires_on, dc.termination_reason,
	dc.notice_entity_days, dc.notice_provider_days, dc.governing_law_country, c.governing_law, s.provision_country,
	s.stores_data, s.storage_country, s.processing_country, s.sensitivity, v.max_sensitivity, s.reliance,
	s.substitutability, s.not_substitutable_reason, s.last_audit_on, s.exit_plan, s.reintegration,
	s.discontinuation_impact, s.alternatives, s.alternative_providers`

const serviceFrom = ` FROM dora_services s JOIN dora_contracts dc ON dc.contract_id = s.contract_id
	JOIN contracts c ON c.id = s.contract_id JOIN vendors v ON v.id = c.vendor_id
	LEFT JOIN dora_providers p ON p.vendor_id = v.id`

func scanService(r rowScanner, extra ...any) (dora.ServiceRow, error) {
	var x dora.ServiceRow
	var start, effective, end, expires, audit dateCol
	var ne, np sql.NullInt64
	var law, contractLaw string
	var stores, exit sql.NullBool
	var maxSensitivity int
	dst := []any{&x.ContractID, &x.Reference, &x.EntityLEI, &x.Provider.VendorID, &x.Provider.LEI, &x.Provider.EUID,
		&x.ServiceType, &start, &effective, &end, &expires, &x.TerminationReason, &ne, &np, &law, &contractLaw,
		&x.ProvisionCountry, &stores, &x.StorageCountry, &x.ProcessingCountry, &x.Sensitivity, &maxSensitivity,
		&x.Reliance, &x.Substitutability, &x.NotSubstitutableReason, &audit, &exit, &x.Reintegration,
		&x.DiscontinuationImpact, &x.Alternatives, &x.AlternativeProviders}
	if err := r.Scan(append(dst, extra...)...); err != nil {
		return x, err
	}
	x.Start, x.End = start.Date, end.Date
	if x.Start.IsZero() {
		x.Start = effective.Date
	}
	if x.End.IsZero() {
		x.End = expires.Date
	}
	x.NoticeEntityDays, x.NoticeProviderDays = intPtr(ne), intPtr(np)
	x.GoverningLawCountry = dora.GoverningLawCountry(law, contractLaw)
	x.StoresData, x.ExitPlan, x.LastAuditOn = boolPtr(stores), boolPtr(exit), audit.Date
	if x.Sensitivity == "" {
		x.Sensitivity = dora.SensitivityFromCategories(maxSensitivity)
	}
	return x, nil
}

// ServiceFunctions implements dora.Source.
func (s *Dora) ServiceFunctions(ctx context.Context, sc dora.Scope, fn func(dora.ServiceRow) error) error {
	cond, args := arrangementScope(sc)
	q := "SELECT " + serviceCols + `, COALESCE(sf.entity_lei, ''), COALESCE(sf.function_id, ''),
	    COALESCE(f.criticality, '')` + serviceFrom + `
	  LEFT JOIN dora_service_functions sf ON sf.contract_id = s.contract_id AND sf.service_type = s.service_type
	  LEFT JOIN dora_functions f ON f.entity_lei = sf.entity_lei AND f.function_id = sf.function_id
	  WHERE ` + cond + ` ORDER BY dc.arrangement_ref, s.service_type, sf.entity_lei, sf.function_id`
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		var criticality string
		var ref dora.FunctionRef
		x, err := scanService(r, &ref.EntityLEI, &ref.FunctionID, &criticality)
		if err != nil {
			return err
		}
		x.Function, x.FunctionCritical = ref, criticality == "yes"
		return fn(x)
	})
}

// Assessments implements dora.Source.
func (s *Dora) Assessments(ctx context.Context, sc dora.Scope, fn func(dora.ServiceRow) error) error {
	cond, args := arrangementScope(sc)
	q := "SELECT " + serviceCols + serviceFrom + " WHERE " + cond + " ORDER BY dc.arrangement_ref, s.service_type"
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		x, err := scanService(r)
		if err != nil {
			return err
		}
		return fn(x)
	})
}

// Functions implements dora.Source.
func (s *Dora) Functions(ctx context.Context, sc dora.Scope, fn func(dora.Function) error) error {
	cond, args := entityScope(sc, "f.entity_lei")
	return each(ctx, s.db, "SELECT "+functionCols+" FROM dora_functions f WHERE "+cond+
		" ORDER BY f.entity_lei, f.function_id", args, func(r rowScanner) error {
		var f dora.Function
		if err := scanFunction(r, &f); err != nil {
			return err
		}
		return fn(f)
	})
}

// chainCTE is the supply chain of the services in scope: rank 1 each
// contract's vendor, rank n+1 the providers the vendor at rank n depends on
// (vendor_dependencies), to register.MaxRank.
func chainCTE(sc dora.Scope) (string, []any) {
	cond, args := arrangementScope(sc)
	return `WITH RECURSIVE svc AS (
	    SELECT dc.arrangement_ref AS ref, s.service_type AS st, c.vendor_id AS vid
	    FROM dora_services s JOIN dora_contracts dc ON dc.contract_id = s.contract_id
	    JOIN contracts c ON c.id = s.contract_id WHERE ` + cond + `
	  ), chain (ref, st, provider, recipient, rnk) AS (
	    SELECT ref, st, vid, vid, 1 FROM svc
	    UNION ALL
	    SELECT chain.ref, chain.st, d.provider_id, d.vendor_id, chain.rnk + 1
	    FROM chain JOIN vendor_dependencies d ON d.vendor_id = chain.provider
	    WHERE chain.rnk < ` + fmt.Sprint(register.MaxRank) + `
	  )`, args
}

// SupplyChain implements dora.Source.
func (s *Dora) SupplyChain(ctx context.Context, sc dora.Scope, fn func(dora.ChainRow) error) error {
	with, args := chainCTE(sc)
	q := with + `, links AS (SELECT DISTINCT ref, st, provider, recipient, rnk FROM chain)
	  SELECT l.ref, l.st, l.rnk, ` + partyCols("pv", "pp") + `, ` + partyCols("rv", "rp") + `
	  FROM links l JOIN vendors pv ON pv.id = l.provider LEFT JOIN dora_providers pp ON pp.vendor_id = pv.id
	  JOIN vendors rv ON rv.id = l.recipient LEFT JOIN dora_providers rp ON rp.vendor_id = rv.id
	  ORDER BY l.ref, l.st, l.rnk, pv.id, rv.id`
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		var c dora.ChainRow
		dst := append(append([]any{&c.Reference, &c.ServiceType, &c.Rank}, scanParty(&c.Provider)...),
			scanParty(&c.Recipient)...)
		if err := r.Scan(dst...); err != nil {
			return err
		}
		return fn(c)
	})
}

// Providers implements dora.Source: the vendors of the chains, with the
// ultimate parents they name; the total annual expense is the sum of the
// direct arrangements' expenses in the filing entity's currency.
func (s *Dora) Providers(ctx context.Context, sc dora.Scope, fn func(dora.ProviderRow) error) error {
	with, args := chainCTE(sc)
	cond, scopeArgs := arrangementScope(sc)
	q := with + `, members AS (
	    SELECT provider AS id FROM chain
	    UNION
	    SELECT COALESCE(p.ultimate_parent_vendor_id, v.parent_vendor_id) FROM chain
	    JOIN vendors v ON v.id = chain.provider LEFT JOIN dora_providers p ON p.vendor_id = v.id
	    WHERE COALESCE(p.ultimate_parent_vendor_id, v.parent_vendor_id) IS NOT NULL
	  ), spend AS (
	    SELECT c.vendor_id AS id,
	      SUM(CASE WHEN dc.annual_expense_minor IS NOT NULL THEN dc.annual_expense_minor ELSE c.annual_value_minor END) AS total
	    FROM dora_contracts dc JOIN contracts c ON c.id = dc.contract_id
	    WHERE ` + cond + ` AND (CASE WHEN dc.annual_expense_minor IS NOT NULL THEN dc.expense_currency
	      ELSE c.annual_value_currency END) = (SELECT currency FROM dora_entities WHERE lei = ?)
	    GROUP BY c.vendor_id
	  )
	  SELECT ` + partyCols("v", "p") + `, CASE WHEN v.legal_name <> '' THEN v.legal_name ELSE v.name END,
	    COALESCE(p.person_type, ''), CASE WHEN COALESCE(p.hq_country, '') <> '' THEN p.hq_country ELSE v.country END,
	    spend.total, (SELECT currency FROM dora_entities WHERE lei = ?), ` + partyCols("uv", "up") + `
	  FROM (SELECT DISTINCT id FROM members) m JOIN vendors v ON v.id = m.id
	  LEFT JOIN dora_providers p ON p.vendor_id = v.id
	  LEFT JOIN vendors uv ON uv.id = COALESCE(p.ultimate_parent_vendor_id, v.parent_vendor_id)
	  LEFT JOIN dora_providers up ON up.vendor_id = uv.id
	  LEFT JOIN spend ON spend.id = v.id
	  ORDER BY COALESCE(NULLIF(v.lei, ''), p.euid, ''), v.id`
	args = append(append(append(args, scopeArgs...), sc.EntityLEI), sc.EntityLEI)
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		var p dora.ProviderRow
		var total sql.NullInt64
		var cur string
		var parentID, parentLEI, parentEUID sql.NullString
		dst := append(scanParty(&p.Party), &p.Name, &p.PersonType, &p.HQCountry, &total, &cur, &parentID, &parentLEI,
			&parentEUID)
		if err := r.Scan(dst...); err != nil {
			return err
		}
		if total.Valid {
			p.Expense = &domain.Money{AmountMinor: total.Int64, Currency: cur}
		}
		if parentID.Valid {
			p.Parent = dora.Party{VendorID: parentID.String, LEI: parentLEI.String, EUID: parentEUID.String}
		}
		return fn(p)
	})
}
