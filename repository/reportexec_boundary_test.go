package repository_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestExpiredCountAtTheBoundaries holds the executive figures' count of
// expired attestations (one grouped pass: a kind's greatest expiry before
// today) to their list (the latest of its kind probed per attestation) and
// to the rule computed in Go from the stored rows, on both databases, the
// day before, on and after the day an attestation expires, with ties on
// the expiry date, later attestations rejected or recorded after as-of,
// and vendors out of scope or created after as-of.
func TestExpiredCountAtTheBoundaries(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		boundary := domain.NewDate(2026, 6, 10)
		asOf := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
		inScope := newVendor("Expiry Boundary Ltd")
		prospect := newVendor("Expiry Prospect Ltd", func(v *register.Vendor) { v.Status = register.StatusProspect })
		late := newVendor("Expiry Newcomer Ltd", func(v *register.Vendor) {
			v.CreatedAt, v.UpdatedAt = asOf.Add(time.Hour), asOf.Add(time.Hour)
		})
		for _, v := range []register.Vendor{inScope, prospect, late} {
			if err := repository.NewVendors(db).Create(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		type spec struct {
			vendor   register.Vendor
			kind     attestation.AttestationKind
			expires  domain.Date
			status   attestation.AttestationReviewStatus
			recorded time.Time
		}
		ok, rejected := attestation.AttestationAccepted, attestation.AttestationRejected
		after := asOf.Add(time.Minute)
		specs := []spec{
			// Expires on the boundary day: expired only from the day after.
			{inScope, attestation.KindSOC2Type2, boundary, ok, t0},
			{inScope, attestation.KindSOC2Type2, boundary.AddDays(-40), ok, t0},
			// Two expiring the day before the boundary: one counts (the
			// greater id is listed).
			{inScope, attestation.KindISO27001, boundary.AddDays(-1), ok, t0},
			{inScope, attestation.KindISO27001, boundary.AddDays(-1), attestation.AttestationReceived, t0},
			// A later one rejected or recorded after as-of does not count.
			{inScope, attestation.KindPentest, boundary.AddDays(-1), ok, t0},
			{inScope, attestation.KindPentest, boundary.AddDays(300), rejected, t0},
			{inScope, attestation.KindPentest, boundary.AddDays(300), ok, after},
			// The later one expires the day after the boundary.
			{inScope, attestation.KindSIG, boundary.AddDays(-5), ok, t0},
			{inScope, attestation.KindSIG, boundary.AddDays(1), ok, t0},
			// Only rejected: nothing to judge.
			{inScope, attestation.KindCAIQ, boundary.AddDays(-9), rejected, t0},
			// Vendors out of scope, or created after as-of.
			{prospect, attestation.KindSOC2Type2, boundary.AddDays(-9), ok, t0},
			{late, attestation.KindSOC2Type2, boundary.AddDays(-9), ok, asOf.Add(2 * time.Hour)},
		}
		type stored struct {
			spec
			id string
		}
		var rows []stored
		for _, s := range specs {
			a := attestation.Attestation{ID: domain.NewID(), VendorID: s.vendor.ID, Kind: s.kind, ExpiresOn: s.expires,
				ExpiresOnSource: attestation.ExpiryExplicit, ReviewStatus: s.status, Version: 1,
				CreatedAt: s.recorded, UpdatedAt: s.recorded}
			if err := repository.NewAttestations(db).Create(ctx, a); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, stored{s, a.ID})
		}
		src := repository.NewReportSource(db)
		for _, today := range []domain.Date{boundary.AddDays(-1), boundary, boundary.AddDays(1)} {
			// The rule in Go: per vendor in scope and kind, the latest
			// unrejected attestation recorded by as-of, expired before today.
			at := today.Time().Add(12 * time.Hour)
			latest := map[string]stored{}
			for _, r := range rows {
				if r.vendor.Status != register.StatusActive || r.vendor.CreatedAt.After(at) || r.status == rejected ||
					r.recorded.After(at) {
					continue
				}
				key := r.vendor.ID + " " + string(r.kind)
				if l, seen := latest[key]; !seen || cmp.Or(r.expires.Time().Compare(l.expires.Time()), cmp.Compare(r.id, l.id)) > 0 {
					latest[key] = r
				}
			}
			var want []string
			for _, l := range latest {
				if attestation.Expired(l.expires, today) {
					want = append(want, l.id)
				}
			}
			fig, err := src.ExecutiveFigures(ctx, reporting.Filter{AsOf: at}, reporting.ExecutiveQuery{Today: today, OverdueItems: 50})
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, a := range fig.ExpiredAttestations {
				listed = append(listed, a.ID)
			}
			slices.Sort(want)
			slices.Sort(listed)
			if fig.Overdue.Attestations != int64(len(want)) || !slices.Equal(listed, want) {
				t.Errorf("today %s: counted %d, listed %v; want %d: %v", today, fig.Overdue.Attestations, listed, len(want), want)
			}
			if wantN := map[domain.Date]int{boundary: 2, boundary.AddDays(1): 3}[today]; len(want) != wantN {
				t.Errorf("today %s: the cases should give %d expired, got %d", today, wantN, len(want))
			}
		}
	})
}
