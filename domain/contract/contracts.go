package contract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ContractService is the use-case layer for contracts, their clause
// versions and the clause audit.
type ContractService struct {
	Tx        domain.Transactor
	Contracts ContractStore
	Clauses   ClauseStore
	Vendors   register.VendorStore
	Handling  register.DataHandlingStore
	Audit     domain.Auditor
	Clock     domain.Clock
	Policy    ClausePolicy
	// Incidents is told, inside the transaction, of every change to a
	// vendor's clauses. Nil: clause changes leave incidents alone.
	Incidents IncidentClauses
}

// IncidentClauses re-locates the breach-notification clause of a vendor's
// incidents after the vendor's clauses changed (an amendment may govern a
// past discovery). The incident service implements it.
type IncidentClauses interface {
	RefreshVendor(ctx context.Context, vendorID string) error
}

func (s *ContractService) clausesChanged(ctx context.Context, vendorID string) error {
	if s.Incidents == nil {
		return nil
	}
	return s.Incidents.RefreshVendor(ctx, vendorID)
}

// ContractView is a contract with the clause in force now.
type ContractView struct {
	Contract
	Clause *ClauseVersion
}

// Create validates and stores a contract, with its first clause version
// (in force from the start of effective_on) when terms are given.
func (s *ContractService) Create(ctx context.Context, in ContractInput, terms *ClauseTerms) (ContractView, error) {
	now := s.Clock.Now()
	c := Contract{ID: domain.NewID(), Status: ContractDraft, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := domain.MergeInvalid(c.Apply(in), CheckTerms(terms)); err != nil {
		return ContractView{}, err
	}
	if err := CheckRole(ctx, nil, &c); err != nil {
		return ContractView{}, err
	}
	view := ContractView{Contract: c}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.checkVendor(ctx, c.VendorID); err != nil {
			return err
		}
		if err := s.Contracts.Create(ctx, c); err != nil {
			return fmt.Errorf("create contract: %w", err)
		}
		if err := s.Audit.Record(ctx, "contract.create", "contract", c.ID, nil, c); err != nil {
			return err
		}
		if terms == nil {
			return nil
		}
		v := ClauseVersion{ID: domain.NewID(), ContractID: c.ID, EffectiveFrom: c.EffectiveOn.Time(), Terms: *terms,
			Reason: "initial terms", CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: now}
		if err := s.Clauses.Insert(ctx, v); err != nil {
			return fmt.Errorf("create clause: %w", err)
		}
		if v.InForceAt(now) {
			view.Clause = &v
		}
		if err := s.Audit.Record(ctx, "clause.create", "contract", c.ID, nil, v); err != nil {
			return err
		}
		return s.clausesChanged(ctx, c.VendorID)
	})
	if err != nil {
		return ContractView{}, err
	}
	return view, nil
}

// CheckRole applies the contract roles: legal and admin may write
// any contract; a vendor manager records and edits drafts only (their
// dates, value, renewal terms, clause flags and the clause as proposed),
// so the contract must be a draft before the write (before is nil for a
// new one) and after it (after is nil for a delete). Returns a
// *ForbiddenError on status.
func CheckRole(ctx context.Context, before, after *Contract) error {
	if domain.ActorFrom(ctx).Role != domain.RoleVendorManager {
		return nil
	}
	switch {
	case before != nil && before.Status != ContractDraft:
		return &domain.ForbiddenError{Field: "status", Message: fmt.Sprintf(
			"the contract is %s: a vendor manager may change only draft contracts; legal or an admin changes it from here", before.Status)}
	case after != nil && after.Status != ContractDraft:
		return &domain.ForbiddenError{Field: "status", Message: fmt.Sprintf(
			"a vendor manager records contracts as drafts; only legal or an admin may make a contract %s", after.Status)}
	}
	return nil
}

func (s *ContractService) checkVendor(ctx context.Context, id string) error {
	if _, err := s.Vendors.Get(ctx, id); errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("vendor_id", "no vendor with id %s", id)
	} else if err != nil {
		return err
	}
	return nil
}

// CheckTerms validates optional clause terms under "breach_notification".
func CheckTerms(t *ClauseTerms) error {
	if t == nil {
		return nil
	}
	return t.Check("breach_notification")
}

// Get returns a contract with the clause in force now.
func (s *ContractService) Get(ctx context.Context, id string) (ContractView, error) {
	c, err := domain.Lookup(ctx, "contract", id, s.Contracts.Get)
	if err != nil {
		return ContractView{}, err
	}
	views, err := s.WithClauses(ctx, []Contract{c}, s.Clock.Now())
	if err != nil {
		return ContractView{}, err
	}
	return views[0], nil
}

// List returns a page of contracts with the clauses in force now, fetched
// for the whole page in one query.
func (s *ContractService) List(ctx context.Context, f ContractFilter, p domain.PageRequest) (domain.Page[ContractView], error) {
	page, err := s.Contracts.List(ctx, f, p)
	if err != nil {
		return domain.Page[ContractView]{}, err
	}
	views, err := s.WithClauses(ctx, page.Items, s.Clock.Now())
	if err != nil {
		return domain.Page[ContractView]{}, err
	}
	return domain.Page[ContractView]{Items: views, Next: page.Next}, nil
}

// WithClauses pairs each contract with its clause version in force at at.
func (s *ContractService) WithClauses(ctx context.Context, cs []Contract, at time.Time) ([]ContractView, error) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	inForce, err := s.Clauses.InForce(ctx, ids, at)
	if err != nil {
		return nil, err
	}
	out := make([]ContractView, len(cs))
	for i, c := range cs {
		out[i] = ContractView{Contract: c}
		if v, ok := inForce[c.ID]; ok {
			out[i].Clause = &v
		}
	}
	return out, nil
}

// Update applies a partial update to a contract. Terms, when given,
// correct the clause currently recorded in place (a data-entry fix, kept
// in the audit trail); a change of terms over time is an amendment.
func (s *ContractService) Update(ctx context.Context, id string, in ContractInput, terms *ClauseTerms, expectedVersion int64) (ContractView, error) {
	if in.VendorID != nil {
		return ContractView{}, domain.Invalid("vendor_id", "cannot be changed; create a contract for the other vendor")
	}
	err := domain.Edit(ctx, s.Tx, "contract", id, expectedVersion, s.Contracts.Get, func(ctx context.Context, before Contract) error {
		c := before
		if err := domain.MergeInvalid(c.Apply(in), CheckTerms(terms)); err != nil {
			return err
		}
		if err := CheckRole(ctx, &before, &c); err != nil {
			return err
		}
		c.UpdatedAt = s.Clock.Now()
		if err := s.Contracts.Update(ctx, c, before.Version); err != nil {
			return fmt.Errorf("update contract: %w", err)
		}
		c.Version = before.Version + 1
		if err := s.Audit.Record(ctx, "contract.update", "contract", c.ID, before, c); err != nil {
			return err
		}
		if terms == nil && before.Status == c.Status {
			return nil
		}
		if terms != nil {
			if err := s.correctClause(ctx, c, *terms); err != nil {
				return err
			}
		}
		// A status change moves the contract in or out of the draft state
		// that clause lookups ignore.
		return s.clausesChanged(ctx, c.VendorID)
	})
	if err != nil {
		return ContractView{}, err
	}
	return s.Get(ctx, id)
}

// correctClause replaces the latest version's terms, or starts the first
// version when the contract has none.
func (s *ContractService) correctClause(ctx context.Context, c Contract, terms ClauseTerms) error {
	latest, err := s.Clauses.Latest(ctx, c.ID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		v := ClauseVersion{ID: domain.NewID(), ContractID: c.ID, EffectiveFrom: c.EffectiveOn.Time(), Terms: terms,
			Reason: "initial terms", CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: s.Clock.Now()}
		if err := s.Clauses.Insert(ctx, v); err != nil {
			return fmt.Errorf("create clause: %w", err)
		}
		return s.Audit.Record(ctx, "clause.create", "contract", c.ID, nil, v)
	case err != nil:
		return err
	case latest.EffectiveTo != nil:
		return &domain.ConflictError{Field: "breach_notification", Message: "the clause was removed by an amendment; add terms with a new amendment"}
	}
	after := latest
	after.Terms = terms
	if err := s.Clauses.ReplaceTerms(ctx, latest.ID, terms); err != nil {
		return fmt.Errorf("correct clause: %w", err)
	}
	return s.Audit.Record(ctx, "clause.correct", "contract", c.ID, latest, after)
}

// Delete removes a contract and its clause versions.
func (s *ContractService) Delete(ctx context.Context, id string, expectedVersion int64) error {
	return domain.Edit(ctx, s.Tx, "contract", id, expectedVersion, s.Contracts.Get, func(ctx context.Context, before Contract) error {
		if err := CheckRole(ctx, &before, nil); err != nil {
			return err
		}
		if err := s.Contracts.Delete(ctx, id, before.Version); err != nil {
			return fmt.Errorf("delete contract: %w", err)
		}
		if err := s.Audit.Record(ctx, "contract.delete", "contract", id, before, nil); err != nil {
			return err
		}
		return s.clausesChanged(ctx, before.VendorID)
	})
}

// Amend changes the breach-notification clause from a.EffectiveFrom on:
// the open version ends there and the new terms (if any) begin. The new
// start must come after the latest version's start, so versions never
// overlap. The contract's version moves, as its terms changed.
func (s *ContractService) Amend(ctx context.Context, id string, a Amendment, expectedVersion int64) (ContractView, error) {
	var fe domain.FieldErrors
	if a.EffectiveFrom.IsZero() {
		fe.Add("effective_from", "is required (RFC 3339 instant, or YYYY-MM-DD for the start of that day in UTC)")
	}
	a.Reason = domain.CheckText(&fe, "reason", a.Reason, true, 500)
	if err := domain.MergeInvalid(fe.Err(), CheckTerms(a.Terms)); err != nil {
		return ContractView{}, err
	}
	a.EffectiveFrom = a.EffectiveFrom.UTC().Truncate(time.Microsecond)
	err := domain.Edit(ctx, s.Tx, "contract", id, expectedVersion, s.Contracts.Get, func(ctx context.Context, before Contract) error {
		if domain.ActorFrom(ctx).Role == domain.RoleVendorManager {
			return &domain.ForbiddenError{Field: "breach_notification", Message: "only legal or an admin may amend a clause; a vendor manager edits a draft's proposed clause with PATCH"}
		}
		if a.EffectiveFrom.Before(before.EffectiveOn.Time()) {
			return domain.Invalid("effective_from", "must not be before the contract's effective_on (%s)", before.EffectiveOn)
		}
		latest, err := s.Clauses.Latest(ctx, id)
		hasLatest := err == nil
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if hasLatest && !a.EffectiveFrom.After(latest.EffectiveFrom) {
			return &domain.ConflictError{Field: "effective_from", Message: fmt.Sprintf(
				"overlaps the clause version in force from %s; an amendment must start after it", latest.EffectiveFrom.Format(time.RFC3339))}
		}
		if hasLatest && latest.EffectiveTo != nil && a.EffectiveFrom.Before(*latest.EffectiveTo) {
			return &domain.ConflictError{Field: "effective_from", Message: "overlaps the latest clause version, which ends " + latest.EffectiveTo.Format(time.RFC3339)}
		}
		if a.Terms == nil && (!hasLatest || latest.EffectiveTo != nil) {
			return domain.Invalid("breach_notification", "the contract has no clause to remove; give the new terms")
		}
		if hasLatest && latest.EffectiveTo == nil {
			if err := s.Clauses.Close(ctx, id, a.EffectiveFrom); err != nil {
				return fmt.Errorf("close clause: %w", err)
			}
		}
		var next *ClauseVersion
		if a.Terms != nil {
			next = &ClauseVersion{ID: domain.NewID(), ContractID: id, EffectiveFrom: a.EffectiveFrom, Terms: *a.Terms,
				Reason: a.Reason, CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: s.Clock.Now()}
			if err := s.Clauses.Insert(ctx, *next); err != nil {
				return fmt.Errorf("amend clause: %w", err)
			}
		}
		c := before
		c.UpdatedAt = s.Clock.Now()
		if err := s.Contracts.Update(ctx, c, before.Version); err != nil {
			return fmt.Errorf("amend contract: %w", err)
		}
		var prev any
		if hasLatest {
			prev = latest
		}
		if err := s.Audit.Record(ctx, "contract.amend", "contract", id, prev, map[string]any{
			"effective_from": a.EffectiveFrom, "reason": a.Reason, "clause": next}); err != nil {
			return err
		}
		return s.clausesChanged(ctx, before.VendorID)
	})
	if err != nil {
		return ContractView{}, err
	}
	return s.Get(ctx, id)
}

// ClauseAt returns the clause in force at instant at. Returns ErrNotFound
// when no clause governed that instant.
func (s *ContractService) ClauseAt(ctx context.Context, id string, at time.Time) (ClauseVersion, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return ClauseVersion{}, err
	}
	m, err := s.Clauses.InForce(ctx, []string{id}, at)
	if err != nil {
		return ClauseVersion{}, err
	}
	v, ok := m[id]
	if !ok {
		return ClauseVersion{}, fmt.Errorf("no breach-notification clause in force at %s: %w", at.Format(time.RFC3339), domain.ErrNotFound)
	}
	return v, nil
}

// Versions returns the clause history of a contract.
func (s *ContractService) Versions(ctx context.Context, id string) ([]ClauseVersion, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.Clauses.Versions(ctx, id)
}

// ClauseAudit is the legal team's verdict on a contract or a vendor.
type ClauseAudit struct {
	VendorID string               `json:"vendor_id"`
	Facts    register.VendorFacts `json:"facts"`
	Findings []ClauseFinding      `json:"findings"`
}

func (s *ContractService) vendorFacts(ctx context.Context, vendorID string) (register.VendorFacts, error) {
	v, err := s.Vendors.Get(ctx, vendorID)
	if err != nil {
		return register.VendorFacts{}, err
	}
	hs, err := s.Handling.ListByVendor(ctx, vendorID)
	if err != nil {
		return register.VendorFacts{}, err
	}
	return register.FactsFor(v, hs), nil
}

// AuditContract judges one contract, with its clause in force now, against
// the requirements that the vendor's data brings in.
func (s *ContractService) AuditContract(ctx context.Context, id string) (ClauseAudit, error) {
	view, err := s.Get(ctx, id)
	if err != nil {
		return ClauseAudit{}, err
	}
	facts, err := s.vendorFacts(ctx, view.VendorID)
	if err != nil {
		return ClauseAudit{}, err
	}
	out := ClauseAudit{VendorID: view.VendorID, Facts: facts, Findings: []ClauseFinding{}}
	for _, r := range s.Policy.Applicable(facts) {
		out.Findings = append(out.Findings, s.Policy.EvaluateRequirement(r, view.Contract, view.Clause))
	}
	return out, nil
}

// AuditVendor judges the vendor's active contracts together: a requirement
// is met when any active contract meets it, and each finding names the
// contract that came closest.
func (s *ContractService) AuditVendor(ctx context.Context, vendorID string) (ClauseAudit, error) {
	if !domain.ValidID(vendorID) {
		return ClauseAudit{}, fmt.Errorf("vendor %q: %w", vendorID, domain.ErrNotFound)
	}
	facts, err := s.vendorFacts(ctx, vendorID)
	if err != nil {
		return ClauseAudit{}, err
	}
	all, err := s.Contracts.ListByVendor(ctx, vendorID)
	if err != nil {
		return ClauseAudit{}, err
	}
	var active []Contract
	for _, c := range all {
		if c.Status == ContractActive {
			active = append(active, c)
		}
	}
	views, err := s.WithClauses(ctx, active, s.Clock.Now())
	if err != nil {
		return ClauseAudit{}, err
	}
	return ClauseAudit{VendorID: vendorID, Facts: facts, Findings: s.Policy.AuditActive(facts, views)}, nil
}

// AuditActive judges a vendor's active contracts (each with its clause in
// force) together against the requirements its facts bring in: a
// requirement is met when any of them meets it, and each finding names the
// contract that came closest. The vendor clause audit and the residual
// risk's clause gaps both read it.
func (p ClausePolicy) AuditActive(facts register.VendorFacts, active []ContractView) []ClauseFinding {
	out := []ClauseFinding{}
	for _, r := range p.Applicable(facts) {
		best := ClauseFinding{Requirement: r, Status: AuditMissing, Reason: "the vendor has no active contract"}
		for i, v := range active {
			f := p.EvaluateRequirement(r, v.Contract, v.Clause)
			if i == 0 || better(f, best) {
				best = f
			}
		}
		out = append(out, best)
	}
	return out
}
