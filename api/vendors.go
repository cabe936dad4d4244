package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// vendorJSON is a vendor as the API shows it. Optional text is null when
// empty.
type vendorJSON struct {
	ID                 string                `json:"id"`
	Name               string                `json:"name"`
	LegalName          *string               `json:"legal_name"`
	Website            *string               `json:"website"`
	Service            *string               `json:"service"`
	OwnerEmail         *string               `json:"owner_email"`
	Status             register.VendorStatus `json:"status"`
	Criticality        register.Criticality  `json:"criticality"`
	Country            *string               `json:"country"`
	ParentVendorID     *string               `json:"parent_vendor_id"`
	ExternalRef        *string               `json:"external_ref"`
	LEI                *string               `json:"lei"`
	RegistrationNumber *string               `json:"registration_number"`
	Domain             *string               `json:"domain"`
	Tier               register.Tier         `json:"tier"`
	Risk               register.InherentRisk `json:"risk"`
	TierOverride       *string               `json:"tier_override"`
	TierOverrideReason *string               `json:"tier_override_reason"`
	LastReviewOn       *domain.Date          `json:"last_review_on"`
	NextReviewDue      *domain.Date          `json:"next_review_due"` // set by handlers.vendorView
	ReviewOverdue      bool                  `json:"review_overdue"`  // set by handlers.vendorView
	// Residual is the residual risk the scan last stored (null: not
	// computed, or out of the scan's scope); GET /vendors/{id}/risk
	// computes it now with its factors.
	Residual  *register.StoredResidual `json:"residual"`
	Version   int64                    `json:"version"`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// toVendorJSON converts the stored fields; handlers use vendorView, which
// adds the review status computed for today.
func toVendorJSON(v register.Vendor) vendorJSON {
	return vendorJSON{
		ID: v.ID, Name: v.Name, LegalName: null(v.LegalName), Website: null(v.Website),
		Service: null(v.Service), OwnerEmail: null(v.OwnerEmail), Status: v.Status, Criticality: v.Criticality,
		Country: null(v.Country), ParentVendorID: null(v.ParentVendorID), ExternalRef: null(v.ExternalRef),
		LEI: null(v.LEI), RegistrationNumber: null(v.RegistrationNumber), Domain: null(v.Domain),
		Tier: v.Tier(), Risk: v.Risk, TierOverride: null(string(v.TierOverride)), TierOverrideReason: null(v.TierOverrideReason),
		LastReviewOn: nullDate(v.LastReviewOn), Residual: v.Residual, Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

// vendorCreate is the body of POST /vendors.
type vendorCreate struct {
	Name               *string                `json:"name"`
	LegalName          *string                `json:"legal_name"`
	Website            *string                `json:"website"`
	Service            *string                `json:"service"`
	OwnerEmail         *string                `json:"owner_email"`
	Status             *register.VendorStatus `json:"status"`
	Criticality        *register.Criticality  `json:"criticality"`
	Country            *string                `json:"country"`
	ParentVendorID     *string                `json:"parent_vendor_id"`
	ExternalRef        *string                `json:"external_ref"`
	LEI                *string                `json:"lei"`
	RegistrationNumber *string                `json:"registration_number"`
	Domain             *string                `json:"domain"`
	TierOverride       *register.Tier         `json:"tier_override"`
	TierOverrideReason *string                `json:"tier_override_reason"`
}

func (in vendorCreate) toDomain() (register.VendorInput, error) {
	return register.VendorInput{
		Name: in.Name, LegalName: in.LegalName, Website: in.Website, Service: in.Service, OwnerEmail: in.OwnerEmail,
		Status: in.Status, Criticality: in.Criticality, Country: in.Country, ParentVendorID: in.ParentVendorID,
		ExternalRef: in.ExternalRef, LEI: in.LEI, RegistrationNumber: in.RegistrationNumber, Domain: in.Domain,
		TierOverride: in.TierOverride, TierOverrideReason: in.TierOverrideReason,
	}, nil
}

// vendorPatch is the body of PATCH /vendors/{id}: a JSON merge patch.
type vendorPatch struct {
	Name               Optional[string]                `json:"name"`
	LegalName          Optional[string]                `json:"legal_name"`
	Website            Optional[string]                `json:"website"`
	Service            Optional[string]                `json:"service"`
	OwnerEmail         Optional[string]                `json:"owner_email"`
	Status             Optional[register.VendorStatus] `json:"status"`
	Criticality        Optional[register.Criticality]  `json:"criticality"`
	Country            Optional[string]                `json:"country"`
	ParentVendorID     Optional[string]                `json:"parent_vendor_id"`
	ExternalRef        Optional[string]                `json:"external_ref"`
	LEI                Optional[string]                `json:"lei"`
	RegistrationNumber Optional[string]                `json:"registration_number"`
	Domain             Optional[string]                `json:"domain"`
	TierOverride       Optional[register.Tier]         `json:"tier_override"`
	TierOverrideReason Optional[string]                `json:"tier_override_reason"`
}

func (p vendorPatch) toDomain() (register.VendorInput, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"name", p.Name.Null}, nullable{"status", p.Status.Null},
		nullable{"criticality", p.Criticality.Null})
	in := register.VendorInput{
		Name: patchField(p.Name), LegalName: patchField(p.LegalName), Website: patchField(p.Website),
		Service: patchField(p.Service), OwnerEmail: patchField(p.OwnerEmail), Status: patchField(p.Status),
		Criticality: patchField(p.Criticality), Country: patchField(p.Country),
		ParentVendorID: patchField(p.ParentVendorID), ExternalRef: patchField(p.ExternalRef),
		LEI: patchField(p.LEI), RegistrationNumber: patchField(p.RegistrationNumber), Domain: patchField(p.Domain),
		TierOverride: patchField(p.TierOverride), TierOverrideReason: patchField(p.TierOverrideReason),
	}
	return in, fe.Err()
}

func (h *handlers) listVendors(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f, err := h.vendorFilter(c)
	if err != nil {
		return err
	}
	return listFiltered(c, f, p, h.vendors.List, h.vendorViews(), h.exportVendors)
}

// vendorFilter reads a vendor list's filters from the query string: the
// API's GET /vendors and the console's vendor list read the same ones.
func (h *handlers) vendorFilter(c *gin.Context) (register.VendorFilter, error) {
	var f register.VendorFilter
	var err error
	if f.Status, err = enumQuery(c, "status", register.VendorStatus.Valid, register.VendorStatusNames); err != nil {
		return f, err
	}
	if f.Criticality, err = enumQuery(c, "criticality", register.Criticality.Valid, "critical, high, moderate, low"); err != nil {
		return f, err
	}
	if f.Tier, err = enumQuery(c, "tier", register.Tier.Valid, "critical, high, moderate, low"); err != nil {
		return f, err
	}
	if f.ResidualTier, err = enumQuery(c, "residual_tier", register.Tier.Valid, "critical, high, moderate, low"); err != nil {
		return f, err
	}
	if f.Sort, err = enumQuery(c, "sort", register.VendorSort.Valid, "name, residual"); err != nil {
		return f, err
	}
	if f.Query = c.Query("q"); len(f.Query) > 200 {
		return f, &badRequest{Field: "q", Message: "must be at most 200 characters"}
	}
	f.ReviewOverdue, err = h.reviewOverdueQuery(c)
	return f, err
}

func (h *handlers) createVendor(c *gin.Context) error {
	return createVersioned[vendorCreate](c, h.maxBody, h.vendors.Create, h.vendorView)
}

func (h *handlers) getVendor(c *gin.Context) error {
	return getVersioned(c, h.vendors.Get, h.vendorView)
}

func (h *handlers) patchVendor(c *gin.Context) error {
	return patchVersioned[vendorPatch](c, h.maxBody, h.vendors.Update, h.vendorView)
}

func (h *handlers) deleteVendor(c *gin.Context) error {
	return deleteVersioned(c, h.vendors.Delete)
}

// vendorRiskNowJSON is the body of GET /vendors/{id}/risk.
type vendorRiskNowJSON struct {
	VendorID string                `json:"vendor_id"`
	Tier     register.Tier         `json:"tier"`
	Inherent register.InherentRisk `json:"inherent"`
	// Residual is computed now, from the same facts and function as the
	// scan; null when the vendor is outside the scan's scope.
	Residual *register.ResidualRisk `json:"residual"`
	// Stored is what the scan last stored on the vendor.
	Stored *register.StoredResidual `json:"stored"`
	// Config identifies the residual configuration in force (weights and
	// cut-offs); a stored score with another config was computed under
	// other weights.
	Config string    `json:"config"`
	AsOf   time.Time `json:"as_of"`
}

func (h *handlers) vendorRisk(c *gin.Context) error {
	ctx := c.Request.Context()
	v, err := h.vendors.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	r, err := h.scan.VendorRisk(ctx, v.ID)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, vendorRiskNowJSON{VendorID: v.ID, Tier: v.Tier(), Inherent: v.Risk, Residual: r.Residual,
		Stored: v.Residual, Config: r.Config, AsOf: r.AsOf})
	return nil
}

// residualConfigJSON is the body of GET /residual-config.
type residualConfigJSON struct {
	ID string `json:"id"`
	register.ResidualConfig
}

func (h *handlers) getResidualConfig(c *gin.Context) error {
	cfg := h.scan.ResidualConfig()
	writeJSON(c, http.StatusOK, residualConfigJSON{ID: cfg.ID(), ResidualConfig: cfg})
	return nil
}
