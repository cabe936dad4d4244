package review_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

func reviewDate(t *testing.T, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNextReviewDueByTier(t *testing.T) {
	cadence := review.DefaultReviewCadence()
	for _, tc := range []struct {
		performed string
		tier      register.Tier
		want      string
	}{
		{"2026-01-31", register.TierCritical, "2027-01-31"},
		{"2026-01-31", register.TierHigh, "2027-01-31"},
		{"2026-01-31", register.TierModerate, "2028-01-31"},
		{"2026-01-31", register.TierLow, "2029-01-31"},
		// A leap day clamps to the end of February of a common year.
		{"2024-02-29", register.TierCritical, "2025-02-28"},
		{"2024-02-29", register.TierHigh, "2025-02-28"},
		{"2024-02-29", register.TierModerate, "2026-02-28"},
		{"2024-02-29", register.TierLow, "2027-02-28"},
		{"2025-12-31", register.TierCritical, "2026-12-31"},
	} {
		got := review.NextReviewDue(reviewDate(t, tc.performed), tc.tier, cadence)
		if got.String() != tc.want {
			t.Errorf("%s review of a %s vendor: next due %s, want %s", tc.performed, tc.tier, got, tc.want)
		}
	}

	// Configurable: a 6-month cadence clamps 31 August to 28 February.
	custom := review.ReviewCadence{Months: map[register.Tier]int{register.TierHigh: 6}}
	if got := review.NextReviewDue(reviewDate(t, "2025-08-31"), register.TierHigh, custom); got.String() != "2026-02-28" {
		t.Errorf("custom cadence: next due %s, want 2026-02-28", got)
	}
	// Never reviewed, or a tier without a cadence: no date.
	if got := review.NextReviewDue(domain.Date{}, register.TierHigh, cadence); !got.IsZero() {
		t.Errorf("never reviewed: next due %s, want none", got)
	}
	if got := review.NextReviewDue(reviewDate(t, "2025-01-01"), register.TierLow, custom); !got.IsZero() {
		t.Errorf("tier without cadence: next due %s, want none", got)
	}
}

func TestDefaultReviewCadence(t *testing.T) {
	c := review.DefaultReviewCadence()
	want := map[register.Tier]int{register.TierCritical: 12, register.TierHigh: 12, register.TierModerate: 24, register.TierLow: 36}
	for tier, m := range want {
		if c.Months[tier] != m {
			t.Errorf("default cadence for %s = %d months, want %d", tier, c.Months[tier], m)
		}
	}
	// shared/reference/regimes.json, review_cadence_months.
	if c.Source.Citation != "Venminder via Third Party ThinkTank (2024-09-04) - industry practice, not law" || c.Source.Status != "V" {
		t.Errorf("source = %+v", c.Source)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("default cadence does not validate: %v", err)
	}
	bad := review.ReviewCadence{Months: map[register.Tier]int{register.TierCritical: 0, register.TierHigh: 12, register.TierModerate: 121, "extreme": 1}}
	var fe domain.FieldErrors
	if err := bad.Validate(); !errors.As(err, &fe) {
		t.Fatalf("Validate(bad) = %v, want field errors", err)
	}
	var fields []string
	for _, e := range fe {
		fields = append(fields, e.Field)
	}
	slices.Sort(fields)
	if want := []string{"months.critical", "months.extreme", "months.low", "months.moderate"}; !slices.Equal(fields, want) {
		t.Errorf("Validate(bad) fields = %v, want %v", fields, want)
	}
}

// TestReviewOverdueCutoff checks the set-based form of "overdue" against
// its definition, for every day of three years and several cadences,
// month-end clamping included: NextReviewDue(d) < today <=> d < cut-off.
func TestReviewOverdueCutoff(t *testing.T) {
	start := domain.NewDate(2023, time.January, 1)
	for _, months := range []int{1, 6, 12, 18, 24, 36} {
		for i := range 3 * 366 {
			today := start.AddDays(i)
			cut := review.ReviewOverdueCutoff(today, months)
			for _, d := range []domain.Date{cut.AddDays(-3), cut.AddDays(-2), cut.AddDays(-1), cut, cut.AddDays(1), cut.AddDays(2)} {
				overdue := d.AddMonths(months).Before(today)
				if overdue != d.Before(cut) {
					t.Fatalf("months %d, today %s: review on %s overdue=%v, but cut-off is %s", months, today, d, overdue, cut)
				}
			}
		}
	}
	// The clamped case spelled out: a 12-month review on 2024-02-29 is due
	// 2025-02-28, so on 2025-03-01 it is overdue and 2024-02-29 < cut-off.
	if cut := review.ReviewOverdueCutoff(domain.NewDate(2025, time.March, 1), 12); cut.String() != "2024-03-01" {
		t.Errorf("cut-off on 2025-03-01 for 12 months = %s, want 2024-03-01", cut)
	}
}

func TestReviewOverdue(t *testing.T) {
	due := domain.NewDate(2027, time.January, 31)
	for _, tc := range []struct {
		today string
		want  bool
	}{{"2027-01-30", false}, {"2027-01-31", false}, {"2027-02-01", true}} {
		if got := review.ReviewOverdue(due, reviewDate(t, tc.today)); got != tc.want {
			t.Errorf("due %s, today %s: overdue %v, want %v", due, tc.today, got, tc.want)
		}
	}
	if review.ReviewOverdue(domain.Date{}, reviewDate(t, "2030-01-01")) {
		t.Error("never reviewed counts as overdue")
	}
}

func TestReviewApply(t *testing.T) {
	today := domain.NewDate(2026, time.March, 14)
	vendorID := domain.NewID()
	valid := func() review.ReviewInput {
		d := domain.NewDate(2026, time.March, 1)
		return review.ReviewInput{VendorID: &vendorID, PerformedOn: &d, Reviewer: reviewPtr("  Dana Reyes "),
			Outcome: reviewPtr(review.OutcomeApprovedWithConditions), ResidualRisk: reviewPtr(register.TierModerate), Notes: reviewPtr("SOC 2 exceptions tracked")}
	}
	var r review.Review
	if err := r.Apply(valid(), today); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	if r.Reviewer != "Dana Reyes" || r.VendorID != vendorID || r.PerformedOn.String() != "2026-03-01" {
		t.Errorf("applied review = %+v", r)
	}
	// Performed today is fine; notes at the limit are fine.
	in := valid()
	in.PerformedOn, in.Notes = &today, reviewPtr(strings.Repeat("é", review.MaxReviewNotes))
	if err := new(review.Review).Apply(in, today); err != nil {
		t.Errorf("review performed today with %d characters of notes: %v", review.MaxReviewNotes, err)
	}

	for _, tc := range []struct {
		name  string
		mod   func(*review.ReviewInput)
		field string
	}{
		{"future", func(in *review.ReviewInput) { d := today.AddDays(1); in.PerformedOn = &d }, "performed_on"},
		{"before 1900", func(in *review.ReviewInput) { d := domain.NewDate(1899, 12, 31); in.PerformedOn = &d }, "performed_on"},
		{"no date", func(in *review.ReviewInput) { in.PerformedOn = nil }, "performed_on"},
		{"no reviewer", func(in *review.ReviewInput) { in.Reviewer = nil }, "reviewer"},
		{"blank reviewer", func(in *review.ReviewInput) { in.Reviewer = reviewPtr("  ") }, "reviewer"},
		{"long reviewer", func(in *review.ReviewInput) { in.Reviewer = reviewPtr(strings.Repeat("r", 201)) }, "reviewer"},
		{"bad outcome", func(in *review.ReviewInput) { in.Outcome = reviewPtr(review.ReviewOutcome("passed")) }, "outcome"},
		{"no outcome", func(in *review.ReviewInput) { in.Outcome = nil }, "outcome"},
		{"bad residual risk", func(in *review.ReviewInput) { in.ResidualRisk = reviewPtr(register.Tier("severe")) }, "residual_risk"},
		{"no residual risk", func(in *review.ReviewInput) { in.ResidualRisk = nil }, "residual_risk"},
		{"long notes", func(in *review.ReviewInput) { in.Notes = reviewPtr(strings.Repeat("n", review.MaxReviewNotes+1)) }, "notes"},
		{"vendor not a uuid", func(in *review.ReviewInput) { in.VendorID = reviewPtr("acme") }, "vendor_id"},
		{"no vendor", func(in *review.ReviewInput) { in.VendorID = nil }, "vendor_id"},
	} {
		in := valid()
		tc.mod(&in)
		err := new(review.Review).Apply(in, today)
		var fe domain.FieldErrors
		if !errors.As(err, &fe) || !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: error %v, want field errors", tc.name, err)
			continue
		}
		if len(fe) != 1 || fe[0].Field != tc.field {
			t.Errorf("%s: errors %v, want exactly one on %s", tc.name, fe, tc.field)
		}
	}

	// A patch cannot move a review to another vendor.
	other := domain.NewID()
	if err := r.Apply(review.ReviewInput{VendorID: &other}, today); err == nil || !strings.Contains(err.Error(), "vendor_id") {
		t.Errorf("moving a review: %v", err)
	}
	if r.VendorID != vendorID {
		t.Errorf("vendor_id changed to %s", r.VendorID)
	}
}

func reviewPtr[T any](v T) *T { return &v }
