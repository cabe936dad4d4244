package seedgen_test

import (
	"context"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
	"github.com/vendorwatch/vendorwatch/services"
)

// TestSeedSupplyChain seeds a portfolio with a pool of providers: the
// edges are stored as counted, every provider's LEI is valid, the graph
// has no cycle the services would refuse, and concentration ranks a
// shared provider first.
func TestSeedSupplyChain(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		counts, err := seedgen.Seed(ctx, db, seedgen.Options{Vendors: 1200, Seed: 3, Providers: 40}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Providers != 40 || counts.Vendors != 1200 || counts.Dependencies < 2000 {
			t.Errorf("counts %+v", counts)
		}
		if got := count(t, db, "vendor_dependencies"); got != counts.Dependencies {
			t.Errorf("%d edges stored, counts say %d", got, counts.Dependencies)
		}
		if got := count(t, db, "vendors"); got != counts.Vendors+counts.Providers {
			t.Errorf("%d vendor rows, want %d", got, counts.Vendors+counts.Providers)
		}
		for _, l := range queryStrings(t, db, "SELECT lei FROM vendors WHERE lei IS NOT NULL") {
			if err := register.ValidLEI(l); err != nil {
				t.Fatalf("LEI %s: %v", l, err)
			}
		}
		svc := services.New(db.Stores(t.TempDir()), services.Settings{})
		top, err := svc.SupplyChain.Concentration(ctx, register.ConcentrationFilter{Limit: 3})
		if err != nil || len(top) != 3 || top[0].Vendors < 100 || top[0].ProviderStatus != register.StatusFourthParty {
			t.Fatalf("concentration = %+v, %v", top, err)
		}
		// A big provider's own provider is reached at rank 2.
		deep, err := svc.SupplyChain.Concentration(ctx, register.ConcentrationFilter{MinRank: 2, Limit: 1})
		if err != nil || len(deep) != 1 || deep[0].MinRank != 2 {
			t.Errorf("rank 2 concentration = %+v, %v", deep, err)
		}
		if _, err := svc.SupplyChain.Upstream(ctx, top[0].ProviderID); err != nil {
			t.Error(err)
		}
	})
}
