package web

import (
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
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
}

// Password is the password change form, with a message per field.
type Password struct {
	Required bool // the password was generated and must be changed first
	Errors   map[string]string
	Done     bool
}

// Overview is the executive overview at /.
type Overview struct {
	// Portfolio is false when the role may not read the dashboard read
	// model: the tier tables are not shown.
	Portfolio     bool
	Vendors       int64
	Tiers         []TierCount
	ResidualTiers []TierCount
	Findings      []finding.SeverityCount
	OpenFindings  int64
}

// TierCount is how many vendors have a tier.
type TierCount struct {
	Tier    register.Tier
	Vendors int64
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
	// Residual is the residual risk the scan last stored (nil: none).
	Residual      *register.StoredResidual
	NextReviewDue domain.Date
	ReviewOverdue bool
}
