package attestation

import (
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// AttestationKind is the kind of assurance evidence a vendor gives us.
type AttestationKind string

// Attestation kinds.
const (
	KindSOC2Type2            AttestationKind = "soc2_type2"
	KindSOC2Type1            AttestationKind = "soc2_type1"
	KindSOC1Type2            AttestationKind = "soc1_type2"
	KindPCIDSSAOC            AttestationKind = "pci_dss_aoc"
	KindISO27001             AttestationKind = "iso27001"
	KindHITRUSTR2            AttestationKind = "hitrust_r2"
	KindPentest              AttestationKind = "pentest"
	KindSIG                  AttestationKind = "sig"
	KindCAIQ                 AttestationKind = "caiq"
	KindInsuranceCertificate AttestationKind = "insurance_certificate"
	KindBridgeLetter         AttestationKind = "bridge_letter"
)

// Valid reports whether k is a known kind.
func (k AttestationKind) Valid() bool {
	_, ok := LookupAttestationKind(k)
	return ok
}

// AttestationOpinion is the auditor's opinion in a report. Empty means
// none was recorded (most kinds carry no opinion).
type AttestationOpinion string

// Opinions.
const (
	OpinionUnqualified AttestationOpinion = "unqualified"
	OpinionQualified   AttestationOpinion = "qualified"
	OpinionAdverse     AttestationOpinion = "adverse"
	OpinionDisclaimer  AttestationOpinion = "disclaimer"
)

// Valid reports whether o is a known opinion.
func (o AttestationOpinion) Valid() bool {
	switch o {
	case OpinionUnqualified, OpinionQualified, OpinionAdverse, OpinionDisclaimer:
		return true
	}
	return false
}

// AttestationReviewStatus is where our review of the evidence stands.
type AttestationReviewStatus string

// Review statuses.
const (
	AttestationReceived    AttestationReviewStatus = "received"
	AttestationUnderReview AttestationReviewStatus = "under_review"
	AttestationAccepted    AttestationReviewStatus = "accepted"
	AttestationRejected    AttestationReviewStatus = "rejected"
)

// Valid reports whether s is a known review status.
func (s AttestationReviewStatus) Valid() bool {
	switch s {
	case AttestationReceived, AttestationUnderReview, AttestationAccepted, AttestationRejected:
		return true
	}
	return false
}

// decided reports whether the status is a review decision.
func (s AttestationReviewStatus) decided() bool {
	return s == AttestationAccepted || s == AttestationRejected
}

// ExpirySource says where an attestation's expires_on came from.
type ExpirySource string

// Expiry sources.
const (
	ExpiryExplicit  ExpirySource = "explicit"  // given by the user
	ExpiryCatalogue ExpirySource = "catalogue" // computed from the kind's validity
)

// Attestation is one piece of assurance evidence from a vendor (a SOC 2
// report, an AOC, a certificate...) with our review of it and, once
// uploaded, the file itself (content-addressed by its SHA-256).
type Attestation struct {
	ID              string                  `json:"id"`
	VendorID        string                  `json:"vendor_id"`
	Kind            AttestationKind         `json:"kind"`
	Issuer          string                  `json:"issuer"` // audit firm, certification body, the vendor itself
	Scope           string                  `json:"scope"`
	PeriodStart     domain.Date             `json:"period_start"` // SOC reports: the period covered
	PeriodEnd       domain.Date             `json:"period_end"`
	IssuedOn        domain.Date             `json:"issued_on"`
	ExpiresOn       domain.Date             `json:"expires_on"` // always set: explicit or from the catalogue
	ExpiresOnSource ExpirySource            `json:"expires_on_source"`
	Opinion         AttestationOpinion      `json:"opinion"`
	ExceptionsCount int64                   `json:"exceptions_count"`
	ReviewStatus    AttestationReviewStatus `json:"review_status"`
	Reviewer        string                  `json:"reviewer"`
	ReviewedAt      *time.Time              `json:"reviewed_at"`

	// The evidence file, kept by its SHA-256 in the EvidenceStore; empty
	// until a file is uploaded.
	EvidenceSHA256     string     `json:"evidence_sha256"`
	EvidenceSize       int64      `json:"evidence_size"`
	EvidenceMediaType  string     `json:"evidence_media_type"`  // sniffed from the content, never taken from the client
	EvidenceName       string     `json:"evidence_name"`        // the original file name, sanitised
	EvidenceUploadedBy string     `json:"evidence_uploaded_by"` // API key id of the uploader
	EvidenceUploadedAt *time.Time `json:"evidence_uploaded_at"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Attestation a domain.Versioned.
func (a Attestation) EntityID() string { return a.ID }

// StoredVersion is the version it was read at.
func (a Attestation) StoredVersion() int64 { return a.Version }

// HasEvidence reports whether a file was uploaded.
func (a Attestation) HasEvidence() bool { return a.EvidenceSHA256 != "" }

// The dates of an attestation lie in this range; it keeps their text form
// at four-digit years, which both databases compare alike.
var (
	attestationDateMin = domain.NewDate(1970, time.January, 1)
	attestationDateMax = domain.NewDate(2199, time.December, 31)
)

// MaxExceptionsCount bounds ExceptionsCount.
const MaxExceptionsCount = 100_000

// AttestationInput carries the writable fields of an attestation for
// create and for patch. For a patch, nil means "leave unchanged"; a pointer
// to the zero value clears an optional field. A pointer to the zero
// ExpiresOn asks for the catalogue default.
type AttestationInput struct {
	VendorID        *string
	Kind            *AttestationKind
	Issuer          *string
	Scope           *string
	PeriodStart     *domain.Date
	PeriodEnd       *domain.Date
	IssuedOn        *domain.Date
	ExpiresOn       *domain.Date
	Opinion         *AttestationOpinion
	ExceptionsCount *int64
	ReviewStatus    *AttestationReviewStatus
	Reviewer        *string
}

// Apply copies the set fields of in onto a, validates the result and
// computes the default expiry when none was given. It does not check that
// the vendor exists, nor set the review decision's time; the service does.
func (a *Attestation) Apply(in AttestationInput) error {
	var fe domain.FieldErrors
	if in.VendorID != nil {
		id := strings.TrimSpace(*in.VendorID)
		switch {
		case a.VendorID != "" && id != a.VendorID:
			fe.Add("vendor_id", "cannot be changed; record the attestation under the other vendor instead")
		case id == "":
			fe.Add("vendor_id", "is required")
		case !domain.ValidID(id):
			fe.Add("vendor_id", "must be the id (UUID) of a vendor")
		default:
			a.VendorID = id
		}
	} else if a.VendorID == "" {
		fe.Add("vendor_id", "is required")
	}
	if in.Kind != nil {
		a.Kind = *in.Kind
	}
	info, kindOK := LookupAttestationKind(a.Kind)
	switch {
	case a.Kind == "":
		fe.Add("kind", "is required; GET /api/v1/attestation-kinds lists the kinds")
	case !kindOK:
		fe.Add("kind", "unknown attestation kind %s; GET /api/v1/attestation-kinds lists the kinds", strconv.Quote(string(a.Kind)))
	}
	if in.Issuer != nil {
		a.Issuer = domain.CheckText(&fe, "issuer", *in.Issuer, false, 200)
	}
	if in.Scope != nil {
		a.Scope = domain.CheckText(&fe, "scope", *in.Scope, false, 2000)
	}
	if in.PeriodStart != nil {
		a.PeriodStart = *in.PeriodStart
	}
	if in.PeriodEnd != nil {
		a.PeriodEnd = *in.PeriodEnd
	}
	if in.IssuedOn != nil {
		a.IssuedOn = *in.IssuedOn
	}
	if in.ExpiresOn != nil {
		a.ExpiresOn = *in.ExpiresOn
		a.ExpiresOnSource = ExpiryExplicit
		if in.ExpiresOn.IsZero() {
			a.ExpiresOnSource = ExpiryCatalogue
		}
	}
	if a.ExpiresOnSource == "" {
		a.ExpiresOnSource = ExpiryCatalogue
	}
	if in.Opinion != nil {
		a.Opinion = *in.Opinion
	}
	if in.ExceptionsCount != nil {
		a.ExceptionsCount = *in.ExceptionsCount
	}
	if in.ReviewStatus != nil {
		a.ReviewStatus = *in.ReviewStatus
	}
	if in.Reviewer != nil {
		a.Reviewer = domain.CheckText(&fe, "reviewer", *in.Reviewer, false, 200)
	}

	for _, d := range []struct {
		field string
		date  domain.Date
	}{{"period_start", a.PeriodStart}, {"period_end", a.PeriodEnd}, {"issued_on", a.IssuedOn}, {"expires_on", a.ExpiresOn}} {
		if !d.date.IsZero() && (d.date.Before(attestationDateMin) || d.date.After(attestationDateMax)) {
			fe.Add(d.field, "must be between %s and %s", attestationDateMin, attestationDateMax)
		}
	}
	switch {
	case !a.PeriodStart.IsZero() && a.PeriodEnd.IsZero():
		fe.Add("period_end", "is required when period_start is set")
	case !a.PeriodStart.IsZero() && a.PeriodEnd.Before(a.PeriodStart):
		fe.Add("period_end", "must not be before period_start (%s)", a.PeriodStart)
	}
	if a.Opinion != "" && !a.Opinion.Valid() {
		fe.Add("opinion", "must be one of unqualified, qualified, adverse, disclaimer")
	}
	if a.ExceptionsCount < 0 || a.ExceptionsCount > MaxExceptionsCount {
		fe.Add("exceptions_count", "must be between 0 and %d", MaxExceptionsCount)
	}
	if !a.ReviewStatus.Valid() {
		fe.Add("review_status", "must be one of received, under_review, accepted, rejected")
	}
	if kindOK && a.ExpiresOnSource == ExpiryCatalogue {
		a.ExpiresOn = domain.Date{}
		if due, field, msg := info.DefaultExpiry(*a); msg != "" {
			fe.Add(field, "%s", msg)
		} else {
			a.ExpiresOn = due
		}
	}
	if !a.IssuedOn.IsZero() && !a.ExpiresOn.IsZero() && a.ExpiresOn.Before(a.IssuedOn) {
		fe.Add("expires_on", "must not be before issued_on (%s)", a.IssuedOn)
	}
	return fe.Err()
}

// AttestationFilter selects attestations in a list. Zero fields do not
// filter.
type AttestationFilter struct {
	VendorID      string
	Kind          AttestationKind
	ReviewStatus  AttestationReviewStatus
	ExpiresBefore domain.Date // expires_on < ExpiresBefore
	Expired       *bool       // true: expires_on < AsOf; false: expires_on >= AsOf
	AsOf          domain.Date // "today" for Expired; the service sets it from its clock
}

// Anchors of a kind's default validity.
const (
	AnchorPeriodEnd = "period_end" // SOC reports and bridge letters: the end of the period covered
	AnchorIssuedOn  = "issued_on"  // everything else: the date of issue
)

// AttestationKindInfo is one row of the attestation catalogue: how long a
// kind of evidence is treated as current, from when, and on what basis.
type AttestationKindInfo struct {
	Code AttestationKind `json:"code"`
	Name string          `json:"name"`
	// ValidityMonths is the default validity after Anchor; nil when the
	// reference has no figure (an explicit expires_on is then required).
	ValidityMonths *int          `json:"validity_months"`
	Anchor         string        `json:"anchor"`
	Source         domain.Source `json:"source"`
}

// DefaultExpiry returns the catalogue expiry of a: the anchor date plus
// the validity. When it cannot be computed it returns the field to blame
// and why.
func (k AttestationKindInfo) DefaultExpiry(a Attestation) (due domain.Date, field, msg string) {
	if k.ValidityMonths == nil {
		return domain.Date{}, "expires_on", "is required for kind " + string(k.Code) +
			": the reference catalogue has no validity figure for it, so none is assumed"
	}
	anchor := a.IssuedOn
	if k.Anchor == AnchorPeriodEnd {
		anchor = a.PeriodEnd
	}
	if anchor.IsZero() {
		return domain.Date{}, k.Anchor, "is required to compute the default expiry of a " + string(k.Code) +
			" (" + k.Anchor + " + " + domain.Count(*k.ValidityMonths, "month", "months") + "); or give expires_on"
	}
	return anchor.AddMonths(*k.ValidityMonths), "", ""
}

func attestationMonths(n int) *int { return &n }

// attestationKinds is the catalogue, transcribed from
// shared/reference/regimes.json ("attestations") and regulatory-facts.md
// §3; each row keeps its basis and verification status.
var attestationKinds = []AttestationKindInfo{
	{KindSOC2Type2, "SOC 2 Type II report", attestationMonths(12), AnchorPeriodEnd, domain.Source{
		Citation: "AICPA SOC 2 (regimes.json SOC2_TYPE2; regulatory-facts.md §3)",
		Basis:    "practice: report period usually 12 months; treat as current if period end <=12 months ago",
		Status:   "P"}},
	{KindSOC2Type1, "SOC 2 Type I report", nil, AnchorPeriodEnd, domain.Source{
		Citation: "AICPA SOC 2 (regulatory-facts.md §3)",
		Basis:    "no validity figure in the reference catalogue: a Type I report describes controls at a point in time; give expires_on explicitly",
		Status:   "U"}},
	{KindSOC1Type2, "SOC 1 Type II report", attestationMonths(12), AnchorPeriodEnd, domain.Source{
		Citation: "AICPA SOC 1 guide ¶2.14 (regimes.json SOC1_TYPE2; regulatory-facts.md §3)",
		Basis:    "AICPA SOC 1 guide 2.14: period should overlap user's audit period, typically >=6 months",
		Status:   "P"}},
	{KindPCIDSSAOC, "PCI DSS Attestation of Compliance", attestationMonths(12), AnchorIssuedOn, domain.Source{
		Citation: "PCI DSS v4.0.1 Req 12.8.4 (regimes.json PCI_DSS_AOC)",
		Basis:    "PCI DSS v4.0.1 Req 12.8.4 (monitor TPSP status at least every 12 months)",
		Status:   "V"}},
	{KindISO27001, "ISO/IEC 27001 certificate", attestationMonths(36), AnchorIssuedOn, domain.Source{
		Citation: "ISO/IEC 17021-1:2015 cl. 9.1.3; IAF MD 26 (regimes.json ISO27001_CERT)",
		Basis: "ISO/IEC 17021-1:2015 cl. 9.1.3; 27001:2013 certificates invalid after 2025-10-31 (IAF MD 26). " +
			"3-year certificate, but surveillance audits at least annually (the first within 12 months of certification)",
		Status: "V"}},
	{KindHITRUSTR2, "HITRUST r2 certification", attestationMonths(24), AnchorIssuedOn, domain.Source{
		Citation: "HITRUST Assessment Handbook (regimes.json HITRUST_R2)",
		Basis: "2-year certification; interim assessment due in the 90-day window before the 12-month anniversary; " +
			"a bridge assessment can extend r2 status by 90 days",
		Status: "V"}},
	{KindPentest, "Penetration test report", attestationMonths(12), AnchorIssuedOn, domain.Source{
		Citation: "NYDFS 23 NYCRR 500.5; PCI DSS v4.0.1 Req 11.4.2/11.4.3 (regimes.json PENTEST_GENERAL, PCI_PENTEST)",
		Basis: "NYDFS 500.5 annual; industry norm. PCI DSS 11.4.2/11.4.3: internal and external tests at least every " +
			"12 months and after significant change (segmentation tests every 6 months for service providers, 11.4.6)",
		Status: "V"}},
	{KindSIG, "SIG questionnaire (Shared Assessments)", attestationMonths(12), AnchorIssuedOn, domain.Source{
		Citation: "Shared Assessments SIG (regimes.json SIG_QUESTIONNAIRE)",
		Basis:    "practice: typically re-requested annually for critical and high vendors",
		Status:   "P"}},
	{KindCAIQ, "CSA STAR Level 1 (CAIQ)", attestationMonths(12), AnchorIssuedOn, domain.Source{
		Citation: "CSA STAR Registry renewal policy (regimes.json CSA_STAR_L1_CAIQ)",
		Basis:    "deprecated after 1 year; removed from public registry after 3 years",
		Status:   "V"}},
	{KindInsuranceCertificate, "Cyber insurance certificate", attestationMonths(12), AnchorIssuedOn, domain.Source{
		Citation: "ACORD 25-style certificate of insurance (regimes.json CYBER_INSURANCE_COI)",
		Basis:    "policy period; practice",
		Status:   "U"}},
	{KindBridgeLetter, "SOC bridge (gap) letter", attestationMonths(3), AnchorPeriodEnd, domain.Source{
		Citation: "regimes.json SOC2_TYPE2 bridge_letter_max_months; regulatory-facts.md §3",
		Basis: "practice: issued by the service organisation's management to cover the gap after the SOC 2 period " +
			"ends, typically <=3 months; period_end is the end of the report period it bridges",
		Status: "P"}},
}

// AttestationKinds returns the catalogue in its fixed order.
func AttestationKinds() []AttestationKindInfo {
	out := make([]AttestationKindInfo, len(attestationKinds))
	copy(out, attestationKinds)
	return out
}

// LookupAttestationKind returns the catalogue row of a kind.
func LookupAttestationKind(k AttestationKind) (AttestationKindInfo, bool) {
	for _, info := range attestationKinds {
		if info.Code == k {
			return info, true
		}
	}
	return AttestationKindInfo{}, false
}
