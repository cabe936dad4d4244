package repository

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// Reviews is the GORM store of due-diligence reviews.
type Reviews struct{ db *DB }

var _ review.ReviewStore = (*Reviews)(nil)

// NewReviews returns the review store on db.
func NewReviews(db *DB) *Reviews { return &Reviews{db: db} }

type reviewRow struct {
	ID           string
	VendorID     string
	PerformedOn  dateCol
	Reviewer     string
	Outcome      string
	ResidualRisk string
	Notes        string
	CreatedBy    string
	Version      int64
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
	VendorTier   string    `gorm:"->"` // vendors.tier, read through the join
}

func (reviewRow) TableName() string { return "reviews" }

// reviewColumns are the columns an update writes. vendor_id is fixed.
var reviewColumns = []string{
	"performed_on", "reviewer", "outcome", "residual_risk", "notes", "version", "updated_at",
}

func toReviewRow(r review.Review) reviewRow {
	return reviewRow{
		ID: r.ID, VendorID: r.VendorID, PerformedOn: sqlDate(r.PerformedOn), Reviewer: r.Reviewer,
		Outcome: string(r.Outcome), ResidualRisk: string(r.ResidualRisk), Notes: r.Notes, CreatedBy: r.CreatedBy,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func (r reviewRow) toDomain() review.Review {
	return review.Review{
		ID: r.ID, VendorID: r.VendorID, PerformedOn: r.PerformedOn.Date, Reviewer: r.Reviewer,
		Outcome: review.ReviewOutcome(r.Outcome), ResidualRisk: register.Tier(r.ResidualRisk), Notes: r.Notes,
		CreatedBy: r.CreatedBy, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		VendorTier: register.Tier(r.VendorTier),
	}
}

// withVendorTier selects reviews joined to their vendor's effective tier.
// Every column is qualified: vendors has id too.
func (s *Reviews) withVendorTier(ctx context.Context) *gorm.DB {
	return s.db.conn(ctx).Table("reviews").Select("reviews.*, vendors.tier AS vendor_tier").
		Joins("JOIN vendors ON vendors.id = reviews.vendor_id")
}

// Create implements review.ReviewStore.
func (s *Reviews) Create(ctx context.Context, r review.Review) error {
	row := toReviewRow(r)
	err := translate(s.db.conn(ctx).Create(&row).Error)
	// SQLite does not name the foreign key that failed; vendor_id is the
	// only one a review has.
	var ce *domain.ConflictError
	if errors.As(err, &ce) && ce.Field == "id" && s.db.dialect == SQLite && strings.Contains(ce.Message, "reference") {
		return &domain.ConflictError{Field: "vendor_id", Message: "refers to a vendor that does not exist"}
	}
	return err
}

// Get implements review.ReviewStore.
func (s *Reviews) Get(ctx context.Context, id string) (review.Review, error) {
	var row reviewRow
	if err := s.withVendorTier(ctx).Where("reviews.id = ?", id).Take(&row).Error; err != nil {
		return review.Review{}, fmt.Errorf("review %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Update implements review.ReviewStore.
func (s *Reviews) Update(ctx context.Context, r review.Review, expectedVersion int64) error {
	row := toReviewRow(r)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&reviewRow{}).Where("id = ? AND version = ?", r.ID, expectedVersion).
		Select(reviewColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &reviewRow{}, "review", r.ID)
	}
	return nil
}

// Delete implements review.ReviewStore.
func (s *Reviews) Delete(ctx context.Context, id string, expectedVersion int64) error {
	q := s.db.conn(ctx).Where("id = ?", id)
	if expectedVersion != 0 {
		q = q.Where("version = ?", expectedVersion)
	}
	res := q.Delete(&reviewRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &reviewRow{}, "review", id)
	}
	return nil
}

// List implements review.ReviewStore: newest first, keyset on the id
// (UUIDv7 ids sort by creation time).
func (s *Reviews) List(ctx context.Context, f review.ReviewFilter, p domain.PageRequest) (domain.Page[review.Review], error) {
	q := s.withVendorTier(ctx)
	if f.VendorID != "" {
		q = q.Where("reviews.vendor_id = ?", f.VendorID)
	}
	if f.Outcome != "" {
		q = q.Where("reviews.outcome = ?", f.Outcome)
	}
	if !f.PerformedAfter.IsZero() {
		q = q.Where("reviews.performed_on > ?", sqlDate(f.PerformedAfter))
	}
	if !f.PerformedBefore.IsZero() {
		q = q.Where("reviews.performed_on < ?", sqlDate(f.PerformedBefore))
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[review.Review]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("reviews.id < ?", p.After)
	}
	var rows []reviewRow
	if err := q.Order("reviews.id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[review.Review]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r reviewRow) string { return r.ID }, reviewRow.toDomain), nil
}

// RefreshLastReview implements review.ReviewStore with one UPDATE that
// recomputes MAX(performed_on). On PostgreSQL the vendor row is locked
// first, in a statement of its own: the UPDATE that follows then takes a
// fresh snapshot (READ COMMITTED) that includes any review committed by a
// concurrent writer of the same vendor, so the last writer to refresh sees
// every review. FOR NO KEY UPDATE does not conflict with the key-share
// lock that inserting a review takes on its vendor, so two writers cannot
// deadlock here. SQLite has a single writer.
func (s *Reviews) RefreshLastReview(ctx context.Context, vendorID string) error {
	c := s.db.conn(ctx)
	if s.db.dialect == Postgres {
		var ids []string
		if err := c.Raw("SELECT id FROM vendors WHERE id = ? FOR NO KEY UPDATE", vendorID).Scan(&ids).Error; err != nil {
			return translate(err)
		}
	}
	res := c.Exec("UPDATE vendors SET last_review_on = (SELECT MAX(performed_on) FROM reviews WHERE vendor_id = ?) WHERE id = ?",
		vendorID, vendorID)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("vendor %s: %w", vendorID, domain.ErrNotFound)
	}
	return nil
}

// reviewOverdueWhere renders a register.ReviewOverdueFilter for the vendors
// table: one "tier = ? AND last_review_on < ?" term per tier, OR'ed, so
// the vendor list stays one set-based query.
func reviewOverdueWhere(f *register.ReviewOverdueFilter) (string, []any) {
	overdue, args := reviewOverdueTerms(f.Cutoffs, "tier", "last_review_on")
	if f.Overdue {
		return "(last_review_on IS NOT NULL AND " + overdue + ")", args
	}
	return "(last_review_on IS NULL OR NOT " + overdue + ")", args
}

// reviewOverdueTerms is the condition "the last review (column last) is
// before the cut-off of the tier (column tier)": one term per tier with a
// cut-off, OR'ed; false when no tier has one.
func reviewOverdueTerms(cutoffs map[register.Tier]domain.Date, tier, last string) (string, []any) {
	var terms []string
	var args []any
	for _, t := range register.Tiers {
		cut, ok := cutoffs[t]
		if !ok {
			continue
		}
		terms = append(terms, "("+tier+" = ? AND "+last+" < ?)")
		args = append(args, string(t), sqlDate(cut))
	}
	if len(terms) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(terms, " OR ") + ")", args
}
