package register

import (
	"slices"

	"github.com/vendorwatch/vendorwatch/domain"
)

// VendorFacts are what policy conditions are evaluated against: the data a
// vendor handles, whose data it is, and the vendor's tier.
type VendorFacts struct {
	Categories    []string // data category codes handled
	Jurisdictions []string // union of the data subjects' jurisdictions
	Personal      bool     // any category handled is personal data
	Tier          Tier     // effective tier
}

// FactsFor derives the facts of a vendor from its data handling records.
func FactsFor(v Vendor, hs []DataHandling) VendorFacts {
	f := VendorFacts{Tier: v.Tier()}
	for _, h := range hs {
		f.Categories = append(f.Categories, h.Category)
		f.Jurisdictions = append(f.Jurisdictions, h.Jurisdictions...)
		if c, ok := LookupCategory(h.Category); ok && c.Personal {
			f.Personal = true
		}
	}
	slices.Sort(f.Categories)
	slices.Sort(f.Jurisdictions)
	f.Jurisdictions = slices.Compact(f.Jurisdictions)
	return f
}

// Condition selects vendors by their facts. Every part that is set must
// hold (AND); within a list, any element suffices (OR). An empty condition
// matches every vendor.
type Condition struct {
	PersonalData  bool     `json:"personal_data,omitempty"` // the vendor handles personal data
	Categories    []string `json:"categories,omitempty"`    // handles any of these categories
	Jurisdictions []string `json:"jurisdictions,omitempty"` // holds data of subjects in any of these
	Tiers         []Tier   `json:"tiers,omitempty"`         // its effective tier is one of these
}

// Matches reports whether the facts satisfy the condition.
func (c Condition) Matches(f VendorFacts) bool {
	if c.PersonalData && !f.Personal {
		return false
	}
	if len(c.Categories) > 0 && !slices.ContainsFunc(c.Categories, func(x string) bool { return slices.Contains(f.Categories, x) }) {
		return false
	}
	if len(c.Jurisdictions) > 0 && !slices.ContainsFunc(c.Jurisdictions, func(cond string) bool {
		return slices.ContainsFunc(f.Jurisdictions, func(subj string) bool { return domain.JurisdictionMatches(cond, subj) })
	}) {
		return false
	}
	if len(c.Tiers) > 0 && !slices.Contains(c.Tiers, f.Tier) {
		return false
	}
	return true
}
