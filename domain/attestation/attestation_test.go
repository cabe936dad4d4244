package attestation_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

func attDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func attPtr[T any](v T) *T { return &v }

func attDatePtr(s string) *domain.Date {
	d := attDate(s)
	return &d
}

func attKind(k attestation.AttestationKind) *attestation.AttestationKind { return &k }

// fieldsOf returns the field names of a FieldErrors (nil for nil).
func attFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a FieldErrors", err)
	}
	var out []string
	for _, e := range fe {
		out = append(out, e.Field)
	}
	return out
}

func TestAttestationCatalogue(t *testing.T) {
	kinds := attestation.AttestationKinds()
	want := []attestation.AttestationKind{"soc2_type2", "soc2_type1", "soc1_type2", "pci_dss_aoc", "iso27001", "hitrust_r2",
		"pentest", "sig", "caiq", "insurance_certificate", "bridge_letter"}
	var got []attestation.AttestationKind
	for _, k := range kinds {
		got = append(got, k.Code)
		if k.Name == "" || k.Source.Citation == "" || k.Source.Basis == "" {
			t.Errorf("%s: name or source missing: %+v", k.Code, k)
		}
		if !slices.Contains([]string{"V", "P", "U", "policy"}, k.Source.Status) {
			t.Errorf("%s: status %q", k.Code, k.Source.Status)
		}
		soc := strings.HasPrefix(string(k.Code), "soc") || k.Code == attestation.KindBridgeLetter
		if wantAnchor := map[bool]string{true: "period_end", false: "issued_on"}[soc]; k.Anchor != wantAnchor {
			t.Errorf("%s: anchor %s, want %s", k.Code, k.Anchor, wantAnchor)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("kinds = %v, want %v", got, want)
	}
	// The reference figures, each with its status (regimes.json).
	for code, w := range map[attestation.AttestationKind]struct {
		months int
		status string
	}{
		"soc2_type2": {12, "P"}, "soc1_type2": {12, "P"}, "pci_dss_aoc": {12, "V"}, "iso27001": {36, "V"},
		"hitrust_r2": {24, "V"}, "pentest": {12, "V"}, "sig": {12, "P"}, "caiq": {12, "V"},
		"insurance_certificate": {12, "U"}, "bridge_letter": {3, "P"},
	} {
		k, _ := attestation.LookupAttestationKind(code)
		if k.ValidityMonths == nil || *k.ValidityMonths != w.months || k.Source.Status != w.status {
			t.Errorf("%s: validity %v status %s, want %d %s", code, k.ValidityMonths, k.Source.Status, w.months, w.status)
		}
	}
	// No figure is invented for SOC 2 Type I.
	if k, _ := attestation.LookupAttestationKind("soc2_type1"); k.ValidityMonths != nil {
		t.Errorf("soc2_type1 validity = %d, want none", *k.ValidityMonths)
	}
	iso, _ := attestation.LookupAttestationKind("iso27001")
	if !strings.Contains(iso.Source.Basis, "surveillance") {
		t.Errorf("iso27001 basis does not mention the annual surveillance audits: %s", iso.Source.Basis)
	}
	pt, _ := attestation.LookupAttestationKind("pentest")
	if !strings.Contains(pt.Source.Basis, "11.4") {
		t.Errorf("pentest basis does not mention PCI DSS 11.4: %s", pt.Source.Basis)
	}
}

func TestAttestationDefaultExpiry(t *testing.T) {
	for _, tc := range []struct {
		kind                          attestation.AttestationKind
		periodEnd, issued, wantExpiry string
	}{
		{"soc2_type2", "2025-06-30", "2025-08-15", "2026-06-30"},
		{"soc2_type2", "2024-02-29", "", "2025-02-28"}, // leap day clamps
		{"soc1_type2", "2025-09-30", "", "2026-09-30"},
		{"bridge_letter", "2025-11-30", "2026-01-10", "2026-02-28"}, // 30 Nov + 3 months clamps to 28 Feb
		{"bridge_letter", "2025-12-31", "", "2026-03-31"},
		{"pci_dss_aoc", "", "2025-03-31", "2026-03-31"},
		{"iso27001", "", "2024-01-31", "2027-01-31"},
		{"hitrust_r2", "", "2024-02-29", "2026-02-28"},
		{"pentest", "", "2025-08-31", "2026-08-31"},
		{"sig", "", "2025-01-15", "2026-01-15"},
		{"caiq", "", "2025-05-01", "2026-05-01"},
		{"insurance_certificate", "", "2025-10-31", "2026-10-31"},
	} {
		t.Run(string(tc.kind)+" "+tc.periodEnd+tc.issued, func(t *testing.T) {
			in := attestation.AttestationInput{VendorID: attPtr(domain.NewID()), Kind: attKind(tc.kind)}
			if tc.periodEnd != "" {
				in.PeriodEnd = attDatePtr(tc.periodEnd)
			}
			if tc.issued != "" {
				in.IssuedOn = attDatePtr(tc.issued)
			}
			a := attestation.Attestation{ReviewStatus: attestation.AttestationReceived}
			if err := a.Apply(in); err != nil {
				t.Fatal(err)
			}
			if a.ExpiresOn.String() != tc.wantExpiry || a.ExpiresOnSource != attestation.ExpiryCatalogue {
				t.Errorf("expires_on %s (%s), want %s (catalogue)", a.ExpiresOn, a.ExpiresOnSource, tc.wantExpiry)
			}
		})
	}
}

func TestAttestationApply(t *testing.T) {
	vendor := attPtr(domain.NewID())
	base := func(mods ...func(*attestation.AttestationInput)) attestation.AttestationInput {
		in := attestation.AttestationInput{VendorID: vendor, Kind: attKind("soc2_type2"), PeriodStart: attDatePtr("2025-01-01"),
			PeriodEnd: attDatePtr("2025-12-31"), IssuedOn: attDatePtr("2026-02-01")}
		for _, m := range mods {
			m(&in)
		}
		return in
	}
	for _, tc := range []struct {
		name  string
		in    attestation.AttestationInput
		field string
	}{
		{"valid", base(), ""},
		{"no vendor", base(func(in *attestation.AttestationInput) { in.VendorID = nil }), "vendor_id"},
		{"vendor not a uuid", base(func(in *attestation.AttestationInput) { in.VendorID = attPtr("acme") }), "vendor_id"},
		{"no kind", base(func(in *attestation.AttestationInput) { in.Kind = nil }), "kind"},
		{"unknown kind", base(func(in *attestation.AttestationInput) { in.Kind = attKind("soc3") }), "kind"},
		{"period end before start", base(func(in *attestation.AttestationInput) { in.PeriodEnd = attDatePtr("2024-12-31") }), "period_end"},
		{"start without end", base(func(in *attestation.AttestationInput) { in.PeriodEnd = nil; in.ExpiresOn = attDatePtr("2027-01-01") }), "period_end"},
		{"soc report without period end", base(func(in *attestation.AttestationInput) { in.PeriodStart, in.PeriodEnd = nil, nil }), "period_end"},
		{"aoc without issued_on", base(func(in *attestation.AttestationInput) { in.Kind = attKind("pci_dss_aoc"); in.IssuedOn = nil }), "issued_on"},
		{"expires before issued", base(func(in *attestation.AttestationInput) { in.ExpiresOn = attDatePtr("2026-01-31") }), "expires_on"},
		{"negative exceptions", base(func(in *attestation.AttestationInput) { in.ExceptionsCount = attPtr(int64(-1)) }), "exceptions_count"},
		{"bad opinion", base(func(in *attestation.AttestationInput) { o := attestation.AttestationOpinion("clean"); in.Opinion = &o }), "opinion"},
		{"bad review status", base(func(in *attestation.AttestationInput) {
			s := attestation.AttestationReviewStatus("done")
			in.ReviewStatus = &s
		}), "review_status"},
		{"year 1900", base(func(in *attestation.AttestationInput) { in.PeriodStart = attDatePtr("1900-01-01") }), "period_start"},
		{"soc2 type 1 without expiry", base(func(in *attestation.AttestationInput) { in.Kind = attKind("soc2_type1") }), "expires_on"},
		{"issuer control chars", base(func(in *attestation.AttestationInput) { in.Issuer = attPtr("A\x00B") }), "issuer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := attestation.Attestation{ReviewStatus: attestation.AttestationReceived}
			err := a.Apply(tc.in)
			got := attFields(t, err)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.field != "" && !slices.Contains(got, tc.field):
				t.Fatalf("fields %v, want %s (error %v)", got, tc.field, err)
			case err != nil && !errors.Is(err, domain.ErrInvalid):
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}

	// soc2_type1: an explicit expiry is accepted and says so; a patch that
	// clears it (zero date) asks for the catalogue, which has no figure.
	a := attestation.Attestation{ReviewStatus: attestation.AttestationReceived}
	if err := a.Apply(attestation.AttestationInput{VendorID: vendor, Kind: attKind("soc2_type1"), PeriodEnd: attDatePtr("2025-06-30"),
		ExpiresOn: attDatePtr("2026-06-30")}); err != nil {
		t.Fatal(err)
	}
	if a.ExpiresOnSource != attestation.ExpiryExplicit || a.ExpiresOn.String() != "2026-06-30" {
		t.Errorf("explicit expiry = %s %s", a.ExpiresOn, a.ExpiresOnSource)
	}
	b := a
	if got := attFields(t, b.Apply(attestation.AttestationInput{ExpiresOn: &domain.Date{}})); !slices.Equal(got, []string{"expires_on"}) {
		t.Errorf("clearing the expiry of a soc2_type1: fields %v", got)
	}
	// Changing the kind to one with a figure and clearing the expiry
	// returns to the catalogue; the vendor cannot change.
	if err := a.Apply(attestation.AttestationInput{Kind: attKind("soc2_type2"), ExpiresOn: &domain.Date{}}); err != nil {
		t.Fatal(err)
	}
	if a.ExpiresOnSource != attestation.ExpiryCatalogue || a.ExpiresOn.String() != "2026-06-30" {
		t.Errorf("back to catalogue = %s %s", a.ExpiresOn, a.ExpiresOnSource)
	}
	if got := attFields(t, a.Apply(attestation.AttestationInput{VendorID: attPtr(domain.NewID())})); !slices.Equal(got, []string{"vendor_id"}) {
		t.Errorf("changing the vendor: fields %v", got)
	}
	// An explicit expiry overrides the catalogue, also when it is later.
	c := attestation.Attestation{ReviewStatus: attestation.AttestationReceived}
	if err := c.Apply(attestation.AttestationInput{VendorID: vendor, Kind: attKind("pci_dss_aoc"), IssuedOn: attDatePtr("2025-03-01"),
		ExpiresOn: attDatePtr("2026-12-31")}); err != nil || c.ExpiresOn.String() != "2026-12-31" || c.ExpiresOnSource != attestation.ExpiryExplicit {
		t.Errorf("explicit override = %s %s, %v", c.ExpiresOn, c.ExpiresOnSource, err)
	}
}

func TestEvaluateEvidence(t *testing.T) {
	today := attDate("2026-03-14")
	att := func(kind attestation.AttestationKind, issued, expires string, st attestation.AttestationReviewStatus) attestation.Attestation {
		a := attestation.Attestation{ID: domain.NewID(), Kind: kind, ExpiresOn: attDate(expires), ReviewStatus: st}
		if issued != "" {
			a.IssuedOn = attDate(issued)
		}
		return a
	}
	card := register.VendorFacts{Categories: []string{"cardholder_data"}, Personal: true, Tier: register.TierModerate}
	critical := register.VendorFacts{Tier: register.TierCritical}
	reqs := attestation.DefaultAttestationRequirements()
	status := func(st attestation.EvidenceStatus, id string) string {
		for _, r := range st.Requirements {
			if r.Requirement.ID == id {
				return r.Status
			}
		}
		return "not applicable"
	}
	for _, tc := range []struct {
		name  string
		facts register.VendorFacts
		atts  []attestation.Attestation
		want  map[string]string
	}{
		{"card vendor, nothing", card, nil,
			map[string]string{"pci-aoc": "missing", "assurance-report": "not applicable", "pentest": "not applicable"}},
		{"card vendor, current AOC", card, []attestation.Attestation{att("pci_dss_aoc", "2026-01-10", "2027-01-10", "accepted")},
			map[string]string{"pci-aoc": "current"}},
		{"card vendor, AOC for 20 more days", card, []attestation.Attestation{att("pci_dss_aoc", "2025-04-03", "2026-04-03", "received")},
			map[string]string{"pci-aoc": "expiring"}},
		{"card vendor, AOC expired yesterday", card, []attestation.Attestation{att("pci_dss_aoc", "2025-03-13", "2026-03-13", "accepted")},
			map[string]string{"pci-aoc": "expired"}},
		{"card vendor, AOC valid through today", card, []attestation.Attestation{att("pci_dss_aoc", "2025-03-14", "2026-03-14", "accepted")},
			map[string]string{"pci-aoc": "expiring"}},
		{"card vendor, rejected AOC does not count", card, []attestation.Attestation{att("pci_dss_aoc", "2026-01-10", "2027-01-10", "rejected")},
			map[string]string{"pci-aoc": "missing"}},
		{"critical vendor, iso27001", critical, []attestation.Attestation{att("iso27001", "2025-01-10", "2028-01-10", "accepted")},
			map[string]string{"assurance-report": "current", "pentest": "missing", "pci-aoc": "not applicable"}},
		{"critical vendor, pentest 13 months old with a later expiry", critical,
			[]attestation.Attestation{att("pentest", "2025-02-14", "2026-12-31", "accepted")},
			map[string]string{"pentest": "expired"}},
		{"critical vendor, best of two pentests", critical, []attestation.Attestation{
			att("pentest", "2024-01-10", "2025-01-10", "accepted"), att("pentest", "2025-11-01", "2026-11-01", "under_review")},
			map[string]string{"pentest": "current"}},
		{"low vendor needs nothing", register.VendorFacts{Tier: register.TierLow}, nil,
			map[string]string{"pci-aoc": "not applicable", "assurance-report": "not applicable", "pentest": "not applicable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := attestation.EvaluateEvidence(reqs, tc.facts, tc.atts, today)
			for id, want := range tc.want {
				if got := status(st, id); got != want {
					t.Errorf("%s = %s, want %s", id, got, want)
				}
			}
		})
	}

	// Buckets: each unexpired, non-rejected attestation in the smallest
	// window that holds it.
	atts := []attestation.Attestation{
		att("sig", "", "2026-03-14", "received"),     // 0 days
		att("caiq", "", "2026-04-13", "accepted"),    // 30 days
		att("pentest", "", "2026-04-14", "accepted"), // 31 days
		att("sig", "", "2026-06-12", "accepted"),     // 90 days
		att("sig", "", "2026-06-13", "accepted"),     // 91 days: none
		att("sig", "", "2026-03-13", "accepted"),     // expired: none
		att("sig", "", "2026-03-20", "rejected"),     // rejected: none
	}
	st := attestation.EvaluateEvidence(reqs, card, atts, today)
	var days [][]int
	for _, b := range st.ExpiringWithin {
		var ds []int
		for _, m := range b.Items {
			ds = append(ds, m.DaysLeft)
		}
		days = append(days, ds)
	}
	if len(st.ExpiringWithin) != 3 || st.ExpiringWithin[0].Days != 30 || st.ExpiringWithin[2].Days != 90 ||
		!slices.Equal(days[0], []int{0, 30}) || !slices.Equal(days[1], []int{31}) || !slices.Equal(days[2], []int{90}) {
		t.Errorf("buckets = %v", days)
	}
}

func TestEvidenceFileChecks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\SOC 2 "final".pdf`, "SOC 2 'final'.pdf"},
		{"evil\u202egpj.exe", "evilgpj.exe"},
		{"a\x00b\nc.txt", "abc.txt"},
		{"", "evidence"},
		{"..", "evidence"},
		{"bad\xffutf8.pdf", "bad_utf8.pdf"},
		{strings.Repeat("é", 300) + ".pdf", strings.Repeat("é", 251) + ".pdf"},
	} {
		if got := domain.SanitizeEvidenceName(tc.in); got != tc.want {
			t.Errorf("SanitizeEvidenceName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	pdf := domain.SniffEvidence([]byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n"))
	png := domain.SniffEvidence([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	exe := domain.SniffEvidence([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"))
	zip := domain.SniffEvidence([]byte("PK\x03\x04\x14\x00\x06\x00"))
	text := domain.SniffEvidence([]byte("Bridge letter: no changes to controls since 2025-12-31.\n"))
	for _, tc := range []struct {
		declared, sniffed string
		ok                bool
	}{
		{"application/pdf", pdf, true},
		{"", pdf, true},
		{"application/octet-stream", png, true},
		{"application/pdf", png, false},
		{"application/pdf", exe, false},
		{"", exe, false},
		{"image/jpeg", png, false},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip, true},
		{"text/csv; charset=utf-8", text, true},
		{"text/html", text, false},
		{"not a type", pdf, false},
	} {
		err := domain.CheckEvidenceType("file", tc.declared, tc.sniffed)
		var ue *domain.UploadError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q as %q: %v", tc.sniffed, tc.declared, err)
		case !tc.ok && (!errors.As(err, &ue) || ue.Field != "file" || !errors.Is(err, domain.ErrUnsupportedMediaType)):
			t.Errorf("%q as %q: error %v, want an UploadError on file", tc.sniffed, tc.declared, err)
		}
	}
}
