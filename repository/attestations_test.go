package repository_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func attDay(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newAttestation returns a valid attestation of vendorID, modified by mods.
func newAttestation(vendorID string, mods ...func(*attestation.Attestation)) attestation.Attestation {
	a := attestation.Attestation{
		ID: domain.NewID(), VendorID: vendorID, Kind: attestation.KindPCIDSSAOC, IssuedOn: attDay("2026-01-15"),
		ExpiresOn: attDay("2027-01-15"), ExpiresOnSource: attestation.ExpiryCatalogue, ReviewStatus: attestation.AttestationReceived,
		Version: 1, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, m := range mods {
		m(&a)
	}
	return a
}

func TestAttestationsRoundTrip(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		v := newVendor("Assured Ltd")
		if err := repository.NewVendors(db).Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		store := repository.NewAttestations(db)
		reviewed := time.Date(2026, 2, 1, 10, 0, 0, 123456000, plus2)
		uploaded := time.Date(2026, 2, 2, 11, 0, 0, 654321000, plus2)
		want := newAttestation(v.ID, func(a *attestation.Attestation) {
			a.Kind, a.Issuer, a.Scope = attestation.KindSOC2Type2, "Big Four LLP", "Payments platform, Security and Availability"
			a.PeriodStart, a.PeriodEnd = attDay("2025-01-01"), attDay("2025-12-31")
			a.IssuedOn, a.ExpiresOn, a.ExpiresOnSource = attDay("2026-02-20"), attDay("2026-12-31"), attestation.ExpiryCatalogue
			a.Opinion, a.ExceptionsCount = attestation.OpinionQualified, 3
			a.ReviewStatus, a.Reviewer, a.ReviewedAt = attestation.AttestationAccepted, "Ada", &reviewed
			a.EvidenceSHA256, a.EvidenceSize, a.EvidenceMediaType = strings.Repeat("ab", 32), 1234, "application/pdf"
			a.EvidenceName, a.EvidenceUploadedBy, a.EvidenceUploadedAt = "soc2 2025.pdf", "key-1", &uploaded
		})
		if err := store.Create(ctx, want); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := store.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkUTC(t, "ReviewedAt", *got.ReviewedAt, reviewed)
		checkUTC(t, "EvidenceUploadedAt", *got.EvidenceUploadedAt, uploaded)
		checkUTC(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		norm := func(a attestation.Attestation) attestation.Attestation {
			a.ReviewedAt, a.EvidenceUploadedAt, a.CreatedAt, a.UpdatedAt = nil, nil, time.Time{}, time.Time{}
			return a
		}
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Errorf("round trip\n got: %+v\nwant: %+v", norm(got), norm(want))
		}

		// Nullable fields come back empty.
		bare := newAttestation(v.ID)
		if err := store.Create(ctx, bare); err != nil {
			t.Fatal(err)
		}
		got, err = store.Get(ctx, bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HasEvidence() || got.EvidenceUploadedAt != nil || got.ReviewedAt != nil || got.Opinion != "" || !got.PeriodEnd.IsZero() {
			t.Errorf("bare attestation = %+v", got)
		}

		// Versioned update and delete.
		upd := got
		upd.EvidenceSHA256, upd.EvidenceSize, upd.EvidenceMediaType = want.EvidenceSHA256, 99, "text/plain; charset=utf-8"
		upd.EvidenceUploadedAt = &uploaded
		upd.ExceptionsCount = 0
		if err := store.Update(ctx, upd, 1); err != nil {
			t.Fatal(err)
		}
		checkErrIs(t, store.Update(ctx, upd, 1), domain.ErrPrecondition)
		checkErrIs(t, store.Update(ctx, newAttestation(v.ID), 1), domain.ErrNotFound)
		if got, _ := store.Get(ctx, bare.ID); got.Version != 2 || got.EvidenceSHA256 != want.EvidenceSHA256 || got.EvidenceSize != 99 {
			t.Errorf("after update = %+v", got)
		}
		checkErrIs(t, store.Delete(ctx, bare.ID, 1), domain.ErrPrecondition)
		if err := store.Delete(ctx, bare.ID, 2); err != nil {
			t.Fatal(err)
		}
		checkErrIs(t, store.Delete(ctx, bare.ID, 0), domain.ErrNotFound)
		_, err = store.Get(ctx, bare.ID)
		checkErrIs(t, err, domain.ErrNotFound)

		// The vendor must exist, and cannot be deleted while it has
		// attestations.
		err = store.Create(ctx, newAttestation(domain.NewID()))
		checkErrIs(t, err, domain.ErrConflict)
		if db.Dialect() == repository.Postgres { // SQLite does not name the foreign key
			checkConflictField(t, err, "vendor_id")
		}
		err = repository.NewVendors(db).Delete(ctx, v.ID, 0)
		checkErrIs(t, err, domain.ErrConflict)
	})
}

func TestAttestationsListFiltersAndPages(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors := repository.NewVendors(db)
		a, b := newVendor("Vendor A"), newVendor("Vendor B")
		for _, v := range []register.Vendor{a, b} {
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		store := repository.NewAttestations(db)
		var ids []string
		add := func(vendorID string, kind attestation.AttestationKind, expires string, st attestation.AttestationReviewStatus) string {
			x := newAttestation(vendorID, func(x *attestation.Attestation) {
				x.Kind, x.ExpiresOn, x.ReviewStatus = kind, attDay(expires), st
				x.IssuedOn = attDay("2025-01-01")
			})
			if err := store.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, x.ID)
			return x.ID
		}
		a1 := add(a.ID, attestation.KindPCIDSSAOC, "2026-03-01", attestation.AttestationAccepted)
		a2 := add(a.ID, attestation.KindPentest, "2026-03-31", attestation.AttestationReceived)
		a3 := add(a.ID, attestation.KindPCIDSSAOC, "2026-12-31", attestation.AttestationRejected)
		b1 := add(b.ID, attestation.KindISO27001, "2026-02-28", attestation.AttestationAccepted)
		b2 := add(b.ID, attestation.KindSIG, "2027-01-01", attestation.AttestationUnderReview)

		list := func(f attestation.AttestationFilter) []string {
			t.Helper()
			page, err := store.List(ctx, f, domain.PageRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range page.Items {
				out = append(out, x.ID)
			}
			return out
		}
		yes, no := true, false
		asOf := attDay("2026-03-14")
		for _, tc := range []struct {
			name string
			f    attestation.AttestationFilter
			want []string
		}{
			{"all", attestation.AttestationFilter{}, ids},
			{"vendor", attestation.AttestationFilter{VendorID: b.ID}, []string{b1, b2}},
			{"kind", attestation.AttestationFilter{Kind: attestation.KindPCIDSSAOC}, []string{a1, a3}},
			{"review status", attestation.AttestationFilter{ReviewStatus: attestation.AttestationAccepted}, []string{a1, b1}},
			{"expiring before 31 March (exclusive)", attestation.AttestationFilter{ExpiresBefore: attDay("2026-03-31")}, []string{a1, b1}},
			{"expired as of 14 March", attestation.AttestationFilter{Expired: &yes, AsOf: asOf}, []string{a1, b1}},
			{"not expired as of 14 March", attestation.AttestationFilter{Expired: &no, AsOf: asOf}, []string{a2, a3, b2}},
			{"not expired, expiring before April", attestation.AttestationFilter{Expired: &no, AsOf: asOf,
				ExpiresBefore: attDay("2026-04-01")}, []string{a2}},
			{"combined", attestation.AttestationFilter{VendorID: a.ID, Kind: attestation.KindPCIDSSAOC, Expired: &no, AsOf: asOf}, []string{a3}},
			{"unknown vendor", attestation.AttestationFilter{VendorID: domain.NewID()}, nil},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}

		// Pages of two, in id order, cover everything once.
		var seen []string
		p := domain.PageRequest{Limit: 2}
		for range 10 {
			page, err := store.List(ctx, attestation.AttestationFilter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range page.Items {
				seen = append(seen, x.ID)
			}
			if page.Next == "" {
				break
			}
			p.After = page.Next
		}
		if !slices.Equal(seen, ids) {
			t.Errorf("paged = %v, want %v", seen, ids)
		}
		_, err := store.List(ctx, attestation.AttestationFilter{}, domain.PageRequest{After: "not-an-id"})
		checkErrIs(t, err, domain.ErrInvalid)

		byVendor, err := store.ListByVendor(ctx, a.ID)
		if err != nil || len(byVendor) != 3 || byVendor[0].ID != a1 {
			t.Errorf("ListByVendor = %v, %v", byVendor, err)
		}
	})
}
