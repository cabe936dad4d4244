package register_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

func TestInherentRisk(t *testing.T) {
	cases := []struct {
		name     string
		in       register.RiskInputs
		score    int
		tier     register.Tier
		sens     int
		vol      int
		critical int
	}{
		{"nothing handled, low", register.RiskInputs{Criticality: register.CriticalityLow}, 0, register.TierLow, 0, 0, 0},
		{"critical alone is moderate", register.RiskInputs{Criticality: register.CriticalityCritical}, 30, register.TierModerate, 0, 0, 30},
		{"one record adds nothing", register.RiskInputs{MaxSensitivity: 2, MaxRecords: 1, Criticality: register.CriticalityLow}, 20, register.TierLow, 20, 0, 0},
		{"contact data, 10k, moderate", register.RiskInputs{MaxSensitivity: 2, MaxRecords: 10_000, Criticality: register.CriticalityModerate}, 45, register.TierModerate, 20, 15, 10},
		{"card data, 1M, high", register.RiskInputs{MaxSensitivity: 4, MaxRecords: 1_000_000, Criticality: register.CriticalityHigh}, 83, register.TierCritical, 40, 23, 20},
		{"volume caps at 1e8", register.RiskInputs{MaxSensitivity: 4, MaxRecords: 1e12, Criticality: register.CriticalityCritical}, 100, register.TierCritical, 40, 30, 30},
		{"just below high", register.RiskInputs{MaxSensitivity: 3, MaxRecords: 100, Criticality: register.CriticalityLow}, 38, register.TierModerate, 30, 8, 0},
		{"exactly high", register.RiskInputs{MaxSensitivity: 4, Criticality: register.CriticalityModerate}, 50, register.TierHigh, 40, 0, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := register.ComputeInherentRisk(tc.in)
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
	for score, want := range map[int]register.Tier{0: register.TierLow, 24: register.TierLow, 25: register.TierModerate,
		49: register.TierModerate, 50: register.TierHigh, 69: register.TierHigh, 70: register.TierCritical, 100: register.TierCritical} {
		if got := register.TierForScore(score); got != want {
			t.Errorf("TierForScore(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestVendorApply(t *testing.T) {
	name := "Acme"
	v := register.Vendor{ID: domain.NewID(), Status: register.DefaultVendorStatus, Criticality: register.DefaultVendorCriticality}
	if err := v.Apply(register.VendorInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	self := v.ID
	err := v.Apply(register.VendorInput{ParentVendorID: &self})
	var fe domain.FieldErrors
	if !asFieldErrors(err, &fe) || fe[0].Field != "parent_vendor_id" {
		t.Errorf("self parent: %v", err)
	}
	// Clearing the override clears its reason.
	v = register.Vendor{Name: "x", Status: register.StatusActive, Criticality: register.CriticalityLow, TierOverride: register.TierHigh, TierOverrideReason: "why"}
	empty := register.Tier("")
	if err := v.Apply(register.VendorInput{TierOverride: &empty}); err != nil || v.TierOverrideReason != "" || v.Tier() != register.TierLow {
		t.Errorf("clear override: err %v, reason %q, tier %s", err, v.TierOverrideReason, v.Tier())
	}
}

func asFieldErrors(err error, fe *domain.FieldErrors) bool {
	var ok bool
	*fe, ok = err.(domain.FieldErrors)
	return ok && len(*fe) > 0
}
