package register

import (
	"strings"
	"testing"
)

func TestValidLEI(t *testing.T) {
	tests := []struct {
		lei     string
		wantErr string
	}{
		{"HWUPKR0MPOU8FGXBT394", ""},                 // Apple Inc.
		{"5493001KJTIIGC8Y1R12", ""},                 // Bloomberg Finance L.P.
		{"HWUPKR0MPOU8FGXBT395", "check digits"},     // last digit changed
		{"HWUPKR0MPOU8FGXBT3", "20 characters"},      // too short
		{"hwupkr0mpou8fgxbt394", "upper-case"},       // lower case is not normalised here
		{"HWUPKR0MPOU8FGXBT3A4", "two check digits"}, // letter in the check digits
		{"HWUPKR0MPOU8FGX-T394", "upper-case"},
	}
	for _, tt := range tests {
		err := ValidLEI(tt.lei)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidLEI(%q) = %v, want nil", tt.lei, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidLEI(%q) = %v, want an error about %q", tt.lei, err, tt.wantErr)
		}
	}
}

func TestVendorLEIField(t *testing.T) {
	v := Vendor{Status: StatusFourthParty, Criticality: CriticalityLow}
	err := v.Apply(VendorInput{Name: new("Cloud"), LEI: new("HWUPKR0MPOU8FGXBT395")})
	if err == nil || !strings.Contains(err.Error(), "lei") {
		t.Fatalf("Apply with a bad LEI = %v, want an error on lei", err)
	}
	if err := v.Apply(VendorInput{LEI: new(" hwupkr0mpou8fgxbt394 "), Domain: new("https://www.Example.com/x")}); err != nil {
		t.Fatalf("Apply = %v", err)
	}
	if v.LEI != "HWUPKR0MPOU8FGXBT394" || v.Domain != "example.com" {
		t.Errorf("LEI %q domain %q, want upper-cased and normalised", v.LEI, v.Domain)
	}
}

func TestMatchKey(t *testing.T) {
	for _, n := range []string{"Acme Cloud, Inc.", "ACME CLOUD", " acme  cloud ltd "} {
		if got := MatchKey(n); got != "acme cloud" {
			t.Errorf("MatchKey(%q) = %q", n, got)
		}
	}
}
