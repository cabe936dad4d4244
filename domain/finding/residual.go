package finding

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// ResidualFact is a vendor in service with the state of its controls: the
// policy family's facts (Vendor carries the inherent risk inputs, the
// effective tier as TierOverride, the last review date and the stored
// residual), the outcome of its last review, its open findings and the
// incidents of the notices window whose vendor notice broke a deadline.
type ResidualFact struct {
	VendorPolicyFact
	ReviewOutcome review.ReviewOutcome // of the last review; "" when never reviewed
	Open          register.OpenFindings
	Notices       []NoticeFact
}

// NoticeFact is an incident's vendor-notice deadlines and notice, as
// stored.
type NoticeFact struct {
	DueAt, LawDueAt, NotifiedAt *time.Time
}

// VendorResidual is the residual risk to store on a vendor.
type VendorResidual struct {
	VendorID   string
	Score      int
	Tier       register.Tier
	ComputedAt time.Time
	Config     string
}

// ResidualControls are the residual risk's inputs that come from the
// policy family's facts: the attestation requirements that apply and
// those whose evidence is missing or expired (attestation.EvaluateEvidence,
// as attestation.missing), and the clause requirements that apply and
// those no active contract meets (contract.ClausePolicy.AuditActive).
type ResidualControls struct {
	EvidenceRequired int
	EvidenceGaps     []string
	ClauseRequired   int
	ClauseGaps       []string
}

// ResidualControls computes a vendor's ResidualControls from its policy
// facts.
func (rc RuleContext) ResidualControls(f VendorPolicyFact) ResidualControls {
	facts := register.FactsFor(f.Vendor, f.Handling)
	return rc.residualControls(facts, attestation.EvaluateEvidence(rc.Attest, facts, f.Attestations, rc.Today), f.Contracts)
}

// residualControls is ResidualControls over the vendor's facts and
// evidence verdicts, which the policy rules compute as well.
func (rc RuleContext) residualControls(facts register.VendorFacts, ev attestation.EvidenceStatus,
	contracts []ContractClause) ResidualControls {
	var c ResidualControls
	c.EvidenceRequired = len(ev.Requirements)
	for _, r := range ev.Requirements {
		if r.Status == attestation.EvidenceMissing || r.Status == attestation.EvidenceExpired {
			c.EvidenceGaps = append(c.EvidenceGaps, r.Requirement.ID)
		}
	}
	views := make([]contract.ContractView, len(contracts))
	for i, k := range contracts {
		views[i] = contract.ContractView{Contract: k.Contract, Clause: k.Clause}
	}
	audit := rc.Policy.AuditActive(facts, views)
	c.ClauseRequired = len(audit)
	for _, a := range audit {
		if a.Status != contract.AuditMet {
			c.ClauseGaps = append(c.ClauseGaps, a.Requirement.ID)
		}
	}
	return c
}

// ResidualInputs turns a vendor's control facts into the residual risk's
// inputs with the same verdicts as the rules: the attestation and clause
// requirements (ResidualControls), the review cadence
// (review.NextReviewDue, ReviewOverdue) and the notice verdict
// (incident.NoticeBreach).
func (rc RuleContext) ResidualInputs(f ResidualFact) register.ResidualInputs {
	return rc.residualInputs(f, rc.ResidualControls(f.VendorPolicyFact))
}

// residualInputs is ResidualInputs with the vendor's controls already
// computed (the scan's policy family computes them from the same facts).
func (rc RuleContext) residualInputs(f ResidualFact, c ResidualControls) register.ResidualInputs {
	v := f.Vendor
	in := register.ResidualInputs{
		Inherent: register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity,
			MaxRecords: v.MaxRecords, Criticality: v.Criticality}),
		Tier: v.Tier(), Open: f.Open, LastReviewOn: v.LastReviewOn, ReviewOutcome: string(f.ReviewOutcome),
		EvidenceRequired: c.EvidenceRequired, EvidenceGaps: c.EvidenceGaps,
		ClauseRequired: c.ClauseRequired, ClauseGaps: c.ClauseGaps,
	}
	if !v.LastReviewOn.IsZero() {
		in.NextReviewDue = review.NextReviewDue(v.LastReviewOn, v.Tier(), rc.Cadence)
		in.ReviewOverdue = review.ReviewOverdue(in.NextReviewDue, rc.Today)
	}
	for _, n := range f.Notices {
		switch status, broken, _ := incident.NoticeBreach(n.DueAt, n.LawDueAt, n.NotifiedAt, rc.AsOf); {
		case broken == "":
		case status == incident.NoticeLate:
			in.LateNotices++
		case status == incident.NoticeOverdue:
			in.OverdueNotices++
		}
	}
	return in
}

// ResidualRisk computes a vendor's residual risk under rc.Residual.
func (rc RuleContext) ResidualRisk(f ResidualFact) register.ResidualRisk {
	return register.ComputeResidualRisk(rc.ResidualInputs(f), rc.Residual)
}

// NoticesSince is the start of the notices window at asOf: incidents the
// vendor discovered from then on count in the residual risk.
func NoticesSince(asOf time.Time, c register.ResidualConfig) time.Time {
	return asOf.UTC().AddDate(0, -c.Notices.Months, 0)
}

// RiskRules judges a vendor's residual risk against the appetite: above
// it, risk.above_appetite, whose facts list the factors that add points.
func (rc RuleContext) RiskRules(f ResidualFact, r register.ResidualRisk) []Finding {
	if !r.AboveAppetite {
		return nil
	}
	type why struct {
		Factor      string `json:"factor"`
		Points      int    `json:"points"`
		Explanation string `json:"explanation"`
	}
	var factors []why
	for _, x := range r.Worsening() {
		factors = append(factors, why{x.Factor, x.Points, x.Explanation})
	}
	fd := newFinding(RuleRiskAboveAppetite, f.Vendor.ID, SubjectVendor, f.Vendor.ID, map[string]any{
		"vendor_name": f.Vendor.Name, "tier": f.Vendor.Tier(), "inherent_score": r.InherentScore,
		"residual_score": r.Score, "residual_tier": r.Tier, "appetite": r.Appetite, "config": r.Config, "factors": factors})
	if r.Tier == register.TierCritical {
		fd.Severity = SeverityCritical
	}
	return []Finding{fd}
}

// VendorRisk is a vendor's residual risk computed now from the same facts
// and function as the scan (ResidualFacts for the one vendor), beside the
// one the scan stored. Residual is nil when the vendor is outside the
// scan's scope (ScopeInService).
type VendorRisk struct {
	Residual *register.ResidualRisk `json:"residual"`
	Config   string                 `json:"config"`
	AsOf     time.Time              `json:"as_of"`
}

// ResidualConfig is the residual risk's configuration in force (the
// default when none was given).
func (s *ScanService) ResidualConfig() register.ResidualConfig {
	if s.Residual.Appetite == nil {
		return register.DefaultResidualConfig()
	}
	return s.Residual
}

// VendorRisk computes one vendor's residual risk now.
func (s *ScanService) VendorRisk(ctx context.Context, vendorID string) (VendorRisk, error) {
	if !domain.ValidID(vendorID) {
		return VendorRisk{}, fmt.Errorf("vendor %q: %w", vendorID, domain.ErrNotFound)
	}
	now := s.Clock.Now().UTC()
	q, rc := s.query(now, 1)
	out := VendorRisk{Config: rc.Residual.ID(), AsOf: now}
	f, ok, err := s.residualFact(ctx, q, vendorID)
	if err != nil {
		return VendorRisk{}, err
	}
	if ok {
		r := rc.ResidualRisk(f)
		out.Residual = &r
	}
	return out, nil
}

// residualFact reads one vendor's residual facts, policy facts included;
// ok is false when the vendor is outside the scope.
func (s *ScanService) residualFact(ctx context.Context, q ScanQuery, vendorID string) (f ResidualFact, ok bool, err error) {
	q.VendorID, q.WithoutPolicyFacts = vendorID, false
	err = s.Store.ResidualFacts(ctx, q, func(b []ResidualFact) error {
		for _, x := range b {
			if x.Vendor.ID == vendorID {
				f, ok = x, true
			}
		}
		return nil
	})
	if err != nil {
		return ResidualFact{}, false, fmt.Errorf("residual facts of vendor %s: %w", vendorID, err)
	}
	return f, ok, nil
}

// judgeResidual judges the risk family's facts (read without their
// policy facts): it computes each vendor's residual risk with the
// controls the policy family computed, stores the ones that changed
// (score, tier or configuration) in one store call per batch, and hands
// the findings to the family's writer. A vendor the policy family did not
// judge (it came into scope in between) has its facts read whole.
func (s *ScanService) judgeResidual(ctx context.Context, w *findingWriter, rc RuleContext, q ScanQuery,
	controls *controlsIndex, batch []ResidualFact) error {
	var changed []VendorResidual
	scorer := register.NewResidualScorer(rc.Residual)
	for _, f := range batch {
		c, ok := controls.find(f.Vendor.ID)
		if !ok {
			var err error
			if f, ok, err = s.residualFact(ctx, q, f.Vendor.ID); err != nil {
				return err
			} else if !ok {
				continue
			}
			c = rc.ResidualControls(f.VendorPolicyFact)
		}
		r := scorer.Score(rc.residualInputs(f, c))
		if old := f.Vendor.Residual; old == nil || old.Score != r.Score || old.Tier != r.Tier || old.Config != r.Config {
			changed = append(changed, VendorResidual{VendorID: f.Vendor.ID, Score: r.Score, Tier: r.Tier, ComputedAt: q.AsOf,
				Config: r.Config})
		}
		for _, fd := range rc.RiskRules(f, r) {
			if err := w.add(fd); err != nil {
				return err
			}
		}
	}
	if len(changed) > 0 {
		if err := s.Store.WriteResidual(ctx, changed); err != nil {
			return fmt.Errorf("write residual risk: %w", err)
		}
	}
	w.facts += len(batch)
	if w.progress != nil {
		w.progress(ScanProgress{Family: w.family, Facts: w.facts, Findings: w.judged})
	}
	return nil
}
