package review

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ReviewOutcome is the conclusion of a due-diligence review.
type ReviewOutcome string

// Review outcomes.
const (
	OutcomeApproved               ReviewOutcome = "approved"
	OutcomeApprovedWithConditions ReviewOutcome = "approved_with_conditions"
	OutcomeRejected               ReviewOutcome = "rejected"
)

// ReviewOutcomes lists the outcomes.
var ReviewOutcomes = []ReviewOutcome{OutcomeApproved, OutcomeApprovedWithConditions, OutcomeRejected}

// Valid reports whether o is a known outcome.
func (o ReviewOutcome) Valid() bool {
	switch o {
	case OutcomeApproved, OutcomeApprovedWithConditions, OutcomeRejected:
		return true
	}
	return false
}

// Review limits.
const (
	MaxReviewNotes    = 10000
	MaxReviewerLength = 200
)

// earliestReview bounds performed_on from below: nothing older is a
// plausible review, and both databases store every date from here on.
var earliestReview = domain.NewDate(1900, time.January, 1)

// Review is one due-diligence review of a vendor. The next one is due
// PerformedOn plus the review cadence of the vendor's effective tier.
type Review struct {
	ID           string        `json:"id"`
	VendorID     string        `json:"vendor_id"`
	PerformedOn  domain.Date   `json:"performed_on"`
	Reviewer     string        `json:"reviewer"`
	Outcome      ReviewOutcome `json:"outcome"`
	ResidualRisk register.Tier `json:"residual_risk"` // the risk that remains after the review's controls
	Notes        string        `json:"notes"`
	CreatedBy    string        `json:"created_by"` // actor id of whoever recorded it
	Version      int64         `json:"version"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`

	// VendorTier is the vendor's effective tier when the review was read
	// (stores fill it in on reads). It is not part of the review, so it
	// stays out of audit snapshots.
	VendorTier register.Tier `json:"-"`
}

// EntityID is its id; with StoredVersion it makes Review a domain.Versioned.
func (r Review) EntityID() string { return r.ID }

// StoredVersion is the version it was read at.
func (r Review) StoredVersion() int64 { return r.Version }

// ReviewInput carries the writable fields of a review for create and for
// patch. For a patch, nil means "leave unchanged".
type ReviewInput struct {
	VendorID     *string
	PerformedOn  *domain.Date
	Reviewer     *string
	Outcome      *ReviewOutcome
	ResidualRisk *register.Tier
	Notes        *string
}

// Apply copies the set fields of in onto r and validates the result.
// today is the current UTC date: a review cannot be performed in the
// future. VendorID is fixed once set. Apply does not check that the vendor
// exists; the service does.
func (r *Review) Apply(in ReviewInput, today domain.Date) error {
	var fe domain.FieldErrors
	if in.VendorID != nil {
		id := strings.TrimSpace(*in.VendorID)
		switch {
		case r.VendorID != "" && id != r.VendorID:
			fe.Add("vendor_id", "cannot be changed; delete this review and record it for the other vendor")
		case id == "":
			fe.Add("vendor_id", "is required")
		case !domain.ValidID(id):
			fe.Add("vendor_id", "must be the id (UUID) of a vendor")
		default:
			r.VendorID = id
		}
	} else if r.VendorID == "" {
		fe.Add("vendor_id", "is required")
	}

	if in.PerformedOn != nil {
		r.PerformedOn = *in.PerformedOn
	}
	switch {
	case r.PerformedOn.IsZero():
		fe.Add("performed_on", "is required")
	case r.PerformedOn.After(today):
		fe.Add("performed_on", "must not be in the future (today is %s, UTC)", today)
	case r.PerformedOn.Before(earliestReview):
		fe.Add("performed_on", "must be on or after %s", earliestReview)
	}

	if in.Reviewer != nil {
		r.Reviewer = domain.CheckText(&fe, "reviewer", *in.Reviewer, true, MaxReviewerLength)
	} else if r.Reviewer == "" {
		fe.Add("reviewer", "is required")
	}

	if in.Outcome != nil {
		r.Outcome = *in.Outcome
	}
	switch {
	case r.Outcome == "":
		fe.Add("outcome", "is required")
	case !r.Outcome.Valid():
		fe.Add("outcome", "must be one of approved, approved_with_conditions, rejected")
	}

	if in.ResidualRisk != nil {
		r.ResidualRisk = *in.ResidualRisk
	}
	switch {
	case r.ResidualRisk == "":
		fe.Add("residual_risk", "is required")
	case !r.ResidualRisk.Valid():
		fe.Add("residual_risk", "must be one of critical, high, moderate, low")
	}

	if in.Notes != nil {
		r.Notes = domain.CheckText(&fe, "notes", *in.Notes, false, MaxReviewNotes)
	}
	return fe.Err()
}

// ReviewFilter selects reviews in a list. Zero fields select everything.
// The date bounds are exclusive.
type ReviewFilter struct {
	VendorID        string
	Outcome         ReviewOutcome
	PerformedAfter  domain.Date // performed_on > PerformedAfter
	PerformedBefore domain.Date // performed_on < PerformedBefore
}

// ReviewCadence is how many months may pass between reviews, per
// effective tier, with the source of the figures.
type ReviewCadence struct {
	Months map[register.Tier]int `json:"months"`
	Source domain.Source         `json:"source"`
}

// MaxReviewCadenceMonths bounds a configured cadence (ten years).
const MaxReviewCadenceMonths = 120

// DefaultReviewCadence is the industry practice recorded in
// shared/reference/regimes.json ("review_cadence_months") and
// regulatory-facts.md §4A. No law fixes these numbers.
func DefaultReviewCadence() ReviewCadence {
	return ReviewCadence{
		Months: map[register.Tier]int{register.TierCritical: 12, register.TierHigh: 12, register.TierModerate: 24, register.TierLow: 36},
		Source: domain.Source{
			Citation: "Venminder via Third Party ThinkTank (2024-09-04) - industry practice, not law",
			Basis: "critical and high at least annually; moderate every 18-24 months (24 used); low every 3 years " +
				"or at contract renewal (regulatory-facts.md §4A); separately, PCI DSS 12.8.4 has a card-data service provider's " +
				"compliance status monitored at least every 12 months",
			Status: "V",
		},
	}
}

// Validate checks that every tier has a cadence of 1 to
// MaxReviewCadenceMonths months.
func (c ReviewCadence) Validate() error {
	var fe domain.FieldErrors
	for _, t := range register.Tiers {
		if m, ok := c.Months[t]; !ok || m < 1 || m > MaxReviewCadenceMonths {
			fe.Add("months."+string(t), "must be a whole number of months from 1 to %d", MaxReviewCadenceMonths)
		}
	}
	for t := range c.Months {
		if !t.Valid() {
			fe.Add("months."+string(t), "is not a tier (critical, high, moderate, low)")
		}
	}
	return fe.Err()
}

// NextReviewDue is the date the next review is due after a review on
// last, for a vendor of the given effective tier: last plus the tier's
// cadence in months, clamped to the end of a shorter month. It is the
// zero Date when last is zero (never reviewed) or the cadence has no
// entry for the tier.
func NextReviewDue(last domain.Date, tier register.Tier, cadence ReviewCadence) domain.Date {
	months := cadence.Months[tier]
	if last.IsZero() || months <= 0 {
		return domain.Date{}
	}
	return last.AddMonths(months)
}

// ReviewOverdue reports whether a review due on next is overdue today:
// the due date has passed. A vendor never reviewed (zero next) is not
// overdue; it is reported as never reviewed instead.
func ReviewOverdue(next, today domain.Date) bool {
	return !next.IsZero() && next.Before(today)
}

// ReviewOverdueCutoff returns the date X such that a review performed on
// d is overdue today under a cadence of months exactly when d is before X:
// NextReviewDue(d) < today <=> d < X. AddMonths clamps to month ends, so X
// is found from today minus the cadence by stepping over the clamped days.
func ReviewOverdueCutoff(today domain.Date, months int) domain.Date {
	overdue := func(d domain.Date) bool { return d.AddMonths(months).Before(today) }
	c := today.AddMonths(-months)
	for !overdue(c) {
		c = c.AddDays(-1)
	}
	for overdue(c.AddDays(1)) {
		c = c.AddDays(1)
	}
	return c.AddDays(1)
}

// NewReviewOverdueFilter builds the filter for today under cadence.
func NewReviewOverdueFilter(overdue bool, today domain.Date, cadence ReviewCadence) *register.ReviewOverdueFilter {
	f := &register.ReviewOverdueFilter{Overdue: overdue, Cutoffs: map[register.Tier]domain.Date{}}
	for _, t := range register.Tiers {
		if m := cadence.Months[t]; m > 0 {
			f.Cutoffs[t] = ReviewOverdueCutoff(today, m)
		}
	}
	return f
}
