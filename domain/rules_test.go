package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

var ruleNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func ruleCtx() domain.RuleContext {
	p := domain.DefaultPolicy()
	return domain.RuleContext{AsOf: ruleNow, Today: domain.DateOf(ruleNow), Thresholds: domain.DefaultScanThresholds(),
		Cadence: p.ReviewCadence, Policy: p.Clauses, Attest: p.AttestationRequirements}
}

func ruleIDs(fs []domain.Finding) []string {
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
		got  []domain.Finding
		want []string
	}{
		// High tier: 12-month cadence. Next due = last + 12 months.
		{"review never done", rc.ReviewRules(domain.ReviewFact{VendorID: v, Tier: domain.TierHigh}), []string{domain.RuleReviewMissing}},
		{"review due yesterday", rc.ReviewRules(domain.ReviewFact{VendorID: v, Tier: domain.TierHigh, LastReviewOn: day("2025-11-22")}), []string{domain.RuleReviewOverdue}},
		{"review due today", rc.ReviewRules(domain.ReviewFact{VendorID: v, Tier: domain.TierHigh, LastReviewOn: day("2025-11-23")}), []string{domain.RuleReviewDueSoon}},
		{"review due in 30 days", rc.ReviewRules(domain.ReviewFact{VendorID: v, Tier: domain.TierHigh, LastReviewOn: day("2025-12-23")}), []string{domain.RuleReviewDueSoon}},
		{"review due in 31 days", rc.ReviewRules(domain.ReviewFact{VendorID: v, Tier: domain.TierHigh, LastReviewOn: day("2025-12-24")}), []string{}},

		{"attestation expired yesterday", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-11-22"), ReviewStatus: domain.AttestationAccepted}), []string{domain.RuleAttestationExpired}},
		{"attestation valid through today", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-11-23"), ReviewStatus: domain.AttestationAccepted}), []string{domain.RuleAttestationExpiring}},
		{"attestation expiring in 30 days", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-12-23"), ReviewStatus: domain.AttestationAccepted}), []string{domain.RuleAttestationExpiring}},
		{"attestation expiring in 31 days", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2026-12-24"), ReviewStatus: domain.AttestationAccepted}), []string{}},
		{"qualified opinion received", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2027-12-24"), Opinion: domain.OpinionQualified, ReviewStatus: domain.AttestationReceived}), []string{domain.RuleAttestationQualified}},
		{"superseded attestation expired", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, ExpiresOn: day("2026-11-22"), ReviewStatus: domain.AttestationAccepted}), []string{}},
		{"qualified opinion accepted", rc.AttestationRules(domain.AttestationFact{ID: "a", VendorID: v, Latest: true, ExpiresOn: day("2027-12-24"), Opinion: domain.OpinionQualified, ReviewStatus: domain.AttestationAccepted}), []string{}},

		{"contract ended yesterday", rc.ContractRules(domain.ContractFact{ID: "c", VendorID: v, Status: domain.ContractActive, ExpiresOn: day("2026-11-22")}), []string{domain.RuleContractExpired}},
		{"contract ends today", rc.ContractRules(domain.ContractFact{ID: "c", VendorID: v, Status: domain.ContractActive, ExpiresOn: day("2026-11-23")}), []string{}},
		{"renewal notice deadline in 30 days", rc.ContractRules(domain.ContractFact{ID: "c", VendorID: v, Status: domain.ContractActive, ExpiresOn: day("2027-03-23"), RenewalNoticeDays: 90}), []string{domain.RuleContractRenewalNotice}},
		{"renewal notice deadline in 31 days", rc.ContractRules(domain.ContractFact{ID: "c", VendorID: v, Status: domain.ContractActive, ExpiresOn: day("2027-03-24"), RenewalNoticeDays: 90}), []string{}},
		{"renewal notice deadline passed", rc.ContractRules(domain.ContractFact{ID: "c", VendorID: v, Status: domain.ContractActive, ExpiresOn: day("2027-02-20"), RenewalNoticeDays: 90}), []string{}},

		{"notice one second late", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), NotifiedAt: ptr(at(-28).Add(time.Second))}), []string{domain.RuleIncidentNoticeLate}},
		{"notice on the due instant", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), NotifiedAt: ptr(at(-28))}), []string{}},
		{"no notice, window closed", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(ruleNow.Add(-time.Second))}), []string{domain.RuleIncidentNoticeOverdue}},
		{"no notice, window closes now", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(ruleNow)}), []string{}},
		{"contract met, law's 10 days missed", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), DueAt: ptr(at(-28)), LawDueAt: ptr(at(-90)), NotifiedAt: ptr(at(-30))}), []string{domain.RuleIncidentNoticeLate}},
		{"no clause, law's deadline passed", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), LawDueAt: ptr(at(-90))}), []string{domain.RuleIncidentNoticeOverdue}},
		{"no clause, law met", rc.IncidentRules(domain.IncidentFact{ID: "i", VendorID: v, DiscoveredAt: at(-100), LawDueAt: ptr(at(-90)), NotifiedAt: ptr(at(-91))}), []string{}},

		{"obligation due a second ago", rc.ObligationRules(domain.ObligationFact{ID: "o", VendorID: v, DueAt: ruleNow.Add(-time.Second)}), []string{domain.RuleObligationOverdue}},
		{"obligation due in 24 hours", rc.ObligationRules(domain.ObligationFact{ID: "o", VendorID: v, DueAt: at(24)}), []string{domain.RuleObligationDueSoon}},
		{"obligation due in 24 hours and a second", rc.ObligationRules(domain.ObligationFact{ID: "o", VendorID: v, DueAt: at(24).Add(time.Second)}), []string{}},
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
	a := domain.AttestationFact{ID: "a", Latest: true, ExpiresOn: day("2026-12-04"), ReviewStatus: domain.AttestationAccepted}
	if got := ruleIDs(rc.AttestationRules(a)); len(got) != 0 {
		t.Errorf("11 days left with a 10-day window: %v", got)
	}
	rc.Thresholds.ObligationDueSoonHours = 48
	if got := ruleIDs(rc.ObligationRules(domain.ObligationFact{ID: "o", DueAt: ruleNow.Add(47 * time.Hour)})); !slices.Equal(got, []string{domain.RuleObligationDueSoon}) {
		t.Errorf("47 hours with a 48-hour window: %v", got)
	}
}

// TestPolicyRules checks the per-vendor policy rules with the existing
// policy code.
func TestPolicyRules(t *testing.T) {
	rc := ruleCtx()
	v := domain.Vendor{ID: "0190f0a0-0000-7000-8000-000000000002", Name: "Card Co", TierOverride: domain.TierLow}
	card := []domain.DataHandling{{VendorID: v.ID, Category: domain.CatCardholderData, Jurisdictions: []string{"US"}}}
	clause := func(hours int) *domain.ClauseVersion {
		return &domain.ClauseVersion{ID: "cv", Terms: domain.ClauseTerms{Window: &domain.Window{Value: hours, Unit: domain.UnitHours}}}
	}
	aoc := domain.Attestation{ID: "a", VendorID: v.ID, Kind: domain.KindPCIDSSAOC, ExpiresOn: day("2027-06-01"), ReviewStatus: domain.AttestationAccepted}

	// Card data, no contract, no AOC: missing AOC and no clause.
	got := ruleIDs(rc.PolicyRules(domain.VendorPolicyFact{Vendor: v, Handling: card}))
	if !slices.Equal(got, []string{domain.RuleAttestationMissing, domain.RuleContractNoNotificationClause}) {
		t.Errorf("bare card vendor: %v", got)
	}
	// A 48-hour clause against the 24-hour card-data policy: too long.
	fs := rc.PolicyRules(domain.VendorPolicyFact{Vendor: v, Handling: card, Attestations: []domain.Attestation{aoc},
		Contracts: []domain.ContractClause{{Contract: domain.Contract{ID: "c48"}, Clause: clause(48)}}})
	if got := ruleIDs(fs); !slices.Equal(got, []string{domain.RuleContractWindowExceedsPolicy}) || fs[0].SubjectID != "c48" ||
		fs[0].Facts["max_hours"] != 24 || fs[0].Facts["window_hours"] != 48 {
		t.Errorf("48-hour clause: %v %+v", got, fs)
	}
	// 24 hours exactly is within policy; a second contract at 72 hours
	// does not matter: the vendor's best clause counts.
	got = ruleIDs(rc.PolicyRules(domain.VendorPolicyFact{Vendor: v, Handling: card, Attestations: []domain.Attestation{aoc},
		Contracts: []domain.ContractClause{{Contract: domain.Contract{ID: "c72"}, Clause: clause(72)}, {Contract: domain.Contract{ID: "c24"}, Clause: clause(24)}}}))
	if len(got) != 0 {
		t.Errorf("24-hour clause: %v", got)
	}
	// No personal data: no clause needed.
	other := []domain.DataHandling{{VendorID: v.ID, Category: "none-such"}}
	if got := ruleIDs(rc.PolicyRules(domain.VendorPolicyFact{Vendor: v, Handling: other})); len(got) != 0 {
		t.Errorf("vendor without personal data: %v", got)
	}
}

func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range domain.Rules {
		if seen[r.ID] || !r.Severity.Valid() || r.Title == "" || r.Explanation == "" || len(r.Facts) == 0 || len(domain.RulesOf(r.Family)) == 0 {
			t.Errorf("rule %+v", r)
		}
		seen[r.ID] = true
	}
	if len(seen) != 15 {
		t.Errorf("%d rules, want 15", len(seen))
	}
}
