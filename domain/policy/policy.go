package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vendorwatch/vendorwatch/domain/incident"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// Policy is the organisation's configurable compliance policy: which
// clauses and attestations vendors must have, and how often they are
// reviewed. Every default cites its basis; a policy file replaces whole
// sections.
type Policy struct {
	Clauses                 contract.ClausePolicy                `json:"clause_policy"`
	AttestationRequirements []attestation.AttestationRequirement `json:"attestation_requirements"`
	ReviewCadence           review.ReviewCadence                 `json:"review_cadence"`
	ScanThresholds          finding.ScanThresholds               `json:"scan_thresholds"`
	// WorkingDeadlines are our targets for duties whose law sets no
	// number of days: policy, not law.
	WorkingDeadlines incident.WorkingDeadlines `json:"working_deadlines"`
	// ResidualRisk weighs the residual risk and holds the risk appetite:
	// product policy, not law.
	ResidualRisk register.ResidualConfig `json:"residual_risk"`
}

// DefaultPolicy is the policy with every cited default.
func DefaultPolicy() Policy {
	return Policy{
		Clauses:                 contract.DefaultClausePolicy(),
		AttestationRequirements: attestation.DefaultAttestationRequirements(),
		ReviewCadence:           review.DefaultReviewCadence(),
		ScanThresholds:          finding.DefaultScanThresholds(),
		WorkingDeadlines:        incident.DefaultWorkingDeadlines(),
		ResidualRisk:            register.DefaultResidualConfig(),
	}
}

// policyFile is the JSON form of a policy file; absent sections keep the
// defaults.
type policyFile struct {
	ClauseRequirements      *[]contract.ClauseRequirement                              `json:"clause_requirements"`
	StandardWindows         *map[contract.NotificationStandard]contract.StandardWindow `json:"standard_windows"`
	AttestationRequirements *[]attestation.AttestationRequirement                      `json:"attestation_requirements"`
	ReviewCadence           *review.ReviewCadence                                      `json:"review_cadence"`
	ScanThresholds          *finding.ScanThresholds                                    `json:"scan_thresholds"`
	WorkingDeadlines        *incident.WorkingDeadlines                                 `json:"working_deadlines"`
	// ResidualRisk is laid over the defaults field by field: a file may
	// set one weight or one tier's appetite.
	ResidualRisk json.RawMessage `json:"residual_risk"`
}

// LoadPolicy reads a policy file (JSON) over the defaults. Unknown fields
// and invalid rules are errors that name the offending entry.
func LoadPolicy(r io.Reader) (Policy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Policy{}, fmt.Errorf("read policy: %w", err)
	}
	var f policyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Policy{}, fmt.Errorf("policy file: %w", err)
	}
	p := DefaultPolicy()
	if f.ClauseRequirements != nil {
		p.Clauses.Requirements = *f.ClauseRequirements
	}
	if f.StandardWindows != nil {
		p.Clauses.StandardWindows = *f.StandardWindows
	}
	if f.AttestationRequirements != nil {
		p.AttestationRequirements = *f.AttestationRequirements
	}
	if f.ReviewCadence != nil {
		p.ReviewCadence = *f.ReviewCadence
	}
	if f.ScanThresholds != nil {
		p.ScanThresholds = *f.ScanThresholds
		// A file written before provider.concentration keeps its default.
		if p.ScanThresholds.ProviderConcentrationCritical == 0 {
			p.ScanThresholds.ProviderConcentrationCritical = finding.DefaultScanThresholds().ProviderConcentrationCritical
		}
	}
	if f.WorkingDeadlines != nil {
		if err := f.WorkingDeadlines.Validate(); err != nil { // as written: zero is not "the defaults" here
			return Policy{}, fmt.Errorf("working deadlines: %w", err)
		}
		p.WorkingDeadlines = *f.WorkingDeadlines
		if p.WorkingDeadlines.Basis == "" {
			p.WorkingDeadlines.Basis = "policy file (not law)"
		}
	}
	if len(f.ResidualRisk) > 0 {
		dec := json.NewDecoder(bytes.NewReader(f.ResidualRisk))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p.ResidualRisk); err != nil {
			return Policy{}, fmt.Errorf("policy file: residual_risk: %w", err)
		}
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Validate checks every section.
func (p Policy) Validate() error {
	if err := p.Clauses.Validate(); err != nil {
		return fmt.Errorf("clause policy: %w", err)
	}
	if err := p.ReviewCadence.Validate(); err != nil {
		return fmt.Errorf("review cadence: %w", err)
	}
	if err := p.WorkingDeadlines.WithDefaults().Validate(); err != nil {
		return fmt.Errorf("working deadlines: %w", err)
	}
	if err := p.ResidualRisk.Validate(); err != nil {
		return fmt.Errorf("residual_risk: %w", err)
	}
	var fe domain.FieldErrors
	for field, v := range map[string]struct{ value, max int }{
		"scan_thresholds.review_due_soon_days":            {p.ScanThresholds.ReviewDueSoonDays, 3650},
		"scan_thresholds.attestation_expiring_days":       {p.ScanThresholds.AttestationExpiringDays, 3650},
		"scan_thresholds.renewal_notice_days":             {p.ScanThresholds.RenewalNoticeDays, 3650},
		"scan_thresholds.obligation_due_soon_hours":       {p.ScanThresholds.ObligationDueSoonHours, 8784},
		"scan_thresholds.provider_concentration_critical": {p.ScanThresholds.ProviderConcentrationCritical, 1_000_000},
	} {
		if v.value < 1 || v.value > v.max {
			fe.Add(field, "must be from 1 to %d", v.max)
		}
	}
	seen := map[string]bool{}
	for i, r := range p.AttestationRequirements {
		f := domain.IndexField("attestation_requirements", i)
		if r.ID == "" || seen[r.ID] {
			fe.Add(f+".id", "must be present and unique")
		}
		seen[r.ID] = true
		if len(r.AnyOf) == 0 {
			fe.Add(f+".any_of", "must list at least one attestation kind")
		}
		for j, k := range r.AnyOf {
			if !k.Valid() {
				fe.Add(domain.IndexField(f+".any_of", j), "unknown attestation kind %q", k)
			}
		}
		if r.MaxAgeMonths < 0 {
			fe.Add(f+".max_age_months", "must not be negative")
		}
	}
	if err := fe.Err(); err != nil {
		return fmt.Errorf("attestation requirements: %w", err)
	}
	return nil
}
