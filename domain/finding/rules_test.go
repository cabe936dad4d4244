package finding_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

var ruleNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func ruleCtx() finding.RuleContext {
	p := policy.DefaultPolicy()
	return finding.RuleContext{AsOf: ruleNow, Today: domain.DateOf(ruleNow), Thresholds: finding.DefaultScanThresholds(),
		Cadence: p.ReviewCadence, Policy: p.Clauses, Attest: p.AttestationRequirements}
}

func ruleIDs(fs []finding.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.RuleID)
	}
	return out
}

func day(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestRuleThresholds checks each rule fires on a minimal case and stays
// silent just on the other side of its threshold.
func TestRuleThresholds(t *testing.T) {
	rc := ruleCtx()
	v := "0190f0a0-0000-7000-8000-000000000001"
	at := func(h float64) time.Time { return ruleNow.Add(time.Duration(h * float64(time.Hour))) }
	ptr := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		name string
		got  []finding.Finding
		want []string
	}{
		// High tier: 12-month cadence. Next due = last + 12 months.
		{"review never done", rc.ReviewRules(finding.ReviewFact{VendorID: v, Tier: register.TierHigh}), []string{finding.RuleReviewMissing}},
		{"review due yesterday", rc.ReviewRules(finding.ReviewFact{VendorID: v, Tier: register.TierHigh, LastReviewOn: day("2025-11-22")}), []string{finding.RuleReviewOverdue}},
		{"review due today", rc.ReviewRules(finding.ReviewFact{VendorID: v, Tier: register.TierHigh, LastReviewOn: day("2025-11-23")}), []string{finding.RuleReviewDueSoon}},
		{"review due in 30 days", rc.ReviewRules(finding.ReviewFact{VendorID: v, Tier: register.TierHigh, LastReviewOn: day("2025-12-23")}), []string{finding.RuleReviewDueSoon}},
		{"review due in 31 days", rc.ReviewRules(finding.ReviewFact{VendorID: v, Tier: register.TierHigh, LastReviewOn: day("2025-12-24")}), []string{}},

		{"attestation expired yesterday", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-11-22"), ReviewStatus: attestation.AttestationAccepted}), []string{finding.RuleAttestationExpired}},
		{"attestation valid through today", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-11-23"), ReviewStatus: attestation.AttestationAccepted}), []string{finding.RuleAttestationExpiring}},
		{"attestation expiring in 30 days", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-12-23"), ReviewStatus: attestation.AttestationAccepted}), []string{finding.RuleAttestationExpiring}},
		{"attestation expiring in 31 days", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-12-24"), ReviewStatus: attestation.AttestationAccepted}), []string{}},
		{"qualified opinion received", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2027-12-24"), Opinion: attestation.OpinionQualified, ReviewStatus: attestation.AttestationReceived}), []string{finding.RuleAttestationQualified}},
		{"superseded attestation expired", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, ExpiresOn: day("2026-11-22"), ReviewStatus: attestation.AttestationAccepted}), []string{}},
		{"qualified opinion accepted", rc.AttestationRules(finding.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2027-12-24"), Opinion: attestation.OpinionQualified, ReviewStatus: attestation.AttestationAccepted}), []string{}},

		{"contract ended yesterday", rc.ContractRules(finding.ContractFact{ID: "c", VendorID: v, Status: contract.ContractActive, ExpiresOn: day("2026-11-22")}), []string{finding.RuleContractExpired}},
		{"contract ends today", rc.ContractRules(finding.ContractFact{ID: "c", VendorID: v, Status: contract.ContractActive, ExpiresOn: day("2026-11-23")}), []string{}},
		{"renewal notice deadline in 30 days", rc.ContractRules(finding.ContractFact{ID: "c", VendorID: v, Status: contract.ContractActive, ExpiresOn: day("2027-03-23"), RenewalNoticeDays: 90}), []string{finding.RuleContractRenewalNotice}},
		{"renewal notice deadline in 31 days", rc.ContractRules(finding.ContractFact{ID: "c", VendorID: v, Status: contract.ContractActive, ExpiresOn: day("2027-03-24"), RenewalNoticeDays: 90}), []string{}},
		{"renewal notice deadline passed", rc.ContractRules(finding.ContractFact{ID: "c", VendorID: v, Status: contract.ContractActive, ExpiresOn: day("2027-02-20"), RenewalNoticeDays: 90}), []string{}},

		{"notice one second late", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), NotifiedAt: ptr(at(-28).Add(time.Second))}), []string{finding.RuleIncidentNoticeLate}},
		{"notice on the due instant", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), NotifiedAt: ptr(at(-28))}), []string{}},
		{"no notice, window closed", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(ruleNow.Add(-time.Second))}), []string{finding.RuleIncidentNoticeOverdue}},
		{"no notice, window closes now", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(ruleNow)}), []string{}},
		{"contract met, law's 10 days missed", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), LawDueAt: ptr(at(-90)), NotifiedAt: ptr(at(-30))}), []string{finding.RuleIncidentNoticeLate}},
		{"no clause, law's deadline passed", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), LawDueAt: ptr(at(-90))}), []string{finding.RuleIncidentNoticeOverdue}},
		{"no clause, law met", rc.IncidentRules(finding.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), LawDueAt: ptr(at(-90)), NotifiedAt: ptr(at(-91))}), []string{}},

		{"obligation due a second ago", rc.ObligationRules(finding.ObligationFact{ID: "o", VendorID: v, DueAt: ruleNow.Add(-time.Second)}), []string{finding.RuleObligationOverdue}},
		{"obligation due in 24 hours", rc.ObligationRules(finding.ObligationFact{ID: "o", VendorID: v, DueAt: at(24)}), []string{finding.RuleObligationDueSoon}},
		{"obligation due in 24 hours and a second", rc.ObligationRules(finding.ObligationFact{ID: "o", VendorID: v, DueAt: at(24).Add(time.Second)}), []string{}},
	}
	for _, tc := range cases {
		if got := ruleIDs(tc.got); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rules %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRuleThresholdsConfigurable checks the windows come from the
// thresholds, not constants.
func TestRuleThresholdsConfigurable(t *testing.T) {
	rc := ruleCtx()
	rc.Thresholds.AttestationExpiringDays = 10
	a := finding.AttestationFact{ID: "a", Latest: true, ExpiresOn: day("2026-12-04"), ReviewStatus: attestation.AttestationAccepted}
	if got := ruleIDs(rc.AttestationRules(a)); len(got) != 0 {
		t.Errorf("11 days left with a 10-day window: %v", got)
	}
	rc.Thresholds.ObligationDueSoonHours = 48
	if got := ruleIDs(rc.ObligationRules(finding.ObligationFact{ID: "o", DueAt: ruleNow.Add(47 * time.Hour)})); !slices.Equal(got, []string{finding.RuleObligationDueSoon}) {
		t.Errorf("47 hours with a 48-hour window: %v", got)
	}
}

// TestPolicyRules checks the per-vendor policy rules with the existing
// policy code.
func TestPolicyRules(t *testing.T) {
	rc := ruleCtx()
	v := register.Vendor{ID: "0190f0a0-0000-7000-8000-000000000002", Name: "Card Co", TierOverride: register.TierLow}
	card := []register.DataHandling{{VendorID: v.ID, Category: register.CatCardholderData, Jurisdictions: []string{"US"}}}
	clause := func(hours int) *contract.ClauseVersion {
		return &contract.ClauseVersion{ID: "cv", Terms: contract.ClauseTerms{Window: &domain.Window{Value: hours, Unit: domain.UnitHours}}}
	}
	aoc := attestation.Attestation{ID: "a", VendorID: v.ID, Kind: attestation.KindPCIDSSAOC, ExpiresOn: day("2027-06-01"), ReviewStatus: attestation.AttestationAccepted}

	// Card data, no contract, no AOC: missing AOC and no clause.
	got := ruleIDs(rc.PolicyRules(finding.VendorPolicyFact{Vendor: v, Handling: card}))
	if !slices.Equal(got, []string{finding.RuleAttestationMissing, finding.RuleContractNoNotificationClause}) {
		t.Errorf("bare card vendor: %v", got)
	}
	// A 48-hour clause against the 24-hour card-data policy: too long.
	fs := rc.PolicyRules(finding.VendorPolicyFact{Vendor: v, Handling: card, Attestations: []attestation.Attestation{aoc},
		Contracts: []finding.ContractClause{{Contract: contract.Contract{ID: "c48"}, Clause: clause(48)}}})
	if got := ruleIDs(fs); !slices.Equal(got, []string{finding.RuleContractWindowExceedsPolicy}) || fs[0].SubjectID != "c48" ||
		fs[0].Facts["max_hours"] != 24 || fs[0].Facts["window_hours"] != 48 {
		t.Errorf("48-hour clause: %v %+v", got, fs)
	}
	// 24 hours exactly is within policy; a second contract at 72 hours
	// does not matter: the vendor's best clause counts.
	got = ruleIDs(rc.PolicyRules(finding.VendorPolicyFact{Vendor: v, Handling: card, Attestations: []attestation.Attestation{aoc},
		Contracts: []finding.ContractClause{{Contract: contract.Contract{ID: "c72"}, Clause: clause(72)}, {Contract: contract.Contract{ID: "c24"}, Clause: clause(24)}}}))
	if len(got) != 0 {
		t.Errorf("24-hour clause: %v", got)
	}
	// No personal data: no clause needed.
	other := []register.DataHandling{{VendorID: v.ID, Category: "none-such"}}
	if got := ruleIDs(rc.PolicyRules(finding.VendorPolicyFact{Vendor: v, Handling: other})); len(got) != 0 {
		t.Errorf("vendor without personal data: %v", got)
	}
}

func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range finding.Rules {
		if seen[r.ID] || !r.Severity.Valid() || r.Title == "" || r.Explanation == "" || len(r.Facts) == 0 || len(finding.RulesOf(r.Family)) == 0 {
			t.Errorf("rule %+v", r)
		}
		seen[r.ID] = true
	}
	if len(seen) != 18 {
		t.Errorf("%d rules, want 18", len(seen))
	}
}
