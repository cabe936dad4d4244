package dora_test

import (
	"errors"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
)

func fields(err error) []string {
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	out := make([]string, len(fe))
	for i, e := range fe {
		out[i] = e.Field
	}
	return out
}

func TestInputsNameTheField(t *testing.T) {
	lei := "7245009VELDHAVENBK96"
	days := -1
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"entity LEI check digits", dora.Entity{LEI: "7245009VELDHAVENBK97", Name: "x", Country: "NL", EntityType: "x12", Currency: "EUR"}.Check(), "lei"},
		{"entity type", dora.Entity{LEI: lei, Name: "x", Country: "NL", EntityType: "x999", Currency: "EUR"}.Check(), "entity_type"},
		{"parent LEI", dora.Entity{LEI: lei, Name: "x", Country: "NL", EntityType: "x12", Currency: "EUR", ParentLEI: "ABC"}.Check(), "parent_lei"},
		{"country", dora.Entity{LEI: lei, Name: "x", Country: "XX", EntityType: "x12", Currency: "EUR"}.Check(), "country"},
		{"subsequent without overarching", dora.Arrangement{EntityLEI: lei, Reference: "C-1", Type: "subsequent"}.Check(), "overarching_ref"},
		{"overarching on a standalone", dora.Arrangement{EntityLEI: lei, Reference: "C-1", Type: "standalone", OverarchingRef: "C-0"}.Check(), "overarching_ref"},
		{"notice period", dora.Arrangement{EntityLEI: lei, Reference: "C-1", Type: "standalone", NoticeEntityDays: &days}.Check(), "notice_entity_days"},
		{"termination reason", dora.Arrangement{EntityLEI: lei, Reference: "C-1", Type: "standalone", TerminationReason: "bored"}.Check(), "termination_reason"},
		{"licensed activity", dora.Function{FunctionID: "F1", EntityLEI: lei, Name: "x", LicensedActivity: "x162"}.Check(), "licensed_activity"},
		{"function id", dora.Function{FunctionID: "F 1", EntityLEI: lei, Name: "x"}.Check(), "function_id"},
		{"service type", dora.ICTService{ServiceType: "S20"}.Check(), "service_type"},
		{"storage without storing", dora.ICTService{ServiceType: "S19", StoresData: new(bool), StorageCountry: "NL"}.Check(), "storage_country"},
		{"end before start", dora.ICTService{ServiceType: "S19", StartOn: domain.NewDate(2025, 2, 1), EndOn: domain.NewDate(2025, 1, 1)}.Check(), "end_on"},
		{"EUID", dora.Provider{VendorID: "v", EUID: "not an euid"}.Check(), "euid"},
		{"own parent", dora.Provider{VendorID: "v", UltimateParentVendorID: "v"}.Check(), "ultimate_parent_vendor_id"},
	} {
		if got := fields(tc.err); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: fields %v, want [%s]", tc.name, got, tc.want)
		}
	}
	if err := (dora.Entity{LEI: lei, Name: "Veldhaven Bank N.V.", Country: "NL", EntityType: "x12", Currency: "EUR",
		Hierarchy: "ultimate_parent"}).Check(); err != nil {
		t.Errorf("a valid entity: %v", err)
	}
}

func TestValuesAsTheTaxonomyWritesThem(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{dora.Amount(domain.Money{AmountMinor: 120_000_050, Currency: "EUR"}), "1200000.50"},
		{dora.Amount(domain.Money{AmountMinor: 340_000_000, Currency: "EUR"}), "3400000"},
		{dora.Amount(domain.Money{AmountMinor: 5, Currency: "EUR"}), "0.05"},
		{dora.Amount(domain.Money{AmountMinor: 1_500_000, Currency: "JPY"}), "1500000"},
		{dora.Amount(domain.Money{AmountMinor: 12_345, Currency: "BHD"}), "12.345"},
		{dora.GoverningLawCountry("", "US-NY"), "US"},
		{dora.GoverningLawCountry("", "ie"), "IE"},
		{dora.GoverningLawCountry("", "England and Wales"), ""},
		{dora.GoverningLawCountry("DE", "IE"), "DE"},
		{dora.SensitivityFromCategories(0), ""},
		{dora.SensitivityFromCategories(1), "low"},
		{dora.SensitivityFromCategories(2), "medium"},
		{dora.SensitivityFromCategories(4), "high"},
		{dora.ServiceTypes.QName("S19"), "eba_TA:S19"},
		{dora.Reliances.QName("material"), "eba_ZZ:x796"},
		{dora.IdentifierTypes.QName("EUID"), "eba_qCO:qx2002"},
		{dora.Country("IE"), "eba_GA:IE"},
		{dora.Currency("EUR"), "eba_CU:EUR"},
		{dora.B0202(dora.ServiceRow{Reference: "C-1"})[7], dora.OpenEnd},
		{dora.Templates[8].File(), "b_03.03.csv"},
		{dora.Templates[8].Columns[2], "c0031"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if n := len(dora.Templates); n != 15 {
		t.Errorf("%d templates, want 15", n)
	}
}
