package seedgen

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
)

// BenchmarkSeedGenerate measures generating one batch of vendors with
// everything around them, without writing it.
func BenchmarkSeedGenerate(b *testing.B) {
	cat := incident.DefaultCatalogue()
	opt := Options{Vendors: MaxVendors, Seed: 1, AsOf: DefaultAsOf, Calendar: calendar.USFederal(),
		Standards: policy.DefaultPolicy().Clauses.StandardWindows, Catalogue: &cat}
	g := newSeedGen(opt)
	start := 0
	for b.Loop() {
		g.batch(start, start+seedBatchVendors)
		start = (start + seedBatchVendors) % MaxVendors
	}
}
