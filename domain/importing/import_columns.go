package importing

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The column layouts of the import templates, which exports use too, so an
// exported file edited in a spreadsheet can be imported back.

func enumValues[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var boolValues = []string{"TRUE", "FALSE"}

var vendorColumns = []ImportColumn{
	{Field: "external_ref", Header: "External ref", Type: ColText, Example: "ERP-1001",
		Note:     "Your id for the vendor in another system (ERP, procurement). Rows match existing vendors by this first, then by name. Optional; unique when set.",
		Synonyms: []string{"external reference", "external id", "ext ref", "vendor ref", "supplier id", "vendor number"}},
	{Field: "name", Header: "Vendor name", Type: ColText, Example: "Acme Payments Ltd", Required: true,
		Note:     "The vendor's name, unique (case-insensitive). Rows without an external_ref match an existing vendor by this name.",
		Synonyms: []string{"vendor", "supplier", "supplier name", "company", "company name", "vendor_name"}},
	{Field: "legal_name", Header: "Legal name", Type: ColText, Example: "Acme Payments Limited", Note: "Registered legal entity name.",
		Synonyms: []string{"legal entity", "registered name", "legal entity name"}},
	{Field: "website", Header: "Website", Type: ColText, Example: "https://acme-payments.example", Note: "Absolute http or https URL.",
		Synonyms: []string{"url", "web site", "homepage", "web"}},
	{Field: "service", Header: "Service", Type: ColText, Example: "Card payments on the checkout page", Note: "What the vendor does for us (at most 500 characters).",
		Synonyms: []string{"services", "description", "service provided", "service description"}},
	{Field: "owner_email", Header: "Owner email", Type: ColText, Example: "payments@example.com", Note: "Email of our internal owner of the relationship.",
		Synonyms: []string{"owner", "relationship owner", "business owner", "owner e-mail", "email"}},
	{Field: "status", Header: "Status", Type: ColEnum, Example: "active", Values: enumValues(register.VendorStatuses...),
		Note:     "Lifecycle status. Empty: prospect for a new vendor, unchanged for an existing one.",
		Synonyms: []string{"vendor status", "lifecycle status", "lifecycle"}},
	{Field: "criticality", Header: "Criticality", Type: ColEnum, Example: "high",
		Values:   enumValues(register.CriticalityCritical, register.CriticalityHigh, register.CriticalityModerate, register.CriticalityLow),
		Note:     "How much the business depends on the vendor. Empty: moderate for a new vendor, unchanged for an existing one.",
		Synonyms: []string{"business criticality", "importance"}},
	{Field: "country", Header: "Country", Type: ColText, Example: "GB", List: ListCountries, Note: "ISO 3166-1 alpha-2 code of the vendor's seat, e.g. US, GB, DE.",
		Synonyms: []string{"country code", "hq country", "headquarters country"}},
	{Field: "tier_override", Header: "Tier override", Type: ColEnum,
		Values: enumValues(register.CriticalityCritical, register.CriticalityHigh, register.CriticalityModerate, register.CriticalityLow),
		Note:   "Manual override of the computed risk tier; needs a reason."},
	{Field: "tier_override_reason", Header: "Tier override reason", Type: ColText, Note: "Why the tier is overridden."},
	{Field: "lei", Header: "LEI", Type: ColText, Example: "HWUPKR0MPOU8FGXBT394",
		Note:     "ISO 17442 Legal Entity Identifier: 20 characters whose last two are check digits (verified). Optional; unique when set.",
		Synonyms: []string{"legal entity identifier", "lei code"}},
	{Field: "registration_number", Header: "Registration number", Type: ColText, Example: "01234567",
		Note:     "The company register's number.",
		Synonyms: []string{"company number", "registration no", "company registration number", "crn"}},
	{Field: "domain", Header: "Domain", Type: ColText, Example: "acme-payments.example",
		Note:     "The main internet domain; a URL is reduced to its host.",
		Synonyms: []string{"internet domain", "domain name"}},
}

func categoryCodes() []string {
	cats := register.DataCategories()
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = c.Code
	}
	return out
}

var vendorRefColumn = ImportColumn{Field: "vendor", Header: "Vendor", Type: ColText, Required: true,
	List: ListVendors, Example: "Acme Payments Ltd",
	Note:     "The vendor: its external_ref or its name (case-insensitive). The template's drop-down lists the names of the vendors in the register. The vendor must exist: import vendors first.",
	Synonyms: []string{"vendor name", "supplier", "vendor external ref", "vendor ref"}}

var handlingColumns = []ImportColumn{
	vendorRefColumn,
	{Field: "category", Header: "Data category", Type: ColEnum, Example: "cardholder_data", Required: true, Values: categoryCodes(),
		Note: "Data category code; GET /api/v1/data-categories lists them. Rows match existing records by vendor and category.", Synonyms: []string{"data type"}},
	{Field: "access", Header: "Access", Type: ColEnum, Example: "stores, transmits", Required: true,
		Values: []string{"stores", "processes", "transmits", "stores, processes", "stores, transmits", "processes, transmits", "stores, processes, transmits"},
		Note:   "What the vendor does with the data: one or more of stores, processes, transmits, comma-separated."},
	{Field: "record_count", Header: "Record count", Type: ColInteger, Example: "250000", Note: "Approximate number of records or data subjects.",
		Synonyms: []string{"records", "number of records", "volume"}},
	{Field: "jurisdictions", Header: "Jurisdictions", Type: ColList, Example: "GB, EU, US-CA", List: ListJurisdictions,
		Note: "Where the data subjects live, comma-separated: countries (US, GB), EU, or US states (US-CA)."},
	{Field: "systems", Header: "Systems", Type: ColList, Example: "checkout", Note: "Our systems the data flows from, comma-separated."},
	{Field: "notes", Header: "Notes", Type: ColText, Example: "Card numbers are tokenised after authorisation.", Note: "Free text."},
}

var unitValues = enumValues(domain.UnitHours, domain.UnitCalendarDays, domain.UnitBusinessDays)

var contractColumns = []ImportColumn{
	{Field: "id", Header: "Contract id", Type: ColText,
		Note: "Leave empty for a new contract. Exports fill it; rows match by id, then by vendor and reference, then by vendor and title."},
	vendorRefColumn,
	{Field: "title", Header: "Title", Type: ColText, Example: "Payments MSA", Required: true, Note: "Contract title.", Synonyms: []string{"contract title", "contract name", "contract"}},
	{Field: "reference", Header: "Reference", Type: ColText, Example: "MSA-2024-017", Note: "Contract number or reference.", Synonyms: []string{"contract number", "contract ref", "contract reference"}},
	{Field: "status", Header: "Status", Type: ColEnum, Example: "draft", Values: enumValues(contract.ContractDraft, contract.ContractActive, contract.ContractExpired, contract.ContractTerminated),
		Note: "Empty: draft for a new contract, unchanged for an existing one.", Synonyms: []string{"contract status"}},
	{Field: "effective_on", Header: "Effective on", Type: ColDate, Example: "2024-01-01", Required: true, Note: "Start date.", Synonyms: []string{"start date", "effective date", "start"}},
	{Field: "expires_on", Header: "Expires on", Type: ColDate, Example: "2026-12-31", Note: "End date; empty: no fixed end.", Synonyms: []string{"end date", "expiry date", "expiration date", "end"}},
	{Field: "auto_renew", Header: "Auto renew", Type: ColBool, Example: "TRUE", Values: boolValues, Note: "TRUE or FALSE.", Synonyms: []string{"auto renewal", "renews automatically"}},
	{Field: "renewal_notice_days", Header: "Renewal notice days", Type: ColInteger, Example: "60", Note: "Days of notice needed to stop a renewal.", Synonyms: []string{"notice period days", "notice days"}},
	{Field: "governing_law", Header: "Governing law", Type: ColText, Example: "England and Wales", Note: "e.g. New York, England and Wales."},
	{Field: "annual_value", Header: "Annual value", Type: ColDecimal, Example: "120000.00", Note: "Amount in major units (e.g. 12000.50); needs annual_value_currency.", Synonyms: []string{"contract value", "value"}},
	{Field: "annual_value_currency", Header: "Annual value currency", Type: ColText, Example: "GBP", Note: "ISO 4217 code, e.g. USD.", Synonyms: []string{"currency"}},
	{Field: "right_to_audit", Header: "Right to audit", Type: ColBool, Example: "TRUE", Values: boolValues, Note: "TRUE or FALSE."},
	{Field: "subprocessor_approval", Header: "Subprocessor approval", Type: ColBool, Example: "TRUE", Values: boolValues, Note: "TRUE or FALSE."},
	{Field: "data_return_or_destruction", Header: "Data return or destruction", Type: ColBool, Example: "TRUE", Values: boolValues, Note: "TRUE or FALSE."},
	{Field: "security_standard", Header: "Security standard", Type: ColText, Example: "PCI DSS v4.0.1", Note: "e.g. PCI DSS v4.0."},
	{Field: "dpa", Header: "DPA", Type: ColBool, Example: "TRUE", Values: boolValues, Note: "GDPR Art. 28 data processing agreement: TRUE or FALSE."},
	{Field: "baa", Header: "BAA", Type: ColBool, Example: "FALSE", Values: boolValues, Note: "HIPAA business associate agreement: TRUE or FALSE."},
	{Field: "cyber_insurance_min", Header: "Cyber insurance min", Type: ColDecimal, Example: "5000000.00", Note: "Minimum cyber insurance cover in major units; needs cyber_insurance_currency."},
	{Field: "cyber_insurance_currency", Header: "Cyber insurance currency", Type: ColText, Example: "GBP", Note: "ISO 4217 code, e.g. USD."},
	{Field: "notes", Header: "Notes", Type: ColText, Note: "Free text."},
	{Field: "breach_window_value", Header: "Breach notification window", Type: ColInteger, Example: "24",
		Note:     "Breach-notification clause: the window as a number (with breach_window_unit), or leave empty and give breach_standard. All breach columns empty: the clause is left as it is.",
		Synonyms: []string{"breach window", "notification window"}},
	{Field: "breach_window_unit", Header: "Breach window unit", Type: ColEnum, Example: "hours", Values: unitValues, Note: "hours, calendar_days or business_days."},
	{Field: "breach_standard", Header: "Breach standard", Type: ColEnum, Values: enumValues(contract.StandardWithoutUndueDelay, contract.StandardImmediately, contract.StandardMostExpedient),
		Note: "A standard in words instead of a window."},
	{Field: "breach_trigger", Header: "Breach trigger", Type: ColEnum, Example: "discovery", Values: enumValues(contract.TriggerDiscovery, contract.TriggerConfirmation, contract.TriggerReasonableBelief, contract.TriggerAwareness),
		Note: "What starts the notification clock; required with a clause."},
	{Field: "breach_notify", Header: "Breach notify", Type: ColText, Example: "CISO <ciso@example.com>; DPO <dpo@example.com>", Note: "Who is told: role <email>, separated by semicolons, e.g. CISO <ciso@example.com>; DPO <dpo@example.com>."},
	{Field: "breach_update_every_hours", Header: "Breach update every hours", Type: ColInteger, Example: "24", Note: "Update cadence in hours; empty or 0: none."},
	{Field: "breach_required_content", Header: "Breach required content", Type: ColText, Example: "What happened, the data affected, the measures taken, a contact point.", Note: "What the notice must contain."},
}

var attestationColumns = []ImportColumn{
	{Field: "id", Header: "Attestation id", Type: ColText,
		Note: "Leave empty for a new attestation. Exports fill it; rows match by id, then by vendor, kind, issued_on and period_end."},
	vendorRefColumn,
	{Field: "kind", Header: "Kind", Type: ColEnum, Example: "pci_dss_aoc", Required: true, Values: func() []string {
		kinds := attestation.AttestationKinds()
		out := make([]string, len(kinds))
		for i, k := range kinds {
			out[i] = string(k.Code)
		}
		return out
	}(), Note: "Attestation kind; GET /api/v1/attestation-kinds lists them.", Synonyms: []string{"type", "attestation kind", "report type"}},
	{Field: "issuer", Header: "Issuer", Type: ColText, Example: "QSA Partners", Note: "Audit firm or certification body.", Synonyms: []string{"auditor", "audit firm"}},
	{Field: "scope", Header: "Scope", Type: ColText, Example: "Card payment platform", Note: "What the attestation covers."},
	{Field: "period_start", Header: "Period start", Type: ColDate, Note: "SOC reports: start of the period covered."},
	{Field: "period_end", Header: "Period end", Type: ColDate, Note: "SOC reports: end of the period covered."},
	{Field: "issued_on", Header: "Issued on", Type: ColDate, Example: "2026-01-31", Note: "Date of issue.", Synonyms: []string{"issue date", "issued"}},
	{Field: "expires_on", Header: "Expires on", Type: ColDate, Note: "Empty: computed from the kind's catalogue validity.", Synonyms: []string{"expiry date", "expires", "valid until"}},
	{Field: "opinion", Header: "Opinion", Type: ColEnum, Values: enumValues(attestation.OpinionUnqualified, attestation.OpinionQualified, attestation.OpinionAdverse, attestation.OpinionDisclaimer), Note: "Auditor's opinion, if any."},
	{Field: "exceptions_count", Header: "Exceptions count", Type: ColInteger, Note: "Number of exceptions noted.", Synonyms: []string{"exceptions"}},
	{Field: "review_status", Header: "Review status", Type: ColEnum, Example: "received", Values: enumValues(attestation.AttestationReceived, attestation.AttestationUnderReview, attestation.AttestationAccepted, attestation.AttestationRejected),
		Note: "Empty: received for a new attestation, unchanged for an existing one."},
	{Field: "reviewer", Header: "Reviewer", Type: ColText, Note: "Who reviews it."},
}

func importColumns(k ImportKind) []ImportColumn {
	switch k {
	case ImportVendors:
		return vendorColumns
	case ImportDataHandling:
		return handlingColumns
	case ImportContracts:
		return contractColumns
	case ImportAttestations:
		return attestationColumns
	case ImportDependencies:
		return dependencyColumns
	}
	return nil
}

// ImportColumns returns the column layout of a kind's template and export.
func ImportColumns(k ImportKind) []ImportColumn { return importColumns(k) }

// Cell readers: each returns nil when the column is absent from the file,
// and reports an unreadable cell as a row error.

func (r *importRow) text(field string) *string {
	v, ok := r.cells[field]
	if !ok {
		return nil
	}
	return &v
}

func enumCell[T ~string](r *importRow, field string, valid func(T) bool, allowed string) *T {
	v, ok := r.cells[field]
	if !ok || v == "" {
		return nil
	}
	t := T(strings.ToLower(v))
	if !valid(t) {
		r.fail(field, "must be one of %s", allowed)
		return nil
	}
	return &t
}

// ParseImportDate reads a date cell: YYYY-MM-DD (or an ISO instant), or an
// Excel date serial number.
func ParseImportDate(v string) (domain.Date, error) {
	if len(v) > 10 && (v[10] == 'T' || v[10] == ' ') {
		v = v[:10]
	}
	if d, err := domain.ParseDate(v); err == nil {
		return d, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
		// Serial 1 is 1900-01-01 and Excel counts a 29 February 1900 that
		// did not exist, so from March 1900 on day 0 is 1899-12-30.
		return domain.NewDate(1899, time.December, 30).AddDays(int(f)), nil
	}
	return domain.Date{}, fmt.Errorf("must be a date (a date cell, or text in the form YYYY-MM-DD)")
}

func (r *importRow) date(field string) *domain.Date {
	v, ok := r.cells[field]
	if !ok {
		return nil
	}
	if v == "" {
		return &domain.Date{}
	}
	d, err := ParseImportDate(v)
	if err != nil {
		r.fail(field, "%s", err.Error())
		return nil
	}
	return &d
}

func (r *importRow) integer(field string) *int64 {
	v, ok := r.cells[field]
	if !ok {
		return nil
	}
	if v == "" {
		var z int64
		return &z
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		// A number cell may come as 12.0 or 1E+06.
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int64(f)) && f < 1e15 && f > -1e15 {
			n, err = int64(f), nil
		}
	}
	if err != nil {
		r.fail(field, "must be a whole number")
		return nil
	}
	return &n
}

func (r *importRow) boolean(field string) *bool {
	v, ok := r.cells[field]
	if !ok {
		return nil
	}
	var b bool
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1", "x":
		b = true
	case "false", "no", "n", "0", "":
		b = false
	default:
		r.fail(field, "must be TRUE or FALSE")
		return nil
	}
	return &b
}

func (r *importRow) list(field string) []string {
	v := r.cells[field]
	out := []string{}
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseMinor reads an amount in major units with at most two decimals into
// minor units, without floating point.
func ParseMinor(v string) (int64, error) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", "")
	rat, ok := new(big.Rat).SetString(v)
	if !ok {
		return 0, errors.New("must be an amount such as 12000.50")
	}
	rat.Mul(rat, big.NewRat(100, 1))
	if !rat.IsInt() || !rat.Num().IsInt64() {
		return 0, errors.New("must have at most two decimals")
	}
	return rat.Num().Int64(), nil
}

// FormatMinor renders minor units as a decimal amount ("12000.50").
func FormatMinor(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

func (r *importRow) money(field, currencyField string) **domain.Money {
	v, ok := r.cells[field]
	if !ok {
		return nil
	}
	var m *domain.Money
	if v != "" {
		n, err := ParseMinor(v)
		if err != nil {
			r.fail(field, "%s", err.Error())
			return nil
		}
		m = &domain.Money{AmountMinor: n, Currency: strings.ToUpper(r.cells[currencyField])}
	}
	return &m
}

// ParseRecipients reads "Role <email>; Role <email>" (a bare role has no
// email).
func ParseRecipients(v string) ([]contract.Recipient, error) {
	out := []contract.Recipient{}
	for _, p := range strings.Split(v, ";") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		role, rest, ok := strings.Cut(p, "<")
		if !ok {
			out = append(out, contract.Recipient{Role: p})
			continue
		}
		email, tail, ok := strings.Cut(rest, ">")
		if !ok || strings.TrimSpace(tail) != "" {
			return nil, fmt.Errorf("must list recipients as role <email>; role <email> (%q is not)", p)
		}
		out = append(out, contract.Recipient{Role: strings.TrimSpace(role), Email: strings.TrimSpace(email)})
	}
	return out, nil
}

// FormatRecipients is the inverse of ParseRecipients.
func FormatRecipients(rs []contract.Recipient) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Role
		if r.Email != "" {
			parts[i] += " <" + r.Email + ">"
		}
	}
	return strings.Join(parts, "; ")
}

// forbidden fails the row on a role rule's *ForbiddenError, and reports
// whether it did.
func (r *importRow) forbidden(err error) bool {
	var fe *domain.ForbiddenError
	if errors.As(err, &fe) {
		r.fail(fe.Field, "%s", fe.Message)
		return true
	}
	return false
}

// rowErrors copies validation errors onto the row, naming columns; rename
// maps domain field names to column fields.
func (r *importRow) addErr(err error, rename func(string) string) error {
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	for _, e := range fe {
		f := e.Field
		if i := strings.IndexByte(f, '['); i > 0 {
			f = f[:i]
		}
		if rename != nil {
			f = rename(f)
		}
		r.fail(f, "%s", e.Message)
	}
	return nil
}
