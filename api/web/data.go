package web

import (
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// Page is what every page renders: its title, who is signed in (nil on
// the sign-in page), the CSRF token its forms carry, and its own data.
type Page struct {
	Title string
	User  *User
	// CSRF is the token of the hidden csrf field of every form.
	CSRF string
	// Nav is the section of the main navigation the page is in
	// ("overview", "vendors", "findings"), marked as the current one.
	Nav  string
	Body any
}

// User is the signed-in person, as the header shows them.
type User struct {
	Name  string
	Email string
	Role  domain.Role
	// Onboard: the role may create vendors; the navigation links the
	// onboarding flow.
	Onboard bool
}

// Link is an entry point of the service, listed on the sign-in page.
type Link struct {
	Name, Path, Note string
}

// SignIn is the sign-in form: what was typed (never the password), the
// one error message, and where to go after.
type SignIn struct {
	Email string
	Error string
	Next  string
	Links []Link
	// SSO: single sign-on is configured; the page offers it.
	SSO bool
}

// Password is the password change form, with a message per field.
type Password struct {
	Required bool // the password was generated and must be changed first
	Errors   map[string]string
	Done     bool
}

// Error is an error page.
type Error struct {
	Status    int
	Message   string
	RequestID string
	// Errors name the fields (or query parameters) at fault.
	Errors []domain.FieldError
}

// Option is one choice of a filter's select.
type Option struct {
	Value, Label string
}

// Select is a filter field: its name (the query parameter), its label,
// the choices and the value chosen ("": any).
type Select struct {
	Name, Label string
	Options     []Option
	Value       string
	// Required: there is no "any" choice; "" selects the first.
	Required bool
}

// Pager links a keyset-paginated list's pages: Next is the address of
// the next page ("" on the last); First that of the first page, set when
// this is not the first.
type Pager struct {
	Next, First string
}

// Vendors is the vendor list at /vendors: the search, the filters, one
// page of rows and the links to the other pages.
type Vendors struct {
	Query   string
	Filters []Select
	Sort    Select
	Rows    []VendorRow
	Pager   Pager
	// Filtered says a search or filter is applied (the empty list then
	// says so).
	Filtered bool
}

// VendorRow is a vendor in the list.
type VendorRow struct {
	ID, Name, Service string
	Status            register.VendorStatus
	Criticality       register.Criticality
	Tier              register.Tier
	Score             int
	Overridden        bool // the tier is an override, not the score's
	// Residual is the residual risk the scan last stored (nil: none).
	Residual      *register.StoredResidual
	NextReviewDue domain.Date
	ReviewOverdue bool
}

// VendorPage is a vendor's page at /vendors/{id}: everything the API
// says of the vendor, read through the same service calls.
type VendorPage struct {
	Vendor register.Vendor
	// CanEdit: the role may edit the profile (the API's PATCH
	// /vendors/{id}); the page links the edit form.
	CanEdit       bool
	Tier          register.Tier // the effective tier (override or computed)
	NextReviewDue domain.Date
	ReviewOverdue bool
	Handling      []register.DataHandling
	// Risk is GET /vendors/{id}/risk: the inherent risk, the residual risk
	// computed now (nil outside the scan's scope) and what the scan stored.
	Inherent register.InherentRisk
	Residual *register.ResidualRisk
	Stored   *register.StoredResidual
	Config   string
	AsOf     time.Time
	// Contracts with the clause in force; the vendor's clause audit.
	Contracts   []ContractRow
	ClauseAudit []ClauseVerdict
	// Attestations with days to expiry; the evidence requirements.
	Attestations []AttestationRow
	Evidence     []attestation.RequirementStatus
	Reviews      []ReviewRow
	Incidents    []incident.IncidentView
	// Timeliness is the vendor's notification-timeliness history.
	Timeliness Timeliness
	Findings   []FindingRow
	// SupplyChain is the tree of providers below the vendor, depth first
	// (GET /vendors/{id}/supply-chain); Dependents the first vendors of ours
	// above it (GET /vendors/{id}/dependents) of DependentsTotal.
	SupplyChain     []register.ChainLink
	Dependents      []register.UpstreamVendor
	DependentsTotal int
	// More says a section shows only its first rows (its limit).
	More map[string]bool
	// Limit is how many rows a section shows at most.
	Limit int
}

// ContractRow is a contract with its breach-notification clause in words.
type ContractRow struct {
	contract.Contract
	Clause          string // "" without a clause in force
	DaysUntilExpiry *int
}

// ClauseVerdict is one requirement of the clause audit, with the title of
// the contract judged.
type ClauseVerdict struct {
	contract.ClauseFinding
	ContractTitle string
}

// AttestationRow is an attestation with its kind's name and days to expiry.
type AttestationRow struct {
	attestation.Attestation
	KindName string
	DaysLeft int // negative: expired
}

// ReviewRow is a review with the next due date it sets.
type ReviewRow struct {
	review.Review
	NextDue domain.Date
}

// FindingRow is a finding with its rule's title and its vendor's name.
type FindingRow struct {
	finding.Finding
	RuleTitle  string
	VendorName string
	// About names the finding's subject from its facts ("GDPR, supervisory
	// authority"); "" when they say nothing more than the rule.
	About string
}

// Findings is the triage list at /findings: its filters, one page of
// findings and the links to the other pages.
type Findings struct {
	Filters  []Select
	VendorID string // a vendor's findings only ("" for all)
	Vendor   string // that vendor's name
	Rows     []FindingRow
	Pager    Pager
	Filtered bool
}

// Fact is one fact a rule recorded, in words.
type Fact struct {
	Name, Value string
}

// FindingPage is a finding at /findings/{id}: what the rule saw, where it
// stands, and the triage forms for the roles that may decide.
type FindingPage struct {
	Row         FindingRow
	Explanation string // the rule's
	Facts       []Fact
	// CanTriage: the role may change findings (the API's PATCH
	// /findings/{id}); the forms are shown.
	CanTriage bool
	// Form is what was typed in the form sent (kept on errors), and the
	// message per field.
	Form TriageForm
	// Conflict is set when the finding changed since the form was read:
	// nothing was saved; Row is the finding as it is now.
	Conflict *TriageForm
	// Saved is the status just saved ("" when nothing was).
	Saved string
	// MinUntil is the first date an acceptance may run until (tomorrow).
	MinUntil domain.Date
}

// TriageForm is a triage decision as sent: the status chosen, the
// reason and expiry of a risk acceptance, the version read, and the
// message per field.
type TriageForm struct {
	Status        string
	Reason        string
	AcceptedUntil string
	Version       int64
	Errors        map[string]string
}
