package domain_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

func TestInherentRisk(t *testing.T) {
	cases := []struct {
		name     string
		in       domain.RiskInputs
		score    int
		tier     domain.Tier
		sens     int
		vol      int
		critical int
	}{
		{"nothing handled, low", domain.RiskInputs{Criticality: domain.CriticalityLow}, 0, domain.TierLow, 0, 0, 0},
		{"critical alone is moderate", domain.RiskInputs{Criticality: domain.CriticalityCritical}, 30, domain.TierModerate, 0, 0, 30},
		{"one record adds nothing", domain.RiskInputs{MaxSensitivity: 2, MaxRecords: 1, Criticality: domain.CriticalityLow}, 20, domain.TierLow, 20, 0, 0},
		{"contact data, 10k, moderate", domain.RiskInputs{MaxSensitivity: 2, MaxRecords: 10_000, Criticality: domain.CriticalityModerate}, 45, domain.TierModerate, 20, 15, 10},
		{"card data, 1M, high", domain.RiskInputs{MaxSensitivity: 4, MaxRecords: 1_000_000, Criticality: domain.CriticalityHigh}, 83, domain.TierCritical, 40, 23, 20},
		{"volume caps at 1e8", domain.RiskInputs{MaxSensitivity: 4, MaxRecords: 1e12, Criticality: domain.CriticalityCritical}, 100, domain.TierCritical, 40, 30, 30},
		{"just below high", domain.RiskInputs{MaxSensitivity: 3, MaxRecords: 100, Criticality: domain.CriticalityLow}, 38, domain.TierModerate, 30, 8, 0},
		{"exactly high", domain.RiskInputs{MaxSensitivity: 4, Criticality: domain.CriticalityModerate}, 50, domain.TierHigh, 40, 0, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := domain.ComputeInherentRisk(tc.in)
			if r.Score != tc.score || r.Tier != tc.tier {
				t.Errorf("score %d tier %s, want %d %s", r.Score, r.Tier, tc.score, tc.tier)
			}
			sum := 0
			for _, f := range r.Factors {
				sum += f.Points
			}
			if sum != r.Score || r.Factors[0].Points != tc.sens || r.Factors[1].Points != tc.vol || r.Factors[2].Points != tc.critical {
				t.Errorf("factors %+v do not explain score %d", r.Factors, r.Score)
			}
		})
	}
	for score, want := range map[int]domain.Tier{0: domain.TierLow, 24: domain.TierLow, 25: domain.TierModerate,
		49: domain.TierModerate, 50: domain.TierHigh, 69: domain.TierHigh, 70: domain.TierCritical, 100: domain.TierCritical} {
		if got := domain.TierForScore(score); got != want {
			t.Errorf("TierForScore(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestVendorApply(t *testing.T) {
	name := "Acme"
	v := domain.Vendor{ID: domain.NewID(), Status: domain.DefaultVendorStatus, Criticality: domain.DefaultVendorCriticality}
	if err := v.Apply(domain.VendorInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	self := v.ID
	err := v.Apply(domain.VendorInput{ParentVendorID: &self})
	var fe domain.FieldErrors
	if !asFieldErrors(err, &fe) || fe[0].Field != "parent_vendor_id" {
		t.Errorf("self parent: %v", err)
	}
	// Clearing the override clears its reason.
	v = domain.Vendor{Name: "x", Status: domain.StatusActive, Criticality: domain.CriticalityLow, TierOverride: domain.TierHigh, TierOverrideReason: "why"}
	empty := domain.Tier("")
	if err := v.Apply(domain.VendorInput{TierOverride: &empty}); err != nil || v.TierOverrideReason != "" || v.Tier() != domain.TierLow {
		t.Errorf("clear override: err %v, reason %q, tier %s", err, v.TierOverrideReason, v.Tier())
	}
}
