package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// reviewJSON is a due-diligence review as the API shows it.
type reviewJSON struct {
	ID           string               `json:"id"`
	VendorID     string               `json:"vendor_id"`
	PerformedOn  domain.Date          `json:"performed_on"`
	Reviewer     string               `json:"reviewer"`
	Outcome      review.ReviewOutcome `json:"outcome"`
	ResidualRisk register.Tier        `json:"residual_risk"`
	Notes        *string              `json:"notes"`
	NextDue      *domain.Date         `json:"next_due"` // by the vendor's current tier
	CreatedBy    string               `json:"created_by"`
	Version      int64                `json:"version"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

func (h *handlers) toReviewJSON(r review.Review) reviewJSON {
	return reviewJSON{
		ID: r.ID, VendorID: r.VendorID, PerformedOn: r.PerformedOn, Reviewer: r.Reviewer, Outcome: r.Outcome,
		ResidualRisk: r.ResidualRisk, Notes: null(r.Notes),
		NextDue:   nullDate(review.NextReviewDue(r.PerformedOn, r.VendorTier, h.reviewCadence())),
		CreatedBy: r.CreatedBy, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// reviewCadence is the cadence of the review service (the default when
// the router runs without one).
func (h *handlers) reviewCadence() review.ReviewCadence {
	if h.reviews == nil {
		return review.DefaultReviewCadence()
	}
	return h.reviews.ReviewCadence()
}

// today is the current UTC date by the router's clock.
func (h *handlers) today() domain.Date {
	if h.clock == nil {
		return domain.DateOf(domain.SystemClock{}.Now())
	}
	return domain.DateOf(h.clock.Now())
}

// vendorView is a vendor as the API shows it, with its review status
// computed for today: toVendorJSON plus next_review_due and
// review_overdue. Every vendor response goes through it (a page through
// vendorViews).
func (h *handlers) vendorView(v register.Vendor) vendorJSON {
	return h.vendorViews()(v)
}

// vendorViews returns vendorView with today and the review cadence read
// once, for a page of vendors.
func (h *handlers) vendorViews() func(register.Vendor) vendorJSON {
	cadence, today := h.reviewCadence(), h.today()
	return func(v register.Vendor) vendorJSON {
		out := toVendorJSON(v)
		next := review.NextReviewDue(v.LastReviewOn, v.Tier(), cadence)
		out.NextReviewDue = nullDate(next)
		out.ReviewOverdue = review.ReviewOverdue(next, today)
		return out
	}
}

// reviewOverdueQuery reads ?review_overdue=true|false into the vendor
// filter.
func (h *handlers) reviewOverdueQuery(c *gin.Context) (*register.ReviewOverdueFilter, error) {
	s, ok := c.GetQuery("review_overdue")
	if !ok || s == "" {
		return nil, nil
	}
	if s != "true" && s != "false" {
		return nil, &badRequest{Field: "review_overdue", Message: "must be true or false"}
	}
	return review.NewReviewOverdueFilter(s == "true", h.today(), h.reviewCadence()), nil
}

// reviewCreate is the body of POST /reviews. performed_on is read as text
// so that a malformed date names its field.
type reviewCreate struct {
	VendorID     *string               `json:"vendor_id"`
	PerformedOn  *string               `json:"performed_on"`
	Reviewer     *string               `json:"reviewer"`
	Outcome      *review.ReviewOutcome `json:"outcome"`
	ResidualRisk *register.Tier        `json:"residual_risk"`
	Notes        *string               `json:"notes"`
}

func (in reviewCreate) toDomain() (review.ReviewInput, error) {
	out := review.ReviewInput{VendorID: in.VendorID, Reviewer: in.Reviewer, Outcome: in.Outcome,
		ResidualRisk: in.ResidualRisk, Notes: in.Notes}
	if in.PerformedOn != nil {
		d, err := parseDateField("performed_on", *in.PerformedOn)
		if err != nil {
			return out, err
		}
		out.PerformedOn = &d
	}
	return out, nil
}

// reviewPatch is the body of PATCH /reviews/{id}: a JSON merge patch.
type reviewPatch struct {
	VendorID     Optional[string]               `json:"vendor_id"`
	PerformedOn  Optional[string]               `json:"performed_on"`
	Reviewer     Optional[string]               `json:"reviewer"`
	Outcome      Optional[review.ReviewOutcome] `json:"outcome"`
	ResidualRisk Optional[register.Tier]        `json:"residual_risk"`
	Notes        Optional[string]               `json:"notes"`
}

func (p reviewPatch) toDomain() (review.ReviewInput, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"vendor_id", p.VendorID.Null}, nullable{"performed_on", p.PerformedOn.Null},
		nullable{"reviewer", p.Reviewer.Null}, nullable{"outcome", p.Outcome.Null},
		nullable{"residual_risk", p.ResidualRisk.Null})
	in := review.ReviewInput{
		VendorID: patchField(p.VendorID), Reviewer: patchField(p.Reviewer), Outcome: patchField(p.Outcome),
		ResidualRisk: patchField(p.ResidualRisk), Notes: patchField(p.Notes),
	}
	if p.PerformedOn.Set && !p.PerformedOn.Null {
		d, err := parseDateField("performed_on", p.PerformedOn.Value)
		if err != nil {
			return in, err
		}
		in.PerformedOn = &d
	}
	return in, fe.Err()
}

func (h *handlers) listReviews(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	var f review.ReviewFilter
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return err
	}
	if f.Outcome, err = enumQuery(c, "outcome", review.ReviewOutcome.Valid, "approved, approved_with_conditions, rejected"); err != nil {
		return err
	}
	for _, q := range []struct {
		name string
		dst  *domain.Date
	}{{"performed_after", &f.PerformedAfter}, {"performed_before", &f.PerformedBefore}} {
		if s := c.Query(q.name); s != "" {
			if *q.dst, err = parseDateField(q.name, s); err != nil {
				return err
			}
		}
	}
	return listFiltered(c, f, p, h.reviews.List, h.toReviewJSON, nil)
}

func (h *handlers) createReview(c *gin.Context) error {
	return createVersioned[reviewCreate](c, h.maxBody, h.reviews.Create, h.toReviewJSON)
}

func (h *handlers) getReview(c *gin.Context) error {
	return getVersioned(c, h.reviews.Get, h.toReviewJSON)
}

func (h *handlers) patchReview(c *gin.Context) error {
	return patchVersioned[reviewPatch](c, h.maxBody, h.reviews.Update, h.toReviewJSON)
}

func (h *handlers) deleteReview(c *gin.Context) error {
	return deleteVersioned(c, h.reviews.Delete)
}

// reviewCadenceJSON is the review cadence in force.
type reviewCadenceJSON struct {
	Months map[register.Tier]int `json:"months"`
	Source domain.Source         `json:"source"`
}

func (h *handlers) getReviewCadence(c *gin.Context) error {
	rc := h.reviewCadence()
	writeJSON(c, http.StatusOK, reviewCadenceJSON{Months: rc.Months, Source: rc.Source})
	return nil
}
