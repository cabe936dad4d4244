package domain_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

// TestDomainImportsOnlyStdlib keeps frameworks out of the domain: only the
// standard library and github.com/google/uuid may be imported.
func TestDomainImportsOnlyStdlib(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/google/uuid": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && !allowed[path] {
				t.Errorf("%s imports %s: the domain may import only the standard library and %v", f, path, allowed)
			}
		}
	}
}

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

func TestJurisdictions(t *testing.T) {
	for code, ok := range map[string]bool{"US": true, "GB": true, "EU": true, "US-CA": true, "US-DC": true, "US-PR": true,
		"DE": true, "UK": false, "XX": false, "US-ZZ": false, "CA-ON": false, "usa": false, "": false} {
		if got := domain.CheckJurisdiction(code) == ""; got != ok {
			t.Errorf("CheckJurisdiction(%q) valid=%v, want %v", code, got, ok)
		}
	}
	var fe domain.FieldErrors
	got := domain.NormalizeJurisdictions("j", []string{" us-ca", "EU", "US-CA", "gb"}, &fe)
	if strings.Join(got, ",") != "EU,GB,US-CA" || len(fe) != 0 {
		t.Errorf("normalised %v, errors %v", got, fe)
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

func asFieldErrors(err error, fe *domain.FieldErrors) bool {
	var ok bool
	*fe, ok = err.(domain.FieldErrors)
	return ok && len(*fe) > 0
}

func TestKeys(t *testing.T) {
	plain, prefix, secret := domain.GenerateKey()
	p, s, ok := domain.ParseKey(plain)
	if !ok || p != prefix || s != secret {
		t.Fatalf("ParseKey(%q) = %q %q %v", plain, p, s, ok)
	}
	for _, bad := range []string{"", "vw_", "vw_abc_def", "xx_" + plain[3:], plain + "x", strings.Replace(plain, "_", "-", 2)} {
		if _, _, ok := domain.ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	h1, h2 := domain.NewKeyHasher(""), domain.NewKeyHasher("pepper")
	if h1.Hash(secret) == h2.Hash(secret) {
		t.Error("the pepper does not change the hash")
	}
	if !h2.Matches(secret, h2.Hash(secret)) || h2.Matches(secret+"x", h2.Hash(secret)) {
		t.Error("Matches is wrong")
	}
}

func TestLoadPolicy(t *testing.T) {
	p, err := domain.LoadPolicy(strings.NewReader(`{
		"clause_requirements": [{"id": "breach-window", "title": "48 hours for everyone", "when": {"personal_data": true},
			"require": "breach_notification_window", "max_window_hours": 48,
			"source": {"citation": "internal policy 7.2", "basis": "board decision 2026-05", "status": "policy"}}],
		"review_cadence": {"months": {"critical": 6, "high": 12, "moderate": 24, "low": 36},
			"source": {"citation": "internal policy 3.1", "basis": "board decision", "status": "policy"}},
		"scan_thresholds": {"review_due_soon_days": 45, "attestation_expiring_days": 60, "renewal_notice_days": 90,
			"obligation_due_soon_hours": 12}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Clauses.Requirements) != 1 || p.Clauses.Requirements[0].MaxWindowHours != 48 || p.ReviewCadence.Months[domain.TierCritical] != 6 {
		t.Errorf("policy = %+v", p)
	}
	if p.ScanThresholds.AttestationExpiringDays != 60 || p.ScanThresholds.ObligationDueSoonHours != 12 {
		t.Errorf("scan thresholds = %+v", p.ScanThresholds)
	}
	svc := domain.NewServices(domain.Stores{}, domain.Settings{Policy: p})
	if svc.Scan.Thresholds != p.ScanThresholds {
		t.Errorf("the scan runs with %+v, not the policy's %+v", svc.Scan.Thresholds, p.ScanThresholds)
	}
	// Untouched sections keep their cited defaults.
	if len(p.AttestationRequirements) != len(domain.DefaultAttestationRequirements()) || len(p.Clauses.StandardWindows) != 3 {
		t.Errorf("defaults lost: %+v", p)
	}
	for _, bad := range []string{
		`{"clause_requirements": [{"id": "x", "require": "teleportation"}]}`,
		`{"clause_requirements": [{"id": "x", "require": "breach_notification_window"}]}`,
		`{"attestation_requirements": [{"id": "x", "any_of": ["soc3"]}]}`,
		`{"review_cadence": {"months": {"critical": 0}}}`,
		`{"scan_thresholds": {"review_due_soon_days": -1, "attestation_expiring_days": 30, "renewal_notice_days": 30, "obligation_due_soon_hours": 24}}`,
		`{"unknown_section": {}}`,
		`not json`,
	} {
		if _, err := domain.LoadPolicy(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadPolicy accepted %s", bad)
		}
	}
}
