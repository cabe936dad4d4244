package repository_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// newReview returns a valid review of vendorID performed on the given
// date.
func newReview(vendorID, performedOn string, mods ...func(*review.Review)) review.Review {
	d, err := domain.ParseDate(performedOn)
	if err != nil {
		panic(err)
	}
	r := review.Review{ID: domain.NewID(), VendorID: vendorID, PerformedOn: d, Reviewer: "Dana Reyes",
		Outcome: review.OutcomeApproved, ResidualRisk: register.TierLow, CreatedBy: "key-1", Version: 1,
		CreatedAt: t0, UpdatedAt: t0}
	for _, m := range mods {
		m(&r)
	}
	return r
}

// reviewService wires the review service on db with a fixed clock.
func reviewService(db *repository.DB, now time.Time) *review.ReviewService {
	clock := domain.FixedClock(now)
	return &review.ReviewService{Tx: db, Reviews: repository.NewReviews(db), Vendors: repository.NewVendors(db),
		Audit: domain.Auditor{Store: repository.NewAudit(db), Clock: clock}, Clock: clock,
		Cadence: review.DefaultReviewCadence()}
}

func TestReviewsStore(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors, reviews := repository.NewVendors(db), repository.NewReviews(db)
		v := newVendor("Acme", func(v *register.Vendor) {
			v.TierOverride, v.TierOverrideReason = register.TierCritical, "board decision"
		})
		if err := vendors.Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		want := newReview(v.ID, "2024-02-29", func(r *review.Review) {
			r.Outcome, r.ResidualRisk, r.Notes = review.OutcomeApprovedWithConditions, register.TierHigh, "pen test findings open"
			r.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 678901000, plus2)
		})
		if err := reviews.Create(ctx, want); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := reviews.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkUTC(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		checkUTC(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		want.VendorTier = register.TierCritical // read through the join
		if got != want {
			t.Errorf("round trip\n got: %+v\nwant: %+v", got, want)
		}
		_, err = reviews.Get(ctx, domain.NewID())
		checkErrIs(t, err, domain.ErrNotFound)

		// A review of a vendor that does not exist: conflict on vendor_id.
		checkConflictField(t, reviews.Create(ctx, newReview(domain.NewID(), "2025-01-01")), "vendor_id")

		// Versioned update and delete.
		upd := got
		upd.PerformedOn, upd.Reviewer = domain.NewDate(2025, 6, 30), "Sam Ortiz"
		if err := reviews.Update(ctx, upd, 1); err != nil {
			t.Fatalf("update: %v", err)
		}
		checkErrIs(t, reviews.Update(ctx, upd, 1), domain.ErrPrecondition)
		checkErrIs(t, reviews.Update(ctx, newReview(v.ID, "2025-01-01"), 1), domain.ErrNotFound)
		if got, _ := reviews.Get(ctx, upd.ID); got.Version != 2 || got.PerformedOn.String() != "2025-06-30" || got.Reviewer != "Sam Ortiz" {
			t.Errorf("after update: %+v", got)
		}
		checkErrIs(t, reviews.Delete(ctx, upd.ID, 1), domain.ErrPrecondition)
		if err := reviews.Delete(ctx, upd.ID, 2); err != nil {
			t.Fatalf("delete: %v", err)
		}
		checkErrIs(t, reviews.Delete(ctx, upd.ID, 0), domain.ErrNotFound)
	})
}

// TestReviewsRefreshLastReview: last_review_on follows MAX(performed_on)
// through creates, updates and deletes, without moving the vendor's
// version or updated_at; a vendor with reviews cannot be deleted.
func TestReviewsRefreshLastReview(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors, reviews := repository.NewVendors(db), repository.NewReviews(db)
		v, other := newVendor("Acme"), newVendor("Other")
		for _, x := range []register.Vendor{v, other} {
			if err := vendors.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		last := func() string {
			t.Helper()
			got, err := vendors.Get(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != v.Version || !got.UpdatedAt.Equal(v.UpdatedAt) {
				t.Errorf("vendor version/updated_at moved: %d %v", got.Version, got.UpdatedAt)
			}
			return got.LastReviewOn.String()
		}
		write := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if err := reviews.RefreshLastReview(ctx, v.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := last(); got != "" {
			t.Fatalf("new vendor last_review_on = %q", got)
		}
		a, b := newReview(v.ID, "2025-03-31"), newReview(v.ID, "2024-12-31")
		write(reviews.Create(ctx, a))
		write(reviews.Create(ctx, b))
		// Another vendor's later review does not count.
		if err := reviews.Create(ctx, newReview(other.ID, "2026-01-01")); err != nil {
			t.Fatal(err)
		}
		if got := last(); got != "2025-03-31" {
			t.Errorf("last_review_on = %q, want 2025-03-31", got)
		}
		b.PerformedOn = domain.NewDate(2025, 11, 30)
		write(reviews.Update(ctx, b, 1))
		if got := last(); got != "2025-11-30" {
			t.Errorf("after moving a review later: %q, want 2025-11-30", got)
		}
		write(reviews.Delete(ctx, b.ID, 0))
		if got := last(); got != "2025-03-31" {
			t.Errorf("after deleting the latest: %q, want 2025-03-31", got)
		}
		// A vendor with reviews cannot be deleted.
		checkConflictField(t, vendors.Delete(ctx, v.ID, 0), "id")
		write(reviews.Delete(ctx, a.ID, 0))
		if got := last(); got != "" {
			t.Errorf("after deleting every review: %q, want none", got)
		}
		checkErrIs(t, reviews.RefreshLastReview(ctx, domain.NewID()), domain.ErrNotFound)
		// A vendor update does not overwrite last_review_on.
		write(reviews.Create(ctx, newReview(v.ID, "2025-05-05")))
		stale := v // read before the review: LastReviewOn zero
		stale.Service = "chat"
		if err := vendors.Update(ctx, stale, stale.Version); err != nil {
			t.Fatal(err)
		}
		if got, _ := vendors.Get(ctx, v.ID); got.LastReviewOn.String() != "2025-05-05" {
			t.Errorf("vendor update overwrote last_review_on: %q", got.LastReviewOn)
		}
	})
}

func TestReviewsList(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors, reviews := repository.NewVendors(db), repository.NewReviews(db)
		a, b := newVendor("Alpha"), newVendor("Beta", func(v *register.Vendor) { v.Criticality = register.CriticalityCritical })
		for _, v := range []register.Vendor{a, b} {
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string // creation order
		add := func(v register.Vendor, on string, o review.ReviewOutcome) {
			r := newReview(v.ID, on, func(r *review.Review) { r.Outcome = o })
			if err := reviews.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		add(a, "2024-01-15", review.OutcomeApproved)               // 0
		add(a, "2024-06-30", review.OutcomeRejected)               // 1
		add(b, "2024-06-30", review.OutcomeApproved)               // 2
		add(b, "2025-01-01", review.OutcomeApprovedWithConditions) // 3
		add(a, "2025-02-28", review.OutcomeApproved)               // 4

		list := func(f review.ReviewFilter) []int {
			t.Helper()
			page, err := reviews.List(ctx, f, domain.PageRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var out []int
			for _, r := range page.Items {
				out = append(out, slices.Index(ids, r.ID))
				if want := map[string]register.Tier{a.ID: a.Tier(), b.ID: b.Tier()}[r.VendorID]; r.VendorTier != want {
					t.Errorf("review %s: vendor tier %q, want %q", r.ID, r.VendorTier, want)
				}
			}
			return out
		}
		d := func(s string) domain.Date { x, _ := domain.ParseDate(s); return x }
		for _, tc := range []struct {
			name string
			f    review.ReviewFilter
			want []int
		}{
			{"all, newest first", review.ReviewFilter{}, []int{4, 3, 2, 1, 0}},
			{"vendor", review.ReviewFilter{VendorID: a.ID}, []int{4, 1, 0}},
			{"outcome", review.ReviewFilter{Outcome: review.OutcomeApproved}, []int{4, 2, 0}},
			{"after (exclusive)", review.ReviewFilter{PerformedAfter: d("2024-06-30")}, []int{4, 3}},
			{"before (exclusive)", review.ReviewFilter{PerformedBefore: d("2024-06-30")}, []int{0}},
			{"between", review.ReviewFilter{PerformedAfter: d("2024-01-15"), PerformedBefore: d("2025-01-02")}, []int{3, 2, 1}},
			{"everything at once", review.ReviewFilter{VendorID: a.ID, Outcome: review.OutcomeApproved, PerformedAfter: d("2024-12-31")}, []int{4}},
			{"unknown vendor", review.ReviewFilter{VendorID: domain.NewID()}, nil},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}

		// Pages of two: every review once, in order.
		var seen []int
		p := domain.PageRequest{Limit: 2}
		for pages := 0; ; pages++ {
			page, err := reviews.List(ctx, review.ReviewFilter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Items {
				seen = append(seen, slices.Index(ids, r.ID))
			}
			if page.Next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			p.After = page.Next
		}
		if !slices.Equal(seen, []int{4, 3, 2, 1, 0}) {
			t.Errorf("paged = %v", seen)
		}
		_, err := reviews.List(ctx, review.ReviewFilter{}, domain.PageRequest{After: "not-an-id"})
		checkErrIs(t, err, domain.ErrInvalid)
	})
}

// TestReviewServiceOverdue runs the review service on a fixed clock: the
// vendor's next due date follows its effective tier, overdue flips the day
// after the due date, and the set-based vendor filter agrees with the
// per-vendor computation.
func TestReviewServiceOverdue(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		now := time.Date(2025, 2, 28, 23, 59, 0, 0, time.UTC)
		svc := reviewService(db, now)
		vendors := repository.NewVendors(db)
		mk := func(name string, tier register.Tier) register.Vendor {
			v := newVendor(name, func(v *register.Vendor) { v.TierOverride, v.TierOverrideReason = tier, "set for the test" })
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		crit, low, never := mk("Critical Co", register.TierCritical), mk("Low Co", register.TierLow), mk("Never Co", register.TierCritical)
		addReview := func(v register.Vendor, on string) review.Review {
			d, _ := domain.ParseDate(on)
			r, err := svc.Create(ctx, review.ReviewInput{VendorID: &v.ID, PerformedOn: &d, Reviewer: ptr("Dana"),
				Outcome: ptr(review.OutcomeApproved), ResidualRisk: ptr(register.TierLow)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := addReview(crit, "2024-02-29") // due 2025-02-28 (clamped)
		addReview(low, "2022-03-01")       // due 2025-03-01
		if got := svc.NextDue(r).String(); got != "2025-02-28" {
			t.Errorf("review's next due = %s, want 2025-02-28", got)
		}

		status := func(s *review.ReviewService, v register.Vendor) (string, bool) {
			t.Helper()
			cur, err := vendors.Get(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			next, overdue := s.VendorReviewStatus(cur)
			return next.String(), overdue
		}
		filtered := func(s *review.ReviewService, overdue bool) []string {
			t.Helper()
			page, err := vendors.List(ctx, register.VendorFilter{ReviewOverdue: s.OverdueFilter(overdue)}, domain.PageRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, v := range page.Items {
				names = append(names, v.Name)
			}
			return names
		}
		for _, tc := range []struct {
			now                     time.Time
			critOverdue, lowOverdue bool
		}{
			{now, false, false}, // both due dates are today or later
			{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), true, false}, // critical: due yesterday
			{time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), true, true},  // low: due yesterday
		} {
			s := reviewService(db, tc.now)
			if next, od := status(s, crit); next != "2025-02-28" || od != tc.critOverdue {
				t.Errorf("%s: critical vendor next %s overdue %v, want 2025-02-28 %v", tc.now, next, od, tc.critOverdue)
			}
			if next, od := status(s, low); next != "2025-03-01" || od != tc.lowOverdue {
				t.Errorf("%s: low vendor next %s overdue %v, want 2025-03-01 %v", tc.now, next, od, tc.lowOverdue)
			}
			if next, od := status(s, never); next != "" || od {
				t.Errorf("%s: never reviewed: next %q overdue %v", tc.now, next, od)
			}
			var wantOver, wantNot []string
			for _, x := range []struct {
				name string
				over bool
			}{{"Critical Co", tc.critOverdue}, {"Low Co", tc.lowOverdue}, {"Never Co", false}} {
				if x.over {
					wantOver = append(wantOver, x.name)
				} else {
					wantNot = append(wantNot, x.name)
				}
			}
			if got := filtered(s, true); !slices.Equal(got, wantOver) {
				t.Errorf("%s: review_overdue=true lists %v, want %v", tc.now, got, wantOver)
			}
			if got := filtered(s, false); !slices.Equal(got, wantNot) {
				t.Errorf("%s: review_overdue=false lists %v, want %v", tc.now, got, wantNot)
			}
		}

		// The tier decides: lowering the critical vendor to low (36 months)
		// makes it current again on the same day.
		cur, _ := vendors.Get(ctx, crit.ID)
		cur.TierOverride = register.TierLow
		if err := vendors.Update(ctx, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		later := reviewService(db, time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC))
		if next, od := status(later, crit); next != "2027-02-28" || od {
			t.Errorf("after lowering the tier: next %s overdue %v, want 2027-02-28 false", next, od)
		}
		if got := filtered(later, true); !slices.Equal(got, []string{"Low Co"}) {
			t.Errorf("after lowering the tier: overdue vendors %v, want [Low Co]", got)
		}
	})
}

// TestReviewsConcurrentCreates records reviews of one vendor from several
// goroutines: last_review_on ends at the latest date whatever the commit
// order.
func TestReviewsConcurrentCreates(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		svc := reviewService(db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		v := newVendor("Acme")
		if err := repository.NewVendors(db).Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		const n = 12
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				d := domain.NewDate(2024, time.Month(1+i), 10)
				_, err := svc.Create(context.WithoutCancel(ctx), review.ReviewInput{VendorID: &v.ID, PerformedOn: &d,
					Reviewer: ptr(fmt.Sprintf("reviewer %d", i)), Outcome: ptr(review.OutcomeApproved), ResidualRisk: ptr(register.TierLow)})
				if err != nil {
					t.Errorf("review %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		got, err := repository.NewVendors(db).Get(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LastReviewOn.String() != "2024-12-10" || got.Version != v.Version {
			t.Errorf("last_review_on %s version %d, want 2024-12-10 and version %d", got.LastReviewOn, got.Version, v.Version)
		}
	})
}

// TestRefreshLastReviewSeesConcurrentCommit interleaves two writers of one
// vendor: A records the later review and holds its transaction open while
// B records an earlier one and refreshes. B's refresh must wait for A and
// then count A's review; without the vendor row lock, PostgreSQL would
// compute B's MAX from a snapshot taken before A committed and set
// last_review_on back to B's earlier date.
func TestRefreshLastReviewSeesConcurrentCommit(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors, reviews := repository.NewVendors(db), repository.NewReviews(db)
		v := newVendor("Acme")
		if err := vendors.Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		aRefreshed, bStarted := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			err := db.WithinTx(ctx, func(ctx context.Context) error {
				if err := reviews.Create(ctx, newReview(v.ID, "2025-09-30")); err != nil {
					return err
				}
				if err := reviews.RefreshLastReview(ctx, v.ID); err != nil {
					return err
				}
				close(aRefreshed)
				select { // SQLite: B cannot start while A writes
				case <-bStarted:
					time.Sleep(200 * time.Millisecond) // B is now waiting for the vendor row
				case <-time.After(300 * time.Millisecond):
				}
				return nil
			})
			if err != nil {
				t.Errorf("writer A: %v", err)
			}
		})
		wg.Go(func() {
			<-aRefreshed
			err := db.WithinTx(ctx, func(ctx context.Context) error {
				if err := reviews.Create(ctx, newReview(v.ID, "2025-01-31")); err != nil {
					return err
				}
				close(bStarted)
				return reviews.RefreshLastReview(ctx, v.ID)
			})
			if err != nil {
				t.Errorf("writer B: %v", err)
			}
		})
		wg.Wait()
		got, err := vendors.Get(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LastReviewOn.String() != "2025-09-30" {
			t.Errorf("last_review_on = %s, want 2025-09-30 (writer A's review)", got.LastReviewOn)
		}
	})
}
