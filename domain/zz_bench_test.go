package domain_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

func BenchmarkAssessTmp(b *testing.B) {
	c := domain.DefaultCatalogue()
	f := domain.IncidentFacts{VendorDiscoveredAt: utc(2026, 3, 1, 0, 0), WeLearnedAt: utc(2026, 3, 2, 0, 0),
		Categories: []string{"cardholder_data", "ssn"}, Jurisdictions: []string{"US", "US-CA", "US-NY"}, RecordsAffected: 5000}
	for b.Loop() {
		c.Assess(f, domain.AssessOptions{})
	}
}
