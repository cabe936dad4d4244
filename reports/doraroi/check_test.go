package doraroi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestCheckFindsWhatAPortalRejects damages the clean portfolio one way per
// rule and expects the check to name each: the template, the column, the
// rule and what to edit.
func TestCheckFindsWhatAPortalRejects(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		ctx := domain.WithActor(context.Background(), domain.SystemActor)
		d, ok := p.svc.Dora, okFor(t)
		yes := true

		// A provider without an LEI loses its EUID: no key in B_05.01, nor
		// in the templates that name it.
		ok(d.PutProvider(ctx, dora.Provider{VendorID: p.keel.ID, PersonType: "legal"}))
		// An LEI stored before its check digits were verified.
		if _, err := db.SQL().Exec(rebind(db, "UPDATE vendors SET lei = ? WHERE id = ?"), "549300NORTHWINDIE004",
			p.northwind.ID); err != nil {
			t.Fatal(err)
		}
		// A function without its criticality assessment.
		rto, rpo := 24, 4
		ok(d.PutFunction(ctx, dora.Function{FunctionID: "F3", EntityLEI: insurerLEI, Name: "Claims handling",
			LicensedActivity: "eba_TA:x189", LastAssessedOn: domain.NewDate(2025, 9, 15), RTOHours: &rto, RPOHours: &rpo,
			DiscontinuationImpact: "high"}))
		// A subsequent arrangement whose overarching one is not filed.
		days := 30
		ok(d.PutArrangement(ctx, dora.Arrangement{ContractID: p.cOstSub.ID, EntityLEI: insurerLEI,
			Reference: "C-2023-007-A", Type: "subsequent", OverarchingRef: "C-1999-001", NoticeEntityDays: &days,
			NoticeProviderDays: &days}))
		// A service that ended before the reference date with no reason,
		// and one that ends before it starts.
		ok(d.PutService(ctx, dora.ICTService{ContractID: p.cKeel.ID, ServiceType: "S14", EndOn: domain.NewDate(2025, 6, 30),
			ProvisionCountry: "LU", StoresData: &yes, StorageCountry: "LU", ProcessingCountry: "LU", Sensitivity: "medium",
			Reliance: "full", Substitutability: "medium", LastAuditOn: domain.NewDate(2025, 5, 20), ExitPlan: &yes,
			Reintegration: "highly_complex", DiscontinuationImpact: "high", Alternatives: "no",
			Functions: []dora.FunctionRef{{EntityLEI: bankLEI, FunctionID: "F1"}}}))
		// A second vendor with the same EUID as another: two B_05.01 rows
		// with one key.
		twin := must(p.svc.Vendors.Create(ctx, register.VendorInput{Name: ptr("Keel Payments Europe"), Country: ptr("LU")}))
		ok(d.PutProvider(ctx, dora.Provider{VendorID: twin.ID, EUID: "LURCSL.B999999", PersonType: "legal"}))
		ok(d.PutProvider(ctx, dora.Provider{VendorID: p.ostrava.ID, PersonType: "legal"}))
		c := must(p.svc.Contracts.Create(ctx, contract.ContractInput{VendorID: &twin.ID, Title: ptr("Card acquiring"),
			Status: ptr(contract.ContractActive), EffectiveOn: ptr(domain.NewDate(2024, 1, 1)),
			AnnualValue: ptr(&domain.Money{AmountMinor: 100, Currency: "EUR"})}, nil))
		ok(d.PutArrangement(ctx, dora.Arrangement{ContractID: c.ID, EntityLEI: bankLEI, Reference: "C-2024-100",
			Type: "standalone"}))
		// Its service supports the insurer's function: at IND for the bank,
		// that function is not in B_06.01. It also supports the bank's critical
		// F1 without notice periods, and ends before its contract starts.
		ok(d.PutService(ctx, dora.ICTService{ContractID: c.ID, ServiceType: "S05",
			EndOn: domain.NewDate(2023, 12, 31), StoresData: ptr(false), Reliance: "low", Substitutability: "easy",
			LastAuditOn: domain.NewDate(2025, 1, 1), ExitPlan: &yes, Reintegration: "easy",
			DiscontinuationImpact: "low", Alternatives: "yes",
			Functions: []dora.FunctionRef{{EntityLEI: bankLEI, FunctionID: "F1"}, {EntityLEI: insurerLEI, FunctionID: "F3"}}}))
		if _, err := db.SQL().Exec(rebind(db, "UPDATE dora_providers SET euid = ? WHERE vendor_id = ?"), keelEUID, twin.ID); err != nil {
			t.Fatal(err)
		}
		ok(d.PutProvider(ctx, dora.Provider{VendorID: p.keel.ID, EUID: keelEUID, PersonType: "legal"}))

		check := func(level dora.Level) []string {
			filer, sc, err := d.Scope(ctx, bankLEI, level, "2025-12-31")
			if err != nil {
				t.Fatal(err)
			}
			r := must(d.Check(ctx, filer, sc))
			var got []string
			for _, i := range r.Issues {
				got = append(got, strings.Join([]string{i.Template, i.Column, i.Rule, i.Subject, i.SubjectID}, " "))
			}
			if r.Errors != len(r.Issues) || r.Clean() {
				t.Errorf("%s: %d errors, %d issues", level, r.Errors, len(r.Issues))
			}
			return got
		}
		con := check(dora.Consolidated)
		for _, want := range []string{
			"B_05.01 c0010 lei vendor " + p.northwind.ID,
			"B_05.01 c0010 key_unique vendor " + twin.ID,
			"B_06.01 c0050 mandatory function " + insurerLEI + "/F3",
			"B_02.01 c0030 reference contract " + p.cOstSub.ID,
			"B_02.02 c0090 conditional contract " + p.cKeel.ID,
			"B_02.02 c0080 date contract " + c.ID,
			"B_02.02 c0100 mandatory contract " + c.ID, // a critical function: notice periods
		} {
			if !slices.Contains(con, want) {
				t.Errorf("CON: no %q in\n%s", want, strings.Join(con, "\n"))
			}
		}
		ind := check(dora.Individual)
		if want := "B_02.02 c0050 reference contract " + c.ID; !slices.Contains(ind, want) {
			t.Errorf("IND: no %q in\n%s", want, strings.Join(ind, "\n"))
		}
		if slices.Contains(con, "B_02.02 c0050 reference contract "+c.ID) {
			t.Errorf("CON names the insurer's function as missing, though B_06.01 has it")
		}
	})
}

// TestCheckNamesAProviderWithoutCode: a provider with neither LEI nor EUID
// is named in every template that would carry its key.
func TestCheckNamesAProviderWithoutCode(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		ctx := domain.WithActor(context.Background(), domain.SystemActor)
		okFor(t)(p.svc.Dora.PutProvider(ctx, dora.Provider{VendorID: p.keel.ID, PersonType: "legal"}))
		filer, sc := must2(p.svc.Dora.Scope(ctx, bankLEI, dora.Individual, "2025-12-31"))
		r := must(p.svc.Dora.Check(ctx, filer, sc))
		var templates []string
		for _, i := range r.Issues {
			if i.Rule != dora.RuleKeyEmpty || i.SubjectID != p.keel.ID {
				t.Errorf("unexpected issue %+v", i)
			}
			templates = append(templates, i.Template+" "+i.Column)
		}
		want := []string{"B_03.02 c0020", "B_05.01 c0010", "B_02.02 c0030", "B_05.02 c0030", "B_05.02 c0060", "B_07.01 c0020"}
		if !slices.Equal(templates, want) {
			t.Errorf("templates %v, want %v", templates, want)
		}
	})
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

func rebind(db *repository.DB, q string) string {
	if db.Dialect() != repository.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
