package doraroi_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/services"
)

func ptr[T any](v T) *T { return &v }

// withCheckDigits completes an 18-character LEI prefix with its ISO 17442
// check digits (98 minus the prefix and "00" modulo 97).
func withCheckDigits(prefix string) string {
	rem := 0
	for _, c := range prefix + "00" {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	d := strconv.Itoa(98 - rem)
	if len(d) == 1 {
		d = "0" + d
	}
	return prefix + d
}

// The hand-built portfolio: two financial entities of one group, five
// providers (one known by its EUID only), a supply chain of depth 2 below
// the SaaS provider (a host, and the host's parent's data centres), a
// critical function supported by two contracts, an overarching arrangement
// with a subsequent one.
var (
	bankLEI      = withCheckDigits("7245009VELDHAVENBK")
	insurerLEI   = withCheckDigits("7245009VELDHAVENVZ")
	northwindLEI = withCheckDigits("549300NORTHWINDIE0")
	ostravaLEI   = withCheckDigits("315700OSTRAVACZ000")
	harborLEI    = withCheckDigits("724500BLUEHARBORNL")
	deepRackLEI  = withCheckDigits("724500DEEPRACKGRP0")
	keelEUID     = "LURCSL.B186284"
	reference    = domain.NewDate(2025, 12, 31)
	stamp        = time.Date(2026, 1, 15, 10, 20, 30, 123_000_000, time.UTC)
)

type portfolio struct {
	svc                                  *services.Services
	northwind, keel, ostrava, harbor, dr register.Vendor
	cNorthwind, cKeel, cOstrava, cOstSub contract.ContractView
}

// must is v, or a panic (which fails the test) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func buildPortfolio(t testing.TB, db *repository.DB) portfolio {
	t.Helper()
	ctx := domain.WithActor(context.Background(), domain.SystemActor)
	svc := services.New(db.Stores(t.TempDir()), services.Settings{Clock: domain.FixedClock(time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC))})
	p := portfolio{svc: svc}
	d := svc.Dora
	ok := okFor(t)

	ok(d.PutEntity(ctx, dora.Entity{LEI: bankLEI, Name: "Veldhaven Bank N.V.", Country: "NL",
		EntityType: "x12", Currency: "EUR", CompetentAuthority: "De Nederlandsche Bank", Hierarchy: "ultimate_parent",
		TotalAssetsMinor: ptr(int64(48_200_000_000_00))}))
	ok(d.PutEntity(ctx, dora.Entity{LEI: insurerLEI, Name: "Veldhaven Verzekeringen N.V.",
		Country: "NL", EntityType: "x309", Currency: "EUR", CompetentAuthority: "De Nederlandsche Bank",
		Hierarchy: "subsidiary", ParentLEI: bankLEI, TotalAssetsMinor: ptr(int64(9_100_000_000_00))}))

	vendor := func(name, legal, country, lei string, status register.VendorStatus, parent string) register.Vendor {
		in := register.VendorInput{Name: &name, LegalName: &legal, Country: &country, Status: &status}
		if lei != "" {
			in.LEI = &lei
		}
		if parent != "" {
			in.ParentVendorID = &parent
		}
		return must(svc.Vendors.Create(ctx, in))
	}
	p.dr = vendor("Deep Rack", "Deep Rack Group B.V.", "NL", deepRackLEI, register.StatusFourthParty, "")
	p.harbor = vendor("Blue Harbor", "Blue Harbor Hosting B.V.", "NL", harborLEI, register.StatusFourthParty, p.dr.ID)
	p.northwind = vendor("Northwind", "Northwind Cloud Ireland Limited", "IE", northwindLEI, register.StatusActive, "")
	p.keel = vendor("Keel Payments", "Keel Payments S.A.", "LU", "", register.StatusActive, "")
	p.ostrava = vendor("Ostrava Consulting", "Ostrava Consulting s.r.o.", "CZ", ostravaLEI, register.StatusActive, "")
	ok(svc.Vendors.PutHandling(ctx, p.northwind.ID, register.DataHandlingInput{
		Category: register.CatCardholderData, Access: []string{"stores", "processes"}, RecordCount: 250_000}))
	ok(svc.Vendors.PutHandling(ctx, p.harbor.ID, register.DataHandlingInput{
		Category: register.CatCardholderData, Access: []string{"stores"}, RecordCount: 250_000}))
	edge := func(v, provider register.Vendor, s register.ProvidedService, cats ...string) {
		ok(svc.SupplyChain.Create(ctx, v.ID, register.DependencyInput{
			ProviderID: &provider.ID, Service: &s, DataCategories: ptr(cats), Countries: ptr([]string{"NL"}),
			Source: ptr(register.SourceContract), AsOf: ptr(domain.NewDate(2025, 6, 1))}))
	}
	edge(p.northwind, p.harbor, register.ServiceHosting, register.CatCardholderData)
	edge(p.harbor, p.dr, register.ServiceDataStorage)
	for _, v := range []register.Vendor{p.dr, p.harbor, p.northwind, p.ostrava} {
		ok(d.PutProvider(ctx, dora.Provider{VendorID: v.ID, PersonType: "legal"}))
	}
	ok(d.PutProvider(ctx, dora.Provider{VendorID: p.keel.ID, EUID: keelEUID,
		PersonType: "legal"}))

	agreement := func(v register.Vendor, title, law string, from, to domain.Date, value int64) contract.ContractView {
		in := contract.ContractInput{VendorID: &v.ID, Title: &title, Status: ptr(contract.ContractActive),
			EffectiveOn: &from, GoverningLaw: &law, AnnualValue: ptr(&domain.Money{AmountMinor: value, Currency: "EUR"})}
		if !to.IsZero() {
			in.ExpiresOn = &to
		}
		return must(svc.Contracts.Create(ctx, in, nil))
	}
	p.cNorthwind = agreement(p.northwind, "Core platform SaaS", "IE", domain.NewDate(2021, 4, 1), domain.Date{}, 3_400_000_00)
	p.cKeel = agreement(p.keel, "Card payment processing", "LU", domain.NewDate(2022, 7, 1), domain.NewDate(2027, 6, 30), 1_200_000_50)
	p.cOstrava = agreement(p.ostrava, "Consulting framework", "CZ", domain.NewDate(2023, 1, 1), domain.Date{}, 0)
	p.cOstSub = agreement(p.ostrava, "Claims system development", "CZ", domain.NewDate(2024, 2, 1), domain.NewDate(2026, 1, 31), 310_000_00)

	arrangement := func(c contract.ContractView, lei, ref, typ, over string, entityDays, providerDays int) {
		ok(d.PutArrangement(ctx, dora.Arrangement{ContractID: c.ID, EntityLEI: lei,
			Reference: ref, Type: typ, OverarchingRef: over, NoticeEntityDays: &entityDays,
			NoticeProviderDays: &providerDays}))
	}
	arrangement(p.cNorthwind, bankLEI, "C-2021-001", "standalone", "", 180, 365)
	arrangement(p.cKeel, bankLEI, "C-2022-014", "standalone", "", 90, 90)
	arrangement(p.cOstrava, insurerLEI, "C-2023-007", "overarching", "", 30, 30)
	arrangement(p.cOstSub, insurerLEI, "C-2023-007-A", "subsequent", "C-2023-007", 30, 30)

	function := func(lei, id, name, activity, critical string, rto, rpo int, impact string) {
		ok(d.PutFunction(ctx, dora.Function{FunctionID: id, EntityLEI: lei, Name: name,
			LicensedActivity: activity, Criticality: critical, LastAssessedOn: domain.NewDate(2025, 9, 15),
			RTOHours: &rto, RPOHours: &rpo, DiscontinuationImpact: impact}))
	}
	function(bankLEI, "F1", "Payment processing", "eba_TA:x222", "yes", 2, 1, "high")
	function(bankLEI, "F2", "Customer onboarding", "eba_TA:x162", "no", 48, 24, "medium")
	function(insurerLEI, "F3", "Claims handling", "eba_TA:x189", "yes", 24, 4, "high")

	yes, no := true, false
	service := func(c contract.ContractView, typ string, s dora.ICTService, fs ...dora.FunctionRef) {
		s.ContractID, s.ServiceType, s.Functions = c.ID, typ, fs
		s.LastAuditOn, s.ExitPlan = domain.NewDate(2025, 5, 20), &yes
		ok(d.PutService(ctx, s))
	}
	f1, f2, f3 := dora.FunctionRef{EntityLEI: bankLEI, FunctionID: "F1"}, dora.FunctionRef{EntityLEI: bankLEI, FunctionID: "F2"},
		dora.FunctionRef{EntityLEI: insurerLEI, FunctionID: "F3"}
	service(p.cNorthwind, "S19", dora.ICTService{ProvisionCountry: "IE", StoresData: &yes, StorageCountry: "NL",
		ProcessingCountry: "IE", Reliance: "material", Substitutability: "highly_complex",
		NotSubstitutableReason: "migration_difficulties", Reintegration: "difficult", DiscontinuationImpact: "high",
		Alternatives: "yes", AlternativeProviders: "Contoso Cloud"}, f1, f2)
	service(p.cKeel, "S14", dora.ICTService{ProvisionCountry: "LU", StoresData: &yes, StorageCountry: "LU",
		ProcessingCountry: "LU", Sensitivity: "medium", Reliance: "full", Substitutability: "medium",
		Reintegration: "highly_complex", DiscontinuationImpact: "high", Alternatives: "no"}, f1)
	service(p.cOstrava, "S15", dora.ICTService{ProvisionCountry: "CZ", StoresData: &no, Reliance: "low",
		Substitutability: "easy", Reintegration: "easy", DiscontinuationImpact: "low", Alternatives: "yes",
		AlternativeProviders: "Any ICT consultancy"}, f3)
	service(p.cOstSub, "S02", dora.ICTService{ProvisionCountry: "CZ", StoresData: &no, Reliance: "low",
		Substitutability: "easy", Reintegration: "easy", DiscontinuationImpact: "medium", Alternatives: "yes"}, f3)
	return p
}

// okFor returns a function that fails t unless the last of the values it
// is given (a call's results) is a nil error.
func okFor(t testing.TB) func(vals ...any) {
	return func(vals ...any) {
		t.Helper()
		if err, _ := vals[len(vals)-1].(error); err != nil {
			t.Fatal(err)
		}
	}
}
