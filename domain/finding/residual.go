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

// ResidualInputs turns a vendor's control facts into the residual risk's
// inputs with the same verdicts as the rules: the attestation requirements
// (attestation.EvaluateEvidence, as attestation.missing), the clause audit
// of the active contracts (contract.ClausePolicy.AuditActive), the review
// cadence (review.NextReviewDue, ReviewOverdue) and the notice verdict
// (incident.NoticeBreach).
func (rc RuleContext) ResidualInputs(f ResidualFact) register.ResidualInputs {
	v := f.Vendor
	facts := register.FactsFor(v, f.Handling)
	in := register.ResidualInputs{
		Inherent: register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity,
			MaxRecords: v.MaxRecords, Criticality: v.Criticality}),
		Tier: v.Tier(), Open: f.Open, LastReviewOn: v.LastReviewOn, ReviewOutcome: string(f.ReviewOutcome),
	}
	ev := attestation.EvaluateEvidence(rc.Attest, facts, f.Attestations, rc.Today)
	in.EvidenceRequired = len(ev.Requirements)
	for _, r := range ev.Requirements {
		if r.Status == attestation.EvidenceMissing || r.Status == attestation.EvidenceExpired {
			in.EvidenceGaps = append(in.EvidenceGaps, r.Requirement.ID)
		}
	}
	if !v.LastReviewOn.IsZero() {
		in.NextReviewDue = review.NextReviewDue(v.LastReviewOn, v.Tier(), rc.Cadence)
		in.ReviewOverdue = review.ReviewOverdue(in.NextReviewDue, rc.Today)
	}
	views := make([]contract.ContractView, len(f.Contracts))
	for i, c := range f.Contracts {
		views[i] = contract.ContractView{Contract: c.Contract, Clause: c.Clause}
	}
	audit := rc.Policy.AuditActive(facts, views)
	in.ClauseRequired = len(audit)
	for _, a := range audit {
		if a.Status != contract.AuditMet {
			in.ClauseGaps = append(in.ClauseGaps, a.Requirement.ID)
		}
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
	q.VendorID = vendorID
	out := VendorRisk{Config: rc.Residual.ID(), AsOf: now}
	err := s.Store.ResidualFacts(ctx, q, func(b []ResidualFact) error {
		for _, f := range b {
			if f.Vendor.ID == vendorID {
				r := rc.ResidualRisk(f)
				out.Residual = &r
			}
		}
		return nil
	})
	if err != nil {
		return VendorRisk{}, fmt.Errorf("residual facts of vendor %s: %w", vendorID, err)
	}
	return out, nil
}

// judgeResidual judges the risk family's facts: it computes each
// vendor's residual risk, stores the ones that changed (score, tier or
// configuration) in one store call per batch, and hands the findings to
// the family's writer.
func (s *ScanService) judgeResidual(ctx context.Context, w *findingWriter, rc RuleContext, now time.Time, batch []ResidualFact) error {
	var changed []VendorResidual
	for _, f := range batch {
		r := rc.ResidualRisk(f)
		if old := f.Vendor.Residual; old == nil || old.Score != r.Score || old.Tier != r.Tier || old.Config != r.Config {
			changed = append(changed, VendorResidual{VendorID: f.Vendor.ID, Score: r.Score, Tier: r.Tier, ComputedAt: now,
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
