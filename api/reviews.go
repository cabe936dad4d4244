package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// reviewJSON is a due-diligence review as the API shows it.
type reviewJSON struct {
	ID           string               `json:"id"`
	VendorID     string               `json:"vendor_id"`
	PerformedOn  domain.Date          `json:"performed_on"`
	Reviewer     string               `json:"reviewer"`
	Outcome      domain.ReviewOutcome `json:"outcome"`
	ResidualRisk domain.Tier          `json:"residual_risk"`
	Notes        *string              `json:"notes"`
	NextDue      *domain.Date         `json:"next_due"` // by the vendor's current tier
	CreatedBy    string               `json:"created_by"`
	Version      int64                `json:"version"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

func (h *handlers) toReviewJSON(r domain.Review) reviewJSON {
	return reviewJSON{
		ID: r.ID, VendorID: r.VendorID, PerformedOn: r.PerformedOn, Reviewer: r.Reviewer, Outcome: r.Outcome,
		ResidualRisk: r.ResidualRisk, Notes: null(r.Notes),
		NextDue:   nullDate(domain.NextReviewDue(r.PerformedOn, r.VendorTier, h.reviewCadence())),
		CreatedBy: r.CreatedBy, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func nullDate(d domain.Date) *domain.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// reviewCadence is the cadence of the review service (the default when
// the router runs without one).
func (h *handlers) reviewCadence() domain.ReviewCadence {
	if h.reviews == nil {
		return domain.DefaultReviewCadence()
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
func (h *handlers) vendorView(v domain.Vendor) vendorJSON {
	return h.vendorViews()(v)
}

// vendorViews returns vendorView with today and the review cadence read
// once, for a page of vendors.
func (h *handlers) vendorViews() func(domain.Vendor) vendorJSON {
	cadence, today := h.reviewCadence(), h.today()
	return func(v domain.Vendor) vendorJSON {
		out := toVendorJSON(v)
		next := domain.NextReviewDue(v.LastReviewOn, v.Tier(), cadence)
		out.NextReviewDue = nullDate(next)
		out.ReviewOverdue = domain.ReviewOverdue(next, today)
		return out
	}
}

// reviewOverdueQuery reads ?review_overdue=true|false into the vendor
// filter.
func (h *handlers) reviewOverdueQuery(c *gin.Context) (*domain.ReviewOverdueFilter, error) {
	s, ok := c.GetQuery("review_overdue")
	if !ok || s == "" {
		return nil, nil
	}
	if s != "true" && s != "false" {
		return nil, &badRequest{Field: "review_overdue", Message: "must be true or false"}
	}
	return domain.NewReviewOverdueFilter(s == "true", h.today(), h.reviewCadence()), nil
}

// reviewCreate is the body of POST /reviews. performed_on is read as text
// so that a malformed date names its field.
type reviewCreate struct {
	VendorID     *string               `json:"vendor_id"`
	PerformedOn  *string               `json:"performed_on"`
	Reviewer     *string               `json:"reviewer"`
	Outcome      *domain.ReviewOutcome `json:"outcome"`
	ResidualRisk *domain.Tier          `json:"residual_risk"`
	Notes        *string               `json:"notes"`
}

func parseDateField(field, s string) (domain.Date, error) {
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, &badRequest{Field: field, Message: "must be a date in the form YYYY-MM-DD"}
	}
	return d, nil
}

func (in reviewCreate) toDomain() (domain.ReviewInput, error) {
	out := domain.ReviewInput{VendorID: in.VendorID, Reviewer: in.Reviewer, Outcome: in.Outcome,
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
	Outcome      Optional[domain.ReviewOutcome] `json:"outcome"`
	ResidualRisk Optional[domain.Tier]          `json:"residual_risk"`
	Notes        Optional[string]               `json:"notes"`
}

func (p reviewPatch) toDomain() (domain.ReviewInput, error) {
	var fe domain.FieldErrors
	for _, f := range []struct {
		field string
		null  bool
	}{
		{"vendor_id", p.VendorID.Null}, {"performed_on", p.PerformedOn.Null}, {"reviewer", p.Reviewer.Null},
		{"outcome", p.Outcome.Null}, {"residual_risk", p.ResidualRisk.Null},
	} {
		if f.null {
			fe.Add(f.field, "cannot be null")
		}
	}
	in := domain.ReviewInput{
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

func (h *handlers) listReviews(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var f domain.ReviewFilter
	if f.VendorID = c.Query("vendor_id"); f.VendorID != "" && !domain.ValidID(f.VendorID) {
		writeError(c, &badRequest{Field: "vendor_id", Message: "must be a vendor id (UUID)"})
		return
	}
	if f.Outcome, err = enumQuery(c, "outcome", domain.ReviewOutcome.Valid, "approved, approved_with_conditions, rejected"); err != nil {
		writeError(c, err)
		return
	}
	for _, q := range []struct {
		name string
		dst  *domain.Date
	}{{"performed_after", &f.PerformedAfter}, {"performed_before", &f.PerformedBefore}} {
		if s := c.Query(q.name); s != "" {
			if *q.dst, err = parseDateField(q.name, s); err != nil {
				writeError(c, err)
				return
			}
		}
	}
	page, err := h.reviews.List(c.Request.Context(), f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, h.toReviewJSON))
}

func (h *handlers) createReview(c *gin.Context) {
	var body reviewCreate
	if err := decodeJSON(c, h.maxBody, &body); err != nil {
		writeError(c, err)
		return
	}
	in, err := body.toDomain()
	if err != nil {
		writeError(c, err)
		return
	}
	r, err := h.reviews.Create(c.Request.Context(), in)
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, r.Version)
	c.Header("Location", "/api/v1/reviews/"+r.ID)
	writeJSON(c, http.StatusCreated, h.toReviewJSON(r))
}

func (h *handlers) getReview(c *gin.Context) {
	r, err := h.reviews.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, r.Version)
	writeJSON(c, http.StatusOK, h.toReviewJSON(r))
}

func (h *handlers) patchReview(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var p reviewPatch
	if err := decodeJSON(c, h.maxBody, &p); err != nil {
		writeError(c, err)
		return
	}
	in, err := p.toDomain()
	if err != nil {
		writeError(c, err)
		return
	}
	var r domain.Review
	err = onLatest(c.Request.Context(), version, func() (err error) {
		r, err = h.reviews.Update(c.Request.Context(), c.Param("id"), in, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, r.Version)
	writeJSON(c, http.StatusOK, h.toReviewJSON(r))
}

func (h *handlers) deleteReview(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := onLatest(c.Request.Context(), version, func() error {
		return h.reviews.Delete(c.Request.Context(), c.Param("id"), version)
	}); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// reviewCadenceJSON is the review cadence in force.
type reviewCadenceJSON struct {
	Months map[domain.Tier]int `json:"months"`
	Source domain.Source       `json:"source"`
}

func (h *handlers) getReviewCadence(c *gin.Context) {
	rc := h.reviewCadence()
	writeJSON(c, http.StatusOK, reviewCadenceJSON{Months: rc.Months, Source: rc.Source})
}
