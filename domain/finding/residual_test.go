package finding_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// TestResidualThresholds checks that each control fact moves the residual
// score on one side of its threshold (the rules' own verdicts) and leaves
// it where it was on the other.
func TestResidualThresholds(t *testing.T) {
	rc := ruleCtx()
	rc.Residual = register.DefaultResidualConfig()
	// A card-data vendor whose effective tier is moderate (24-month
	// cadence; no tier-based attestation), approved with conditions, whose
	// AOC and clause are in order.
	v := register.Vendor{ID: "0190f0a0-0000-7000-8000-000000000003", Name: "Card Co", TierOverride: register.TierModerate,
		Criticality: register.CriticalityHigh, MaxSensitivity: 4, MaxRecords: 1000, LastReviewOn: day("2026-01-10")}
	card := []register.DataHandling{{VendorID: v.ID, Category: register.CatCardholderData, Jurisdictions: []string{"US"}}}
	aoc := func(expires string) attestation.Attestation {
		return attestation.Attestation{ID: "a", VendorID: v.ID, Kind: attestation.KindPCIDSSAOC, IssuedOn: day("2026-01-01"),
			ExpiresOn: day(expires), ReviewStatus: attestation.AttestationAccepted}
	}
	good := contract.Contract{ID: "c", VendorID: v.ID, Status: contract.ContractActive, SecurityStandard: "PCI DSS v4.0.1",
		RightToAudit: true}
	clause := &contract.ClauseVersion{ID: "cv", Terms: contract.ClauseTerms{Window: &domain.Window{Value: 24, Unit: domain.UnitHours}}}
	base := func() finding.ResidualFact {
		return finding.ResidualFact{VendorPolicyFact: finding.VendorPolicyFact{Vendor: v, Handling: card,
			Attestations: []attestation.Attestation{aoc("2027-06-01")},
			Contracts:    []finding.ContractClause{{Contract: good, Clause: clause}}},
			ReviewOutcome: review.OutcomeApprovedWithConditions}
	}
	ref := rc.ResidualRisk(base())
	if in := rc.ResidualInputs(base()); in.EvidenceRequired == 0 || len(in.EvidenceGaps) != 0 || in.ClauseRequired == 0 ||
		len(in.ClauseGaps) != 0 || in.ReviewOverdue {
		t.Fatalf("baseline inputs = %+v", in)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	due := ruleNow.Add(-48 * time.Hour)
	for _, c := range []struct {
		name  string
		edit  func(*finding.ResidualFact)
		moves bool
	}{
		// The AOC is valid through its expires_on (attestation.Expired).
		{"AOC expires today", func(f *finding.ResidualFact) { f.Attestations[0] = aoc("2026-11-23") }, false},
		{"AOC expired yesterday", func(f *finding.ResidualFact) { f.Attestations[0] = aoc("2026-11-22") }, true},
		{"AOC rejected", func(f *finding.ResidualFact) { f.Attestations[0].ReviewStatus = attestation.AttestationRejected }, true},
		// Next review due = last + 24 months; overdue the day after.
		{"review due today", func(f *finding.ResidualFact) { f.Vendor.LastReviewOn = day("2024-11-23") }, false},
		{"review due yesterday", func(f *finding.ResidualFact) { f.Vendor.LastReviewOn = day("2024-11-22") }, true},
		{"never reviewed", func(f *finding.ResidualFact) { f.Vendor.LastReviewOn, f.ReviewOutcome = domain.Date{}, "" }, true},
		// Open findings: a low one weighs nothing, a medium one does.
		{"a low finding", func(f *finding.ResidualFact) { f.Open.Low = 1 }, false},
		{"a medium finding", func(f *finding.ResidualFact) { f.Open.Medium = 1 }, true},
		// Clause audit: the contract in force without right to audit, or
		// a 48-hour window against the 24 hours allowed.
		{"no right to audit", func(f *finding.ResidualFact) { f.Contracts[0].Contract.RightToAudit = false }, true},
		{"48-hour window", func(f *finding.ResidualFact) {
			f.Contracts[0].Clause = &contract.ClauseVersion{ID: "cv", Terms: contract.ClauseTerms{Window: &domain.Window{Value: 48, Unit: domain.UnitHours}}}
		}, true},
		// Notices (incident.NoticeBreach): on the deadline is on time, a
		// second after is late; none given past the deadline is overdue.
		{"notice on the deadline", func(f *finding.ResidualFact) {
			f.Notices = []finding.NoticeFact{{DueAt: &due, NotifiedAt: &due}}
		}, false},
		{"notice a second late", func(f *finding.ResidualFact) {
			f.Notices = []finding.NoticeFact{{DueAt: &due, NotifiedAt: ptr(due.Add(time.Second))}}
		}, true},
		{"no notice, deadline ahead", func(f *finding.ResidualFact) {
			f.Notices = []finding.NoticeFact{{DueAt: ptr(ruleNow.Add(time.Hour))}}
		}, false},
		{"no notice, deadline passed", func(f *finding.ResidualFact) { f.Notices = []finding.NoticeFact{{DueAt: &due}} }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := base()
			f.Attestations = slices.Clone(f.Attestations)
			f.Contracts = slices.Clone(f.Contracts)
			c.edit(&f)
			got := rc.ResidualRisk(f)
			if moved := got.Score != ref.Score; moved != c.moves {
				t.Errorf("score %d, baseline %d: moved %v, want %v (%+v)", got.Score, ref.Score, moved, c.moves, got.Factors)
			}
			if c.moves && got.Score < ref.Score {
				t.Errorf("a worse control lowered the score: %d < %d", got.Score, ref.Score)
			}
		})
	}
}

// TestRiskRules checks risk.above_appetite: raised with the worsening
// factors when the residual tier is above the appetite for the vendor's
// tier, silent within it.
func TestRiskRules(t *testing.T) {
	rc := ruleCtx()
	rc.Residual = register.DefaultResidualConfig()
	v := register.Vendor{ID: "0190f0a0-0000-7000-8000-000000000004", Name: "Plain Co", TierOverride: register.TierModerate,
		Criticality: register.CriticalityModerate, MaxSensitivity: 2, MaxRecords: 1000, LastReviewOn: day("2026-06-01")}
	f := finding.ResidualFact{VendorPolicyFact: finding.VendorPolicyFact{Vendor: v}, ReviewOutcome: review.OutcomeApproved}
	r := rc.ResidualRisk(f)
	if got := rc.RiskRules(f, r); len(got) != 0 || r.AboveAppetite {
		t.Fatalf("approved moderate vendor: %+v, %v", r, got)
	}
	f.ReviewOutcome = review.OutcomeRejected
	f.Open.Critical = 2
	r = rc.ResidualRisk(f)
	got := rc.RiskRules(f, r)
	if len(got) != 1 || got[0].RuleID != finding.RuleRiskAboveAppetite || got[0].SubjectID != v.ID || !r.AboveAppetite {
		t.Fatalf("rejected vendor with critical findings: %+v, %+v", r, got)
	}
	facts := got[0].Facts
	if facts["residual_tier"] != r.Tier || facts["appetite"] != register.TierModerate || facts["config"] != rc.Residual.ID() {
		t.Errorf("facts = %+v", facts)
	}
	if _, err := got[0].Encode(); err != nil {
		t.Errorf("facts do not encode: %v", err)
	}
}
