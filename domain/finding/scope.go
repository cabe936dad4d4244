package finding

import (
	"slices"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain/register"
)

// VendorScope says which vendors a rule judges, by lifecycle status, and
// so which vendors count in the figure the rule shares with the dashboard,
// the audit workbook and the executive report. Each shared figure has one
// definition: the scope here, the verdict in the domain (JudgeNotice,
// NoticeBreach, NextReviewDue, the latest attestation of each kind), and
// in the repository SQL built from the same scope (scopeSQL) that the
// scan's fact queries and the report queries both use.
type VendorScope struct {
	// Always are judged whatever they hold.
	Always []register.VendorStatus `json:"always"`
	// HoldingData are judged once they hold our data (data handling is
	// recorded for them).
	HoldingData []register.VendorStatus `json:"holding_data"`
}

// ScopeInService is the vendors that hold our data under a live
// relationship: active and offboarding vendors (until the data is returned
// or destroyed), and onboarding vendors that already hold data. Prospects
// and terminated vendors are not judged.
var ScopeInService = VendorScope{Always: []register.VendorStatus{register.StatusActive, register.StatusOffboarding},
	HoldingData: []register.VendorStatus{register.StatusOnboarding}}

// ScopeAllVendors is every vendor, whatever its status: an incident's
// deadlines run on after the vendor is terminated.
var ScopeAllVendors = VendorScope{Always: register.VendorStatuses}

// Judges reports whether a vendor in status, holding data or not, is in
// the scope.
func (s VendorScope) Judges(status register.VendorStatus, holdsData bool) bool {
	return slices.Contains(s.Always, status) || (holdsData && slices.Contains(s.HoldingData, status))
}

// Describe renders the scope for people: "active and offboarding vendors,
// and onboarding vendors that already hold data".
func (s VendorScope) Describe() string {
	if len(s.Always) == len(register.VendorStatuses) {
		return "vendors in every status"
	}
	words := func(ss []register.VendorStatus) string {
		parts := make([]string, len(ss))
		for i, x := range ss {
			parts[i] = string(x)
		}
		if len(parts) > 1 {
			return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
		}
		return strings.Join(parts, "")
	}
	out := words(s.Always) + " vendors"
	if len(s.HoldingData) > 0 {
		out += ", and " + words(s.HoldingData) + " vendors that already hold data (data handling recorded)"
	}
	return out
}

// FamilyScope returns the vendors a rule family judges: the vendor's own
// state (reviews, attestations, contracts, policy) for vendors in service;
// incidents and our obligations for every vendor.
func FamilyScope(family string) VendorScope {
	switch family {
	case FamilyIncident, FamilyObligation:
		return ScopeAllVendors
	}
	return ScopeInService
}

// RuleScope returns the vendors a rule judges.
func RuleScope(ruleID string) VendorScope {
	r, _ := LookupRule(ruleID)
	return FamilyScope(r.Family)
}
