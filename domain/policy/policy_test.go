package policy_test

import (
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/services"
)

func TestLoadPolicy(t *testing.T) {
	p, err := policy.LoadPolicy(strings.NewReader(`{
		"clause_requirements": [{"id": "breach-window", "title": "48 hours for everyone", "when": {"personal_data": true},
			"require": "breach_notification_window", "max_window_hours": 48,
			"source": {"citation": "internal policy 7.2", "basis": "board decision 2026-05", "status": "policy"}}],
		"review_cadence": {"months": {"critical": 6, "high": 12, "moderate": 24, "low": 36},
			"source": {"citation": "internal policy 3.1", "basis": "board decision", "status": "policy"}},
		"scan_thresholds": {"review_due_soon_days": 45, "attestation_expiring_days": 60, "renewal_notice_days": 90,
			"obligation_due_soon_hours": 12},
		"working_deadlines": {"default": {"value": 10, "unit": "business_days"}, "by_standard": {"immediately": {"value": 12, "unit": "hours"}}},
		"residual_risk": {"findings": {"high": 7}, "appetite": {"low": "low"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Clauses.Requirements) != 1 || p.Clauses.Requirements[0].MaxWindowHours != 48 || p.ReviewCadence.Months[register.TierCritical] != 6 {
		t.Errorf("policy = %+v", p)
	}
	if p.ScanThresholds.AttestationExpiringDays != 60 || p.ScanThresholds.ObligationDueSoonHours != 12 {
		t.Errorf("scan thresholds = %+v", p.ScanThresholds)
	}
	if w := p.WorkingDeadlines; w.For("immediately") != (domain.Window{Value: 12, Unit: domain.UnitHours}) ||
		w.For("without_undue_delay") != (domain.Window{Value: 10, Unit: domain.UnitBusinessDays}) || w.Basis != "policy file (not law)" {
		t.Errorf("working deadlines = %+v", w)
	}
	svc := services.New(services.Stores{}, services.Settings{Policy: p})
	if svc.Incidents.Working.For("immediately").Value != 12 {
		t.Errorf("incidents run with working deadlines %+v", svc.Incidents.Working)
	}
	if svc.Scan.Thresholds != p.ScanThresholds {
		t.Errorf("the scan runs with %+v, not the policy's %+v", svc.Scan.Thresholds, p.ScanThresholds)
	}
	// residual_risk is laid over the defaults field by field; the scan runs
	// with it.
	def := register.DefaultResidualConfig()
	if r := p.ResidualRisk; r.Findings.High != 7 || r.Findings.Critical != def.Findings.Critical ||
		r.Appetite[register.TierLow] != register.TierLow || r.Appetite[register.TierCritical] != register.TierHigh ||
		r.ID() == def.ID() {
		t.Errorf("residual risk = %+v", r)
	}
	if svc.Scan.Residual.Findings.High != 7 {
		t.Errorf("the scan runs with residual weights %+v", svc.Scan.Residual)
	}
	// Untouched sections keep their cited defaults.
	if len(p.AttestationRequirements) != len(attestation.DefaultAttestationRequirements()) || len(p.Clauses.StandardWindows) != 3 {
		t.Errorf("defaults lost: %+v", p)
	}
	for _, bad := range []string{
		`{"clause_requirements": [{"id": "x", "require": "teleportation"}]}`,
		`{"clause_requirements": [{"id": "x", "require": "breach_notification_window"}]}`,
		`{"attestation_requirements": [{"id": "x", "any_of": ["soc3"]}]}`,
		`{"review_cadence": {"months": {"critical": 0}}}`,
		`{"scan_thresholds": {"review_due_soon_days": -1, "attestation_expiring_days": 30, "renewal_notice_days": 30, "obligation_due_soon_hours": 24}}`,
		`{"unknown_section": {}}`,
		`{"working_deadlines": {"default": {"value": 0, "unit": "calendar_days"}}}`,
		`{"working_deadlines": {"default": {"value": 30, "unit": "weeks"}}}`,
		`not json`,
		`{"residual_risk": {"findings": {"severe": 3}}}`,
		`{"residual_risk": {"cut_offs": {"critical": 40}}}`,
		`{"residual_risk": {"appetite": {"high": "extreme"}}}`,
		`{"residual_risk": {"notices": {"months": 0}}}`,
	} {
		if _, err := policy.LoadPolicy(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadPolicy accepted %s", bad)
		}
	}
}
