package register

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// VendorStatus is where a vendor is in its lifecycle.
type VendorStatus string

// Lifecycle statuses.
const (
	StatusProspect    VendorStatus = "prospect"
	StatusOnboarding  VendorStatus = "onboarding"
	StatusActive      VendorStatus = "active"
	StatusOffboarding VendorStatus = "offboarding"
	StatusTerminated  VendorStatus = "terminated"
	// StatusFourthParty is a provider known to us only through one of our
	// vendors (a sub-processor): we hold no contract with it.
	StatusFourthParty VendorStatus = "fourth_party"
)

// VendorStatuses lists the lifecycle statuses in order, fourth parties
// last.
var VendorStatuses = []VendorStatus{StatusProspect, StatusOnboarding, StatusActive, StatusOffboarding, StatusTerminated,
	StatusFourthParty}

// VendorStatusNames is the list of statuses for messages.
const VendorStatusNames = "prospect, onboarding, active, offboarding, terminated, fourth_party"

// Valid reports whether s is a known status.
func (s VendorStatus) Valid() bool {
	for _, v := range VendorStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Criticality is how much the business depends on the vendor's service.
type Criticality string

// Criticality levels.
const (
	CriticalityCritical Criticality = "critical"
	CriticalityHigh     Criticality = "high"
	CriticalityModerate Criticality = "moderate"
	CriticalityLow      Criticality = "low"
)

// Valid reports whether c is a known criticality.
func (c Criticality) Valid() bool {
	_, ok := criticalityPoints[c]
	return ok
}

// Vendor is a third party we share data or depend on.
type Vendor struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"` // unique, case-insensitively
	LegalName      string       `json:"legal_name"`
	Website        string       `json:"website"`
	Service        string       `json:"service"`     // what the vendor does for us
	OwnerEmail     string       `json:"owner_email"` // our internal owner of the relationship
	Status         VendorStatus `json:"status"`
	Criticality    Criticality  `json:"criticality"`
	Country        string       `json:"country"` // ISO 3166-1 alpha-2 of the vendor's seat
	ParentVendorID string       `json:"parent_vendor_id"`
	ExternalRef    string       `json:"external_ref"` // id in another system; unique when set

	// Legal identifiers, which match one provider record however many
	// vendors name it: the ISO 17442 Legal Entity Identifier (unique when
	// set), the company register's number and the main internet domain.
	LEI                string `json:"lei"`
	RegistrationNumber string `json:"registration_number"`
	Domain             string `json:"domain"`

	// Risk: the computed inherent risk and an optional manual override.
	Risk               InherentRisk `json:"risk"`
	TierOverride       Tier         `json:"tier_override"`
	TierOverrideReason string       `json:"tier_override_reason"`
	MaxSensitivity     int          `json:"max_sensitivity"` // input to Risk, maintained from data handling
	MaxRecords         int64        `json:"max_records"`     // input to Risk, maintained from data handling

	// LastReviewOn is the latest performed_on of the vendor's reviews (zero:
	// never reviewed), maintained by ReviewService; vendor writes never set
	// it and it does not move the version.
	LastReviewOn domain.Date `json:"last_review_on"`

	// Residual is the residual risk the compliance scan last stored (nil:
	// not computed, or the vendor is out of the scan's scope). Like
	// LastReviewOn, vendor writes never set it and it does not move the
	// version.
	Residual *StoredResidual `json:"residual"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Vendor a domain.Versioned.
func (v Vendor) EntityID() string { return v.ID }

// StoredVersion is the version it was read at.
func (v Vendor) StoredVersion() int64 { return v.Version }

// Tier is the effective tier: the override when set, else the computed one.
func (v Vendor) Tier() Tier {
	if v.TierOverride != "" {
		return v.TierOverride
	}
	return v.Risk.Tier
}

// NameKey is the case-insensitive form of a vendor name used for
// uniqueness, search and ordering; computed in Go so both databases agree.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// VendorInput carries the writable fields of a vendor for create and for
// patch. For a patch, nil means "leave unchanged"; a pointer to "" clears
// an optional field.
type VendorInput struct {
	Name               *string
	LegalName          *string
	Website            *string
	Service            *string
	OwnerEmail         *string
	Status             *VendorStatus
	Criticality        *Criticality
	Country            *string
	ParentVendorID     *string
	ExternalRef        *string
	LEI                *string
	RegistrationNumber *string
	Domain             *string
	TierOverride       *Tier
	TierOverrideReason *string
}

// Defaults for a new vendor.
const (
	DefaultVendorStatus      = StatusProspect
	DefaultVendorCriticality = CriticalityModerate
)

// Apply copies the set fields of in onto v and validates the result. It
// does not check that ParentVendorID exists; the service does.
func (v *Vendor) Apply(in VendorInput) error {
	var fe domain.FieldErrors
	set := func(dst *string, src *string, field string, maxLen int) {
		if src != nil {
			*dst = domain.CheckText(&fe, field, *src, false, maxLen)
		}
	}
	if in.Name != nil {
		v.Name = domain.CheckText(&fe, "name", *in.Name, true, 200)
	}
	set(&v.LegalName, in.LegalName, "legal_name", 200)
	set(&v.Service, in.Service, "service", 500)
	if in.Website != nil {
		v.Website = domain.CheckURL(&fe, "website", *in.Website)
	}
	if in.OwnerEmail != nil {
		v.OwnerEmail = domain.CheckEmail(&fe, "owner_email", *in.OwnerEmail)
	}
	if in.Status != nil {
		v.Status = *in.Status
	}
	if in.Criticality != nil {
		v.Criticality = *in.Criticality
	}
	if in.Country != nil {
		v.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
	}
	if in.ParentVendorID != nil {
		v.ParentVendorID = strings.TrimSpace(*in.ParentVendorID)
	}
	set(&v.ExternalRef, in.ExternalRef, "external_ref", 100)
	if in.LEI != nil {
		v.LEI = strings.ToUpper(strings.TrimSpace(*in.LEI))
		if err := ValidLEI(v.LEI); v.LEI != "" && err != nil {
			fe.Add("lei", "%s", err.Error())
		}
	}
	set(&v.RegistrationNumber, in.RegistrationNumber, "registration_number", 100)
	if in.Domain != nil {
		v.Domain = NormalizeDomain(*in.Domain)
		if v.Domain != "" && !validDomain(v.Domain) {
			fe.Add("domain", "must be an internet domain name such as example.com")
		}
	}
	if in.TierOverride != nil {
		v.TierOverride = *in.TierOverride
	}
	set(&v.TierOverrideReason, in.TierOverrideReason, "tier_override_reason", 1000)

	if v.Name == "" && in.Name == nil {
		fe.Add("name", "is required")
	}
	if !v.Status.Valid() {
		fe.Add("status", "must be one of %s", VendorStatusNames)
	}
	if !v.Criticality.Valid() {
		fe.Add("criticality", "must be one of critical, high, moderate, low")
	}
	if msg := domain.CheckCountry(v.Country); v.Country != "" && msg != "" {
		fe.Add("country", "%s", msg)
	}
	if v.ParentVendorID != "" {
		if !domain.ValidID(v.ParentVendorID) {
			fe.Add("parent_vendor_id", "must be the id (UUID) of another vendor")
		} else if v.ParentVendorID == v.ID {
			fe.Add("parent_vendor_id", "a vendor cannot be its own parent")
		}
	}
	switch {
	case v.TierOverride != "" && !v.TierOverride.Valid():
		fe.Add("tier_override", "must be one of critical, high, moderate, low")
	case v.TierOverride != "" && v.TierOverrideReason == "":
		fe.Add("tier_override_reason", "is required when tier_override is set")
	case v.TierOverride == "":
		v.TierOverrideReason = ""
	}
	v.Risk = ComputeInherentRisk(RiskInputs{MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords, Criticality: v.Criticality})
	return fe.Err()
}

// VendorFilter selects vendors in a list.
type VendorFilter struct {
	Status      VendorStatus
	Criticality Criticality
	Tier        Tier
	Query       string // case-insensitive substring of the name
	// ReviewOverdue, when set, keeps vendors whose review is (or is not)
	// overdue; see ReviewService.OverdueFilter.
	ReviewOverdue *ReviewOverdueFilter
	// ResidualTier keeps vendors whose stored residual tier is this one.
	ResidualTier Tier
	// Sort orders the list: by name (the default) or by residual score.
	Sort VendorSort
}

// VendorSort is the order of a vendor list.
type VendorSort string

// Vendor list orders.
const (
	// SortByName orders by name, case-insensitively.
	SortByName VendorSort = "name"
	// SortByResidual orders by stored residual score, highest first, then
	// by name; vendors without a residual score come last.
	SortByResidual VendorSort = "residual"
)

// Valid reports whether s is a known order ("" is the default, by name).
func (s VendorSort) Valid() bool { return s == "" || s == SortByName || s == SortByResidual }

// ReviewOverdueFilter selects vendors in a list by whether their review
// is overdue, set-based: Cutoffs holds, per tier, the ReviewOverdueCutoff
// of that tier's cadence. Overdue true keeps vendors whose last review is
// before their tier's cut-off; false keeps the others, including vendors
// never reviewed.
type ReviewOverdueFilter struct {
	Overdue bool
	Cutoffs map[Tier]domain.Date
}
