package contract

import (
	"fmt"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ClauseRequirementKind is what a clause requirement asks of a contract.
type ClauseRequirementKind string

// Kinds of clause requirements.
const (
	RequireBreachWindow     ClauseRequirementKind = "breach_notification_window" // a clause with a window of at most MaxWindowHours
	RequireSecurityStandard ClauseRequirementKind = "security_standard"          // security_standard names SecurityStandard
	RequireRightToAudit     ClauseRequirementKind = "right_to_audit"
	RequireBAA              ClauseRequirementKind = "baa"
	RequireDPA              ClauseRequirementKind = "dpa"
	RequireSubprocessor     ClauseRequirementKind = "subprocessor_approval"
	RequireDataReturn       ClauseRequirementKind = "data_return_or_destruction"
)

// ClauseRequirement is one rule of the clause policy: vendors matching When
// need contracts with the required clause.
type ClauseRequirement struct {
	ID               string                `json:"id"`
	Title            string                `json:"title"`
	When             register.Condition    `json:"when"`
	Require          ClauseRequirementKind `json:"require"`
	MaxWindowHours   int                   `json:"max_window_hours,omitempty"`
	SecurityStandard string                `json:"security_standard,omitempty"`
	Source           domain.Source         `json:"source"`
}

// ClausePolicy is the configurable clause policy.
type ClausePolicy struct {
	Requirements    []ClauseRequirement                     `json:"requirements"`
	StandardWindows map[NotificationStandard]StandardWindow `json:"standard_windows"`
}

var cardCategories = []string{register.CatCardholderData, register.CatSensitiveAuthData}

// DefaultClausePolicy is the policy the issue asks for, each rule with its
// basis in shared/reference/.
func DefaultClausePolicy() ClausePolicy {
	return ClausePolicy{
		StandardWindows: DefaultStandardWindows(),
		Requirements: []ClauseRequirement{
			{ID: "breach-window-personal-data", Title: "Breach notification within 72 hours for personal data",
				When: register.Condition{PersonalData: true}, Require: RequireBreachWindow, MaxWindowHours: 72,
				Source: domain.Source{Citation: "GDPR Art. 33(1)-(2); UK GDPR Art. 33",
					Basis:  "a controller must notify its supervisory authority within 72 hours of becoming aware, and its processors must tell it without undue delay (regulatory-facts.md §1A rows 1, 2, 5)",
					Status: "V"}},
			{ID: "breach-window-card-data", Title: "Breach notification within 24 hours for card data",
				When: register.Condition{Categories: cardCategories}, Require: RequireBreachWindow, MaxWindowHours: 24,
				Source: domain.Source{Citation: "Mastercard Account Data Compromise User Guide; Visa What To Do If Compromised",
					Basis:  "Mastercard must hear of an account data compromise within 24 hours (regulatory-facts.md §1D row 51, V); Visa within three calendar days of discovery (row 45)",
					Status: "V"}},
			{ID: "pci-security-standard", Title: "PCI DSS named as the security standard for card data",
				When: register.Condition{Categories: cardCategories}, Require: RequireSecurityStandard, SecurityStandard: "PCI DSS",
				Source: domain.Source{Citation: "PCI DSS v4.0.1 Req. 12.8.2, 12.8.4",
					Basis:  "service providers acknowledge in writing their responsibility for the security of account data, and their PCI DSS status is monitored at least every 12 months (regulatory-facts.md §3)",
					Status: "V"}},
			{ID: "right-to-audit-card-data", Title: "Right to audit a vendor that handles card data",
				When: register.Condition{Categories: cardCategories}, Require: RequireRightToAudit,
				Source: domain.Source{Citation: "PCI DSS v4.0.1 Req. 12.8.4; Interagency Guidance 2023; DORA Art. 30(3)(e)",
					Basis:  "compliance of a card-data service provider must be monitored; audit rights are the contract term that makes it enforceable (regulatory-facts.md §3 and §4B)",
					Status: "P"}},
			{ID: "baa-health-data", Title: "Business associate agreement for health data",
				When: register.Condition{Categories: []string{register.CatHealthPHI}}, Require: RequireBAA,
				Source: domain.Source{Citation: "HIPAA 45 CFR 164.504(e), 164.410",
					Basis:  "a business associate handling PHI reports breaches to the covered entity within 60 calendar days of discovery (regulatory-facts.md §1B row 21)",
					Status: "V"}},
			{ID: "dpa-eu-gb-data", Title: "Data processing agreement for data of EU or UK subjects",
				When: register.Condition{Jurisdictions: []string{"EU", "GB"}}, Require: RequireDPA,
				Source: domain.Source{Citation: "GDPR Art. 28(3); UK GDPR Art. 28(3)",
					Basis:  "processing by a processor is governed by a contract with the Art. 28(3) terms, including assistance with breach notification (regulatory-facts.md §1A row 3, §4B)",
					Status: "U"}},
		},
	}
}

// Validate checks a policy loaded from configuration.
func (p ClausePolicy) Validate() error {
	var fe domain.FieldErrors
	seen := map[string]bool{}
	for i, r := range p.Requirements {
		f := domain.IndexField("requirements", i)
		if r.ID == "" || seen[r.ID] {
			fe.Add(f+".id", "must be present and unique")
		}
		seen[r.ID] = true
		switch r.Require {
		case RequireBreachWindow:
			if r.MaxWindowHours <= 0 {
				fe.Add(f+".max_window_hours", "must be positive for a breach_notification_window requirement")
			}
		case RequireSecurityStandard:
			if strings.TrimSpace(r.SecurityStandard) == "" {
				fe.Add(f+".security_standard", "must name the standard")
			}
		case RequireRightToAudit, RequireBAA, RequireDPA, RequireSubprocessor, RequireDataReturn:
		default:
			fe.Add(f+".require", "unknown requirement %q", r.Require)
		}
	}
	for _, s := range []NotificationStandard{StandardWithoutUndueDelay, StandardImmediately, StandardMostExpedient} {
		w, ok := p.StandardWindows[s]
		if !ok {
			fe.Add("standard_windows."+string(s), "is required")
			continue
		}
		w.Window.Check(&fe, "standard_windows."+string(s))
	}
	return fe.Err()
}

// AuditStatus is the verdict on one requirement.
type AuditStatus string

// Verdicts.
const (
	AuditMet     AuditStatus = "met"
	AuditMissing AuditStatus = "missing"
	AuditTooWeak AuditStatus = "too_weak"
)

// ClauseFinding is the verdict of one requirement against a contract (or
// the best of a vendor's contracts).
type ClauseFinding struct {
	Requirement ClauseRequirement `json:"requirement"`
	Status      AuditStatus       `json:"status"`
	Reason      string            `json:"reason"`
	ContractID  string            `json:"contract_id,omitempty"` // the contract judged
}

// EvaluateRequirement judges one contract (with the clause in force, or
// nil) against a requirement.
func (p ClausePolicy) EvaluateRequirement(r ClauseRequirement, c Contract, clause *ClauseVersion) ClauseFinding {
	f := ClauseFinding{Requirement: r, ContractID: c.ID}
	flag := func(ok bool, name string) {
		if ok {
			f.Status, f.Reason = AuditMet, "the contract has "+name
		} else {
			f.Status, f.Reason = AuditMissing, "the contract has no "+name
		}
	}
	switch r.Require {
	case RequireBreachWindow:
		if clause == nil {
			f.Status, f.Reason = AuditMissing, "the contract has no breach-notification clause in force"
			break
		}
		w, _ := clause.Terms.EffectiveWindow(p.StandardWindows)
		desc := "window " + clause.Terms.Describe(p.StandardWindows)
		switch w.Unit {
		case domain.UnitCalendarDays:
			desc += " (" + domain.Count(w.MaxHours(), "hour", "hours") + ")"
		case domain.UnitBusinessDays:
			desc += " (up to " + domain.Count(w.MaxHours(), "hour", "hours") + " across weekends and holidays)"
		}
		if w.MaxHours() > r.MaxWindowHours {
			f.Status, f.Reason = AuditTooWeak, fmt.Sprintf("%s is longer than the %s allowed", desc, domain.Count(r.MaxWindowHours, "hour", "hours"))
		} else {
			f.Status, f.Reason = AuditMet, fmt.Sprintf("%s is within the %s allowed", desc, domain.Count(r.MaxWindowHours, "hour", "hours"))
		}
	case RequireSecurityStandard:
		switch {
		case c.SecurityStandard == "":
			f.Status, f.Reason = AuditMissing, "the contract names no security standard; "+r.SecurityStandard+" is required"
		case !strings.Contains(strings.ToLower(c.SecurityStandard), strings.ToLower(r.SecurityStandard)):
			f.Status, f.Reason = AuditTooWeak, fmt.Sprintf("security standard %q does not name %s", c.SecurityStandard, r.SecurityStandard)
		default:
			f.Status, f.Reason = AuditMet, fmt.Sprintf("security standard %q names %s", c.SecurityStandard, r.SecurityStandard)
		}
	case RequireRightToAudit:
		flag(c.RightToAudit, "right-to-audit clause")
	case RequireBAA:
		flag(c.BAA, "business associate agreement (BAA)")
	case RequireDPA:
		flag(c.DPA, "data processing agreement (DPA)")
	case RequireSubprocessor:
		flag(c.SubprocessorApproval, "subprocessor-approval clause")
	case RequireDataReturn:
		flag(c.DataReturnOrDestruction, "data return or destruction clause")
	}
	return f
}

// Applicable returns the requirements whose condition the vendor meets.
func (p ClausePolicy) Applicable(f register.VendorFacts) []ClauseRequirement {
	var out []ClauseRequirement
	for _, r := range p.Requirements {
		if r.When.Matches(f) {
			out = append(out, r)
		}
	}
	return out
}

var verdictRank = map[AuditStatus]int{AuditMissing: 0, AuditTooWeak: 1, AuditMet: 2}

// better reports whether a is a better verdict than b.
func better(a, b ClauseFinding) bool { return verdictRank[a.Status] > verdictRank[b.Status] }
