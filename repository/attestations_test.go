package repository_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
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
func newAttestation(vendorID string, mods ...func(*domain.Attestation)) domain.Attestation {
	a := domain.Attestation{
		ID: domain.NewID(), VendorID: vendorID, Kind: domain.KindPCIDSSAOC, IssuedOn: attDay("2026-01-15"),
		ExpiresOn: attDay("2027-01-15"), ExpiresOnSource: domain.ExpiryCatalogue, ReviewStatus: domain.AttestationReceived,
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
		want := newAttestation(v.ID, func(a *domain.Attestation) {
			a.Kind, a.Issuer, a.Scope = domain.KindSOC2Type2, "Big Four LLP", "Payments platform, Security and Availability"
			a.PeriodStart, a.PeriodEnd = attDay("2025-01-01"), attDay("2025-12-31")
			a.IssuedOn, a.ExpiresOn, a.ExpiresOnSource = attDay("2026-02-20"), attDay("2026-12-31"), domain.ExpiryCatalogue
			a.Opinion, a.ExceptionsCount = domain.OpinionQualified, 3
			a.ReviewStatus, a.Reviewer, a.ReviewedAt = domain.AttestationAccepted, "Ada", &reviewed
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
		norm := func(a domain.Attestation) domain.Attestation {
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
		for _, v := range []domain.Vendor{a, b} {
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		store := repository.NewAttestations(db)
		var ids []string
		add := func(vendorID string, kind domain.AttestationKind, expires string, st domain.AttestationReviewStatus) string {
			x := newAttestation(vendorID, func(x *domain.Attestation) {
				x.Kind, x.ExpiresOn, x.ReviewStatus = kind, attDay(expires), st
				x.IssuedOn = attDay("2025-01-01")
			})
			if err := store.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, x.ID)
			return x.ID
		}
		a1 := add(a.ID, domain.KindPCIDSSAOC, "2026-03-01", domain.AttestationAccepted)
		a2 := add(a.ID, domain.KindPentest, "2026-03-31", domain.AttestationReceived)
		a3 := add(a.ID, domain.KindPCIDSSAOC, "2026-12-31", domain.AttestationRejected)
		b1 := add(b.ID, domain.KindISO27001, "2026-02-28", domain.AttestationAccepted)
		b2 := add(b.ID, domain.KindSIG, "2027-01-01", domain.AttestationUnderReview)

		list := func(f domain.AttestationFilter) []string {
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
			f    domain.AttestationFilter
			want []string
		}{
			{"all", domain.AttestationFilter{}, ids},
			{"vendor", domain.AttestationFilter{VendorID: b.ID}, []string{b1, b2}},
			{"kind", domain.AttestationFilter{Kind: domain.KindPCIDSSAOC}, []string{a1, a3}},
			{"review status", domain.AttestationFilter{ReviewStatus: domain.AttestationAccepted}, []string{a1, b1}},
			{"expiring before 31 March (exclusive)", domain.AttestationFilter{ExpiresBefore: attDay("2026-03-31")}, []string{a1, b1}},
			{"expired as of 14 March", domain.AttestationFilter{Expired: &yes, AsOf: asOf}, []string{a1, b1}},
			{"not expired as of 14 March", domain.AttestationFilter{Expired: &no, AsOf: asOf}, []string{a2, a3, b2}},
			{"not expired, expiring before April", domain.AttestationFilter{Expired: &no, AsOf: asOf,
				ExpiresBefore: attDay("2026-04-01")}, []string{a2}},
			{"combined", domain.AttestationFilter{VendorID: a.ID, Kind: domain.KindPCIDSSAOC, Expired: &no, AsOf: asOf}, []string{a3}},
			{"unknown vendor", domain.AttestationFilter{VendorID: domain.NewID()}, nil},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}

		// Pages of two, in id order, cover everything once.
		var seen []string
		p := domain.PageRequest{Limit: 2}
		for range 10 {
			page, err := store.List(ctx, domain.AttestationFilter{}, p)
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
		_, err := store.List(ctx, domain.AttestationFilter{}, domain.PageRequest{After: "not-an-id"})
		checkErrIs(t, err, domain.ErrInvalid)

		byVendor, err := store.ListByVendor(ctx, a.ID)
		if err != nil || len(byVendor) != 3 || byVendor[0].ID != a1 {
			t.Errorf("ListByVendor = %v, %v", byVendor, err)
		}
	})
}
