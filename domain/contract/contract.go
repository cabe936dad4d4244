package contract

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// ContractStatus is where a contract is in its life.
type ContractStatus string

// Contract statuses.
const (
	ContractDraft      ContractStatus = "draft"
	ContractActive     ContractStatus = "active"
	ContractExpired    ContractStatus = "expired"
	ContractTerminated ContractStatus = "terminated"
)

// Valid reports whether s is a known status.
func (s ContractStatus) Valid() bool {
	switch s {
	case ContractDraft, ContractActive, ContractExpired, ContractTerminated:
		return true
	}
	return false
}

// Contract is an agreement with a vendor, with the clauses legal audits.
// The breach-notification clause is kept separately as versions (see
// ClauseVersion), so the clause in force at any instant can be recovered.
type Contract struct {
	ID                string         `json:"id"`
	VendorID          string         `json:"vendor_id"`
	Title             string         `json:"title"`
	Reference         string         `json:"reference"`
	Status            ContractStatus `json:"status"`
	EffectiveOn       domain.Date    `json:"effective_on"`
	ExpiresOn         domain.Date    `json:"expires_on"` // zero: no fixed end
	AutoRenew         bool           `json:"auto_renew"`
	RenewalNoticeDays int            `json:"renewal_notice_days"`
	GoverningLaw      string         `json:"governing_law"`
	AnnualValue       *domain.Money  `json:"annual_value"`
	Notes             string         `json:"notes"`

	// Clause flags.
	RightToAudit            bool          `json:"right_to_audit"`
	SubprocessorApproval    bool          `json:"subprocessor_approval"`
	DataReturnOrDestruction bool          `json:"data_return_or_destruction"`
	SecurityStandard        string        `json:"security_standard"` // e.g. "PCI DSS v4.0"
	DPA                     bool          `json:"dpa"`               // GDPR Art. 28 data processing agreement
	BAA                     bool          `json:"baa"`               // HIPAA business associate agreement
	CyberInsuranceMin       *domain.Money `json:"cyber_insurance_min"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Contract a domain.Versioned.
func (c Contract) EntityID() string { return c.ID }

// StoredVersion is the version it was read at.
func (c Contract) StoredVersion() int64 { return c.Version }

// RenewalNoticeDeadline is the last day to give notice of non-renewal:
// expires_on minus renewal_notice_days. Zero when the contract has no end.
func (c Contract) RenewalNoticeDeadline() domain.Date {
	if c.ExpiresOn.IsZero() {
		return domain.Date{}
	}
	return c.ExpiresOn.AddDays(-c.RenewalNoticeDays)
}

// ContractInput carries the writable fields for create and patch; nil
// leaves a field unchanged, a pointer to the zero value clears it.
type ContractInput struct {
	VendorID                *string
	Title                   *string
	Reference               *string
	Status                  *ContractStatus
	EffectiveOn             *domain.Date
	ExpiresOn               *domain.Date
	AutoRenew               *bool
	RenewalNoticeDays       *int
	GoverningLaw            *string
	AnnualValue             **domain.Money
	Notes                   *string
	RightToAudit            *bool
	SubprocessorApproval    *bool
	DataReturnOrDestruction *bool
	SecurityStandard        *string
	DPA                     *bool
	BAA                     *bool
	CyberInsuranceMin       **domain.Money
}

// MaxRenewalNoticeDays bounds renewal_notice_days (ten years).
const MaxRenewalNoticeDays = 3650

// Apply copies the set fields of in onto c and validates the result.
func (c *Contract) Apply(in ContractInput) error {
	var fe domain.FieldErrors
	text := func(dst, src *string, field string, required bool, maxLen int) {
		if src != nil {
			*dst = domain.CheckText(&fe, field, *src, required, maxLen)
		}
	}
	flag := func(dst, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	if in.VendorID != nil {
		c.VendorID = strings.TrimSpace(*in.VendorID)
	}
	text(&c.Title, in.Title, "title", true, 200)
	text(&c.Reference, in.Reference, "reference", false, 100)
	if in.Status != nil {
		c.Status = *in.Status
	}
	if in.EffectiveOn != nil {
		c.EffectiveOn = *in.EffectiveOn
	}
	if in.ExpiresOn != nil {
		c.ExpiresOn = *in.ExpiresOn
	}
	flag(&c.AutoRenew, in.AutoRenew)
	if in.RenewalNoticeDays != nil {
		c.RenewalNoticeDays = *in.RenewalNoticeDays
	}
	text(&c.GoverningLaw, in.GoverningLaw, "governing_law", false, 100)
	if in.AnnualValue != nil {
		c.AnnualValue = *in.AnnualValue
	}
	text(&c.Notes, in.Notes, "notes", false, 10000)
	flag(&c.RightToAudit, in.RightToAudit)
	flag(&c.SubprocessorApproval, in.SubprocessorApproval)
	flag(&c.DataReturnOrDestruction, in.DataReturnOrDestruction)
	text(&c.SecurityStandard, in.SecurityStandard, "security_standard", false, 200)
	flag(&c.DPA, in.DPA)
	flag(&c.BAA, in.BAA)
	if in.CyberInsuranceMin != nil {
		c.CyberInsuranceMin = *in.CyberInsuranceMin
	}

	if c.Title == "" && in.Title == nil {
		fe.Add("title", "is required")
	}
	if !domain.ValidID(c.VendorID) {
		fe.Add("vendor_id", "must be the id (UUID) of a vendor")
	}
	if !c.Status.Valid() {
		fe.Add("status", "must be one of draft, active, expired, terminated")
	}
	if c.EffectiveOn.IsZero() {
		fe.Add("effective_on", "is required (YYYY-MM-DD)")
	}
	if !c.ExpiresOn.IsZero() && !c.EffectiveOn.IsZero() && c.ExpiresOn.Before(c.EffectiveOn) {
		fe.Add("expires_on", "must not be before effective_on (%s)", c.EffectiveOn)
	}
	if c.RenewalNoticeDays < 0 || c.RenewalNoticeDays > MaxRenewalNoticeDays {
		fe.Add("renewal_notice_days", "must be from 0 to %d", MaxRenewalNoticeDays)
	}
	if c.AnnualValue != nil {
		c.AnnualValue.Check(&fe, "annual_value")
	}
	if c.CyberInsuranceMin != nil {
		c.CyberInsuranceMin.Check(&fe, "cyber_insurance_min")
	}
	return fe.Err()
}

// ContractFilter selects contracts in a list.
type ContractFilter struct {
	VendorID       string
	Status         ContractStatus
	ExpiringBefore domain.Date // expires_on before this date
	Query          string
}
