package domain_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/services"
)

// TestDomainImports keeps frameworks and the outer packages out of every
// package under domain/: each imports only the standard library,
// github.com/google/uuid and other domain packages (the calendar adapter
// also its holiday rules, github.com/rickar/cal/v2), and the kernel
// (package domain) imports no other domain package. golangci-lint's
// depguard rules (.golangci.yml) hold the same arrows from outside.
func TestDomainImports(t *testing.T) {
	const module = "github.com/vendorwatch/vendorwatch/"
	allowed := func(dir, path string) bool {
		first, _, _ := strings.Cut(path, "/")
		switch {
		case !strings.Contains(first, "."): // the standard library
			return true
		case path == "github.com/google/uuid":
			return true
		case path == module+"domain" || strings.HasPrefix(path, module+"domain/"):
			return dir != "."
		case dir == "calendar":
			return path == "github.com/rickar/cal/v2" || strings.HasPrefix(path, "github.com/rickar/cal/v2/")
		}
		return false
	}
	fset := token.NewFileSet()
	packages := map[string]bool{}
	err := filepath.WalkDir(".", func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(f))
		packages[dir] = true
		parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed(dir, path) {
				t.Errorf("%s imports %s: a domain package may import only the standard library, "+
					"github.com/google/uuid and (outside the kernel) other domain packages", f, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".", "calendar", "incident", "register"} {
		if !packages[want] {
			t.Errorf("the walk missed domain/%s (saw %v)", want, packages)
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

func TestChainHash(t *testing.T) {
	e := domain.AuditEvent{Seq: 1, ID: "id", At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), ActorID: "a",
		Action: "vendor.create", Entity: "vendor", EntityID: "v", After: json.RawMessage(`{"b": 1, "a": 2}`)}
	h := domain.ChainHash(domain.GenesisHash, e)
	// Whitespace in stored JSON and sub-microsecond time do not change it.
	e2 := e
	e2.After = json.RawMessage(`{"b":1,"a":2}`)
	e2.At = e.At.Truncate(time.Microsecond).In(time.FixedZone("x", 3600))
	if domain.ChainHash(domain.GenesisHash, e2) != h {
		t.Error("hash depends on formatting")
	}
	e3 := e
	e3.Action = "vendor.delete"
	if domain.ChainHash(domain.GenesisHash, e3) == h || domain.ChainHash(h, e) == h {
		t.Error("hash ignores content or the previous hash")
	}
}

func TestLoadPolicy(t *testing.T) {
	p, err := policy.LoadPolicy(strings.NewReader(`{
		"clause_requirements": [{"id": "breach-window", "title": "48 hours for everyone", "when": {"personal_data": true},
			"require": "breach_notification_window", "max_window_hours": 48,
			"source": {"citation": "internal policy 7.2", "basis": "board decision 2026-05", "status": "policy"}}],
		"review_cadence": {"months": {"critical": 6, "high": 12, "moderate": 24, "low": 36},
			"source": {"citation": "internal policy 3.1", "basis": "board decision", "status": "policy"}},
		"scan_thresholds": {"review_due_soon_days": 45, "attestation_expiring_days": 60, "renewal_notice_days": 90,
			"obligation_due_soon_hours": 12},
		"working_deadlines": {"default": {"value": 10, "unit": "business_days"}, "by_standard": {"immediately": {"value": 12, "unit": "hours"}}}
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
	} {
		if _, err := policy.LoadPolicy(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadPolicy accepted %s", bad)
		}
	}
}
