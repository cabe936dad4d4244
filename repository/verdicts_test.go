package repository_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestVerdictsAgreeAtTheBoundaries runs each SQL predicate that
// pre-filters or counts a verdict and the Go verdict it states on the
// same stored rows, at the boundary instants, on both databases: the
// notice verdict (incident.NoticeBreach: noticeBrokenSQL and
// noticeNotGivenSQL), review overdue (review.ReviewOverdue: the review
// overdue filter) and attestation expiry (attestation.Expired and
// ExpiresWithin).
func TestVerdictsAgreeAtTheBoundaries(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		t.Run("notice", func(t *testing.T) { checkNoticeVerdicts(t, db) })
		t.Run("review overdue", func(t *testing.T) { checkReviewOverdue(t, db) })
		t.Run("attestation expiry", func(t *testing.T) { checkAttestationExpiry(t, db) })
	})
}

// checkNoticeVerdicts stores incidents whose notice came one second
// before, exactly at, one second after the deadline, or not at all,
// against the contract's deadline, the law's, both (either earlier) or
// none, and compares the SQL with incident.NoticeBreach as of one second
// before, exactly at, one second after and two hours after the deadline.
func checkNoticeVerdicts(t *testing.T, db *repository.DB) {
	ctx := context.Background()
	v := newVendor("Notice Boundary Ltd")
	if err := repository.NewVendors(db).Create(ctx, v); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	later := due.Add(time.Hour)
	deadlines := []struct {
		name          string
		contract, law *time.Time
	}{
		{"contract", &due, nil}, {"law", nil, &due}, {"contract first", &due, &later},
		{"law first", &later, &due}, {"none", nil, nil},
	}
	notices := []struct {
		name     string
		notified *time.Time
	}{
		{"none", nil}, {"1s before", ptr(due.Add(-time.Second))}, {"at due", &due}, {"1s after", ptr(due.Add(time.Second))},
	}
	type stored struct {
		name                    string
		contract, law, notified *time.Time
	}
	rows := map[string]stored{}
	store := repository.NewIncidents(db)
	for _, d := range deadlines {
		for _, n := range notices {
			inc := incident.Incident{ID: domain.NewID(), VendorID: v.ID, Title: d.name + ", notice " + n.name,
				Status: incident.IncidentOpen, VendorDiscoveredAt: due.Add(-72 * time.Hour), WeLearnedAt: due.Add(-time.Hour),
				LearnedVia: incident.ViaMonitoring, VendorNotifiedUsAt: n.notified, NoticeDueAt: d.contract,
				LawNoticeDueAt: d.law, Version: 1, CreatedBy: "test", CreatedAt: t0, UpdatedAt: t0}
			if err := store.Create(ctx, inc); err != nil {
				t.Fatal(err)
			}
			rows[inc.ID] = stored{inc.Title, d.contract, d.law, n.notified}
		}
	}
	seen := map[incident.NoticeStatus]bool{}
	for _, asOf := range []time.Time{due.Add(-time.Second), due, due.Add(time.Second), due.Add(2 * time.Hour)} {
		broken, notGiven, err := repository.NoticePredicates(ctx, db, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(broken) != len(rows) {
			t.Fatalf("the predicates judged %d incidents, want %d", len(broken), len(rows))
		}
		for id, r := range rows {
			notified := r.notified
			if notified != nil && notified.After(asOf) { // not given by as-of, as the stores read it
				notified = nil
			}
			status, what, _ := incident.NoticeBreach(r.contract, r.law, notified, asOf)
			seen[status] = true
			at := asOf.Sub(due)
			if goBroken := what != ""; broken[id] != goBroken || goBroken != status.Broke() {
				t.Errorf("%s, as of due%+v: SQL broken %v, Go %s (broke %q)", r.name, at, broken[id], status, what)
			}
			if overdue := broken[id] && notGiven[id]; overdue != (status == incident.NoticeOverdue) {
				t.Errorf("%s, as of due%+v: SQL overdue %v, Go %s", r.name, at, overdue, status)
			}
		}
	}
	for _, s := range []incident.NoticeStatus{incident.NoticeOnTime, incident.NoticeLate, incident.NoticeOverdue,
		incident.NoticePending, incident.NoticeNoClause} {
		if !seen[s] {
			t.Errorf("no case judged %s", s)
		}
	}
}

// checkReviewOverdue stores vendors last reviewed on each day around six
// months before three "todays" (a month's first day, February's last, a
// 31-day month's last, where AddMonths clamps), and one never reviewed,
// and compares the review overdue filter (overdue and not overdue) with
// review.ReviewOverdue for each today.
func checkReviewOverdue(t *testing.T, db *repository.DB) {
	ctx := context.Background()
	cadence := review.ReviewCadence{Months: map[register.Tier]int{}}
	for _, tier := range register.Tiers {
		cadence.Months[tier] = 6
	}
	vendors := repository.NewVendors(db)
	last := map[string]domain.Date{}
	tiers := map[string]register.Tier{}
	never := newVendor("Never Reviewed Ltd")
	if err := vendors.Create(ctx, never); err != nil {
		t.Fatal(err)
	}
	last[never.ID], tiers[never.ID] = domain.Date{}, never.Tier()
	for d := domain.NewDate(2025, 8, 25); !d.After(domain.NewDate(2025, 10, 5)); d = d.AddDays(1) {
		v := newVendor("Reviewed " + d.String())
		if err := vendors.Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		if err := repository.SetLastReviewOn(ctx, db, v.ID, d); err != nil {
			t.Fatal(err)
		}
		last[v.ID], tiers[v.ID] = d, v.Tier()
	}
	for _, today := range []domain.Date{domain.NewDate(2026, 3, 1), domain.NewDate(2026, 2, 28), domain.NewDate(2026, 3, 31)} {
		f := review.NewReviewOverdueFilter(true, today, cadence)
		overdue, notOverdue, err := repository.ReviewOverduePredicates(ctx, db, f.Cutoffs)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for id, on := range last {
			want := review.ReviewOverdue(review.NextReviewDue(on, tiers[id], cadence), today)
			if overdue[id] != want || notOverdue[id] == want {
				t.Errorf("today %s, last review %s: SQL overdue %v, not overdue %v; Go overdue %v",
					today, on, overdue[id], notOverdue[id], want)
			}
			if want {
				n++
			}
		}
		if n == 0 || n == len(last) {
			t.Errorf("today %s: %d of %d vendors overdue; the cases should straddle the boundary", today, n, len(last))
		}
	}
}

// checkAttestationExpiry stores attestations expiring on each day from two
// days before today to two days past the expiring window, and compares
// the SQL with attestation.Expired and ExpiresWithin today and tomorrow.
func checkAttestationExpiry(t *testing.T, db *repository.DB) {
	ctx := context.Background()
	v := newVendor("Attestation Boundary Ltd")
	if err := repository.NewVendors(db).Create(ctx, v); err != nil {
		t.Fatal(err)
	}
	const days = 30
	today := domain.NewDate(2026, 3, 31)
	store := repository.NewAttestations(db)
	expires := map[string]domain.Date{}
	for d := today.AddDays(-2); !d.After(today.AddDays(days + 2)); d = d.AddDays(1) {
		a := attestation.Attestation{ID: domain.NewID(), VendorID: v.ID, Kind: attestation.KindSOC2Type2, ExpiresOn: d,
			ExpiresOnSource: attestation.ExpiryExplicit, ReviewStatus: attestation.AttestationReceived, Version: 1,
			CreatedAt: t0, UpdatedAt: t0}
		if err := store.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		expires[a.ID] = d
	}
	for _, day := range []domain.Date{today, today.AddDays(1)} {
		expired, within, err := repository.AttestationExpiryPredicates(ctx, db, day, days)
		if err != nil {
			t.Fatal(err)
		}
		var counts [2]int
		for id, on := range expires {
			goExpired, goWithin := attestation.Expired(on, day), attestation.ExpiresWithin(on, day, days)
			if expired[id] != goExpired || within[id] != goWithin {
				t.Errorf("today %s, expires %s: SQL expired %v within %d days %v; Go %v, %v",
					day, on, expired[id], days, within[id], goExpired, goWithin)
			}
			if goExpired {
				counts[0]++
			}
			if goWithin {
				counts[1]++
			}
		}
		if counts[0] == 0 || counts[1] == counts[0] || counts[1] == len(expires) {
			t.Errorf("today %s: %v expired / within of %d; the cases should straddle both boundaries", day, counts, len(expires))
		}
	}
}
