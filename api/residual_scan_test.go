package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// residualHookStore runs before once, just before the scan's risk family
// reads its facts (after the policy family has judged).
type residualHookStore struct {
	finding.ScanStore
	before func()
}

func (s *residualHookStore) ResidualFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ResidualFact) error) error {
	if q.WithoutPolicyFacts && s.before != nil {
		s.before()
		s.before = nil
	}
	return s.ScanStore.ResidualFacts(ctx, q, fn)
}

// TestResidualVendorEnteringScopeMidScan: the risk family takes each
// vendor's controls from the policy family of the same run; a vendor that
// comes into scope between the two (an onboarding vendor whose first data
// handling is recorded meanwhile) has its facts read whole, so that the
// scan stores the same residual risk as the risk endpoint computes.
func TestResidualVendorEnteringScopeMidScan(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		mgr := e.keys[domain.RoleVendorManager]
		// In scope from the start, and onboarding without data (out of
		// scope until its data handling is recorded).
		active := e.createVendor(map[string]any{"name": "Active Co", "status": "active", "criticality": "critical"})["id"].(string)
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+active+"/data-handling", mgr, map[string]any{
			"category": "cardholder_data", "access": []string{"stores"}, "record_count": 1000, "jurisdictions": []string{"US"}}),
			http.StatusCreated)
		late := e.createVendor(map[string]any{"name": "Late Co", "status": "onboarding", "criticality": "critical"})["id"].(string)

		e.scan.Store = &residualHookStore{ScanStore: e.scan.Store, before: func() {
			mustStatus(t, e.do("POST", "/api/v1/vendors/"+late+"/data-handling", mgr, map[string]any{
				"category": "cardholder_data", "access": []string{"stores"}, "record_count": 1000, "jurisdictions": []string{"US"}}),
				http.StatusCreated)
		}}
		e.runScan()
		for name, id := range map[string]string{"active": active, "late": late} {
			r := e.vendorRisk(id)
			if r.Residual == nil || r.Stored == nil || r.Stored.Score != r.Residual.Score || r.Stored.Tier != r.Residual.Tier {
				t.Fatalf("%s: stored %+v, live %+v", name, r.Stored, r.Residual)
			}
			// Card data: the AOC requirement applies and is missing.
			if f := r.Residual.Factors[0]; f.Factor != "evidence" || f.Points == 0 {
				t.Errorf("%s: evidence factor = %+v", name, f)
			}
		}
	})
}
