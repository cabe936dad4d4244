package attestation

import (
	"slices"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// AttestationRequirement says which evidence a vendor must have given the
// data it handles and its tier: any one of AnyOf, current.
type AttestationRequirement struct {
	ID    string             `json:"id"`
	Title string             `json:"title"`
	When  register.Condition `json:"when"`
	AnyOf []AttestationKind  `json:"any_of"`
	// MaxAgeMonths, when set, also requires issued_on to be at most this
	// many months ago; 0 relies on expires_on alone.
	MaxAgeMonths int           `json:"max_age_months"`
	Source       domain.Source `json:"source"`
}

// DefaultAttestationRequirements is the built-in policy.
func DefaultAttestationRequirements() []AttestationRequirement {
	return []AttestationRequirement{
		{
			ID: "pci-aoc", Title: "PCI DSS Attestation of Compliance for vendors handling account data",
			When:  register.Condition{Categories: []string{register.CatCardholderData, register.CatSensitiveAuthData}},
			AnyOf: []AttestationKind{KindPCIDSSAOC},
			Source: domain.Source{Citation: "PCI DSS v4.0.1 Req 12.8.4",
				Basis:  "monitor each third-party service provider's PCI DSS compliance status at least once every 12 months",
				Status: "V"},
		},
		{
			ID: "assurance-report", Title: "Independent assurance report (SOC 2 Type II or ISO/IEC 27001) for critical and high vendors",
			When:  register.Condition{Tiers: []register.Tier{register.TierCritical, register.TierHigh}},
			AnyOf: []AttestationKind{KindSOC2Type2, KindISO27001},
			Source: domain.Source{Citation: "regulatory-facts.md §3 and §4A",
				Basis:  "industry practice for critical and high vendors (reviewed at least annually); no law names the report",
				Status: "policy"},
		},
		{
			ID: "pentest", Title: "Penetration test at most 12 months old for critical and high vendors",
			When:  register.Condition{Tiers: []register.Tier{register.TierCritical, register.TierHigh}},
			AnyOf: []AttestationKind{KindPentest}, MaxAgeMonths: 12,
			Source: domain.Source{Citation: "PCI DSS v4.0.1 Req 11.4.2/11.4.3; NYDFS 23 NYCRR 500.5",
				Basis:  "penetration testing at least once every 12 months (PCI DSS internal and external tests; NYDFS annual)",
				Status: "V"},
		},
	}
}

// Evidence statuses of a requirement.
const (
	EvidenceCurrent  = "current"  // satisfied beyond the expiring window
	EvidenceExpiring = "expiring" // satisfied, but for at most ExpiringWindowDays more days
	EvidenceExpired  = "expired"  // only expired candidates exist
	EvidenceMissing  = "missing"  // no candidate at all
)

// ExpiringWindowDays is when a satisfied requirement turns "expiring".
const ExpiringWindowDays = 90

// ExpiringBuckets are the windows of the expiring_within report, in days.
var ExpiringBuckets = []int{30, 60, 90}

// EvidenceMatch is the attestation that best satisfies a requirement.
type EvidenceMatch struct {
	Attestation Attestation
	// ValidUntil is the last day it counts for the requirement: expires_on,
	// or issued_on + MaxAgeMonths when that is earlier.
	ValidUntil domain.Date
	DaysLeft   int // from the as-of date to ValidUntil; negative when expired
}

// RequirementStatus is one requirement's state for a vendor.
type RequirementStatus struct {
	Requirement AttestationRequirement
	Status      string
	Match       *EvidenceMatch // nil when missing
}

// ExpiringBucket lists the current attestations whose expires_on is more
// than the previous bucket's days and at most Days days away.
type ExpiringBucket struct {
	Days  int
	Items []EvidenceMatch
}

// EvidenceStatus is a vendor's evidence against the requirements that
// apply to it, as of a date.
type EvidenceStatus struct {
	VendorID       string
	AsOf           domain.Date
	Facts          register.VendorFacts
	Requirements   []RequirementStatus
	ExpiringWithin []ExpiringBucket
}

// EvaluateEvidence checks a vendor's attestations against the
// requirements whose condition its facts meet. Rejected attestations never
// count; received, under-review and accepted ones do (the output shows
// each one's review status). An attestation is valid through its
// expires_on inclusive.
func EvaluateEvidence(reqs []AttestationRequirement, facts register.VendorFacts, atts []Attestation, asOf domain.Date) EvidenceStatus {
	out := EvidenceStatus{AsOf: asOf, Facts: facts, Requirements: []RequirementStatus{}}
	for _, r := range reqs {
		if !r.When.Matches(facts) {
			continue
		}
		st := RequirementStatus{Requirement: r, Status: EvidenceMissing}
		for _, a := range atts {
			if a.ReviewStatus == AttestationRejected || !slices.Contains(r.AnyOf, a.Kind) {
				continue
			}
			m := evidenceMatchFor(a, r.MaxAgeMonths, asOf)
			if st.Match == nil || betterEvidence(m, *st.Match) {
				st.Match = &m
			}
		}
		switch {
		case st.Match == nil:
		case st.Match.DaysLeft < 0:
			st.Status = EvidenceExpired
		case st.Match.DaysLeft <= ExpiringWindowDays:
			st.Status = EvidenceExpiring
		default:
			st.Status = EvidenceCurrent
		}
		out.Requirements = append(out.Requirements, st)
	}
	prev := -1
	for _, days := range ExpiringBuckets {
		b := ExpiringBucket{Days: days, Items: []EvidenceMatch{}}
		for _, a := range atts {
			m := evidenceMatchFor(a, 0, asOf)
			if a.ReviewStatus != AttestationRejected && m.DaysLeft > prev && m.DaysLeft <= days {
				b.Items = append(b.Items, m)
			}
		}
		slices.SortStableFunc(b.Items, func(x, y EvidenceMatch) int { return x.DaysLeft - y.DaysLeft })
		out.ExpiringWithin = append(out.ExpiringWithin, b)
		prev = days
	}
	return out
}

func evidenceMatchFor(a Attestation, maxAgeMonths int, asOf domain.Date) EvidenceMatch {
	until := a.ExpiresOn
	if maxAgeMonths > 0 && !a.IssuedOn.IsZero() {
		if byAge := a.IssuedOn.AddMonths(maxAgeMonths); byAge.Before(until) {
			until = byAge
		}
	}
	return EvidenceMatch{Attestation: a, ValidUntil: until, DaysLeft: asOf.DaysUntil(until)}
}

// betterEvidence prefers the match valid longest, then an accepted one.
func betterEvidence(m, than EvidenceMatch) bool {
	switch {
	case m.ValidUntil.After(than.ValidUntil):
		return true
	case than.ValidUntil.After(m.ValidUntil):
		return false
	}
	return m.Attestation.ReviewStatus == AttestationAccepted && than.Attestation.ReviewStatus != AttestationAccepted
}
