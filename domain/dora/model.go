package dora

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Entity is a financial entity that keeps the register (B_01.01, B_01.02).
type Entity struct {
	LEI                string `json:"lei"`
	Name               string `json:"name"`
	Country            string `json:"country"`     // ISO 3166-1 alpha-2
	EntityType         string `json:"entity_type"` // LIST0101040 code, e.g. x12
	Currency           string `json:"currency"`    // ISO 4217, the reporting currency
	CompetentAuthority string `json:"competent_authority"`
	Hierarchy          string `json:"hierarchy"`  // LIST0102050 value
	ParentLEI          string `json:"parent_lei"` // direct parent undertaking
	// TotalAssetsMinor is the value of total assets in minor units of
	// Currency (nil: not reported).
	TotalAssetsMinor *int64    `json:"total_assets_minor"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Check validates e's fields, naming each bad one.
func (e Entity) Check() error {
	var fe domain.FieldErrors
	checkLEI(&fe, "lei", e.LEI, true)
	if strings.TrimSpace(e.Name) == "" {
		fe.Add("name", "is required")
	}
	checkCountry(&fe, "country", e.Country, true)
	if !EntityTypes.Valid(e.EntityType) {
		fe.Add("entity_type", "must be one of the codes of LIST0101040 (%s)", strings.Join(EntityTypes.Values(), ", "))
	}
	domain.Money{Currency: e.Currency}.Check(&fe, "currency")
	checkList(&fe, "hierarchy", Hierarchies, e.Hierarchy)
	checkLEI(&fe, "parent_lei", e.ParentLEI, false)
	if e.TotalAssetsMinor != nil && *e.TotalAssetsMinor < 0 {
		fe.Add("total_assets_minor", "must not be negative")
	}
	return fe.Err()
}

// Provider is a vendor's facts as an ICT third-party service provider
// (B_05.01). Its LEI, name and seat are the vendor's own.
type Provider struct {
	VendorID string `json:"vendor_id"`
	// EUID identifies a provider without an LEI (European Unique Identifier).
	EUID       string `json:"euid"`
	PersonType string `json:"person_type"` // legal or individual
	// HQCountry overrides the vendor's country as the headquarters' country.
	HQCountry string `json:"hq_country"`
	// UltimateParentVendorID is the vendor that is the provider's ultimate
	// parent undertaking ("": the provider is its own ultimate parent).
	UltimateParentVendorID string    `json:"ultimate_parent_vendor_id"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// Check validates p's fields.
func (p Provider) Check() error {
	var fe domain.FieldErrors
	if p.EUID != "" && (len(p.EUID) < 5 || len(p.EUID) > 60 || !domain.ValidCountry(p.EUID[:2]) || strings.ContainsAny(p.EUID, " ,;")) {
		fe.Add("euid", "must be an EUID: a country code, the register's code and the number (e.g. LURCSL.B186284)")
	}
	checkList(&fe, "person_type", PersonTypes, p.PersonType)
	checkCountry(&fe, "hq_country", p.HQCountry, false)
	if p.UltimateParentVendorID == p.VendorID && p.VendorID != "" {
		fe.Add("ultimate_parent_vendor_id", "must name another vendor (leave it empty when the provider is its own ultimate parent)")
	}
	return fe.Err()
}

// Arrangement is a contract's facts as a DORA contractual arrangement
// (B_02.01, B_02.02, B_03.01, B_04.01). Its dates are the contract's own.
type Arrangement struct {
	ContractID string `json:"contract_id"`
	// EntityLEI is the financial entity that signed and uses it.
	EntityLEI      string `json:"entity_lei"`
	Reference      string `json:"reference"` // the contractual arrangement reference number
	Type           string `json:"type"`      // standalone, overarching or subsequent
	OverarchingRef string `json:"overarching_ref"`
	// AnnualExpense is the annual expense or estimated cost (nil: the
	// contract's annual value is used).
	AnnualExpense       *domain.Money `json:"annual_expense"`
	GoverningLawCountry string        `json:"governing_law_country"`
	NoticeEntityDays    *int          `json:"notice_entity_days"`
	NoticeProviderDays  *int          `json:"notice_provider_days"`
	TerminationReason   string        `json:"termination_reason"`
	UpdatedAt           time.Time     `json:"updated_at"`
}

// Check validates a's fields.
func (a Arrangement) Check() error {
	var fe domain.FieldErrors
	checkLEI(&fe, "entity_lei", a.EntityLEI, true)
	if strings.TrimSpace(a.Reference) == "" || len(a.Reference) > 255 {
		fe.Add("reference", "is required (at most 255 characters)")
	}
	if !ArrangementTypes.Valid(a.Type) {
		fe.Add("type", "must be one of %s", strings.Join(ArrangementTypes.Values(), ", "))
	}
	switch {
	case a.Type == "subsequent" && a.OverarchingRef == "":
		fe.Add("overarching_ref", "is required for a subsequent arrangement")
	case a.Type != "subsequent" && a.OverarchingRef != "":
		fe.Add("overarching_ref", "is only for a subsequent arrangement")
	case a.OverarchingRef != "" && a.OverarchingRef == a.Reference:
		fe.Add("overarching_ref", "must name another arrangement")
	}
	if a.AnnualExpense != nil {
		a.AnnualExpense.Check(&fe, "annual_expense")
	}
	checkCountry(&fe, "governing_law_country", a.GoverningLawCountry, false)
	checkCount(&fe, "notice_entity_days", a.NoticeEntityDays, 3650, "days")
	checkCount(&fe, "notice_provider_days", a.NoticeProviderDays, 3650, "days")
	checkList(&fe, "termination_reason", TerminationReasons, a.TerminationReason)
	return fe.Err()
}

// Function is a function of a financial entity (B_06.01).
type Function struct {
	FunctionID         string      `json:"function_id"`
	EntityLEI          string      `json:"entity_lei"`
	Name               string      `json:"name"`
	LicensedActivity   string      `json:"licensed_activity"` // LIST0601020 QName, e.g. eba_TA:x162
	Criticality        string      `json:"criticality"`       // yes, no or not_assessed
	CriticalityReasons string      `json:"criticality_reasons"`
	LastAssessedOn     domain.Date `json:"last_assessed_on"`
	RTOHours           *int        `json:"rto_hours"`
	RPOHours           *int        `json:"rpo_hours"`
	// DiscontinuationImpact is low, medium, high or not_assessed.
	DiscontinuationImpact string    `json:"discontinuation_impact"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// Check validates f's fields.
func (f Function) Check() error {
	var fe domain.FieldErrors
	if strings.TrimSpace(f.FunctionID) == "" || len(f.FunctionID) > 100 || strings.ContainsAny(f.FunctionID, " ,\"") {
		fe.Add("function_id", "is required: up to 100 characters without spaces, commas or quotes")
	}
	checkLEI(&fe, "entity_lei", f.EntityLEI, true)
	if strings.TrimSpace(f.Name) == "" {
		fe.Add("name", "is required")
	}
	if f.LicensedActivity != "" && !ValidLicensedActivity(f.LicensedActivity) {
		fe.Add("licensed_activity", "must be a QName of LIST0601020, e.g. eba_TA:x162")
	}
	checkList(&fe, "criticality", Assessments, f.Criticality)
	if len(f.CriticalityReasons) > 300 {
		fe.Add("criticality_reasons", "must be at most 300 characters")
	}
	checkCount(&fe, "rto_hours", f.RTOHours, 87600, "hours")
	checkCount(&fe, "rpo_hours", f.RPOHours, 87600, "hours")
	checkList(&fe, "discontinuation_impact", Impacts, f.DiscontinuationImpact)
	return fe.Err()
}

// FunctionRef names a function: its entity and its identifier.
type FunctionRef struct {
	EntityLEI  string `json:"entity_lei"`
	FunctionID string `json:"function_id"`
}

// ICTService is an ICT service provided under a contract, with the
// functions it supports and its assessment (B_02.02, B_07.01).
type ICTService struct {
	ContractID  string `json:"contract_id"`
	ServiceType string `json:"service_type"` // S01 to S19
	// StartOn and EndOn default to the contract's dates when zero.
	StartOn           domain.Date `json:"start_on"`
	EndOn             domain.Date `json:"end_on"`
	ProvisionCountry  string      `json:"provision_country"`
	StoresData        *bool       `json:"stores_data"`
	StorageCountry    string      `json:"storage_country"`
	ProcessingCountry string      `json:"processing_country"`
	// Sensitivity overrides the sensitivity derived from the vendor's data
	// categories.
	Sensitivity            string        `json:"sensitivity"`
	Reliance               string        `json:"reliance"`
	Substitutability       string        `json:"substitutability"`
	NotSubstitutableReason string        `json:"not_substitutable_reason"`
	LastAuditOn            domain.Date   `json:"last_audit_on"`
	ExitPlan               *bool         `json:"exit_plan"`
	Reintegration          string        `json:"reintegration"`
	DiscontinuationImpact  string        `json:"discontinuation_impact"`
	Alternatives           string        `json:"alternatives"` // yes, no or not_assessed
	AlternativeProviders   string        `json:"alternative_providers"`
	Functions              []FunctionRef `json:"functions"`
	UpdatedAt              time.Time     `json:"updated_at"`
}

// Check validates s's fields.
func (s ICTService) Check() error {
	var fe domain.FieldErrors
	if !ServiceTypes.Valid(s.ServiceType) {
		fe.Add("service_type", "must be one of the ICT service types S01 to S19")
	}
	if !s.StartOn.IsZero() && !s.EndOn.IsZero() && s.EndOn.Before(s.StartOn) {
		fe.Add("end_on", "must not be before start_on")
	}
	checkCountry(&fe, "provision_country", s.ProvisionCountry, false)
	checkCountry(&fe, "storage_country", s.StorageCountry, false)
	checkCountry(&fe, "processing_country", s.ProcessingCountry, false)
	if s.StoresData != nil && !*s.StoresData && s.StorageCountry != "" {
		fe.Add("storage_country", "is only for a service that stores data")
	}
	checkList(&fe, "sensitivity", Sensitivities, s.Sensitivity)
	checkList(&fe, "reliance", Reliances, s.Reliance)
	checkList(&fe, "substitutability", Substitutabilities, s.Substitutability)
	checkList(&fe, "not_substitutable_reason", NotSubstitutableReasons, s.NotSubstitutableReason)
	checkList(&fe, "reintegration", Reintegrations, s.Reintegration)
	checkList(&fe, "discontinuation_impact", Impacts, s.DiscontinuationImpact)
	checkList(&fe, "alternatives", Assessments, s.Alternatives)
	seen := map[FunctionRef]bool{}
	for i, f := range s.Functions {
		if register.ValidLEI(f.EntityLEI) != nil || f.FunctionID == "" {
			fe.Add(domain.IndexField("functions", i), "must name a function by entity_lei and function_id")
		}
		if seen[f] {
			fe.Add(domain.IndexField("functions", i), "names the same function twice")
		}
		seen[f] = true
	}
	return fe.Err()
}

func checkList(fe *domain.FieldErrors, field string, l ClosedList, v string) {
	if v != "" && !l.Valid(v) {
		fe.Add(field, "must be one of %s", strings.Join(l.Values(), ", "))
	}
}

func checkCountry(fe *domain.FieldErrors, field, cc string, required bool) {
	switch {
	case cc == "" && required:
		fe.Add(field, "is required (ISO 3166-1 alpha-2)")
	case cc != "" && !domain.ValidCountry(cc):
		fe.Add(field, "must be an ISO 3166-1 alpha-2 country code")
	}
}

// checkLEI names field when lei is not a valid LEI (or is missing and
// required), with register.ValidLEI's reason.
func checkLEI(fe *domain.FieldErrors, field, lei string, required bool) {
	if lei == "" {
		if required {
			fe.Add(field, "is required: the entity's LEI (ISO 17442)")
		}
		return
	}
	if err := register.ValidLEI(lei); err != nil {
		fe.Add(field, "%s", err.Error())
	}
}

// checkCount names field when n is set and outside 0 to most (a count of
// unit).
func checkCount(fe *domain.FieldErrors, field string, n *int, most int, unit string) {
	if n != nil && (*n < 0 || *n > most) {
		fe.Add(field, "must be a number of %s from 0 to %d", unit, most)
	}
}
