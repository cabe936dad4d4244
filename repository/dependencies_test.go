package repository_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// chainFixture is the hand-built supply chain of the fourth-party tests:
// our vendors Alpha and Bravo use the cloud provider P directly; Charlie
// uses the intermediate I (a fourth party), which uses P. Alpha and
// Charlie are critical.
type chainFixture struct {
	svc                          *services.Services
	alpha, bravo, charlie, i, p  register.Vendor
	alphaP, bravoP, charlieI, iP register.Dependency
}

func newChain(t *testing.T, db *repository.DB) chainFixture {
	t.Helper()
	ctx := context.Background()
	clock := &movingClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc := services.New(db.Stores(t.TempDir()), services.Settings{Clock: clock})
	vendor := func(name string, status register.VendorStatus, critical bool, cats ...string) register.Vendor {
		in := register.VendorInput{Name: ptr(name), Status: ptr(status)}
		if critical {
			in.TierOverride, in.TierOverrideReason = ptr(register.TierCritical), ptr("runs payments")
		}
		v, err := svc.Vendors.Create(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		for _, c := range cats {
			if _, _, err := svc.Vendors.PutHandling(ctx, v.ID, register.DataHandlingInput{Category: c,
				Access: []string{"stores"}, RecordCount: 1000}); err != nil {
				t.Fatalf("handling %s %s: %v", name, c, err)
			}
		}
		return v
	}
	f := chainFixture{svc: svc}
	f.alpha = vendor("Alpha Pay", register.StatusActive, true, register.CatCardholderData, register.CatContactPII)
	f.bravo = vendor("Bravo Mail", register.StatusActive, false, register.CatContactPII)
	f.charlie = vendor("Charlie Care", register.StatusActive, true, register.CatContactPII, register.CatHealthPHI)
	f.i = vendor("Intermediate Desk", register.StatusFourthParty, false)
	f.p = vendor("Provider Cloud", register.StatusFourthParty, false)
	f.alphaP = f.edge(t, f.alpha, f.p, register.ServiceHosting, []string{"cardholder_data", "contact_pii"}, "US")
	f.bravoP = f.edge(t, f.bravo, f.p, register.ServiceDataStorage, []string{"contact_pii"}, "DE")
	f.charlieI = f.edge(t, f.charlie, f.i, register.ServiceSupport, []string{"contact_pii", "health_phi"}, "GB")
	f.iP = f.edge(t, f.i, f.p, register.ServiceHosting, []string{"health_phi"}, "IE")
	return f
}

func (f chainFixture) edgeErr(v, p register.Vendor, s register.ProvidedService, cats []string, countries ...string) (register.Dependency, error) {
	return f.svc.SupplyChain.Create(context.Background(), v.ID, register.DependencyInput{
		ProviderID: ptr(p.ID), Service: ptr(s), DataCategories: ptr(cats), Countries: ptr(countries),
		Source: ptr(register.SourcePublishedList), AsOf: ptr(domain.NewDate(2026, 2, 1))})
}

func (f chainFixture) edge(t *testing.T, v, p register.Vendor, s register.ProvidedService, cats []string, countries ...string) register.Dependency {
	t.Helper()
	d, err := f.edgeErr(v, p, s, cats, countries...)
	if err != nil {
		t.Fatalf("edge %s -> %s: %v", v.Name, p.Name, err)
	}
	return d
}

// fieldOf returns the field of the first field error in err ("" if none).
func fieldOf(err error) string {
	var fe domain.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Field
	}
	return ""
}

func TestSupplyChainTreeAndConcentration(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		f := newChain(t, db)
		sc := f.svc.SupplyChain

		tree, err := sc.SupplyChain(ctx, f.charlie.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantTree := []register.ChainLink{
			{Rank: 1, DependencyID: f.charlieI.ID, ParentID: f.charlie.ID, ProviderID: f.i.ID, ProviderName: "Intermediate Desk",
				ProviderStatus: register.StatusFourthParty, Service: register.ServiceSupport,
				DataCategories: []string{"contact_pii", "health_phi"}, Countries: []string{"GB"}},
			{Rank: 2, DependencyID: f.iP.ID, ParentID: f.i.ID, ProviderID: f.p.ID, ProviderName: "Provider Cloud",
				ProviderStatus: register.StatusFourthParty, Service: register.ServiceHosting,
				DataCategories: []string{"health_phi"}, Countries: []string{"IE"}},
		}
		if !reflect.DeepEqual(tree, wantTree) {
			t.Errorf("supply chain of Charlie\n got %+v\nwant %+v", tree, wantTree)
		}

		all := []string{"cardholder_data", "contact_pii", "health_phi"}
		tests := []struct {
			name   string
			filter register.ConcentrationFilter
			want   []register.ProviderConcentration
		}{
			{"every path", register.ConcentrationFilter{}, []register.ProviderConcentration{
				{ProviderID: f.p.ID, ProviderName: "Provider Cloud", ProviderStatus: register.StatusFourthParty, Vendors: 3,
					CriticalVendors: 2, MinRank: 1, DataCategories: all, Countries: []string{"DE", "IE", "US"}},
				{ProviderID: f.i.ID, ProviderName: "Intermediate Desk", ProviderStatus: register.StatusFourthParty, Vendors: 1,
					CriticalVendors: 1, MinRank: 1, DataCategories: []string{"contact_pii", "health_phi"}, Countries: []string{"GB"}},
			}},
			{"rank 2 and deeper", register.ConcentrationFilter{MinRank: 2}, []register.ProviderConcentration{
				{ProviderID: f.p.ID, ProviderName: "Provider Cloud", ProviderStatus: register.StatusFourthParty, Vendors: 1,
					CriticalVendors: 1, MinRank: 2, DataCategories: []string{"health_phi"}, Countries: []string{"IE"}},
			}},
			{"health data", register.ConcentrationFilter{DataCategory: "health_phi"}, []register.ProviderConcentration{
				{ProviderID: f.i.ID, ProviderName: "Intermediate Desk", ProviderStatus: register.StatusFourthParty, Vendors: 1,
					CriticalVendors: 1, MinRank: 1, DataCategories: []string{"contact_pii", "health_phi"}, Countries: []string{"GB"}},
				{ProviderID: f.p.ID, ProviderName: "Provider Cloud", ProviderStatus: register.StatusFourthParty, Vendors: 1,
					CriticalVendors: 1, MinRank: 2, DataCategories: []string{"health_phi"}, Countries: []string{"IE"}},
			}},
			{"moderate-tier vendors", register.ConcentrationFilter{Tier: register.TierModerate}, []register.ProviderConcentration{
				{ProviderID: f.p.ID, ProviderName: "Provider Cloud", ProviderStatus: register.StatusFourthParty, Vendors: 1,
					CriticalVendors: 0, MinRank: 1, DataCategories: []string{"contact_pii"}, Countries: []string{"DE"}},
			}},
			{"top one", register.ConcentrationFilter{Limit: 1}, []register.ProviderConcentration{
				{ProviderID: f.p.ID, ProviderName: "Provider Cloud", ProviderStatus: register.StatusFourthParty, Vendors: 3,
					CriticalVendors: 2, MinRank: 1, DataCategories: all, Countries: []string{"DE", "IE", "US"}},
			}},
		}
		for _, tt := range tests {
			got, err := sc.Concentration(ctx, tt.filter)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s\n got %+v\nwant %+v", tt.name, got, tt.want)
			}
		}

		up, err := sc.Upstream(ctx, f.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantUp := []register.UpstreamVendor{
			{VendorID: f.alpha.ID, VendorName: "Alpha Pay", Tier: register.TierCritical, Rank: 1,
				DataCategories: []string{"cardholder_data", "contact_pii"}, Countries: []string{"US"}, Jurisdictions: []string{},
				Records: 1000},
			{VendorID: f.bravo.ID, VendorName: "Bravo Mail", Tier: register.TierModerate, Rank: 1,
				DataCategories: []string{"contact_pii"}, Countries: []string{"DE"}, Jurisdictions: []string{}, Records: 1000},
			{VendorID: f.charlie.ID, VendorName: "Charlie Care", Tier: register.TierCritical, Rank: 2,
				DataCategories: []string{"health_phi"}, Countries: []string{"IE"}, Jurisdictions: []string{}, Records: 1000},
		}
		if !reflect.DeepEqual(up, wantUp) {
			t.Errorf("upstream of P\n got %+v\nwant %+v", up, wantUp)
		}
	})
}

func TestSupplyChainRefusals(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		f := newChain(t, db)
		tests := []struct {
			name      string
			from, to  register.Vendor
			cats      []string
			wantField string
		}{
			{"cycle through the intermediate", f.p, f.charlie, nil, "provider_id"},
			{"cycle of two", f.p, f.i, nil, "provider_id"},
			{"own provider", f.p, f.p, nil, "provider_id"},
			{"data the vendor does not hold", f.bravo, f.p, []string{"health_phi"}, "data_categories[0]"},
			{"data a fourth party does not receive", f.i, f.p, []string{"contact_pii", "cardholder_data"}, "data_categories[0]"},
		}
		for _, tt := range tests {
			_, err := f.edgeErr(tt.from, tt.to, register.ServiceOther, tt.cats)
			if !errors.Is(err, domain.ErrInvalid) || fieldOf(err) != tt.wantField {
				t.Errorf("%s: err = %v, want invalid %s", tt.name, err, tt.wantField)
			}
		}
		if _, err := f.edgeErr(f.alpha, f.p, register.ServiceHosting, nil); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("second hosting edge Alpha -> P: err = %v, want conflict", err)
		}
	})
}

func TestSupplyChainMergeKeepsEdges(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		f := newChain(t, db)
		sc := f.svc.SupplyChain
		dup, err := f.svc.Vendors.Create(ctx, register.VendorInput{Name: ptr("Provider Cloud, Inc."),
			Status: ptr(register.StatusFourthParty)})
		if err != nil {
			t.Fatal(err)
		}
		f.edge(t, f.alpha, dup, register.ServiceHosting, []string{"contact_pii"}, "FR")
		moved := f.edge(t, f.bravo, dup, register.ServiceHosting, []string{"contact_pii"}, "NL")

		res, err := sc.Merge(ctx, f.p.ID, dup.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Moved != 1 || res.Joined != 1 {
			t.Errorf("merge moved %d and joined %d edges, want 1 and 1", res.Moved, res.Joined)
		}
		if _, err := f.svc.Vendors.Get(ctx, dup.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("duplicate after merge: err = %v, want not found", err)
		}
		got, err := sc.Get(ctx, moved.ID)
		if err != nil || got.ProviderID != f.p.ID {
			t.Errorf("moved edge = %+v, %v; want provider P", got, err)
		}
		joined, err := sc.Get(ctx, f.alphaP.ID)
		if err != nil || !reflect.DeepEqual(joined.Countries, []string{"FR", "US"}) {
			t.Errorf("joined edge = %+v, %v; want countries FR, US", joined, err)
		}
		edges, err := sc.ListProviders(ctx, f.bravo.ID)
		if err != nil || len(edges) != 2 {
			t.Errorf("Bravo's edges after merge = %d, %v; want 2", len(edges), err)
		}
		conc, err := sc.Concentration(ctx, register.ConcentrationFilter{Limit: 1})
		if err != nil || len(conc) != 1 || conc[0].ProviderID != f.p.ID || conc[0].Vendors != 3 {
			t.Errorf("concentration after merge = %+v, %v", conc, err)
		}
		events, err := f.svc.Audit.List(ctx, domain.AuditFilter{EntityID: dup.ID}, domain.PageRequest{})
		if err != nil || len(events.Items) < 2 {
			t.Errorf("audit events of the duplicate = %+v, %v; want its create and merge", events.Items, err)
		}
		if _, err := sc.Merge(ctx, f.p.ID, f.p.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("merge into itself: err = %v", err)
		}
	})
}

// TestSupplyChainRules runs the scan on the hand-built chain:
// provider.concentration fires at its threshold of critical vendors and
// stays silent one below; contract.subprocessor_unapproved fires for a
// vendor whose data reaches a provider without an approving contract, and
// not once an active contract has the clause.
func TestSupplyChainRules(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		f := newChain(t, db) // P has two critical vendors above it: Alpha directly, Charlie through I
		scan := func(threshold int) map[string][]finding.Finding {
			t.Helper()
			svc := services.New(db.Stores(t.TempDir()), services.Settings{Clock: &movingClock{now: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)},
				Scan: finding.ScanThresholds{ProviderConcentrationCritical: threshold}})
			if _, err := svc.Scan.Run(ctx); err != nil {
				t.Fatalf("scan: %v", err)
			}
			out := map[string][]finding.Finding{}
			for _, rule := range []string{finding.RuleProviderConcentration, finding.RuleContractSubprocessorUnapproved} {
				page, err := svc.Findings.List(ctx, finding.FindingFilter{RuleID: rule, Status: finding.FindingOpen},
					domain.PageRequest{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				out[rule] = page.Items
			}
			return out
		}
		if got := scan(3)[finding.RuleProviderConcentration]; len(got) != 0 {
			t.Errorf("threshold 3 with 2 critical vendors: %d findings, want none", len(got))
		}
		got := scan(2)
		conc := got[finding.RuleProviderConcentration]
		if len(conc) != 1 || conc[0].SubjectID != f.p.ID {
			t.Fatalf("threshold 2: findings %+v, want one on P", conc)
		}
		var names []string
		for _, v := range conc[0].Facts["critical_vendors"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		if !reflect.DeepEqual(names, []string{"Alpha Pay", "Charlie Care"}) || conc[0].Facts["critical_count"] != float64(2) {
			t.Errorf("facts = %v", conc[0].Facts)
		}
		var flagged []string
		for _, fd := range got[finding.RuleContractSubprocessorUnapproved] {
			flagged = append(flagged, fd.Facts["vendor_name"].(string))
		}
		slices.Sort(flagged)
		if !reflect.DeepEqual(flagged, []string{"Alpha Pay", "Bravo Mail", "Charlie Care"}) {
			t.Errorf("subprocessor findings for %v", flagged)
		}

		contractFor := func(v register.Vendor, approval bool) {
			if _, err := f.svc.Contracts.Create(ctx, contract.ContractInput{VendorID: ptr(v.ID), Title: ptr("MSA"),
				Status: ptr(contract.ContractActive), EffectiveOn: ptr(domain.NewDate(2025, 1, 1)),
				SubprocessorApproval: ptr(approval)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		contractFor(f.alpha, true)
		contractFor(f.bravo, false)
		flagged = nil
		for _, fd := range scan(2)[finding.RuleContractSubprocessorUnapproved] {
			flagged = append(flagged, fd.Facts["vendor_name"].(string))
		}
		slices.Sort(flagged)
		if !reflect.DeepEqual(flagged, []string{"Bravo Mail", "Charlie Care"}) {
			t.Errorf("after Alpha's approving contract, findings for %v", flagged)
		}
	})
}
