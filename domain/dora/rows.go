package dora

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Level is the scope of a filing: an individual entity or its group.
type Level string

// The levels of a filing, as the package name and entityID spell them.
const (
	Individual   Level = "IND"
	Consolidated Level = "CON"
)

// Valid reports whether l is IND or CON.
func (l Level) Valid() bool { return l == Individual || l == Consolidated }

// OpenEnd is the date the register writes for an arrangement or service
// without an end.
const OpenEnd = "9999-12-31"

// Module is the taxonomy module the package extends (DORA 4.0, module
// version 1.1.0: DORA010100).
const (
	ModuleCode  = "DORA010100"
	ModuleURL   = "http://www.eba.europa.eu/eu/fr/xbrl/crr/fws/dora/4.0/mod/dora.json"
	Framework   = "DORA"
	DecimalsInt = "0"  // decimalsInteger: counts of days, hours and ranks
	DecimalsMon = "-3" // decimalsMonetary: amounts, accurate to the thousand at least
)

// Scope is what one filing covers: the filing entity, the level and the
// reference date. At IND only the filing entity's own arrangements and
// functions are in it; at CON every entity of the register.
type Scope struct {
	EntityLEI     string
	Level         Level
	ReferenceDate domain.Date
}

// Source streams the rows of the register's templates for a scope, each
// set in a stable order, one row at a time (no whole-table loads).
type Source interface {
	// Entities are the entities in scope (B_01.02), by LEI.
	Entities(ctx context.Context, sc Scope, fn func(Entity) error) error
	// Arrangements are the contracts with arrangement facts in scope, by
	// reference (B_02.01, B_03.01, B_03.02, B_04.01).
	Arrangements(ctx context.Context, sc Scope, fn func(ArrangementRow) error) error
	// ServiceFunctions are the ICT services of those contracts, one row per
	// function each supports (one row with no function when it supports
	// none), by reference, service type and function (B_02.02).
	ServiceFunctions(ctx context.Context, sc Scope, fn func(ServiceRow) error) error
	// Providers are the direct providers of those contracts, the providers
	// of their supply chains and the ultimate parents, by vendor (B_05.01).
	Providers(ctx context.Context, sc Scope, fn func(ProviderRow) error) error
	// SupplyChain is each contract's ICT services and the providers down its
	// chain of sub-processors, rank 1 the direct provider (B_05.02).
	SupplyChain(ctx context.Context, sc Scope, fn func(ChainRow) error) error
	// Functions are the functions of the entities in scope (B_06.01).
	Functions(ctx context.Context, sc Scope, fn func(Function) error) error
	// Assessments are the contracts' ICT services, one row each (B_07.01).
	Assessments(ctx context.Context, sc Scope, fn func(ServiceRow) error) error
}

// Party is a provider's identification: its code and the type of code.
type Party struct {
	VendorID string
	LEI      string // the vendor's LEI ("" when it has none)
	EUID     string
}

// ID is the code that identifies the party: its LEI, else its EUID.
func (p Party) ID() string {
	if p.LEI != "" {
		return p.LEI
	}
	return p.EUID
}

// IDType is the type of ID (LEI or EUID; "" when there is no code).
func (p Party) IDType() string {
	switch {
	case p.LEI != "":
		return "LEI"
	case p.EUID != "":
		return "EUID"
	}
	return ""
}

// ArrangementRow is one contractual arrangement with what the templates
// need from its contract and vendor.
type ArrangementRow struct {
	ContractID     string
	Reference      string
	Type           string
	OverarchingRef string
	// Expense is the annual expense (the arrangement's, else the
	// contract's annual value; nil: unknown).
	Expense   *domain.Money
	EntityLEI string
	Provider  Party
}

// ServiceRow is one ICT service of a contract, for one function it supports
// (B_02.02) or once (B_07.01).
type ServiceRow struct {
	ContractID  string
	Reference   string
	EntityLEI   string
	Provider    Party
	ServiceType string
	// Function is the function supported (zero in B_07.01 rows, and when
	// the service supports none); FunctionCritical its criticality.
	Function         FunctionRef
	FunctionCritical bool
	// Start and End are the service's dates, else the contract's (a zero
	// End: open-ended).
	Start, End          domain.Date
	TerminationReason   string
	NoticeEntityDays    *int
	NoticeProviderDays  *int
	GoverningLawCountry string
	ProvisionCountry    string
	StoresData          *bool
	StorageCountry      string
	ProcessingCountry   string
	// Sensitivity is the service's, else derived from the most sensitive
	// data category the vendor handles (SensitivityFromCategories).
	Sensitivity            string
	Reliance               string
	Substitutability       string
	NotSubstitutableReason string
	LastAuditOn            domain.Date
	ExitPlan               *bool
	Reintegration          string
	DiscontinuationImpact  string
	Alternatives           string
	AlternativeProviders   string
}

// ProviderRow is one ICT third-party service provider.
type ProviderRow struct {
	Party
	Name       string // the vendor's legal name, else its name
	PersonType string
	HQCountry  string // the provider's, else the vendor's country
	// Expense is the total annual expense of the direct arrangements with
	// it, in the filing entity's currency (nil for providers down the chain).
	Expense *domain.Money
	// Parent is the ultimate parent undertaking (zero: the provider itself).
	Parent Party
}

// ChainRow is one provider of a contract's ICT service supply chain.
type ChainRow struct {
	Reference   string
	ServiceType string
	Provider    Party
	Rank        int
	// Recipient is the provider that receives the sub-contracted service
	// (the provider itself at rank 1).
	Recipient Party
}

// SensitivityFromCategories maps the highest sensitivity (1 to 4) of the
// data categories a vendor handles to the register's scale: 1 low, 2
// medium, 3 and 4 high; 0 (no data) is no value.
func SensitivityFromCategories(max int) string {
	switch {
	case max <= 0:
		return ""
	case max == 1:
		return "low"
	case max == 2:
		return "medium"
	}
	return "high"
}

// Template is one table of the register: its code and its columns.
type Template struct {
	ID      string   // e.g. B_02.02 (the filing indicator)
	Columns []string // c0010...
}

// File is the template's CSV file name in reports/ (e.g. b_02.02.csv).
func (t Template) File() string {
	b := []byte(t.ID)
	b[0] = 'b'
	return string(b) + ".csv"
}

func cols(codes ...int) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = "c" + pad4(c)
	}
	return out
}

func span(from, to int) []string {
	var codes []int
	for c := from; c <= to; c += 10 {
		codes = append(codes, c)
	}
	return cols(codes...)
}

func pad4(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// Templates are the register's tables in filing order, with the columns of
// the DORA 4.0 taxonomy.
var Templates = []Template{
	{"B_01.01", span(10, 60)},
	{"B_01.02", span(10, 110)},
	{"B_01.03", span(10, 40)},
	{"B_02.01", span(10, 50)},
	{"B_02.02", span(10, 180)},
	{"B_02.03", span(10, 30)},
	{"B_03.01", span(10, 30)},
	{"B_03.02", span(10, 30)},
	{"B_03.03", cols(10, 20, 31)},
	{"B_04.01", span(10, 40)},
	{"B_05.01", span(10, 120)},
	{"B_05.02", span(10, 70)},
	{"B_06.01", span(10, 100)},
	{"B_07.01", span(10, 120)},
	{"B_99.01", span(10, 190)},
}

// TemplateByID returns the template with that code.
func TemplateByID(id string) (Template, bool) {
	for _, t := range Templates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// The rows each template writes, as CSV cells in its column order.

// B0101 is the filing entity's row.
func B0101(e Entity, sc Scope) []string {
	return []string{e.LEI, e.Name, Country(e.Country), EntityTypes.QName(e.EntityType), e.CompetentAuthority,
		sc.ReferenceDate.String()}
}

// B0102 is an entity in scope.
func B0102(e Entity) []string {
	parent := e.ParentLEI
	if parent == "" && e.Hierarchy == "ultimate_parent" {
		parent = e.LEI
	}
	var assets string
	if e.TotalAssetsMinor != nil {
		assets = Amount(domain.Money{AmountMinor: *e.TotalAssetsMinor, Currency: e.Currency})
	}
	return []string{e.LEI, e.Name, Country(e.Country), EntityTypes.QName(e.EntityType), Hierarchies.QName(e.Hierarchy),
		parent, dateOf(e.UpdatedAt), dateOf(e.CreatedAt), OpenEnd, Currency(e.Currency), assets}
}

// B0201 is an arrangement's general row.
func B0201(a ArrangementRow) []string {
	var cur, amount string
	if a.Expense != nil {
		cur, amount = Currency(a.Expense.Currency), Amount(*a.Expense)
	}
	return []string{a.Reference, ArrangementTypes.QName(a.Type), a.OverarchingRef, cur, amount}
}

// B0301 is the entity signing an arrangement.
func B0301(a ArrangementRow) []string { return []string{a.Reference, a.EntityLEI, "true"} }

// B0302 is the provider signing an arrangement.
func B0302(a ArrangementRow) []string {
	return []string{a.Reference, a.Provider.ID(), IdentifierTypes.QName(a.Provider.IDType())}
}

// B0401 is the entity making use of an arrangement's services.
func B0401(a ArrangementRow) []string {
	return []string{a.Reference, a.EntityLEI, Natures.QName("not_branch"), ""}
}

// B0202 is an ICT service of an arrangement for one function.
func B0202(s ServiceRow) []string {
	storage, processing := Country(s.StorageCountry), Country(s.ProcessingCountry)
	return []string{s.Reference, s.EntityLEI, s.Provider.ID(), IdentifierTypes.QName(s.Provider.IDType()),
		s.Function.FunctionID, ServiceTypes.QName(s.ServiceType), dateOrEmpty(s.Start), endDate(s.End),
		TerminationReasons.QName(s.TerminationReason), intOrEmpty(s.NoticeEntityDays), intOrEmpty(s.NoticeProviderDays),
		Country(s.GoverningLawCountry), Country(s.ProvisionCountry), Binary(s.StoresData), storage, processing,
		Sensitivities.QName(s.Sensitivity), Reliances.QName(s.Reliance)}
}

// B0501 is an ICT third-party service provider.
func B0501(p ProviderRow) []string {
	var cur, amount string
	if p.Expense != nil {
		cur, amount = Currency(p.Expense.Currency), Amount(*p.Expense)
	}
	parent := p.Parent
	if parent.ID() == "" {
		parent = p.Party
	}
	return []string{p.ID(), IdentifierTypes.QName(p.IDType()), "", "", p.Name, p.Name, PersonTypes.QName(p.PersonType),
		Country(p.HQCountry), cur, amount, parent.ID(), IdentifierTypes.QName(parent.IDType())}
}

// B0502 is a provider of a service's supply chain.
func B0502(c ChainRow) []string {
	return []string{c.Reference, ServiceTypes.QName(c.ServiceType), c.Provider.ID(),
		IdentifierTypes.QName(c.Provider.IDType()), strconv.Itoa(c.Rank), c.Recipient.ID(),
		IdentifierTypes.QName(c.Recipient.IDType())}
}

// B0601 is a function.
func B0601(f Function) []string {
	return []string{f.FunctionID, f.LicensedActivity, f.Name, f.EntityLEI, Assessments.QName(f.Criticality),
		f.CriticalityReasons, dateOrEmpty(f.LastAssessedOn), intOrEmpty(f.RTOHours), intOrEmpty(f.RPOHours),
		Impacts.QName(f.DiscontinuationImpact)}
}

// B0701 is the assessment of an arrangement's ICT service.
func B0701(s ServiceRow) []string {
	return []string{s.Reference, s.Provider.ID(), IdentifierTypes.QName(s.Provider.IDType()),
		ServiceTypes.QName(s.ServiceType), Substitutabilities.QName(s.Substitutability),
		NotSubstitutableReasons.QName(s.NotSubstitutableReason), dateOrEmpty(s.LastAuditOn), Binary(s.ExitPlan),
		Reintegrations.QName(s.Reintegration), Impacts.QName(s.DiscontinuationImpact),
		Assessments.QName(s.Alternatives), s.AlternativeProviders}
}

// Amount writes m in major units, with its currency's minor digits when
// it has a fractional part (none for JPY, three for BHD, two for most).
func Amount(m domain.Money) string {
	digits := m.MinorDigits()
	unit := int64(1)
	for range digits {
		unit *= 10
	}
	whole, minor := m.AmountMinor/unit, m.AmountMinor%unit
	if minor == 0 {
		return strconv.FormatInt(whole, 10)
	}
	return fmt.Sprintf("%d.%0*d", whole, digits, minor)
}

func dateOrEmpty(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func endDate(d domain.Date) string {
	if d.IsZero() {
		return OpenEnd
	}
	return d.String()
}

func intOrEmpty(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return OpenEnd
	}
	return domain.DateOf(t).String()
}

// GoverningLawCountry is the country of an arrangement's governing law: the
// arrangement's own, else the contract's governing law when that is an ISO
// 3166-1 alpha-2 code, alone or leading a subdivision (US-NY).
func GoverningLawCountry(arrangement, contractLaw string) string {
	if arrangement != "" {
		return arrangement
	}
	s := strings.ToUpper(strings.TrimSpace(contractLaw))
	if len(s) == 2 || (len(s) > 3 && s[2] == '-') {
		if cc := s[:2]; domain.ValidCountry(cc) {
			return cc
		}
	}
	return ""
}
