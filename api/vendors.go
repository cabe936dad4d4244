package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// vendorJSON is a vendor as the API shows it. Optional text is null when
// empty.
type vendorJSON struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	LegalName          optString           `json:"legal_name"`
	Website            optString           `json:"website"`
	Service            optString           `json:"service"`
	OwnerEmail         optString           `json:"owner_email"`
	Status             domain.VendorStatus `json:"status"`
	Criticality        domain.Criticality  `json:"criticality"`
	Country            optString           `json:"country"`
	ParentVendorID     optString           `json:"parent_vendor_id"`
	ExternalRef        optString           `json:"external_ref"`
	Tier               domain.Tier         `json:"tier"`
	Risk               domain.InherentRisk `json:"risk"`
	TierOverride       optString           `json:"tier_override"`
	TierOverrideReason optString           `json:"tier_override_reason"`
	LastReviewOn       *domain.Date        `json:"last_review_on"`
	NextReviewDue      *domain.Date        `json:"next_review_due"` // set by handlers.vendorView
	ReviewOverdue      bool                `json:"review_overdue"`  // set by handlers.vendorView
	Version            int64               `json:"version"`
	CreatedAt          time.Time           `json:"created_at"`
	UpdatedAt          time.Time           `json:"updated_at"`
}

// toVendorJSON converts the stored fields; handlers use vendorView, which
// adds the review status computed for today.
func toVendorJSON(v domain.Vendor) vendorJSON {
	return vendorJSON{
		ID: v.ID, Name: v.Name, LegalName: optString(v.LegalName), Website: optString(v.Website),
		Service: optString(v.Service), OwnerEmail: optString(v.OwnerEmail), Status: v.Status, Criticality: v.Criticality,
		Country: optString(v.Country), ParentVendorID: optString(v.ParentVendorID), ExternalRef: optString(v.ExternalRef),
		Tier: v.Tier(), Risk: v.Risk, TierOverride: optString(v.TierOverride), TierOverrideReason: optString(v.TierOverrideReason),
		LastReviewOn: nullDate(v.LastReviewOn), Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

// optString is optional text: JSON null when empty. Unlike a *string it
// costs no allocation per field.
type optString string

// MarshalJSON implements json.Marshaler.
func (s optString) MarshalJSON() ([]byte, error) {
	return appendOptString(nil, s), nil
}

func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// vendorCreate is the body of POST /vendors.
type vendorCreate struct {
	Name               *string              `json:"name"`
	LegalName          *string              `json:"legal_name"`
	Website            *string              `json:"website"`
	Service            *string              `json:"service"`
	OwnerEmail         *string              `json:"owner_email"`
	Status             *domain.VendorStatus `json:"status"`
	Criticality        *domain.Criticality  `json:"criticality"`
	Country            *string              `json:"country"`
	ParentVendorID     *string              `json:"parent_vendor_id"`
	ExternalRef        *string              `json:"external_ref"`
	TierOverride       *domain.Tier         `json:"tier_override"`
	TierOverrideReason *string              `json:"tier_override_reason"`
}

func (in vendorCreate) toDomain() domain.VendorInput {
	return domain.VendorInput{
		Name: in.Name, LegalName: in.LegalName, Website: in.Website, Service: in.Service, OwnerEmail: in.OwnerEmail,
		Status: in.Status, Criticality: in.Criticality, Country: in.Country, ParentVendorID: in.ParentVendorID,
		ExternalRef: in.ExternalRef, TierOverride: in.TierOverride, TierOverrideReason: in.TierOverrideReason,
	}
}

// vendorPatch is the body of PATCH /vendors/{id}: a JSON merge patch.
type vendorPatch struct {
	Name               Optional[string]              `json:"name"`
	LegalName          Optional[string]              `json:"legal_name"`
	Website            Optional[string]              `json:"website"`
	Service            Optional[string]              `json:"service"`
	OwnerEmail         Optional[string]              `json:"owner_email"`
	Status             Optional[domain.VendorStatus] `json:"status"`
	Criticality        Optional[domain.Criticality]  `json:"criticality"`
	Country            Optional[string]              `json:"country"`
	ParentVendorID     Optional[string]              `json:"parent_vendor_id"`
	ExternalRef        Optional[string]              `json:"external_ref"`
	TierOverride       Optional[domain.Tier]         `json:"tier_override"`
	TierOverrideReason Optional[string]              `json:"tier_override_reason"`
}

// patchField maps a merge-patch field to the domain's "nil = unchanged,
// pointer to zero = cleared".
func patchField[T any](o Optional[T]) *T {
	if !o.Set {
		return nil
	}
	v := o.Value // zero value when null
	return &v
}

func (p vendorPatch) toDomain() (domain.VendorInput, error) {
	var fe domain.FieldErrors
	for field, o := range map[string]bool{"name": p.Name.Null, "status": p.Status.Null, "criticality": p.Criticality.Null} {
		if o {
			fe.Add(field, "cannot be null")
		}
	}
	in := domain.VendorInput{
		Name: patchField(p.Name), LegalName: patchField(p.LegalName), Website: patchField(p.Website),
		Service: patchField(p.Service), OwnerEmail: patchField(p.OwnerEmail), Status: patchField(p.Status),
		Criticality: patchField(p.Criticality), Country: patchField(p.Country),
		ParentVendorID: patchField(p.ParentVendorID), ExternalRef: patchField(p.ExternalRef),
		TierOverride: patchField(p.TierOverride), TierOverrideReason: patchField(p.TierOverrideReason),
	}
	return in, fe.Err()
}

func setETag(c *gin.Context, version int64) {
	c.Header("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
}

// ifMatch reads If-Match: 0 when absent or "*", else the version it names.
// A value that is not one of our ETags can never match: 412.
func ifMatch(c *gin.Context) (int64, error) {
	s := strings.TrimSpace(c.GetHeader("If-Match"))
	if s == "" || s == "*" {
		return 0, nil
	}
	s = strings.TrimPrefix(s, "W/")
	n, err := strconv.ParseInt(strings.Trim(s, `"`), 10, 64)
	if err != nil || n < 1 {
		return 0, domain.ErrPrecondition
	}
	return n, nil
}

func (h *handlers) listVendors(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var f domain.VendorFilter
	if f.Status, err = enumQuery(c, "status", domain.VendorStatus.Valid, "prospect, onboarding, active, offboarding, terminated"); err != nil {
		writeError(c, err)
		return
	}
	if f.Criticality, err = enumQuery(c, "criticality", domain.Criticality.Valid, "critical, high, moderate, low"); err != nil {
		writeError(c, err)
		return
	}
	if f.Tier, err = enumQuery(c, "tier", domain.Tier.Valid, "critical, high, moderate, low"); err != nil {
		writeError(c, err)
		return
	}
	if f.Query = c.Query("q"); len(f.Query) > 200 {
		writeError(c, &badRequest{Field: "q", Message: "must be at most 200 characters"})
		return
	}
	if f.ReviewOverdue, err = h.reviewOverdueQuery(c); err != nil {
		writeError(c, err)
		return
	}
	if format, ok, err := exportFormat(c); err != nil {
		writeError(c, err)
		return
	} else if ok {
		h.exportVendors(c, format, f)
		return
	}
	page, err := h.vendors.List(c.Request.Context(), f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, h.vendorViews()))
}

func (h *handlers) createVendor(c *gin.Context) {
	var in vendorCreate
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		writeError(c, err)
		return
	}
	v, err := h.vendors.Create(c.Request.Context(), in.toDomain())
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, v.Version)
	c.Header("Location", "/api/v1/vendors/"+v.ID)
	writeJSON(c, http.StatusCreated, h.vendorView(v))
}

func (h *handlers) getVendor(c *gin.Context) {
	v, err := h.vendors.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, v.Version)
	writeJSON(c, http.StatusOK, h.vendorView(v))
}

func (h *handlers) patchVendor(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var p vendorPatch
	if err := decodeJSON(c, h.maxBody, &p); err != nil {
		writeError(c, err)
		return
	}
	in, err := p.toDomain()
	if err != nil {
		writeError(c, err)
		return
	}
	var v domain.Vendor
	err = onLatest(c.Request.Context(), version, func() (err error) {
		v, err = h.vendors.Update(c.Request.Context(), c.Param("id"), in, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, v.Version)
	writeJSON(c, http.StatusOK, h.vendorView(v))
}

func (h *handlers) deleteVendor(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := onLatest(c.Request.Context(), version, func() error {
		return h.vendors.Delete(c.Request.Context(), c.Param("id"), version)
	}); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
