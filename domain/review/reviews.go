package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ReviewService is the use-case layer for due-diligence reviews. Every
// write runs in one transaction with its audit event and with the refresh
// of the vendor's last_review_on.
//
// last_review_on is derived data: keeping it current does not bump the
// vendor's version (its ETag) or updated_at, and is not audited as a
// vendor change; the review's own audit event records the cause.
type ReviewService struct {
	Tx      domain.Transactor
	Reviews ReviewStore
	Vendors register.VendorStore
	Audit   domain.Auditor
	Clock   domain.Clock
	// Cadence gives the months between reviews per tier; the zero value
	// means DefaultReviewCadence.
	Cadence ReviewCadence
}

// ReviewCadence returns the cadence in force.
func (s *ReviewService) ReviewCadence() ReviewCadence {
	if s.Cadence.Months == nil {
		return DefaultReviewCadence()
	}
	return s.Cadence
}

// Today is the current UTC date by the service's clock.
func (s *ReviewService) Today() domain.Date { return domain.DateOf(s.Clock.Now()) }

// NextDue is when the review after r is due, by the vendor's current
// effective tier (r.VendorTier).
func (s *ReviewService) NextDue(r Review) domain.Date {
	return NextReviewDue(r.PerformedOn, r.VendorTier, s.ReviewCadence())
}

// VendorReviewStatus returns when the vendor's next review is due (zero
// when it was never reviewed) and whether that date has passed.
func (s *ReviewService) VendorReviewStatus(v register.Vendor) (next domain.Date, overdue bool) {
	next = NextReviewDue(v.LastReviewOn, v.Tier(), s.ReviewCadence())
	return next, ReviewOverdue(next, s.Today())
}

// OverdueFilter builds the vendor-list filter for review_overdue.
func (s *ReviewService) OverdueFilter(overdue bool) *register.ReviewOverdueFilter {
	return NewReviewOverdueFilter(overdue, s.Today(), s.ReviewCadence())
}

// Create validates in and stores a new review.
func (s *ReviewService) Create(ctx context.Context, in ReviewInput) (Review, error) {
	now := s.Clock.Now()
	r := Review{ID: domain.NewID(), CreatedBy: domain.ActorFrom(ctx).ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := r.Apply(in, domain.DateOf(now)); err != nil {
		return Review{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		v, err := s.Vendors.Get(ctx, r.VendorID)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Invalid("vendor_id", "no vendor with id %s", r.VendorID)
		}
		if err != nil {
			return err
		}
		r.VendorTier = v.Tier()
		if err := s.Reviews.Create(ctx, r); err != nil {
			return fmt.Errorf("create review: %w", err)
		}
		if err := s.Reviews.RefreshLastReview(ctx, r.VendorID); err != nil {
			return fmt.Errorf("refresh last review of vendor %s: %w", r.VendorID, err)
		}
		return s.Audit.Record(ctx, "review.create", "review", r.ID, nil, r)
	})
	if err != nil {
		return Review{}, err
	}
	return r, nil
}

// Get returns one review.
func (s *ReviewService) Get(ctx context.Context, id string) (Review, error) {
	return domain.Lookup(ctx, "review", id, s.Reviews.Get)
}

// List returns a page of reviews, newest first.
func (s *ReviewService) List(ctx context.Context, f ReviewFilter, p domain.PageRequest) (domain.Page[Review], error) {
	return s.Reviews.List(ctx, f, p)
}

// Update applies a partial update. expectedVersion 0 skips the version
// check (no If-Match).
func (s *ReviewService) Update(ctx context.Context, id string, in ReviewInput, expectedVersion int64) (Review, error) {
	var out Review
	err := domain.Edit(ctx, s.Tx, "review", id, expectedVersion, s.Reviews.Get, func(ctx context.Context, before Review) error {
		r := before
		now := s.Clock.Now()
		if err := r.Apply(in, domain.DateOf(now)); err != nil {
			return err
		}
		r.UpdatedAt = now
		if err := s.Reviews.Update(ctx, r, before.Version); err != nil {
			return fmt.Errorf("update review: %w", err)
		}
		r.Version = before.Version + 1
		if err := s.Reviews.RefreshLastReview(ctx, r.VendorID); err != nil {
			return fmt.Errorf("refresh last review of vendor %s: %w", r.VendorID, err)
		}
		out = r
		return s.Audit.Record(ctx, "review.update", "review", r.ID, before, r)
	})
	return out, err
}

// Delete removes a review.
func (s *ReviewService) Delete(ctx context.Context, id string, expectedVersion int64) error {
	return domain.Edit(ctx, s.Tx, "review", id, expectedVersion, s.Reviews.Get, func(ctx context.Context, before Review) error {
		if err := s.Reviews.Delete(ctx, id, before.Version); err != nil {
			return fmt.Errorf("delete review: %w", err)
		}
		if err := s.Reviews.RefreshLastReview(ctx, before.VendorID); err != nil {
			return fmt.Errorf("refresh last review of vendor %s: %w", before.VendorID, err)
		}
		return s.Audit.Record(ctx, "review.delete", "review", id, before, nil)
	})
}
