package finding

import (
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// Rule ids.
const (
	RuleReviewOverdue                = "review.overdue"
	RuleReviewDueSoon                = "review.due_soon"
	RuleReviewMissing                = "review.missing"
	RuleAttestationExpired           = "attestation.expired"
	RuleAttestationExpiring          = "attestation.expiring"
	RuleAttestationMissing           = "attestation.missing"
	RuleAttestationQualified         = "attestation.qualified_unreviewed"
	RuleContractExpired              = "contract.expired"
	RuleContractRenewalNotice        = "contract.renewal_notice"
	RuleContractNoNotificationClause = "contract.no_notification_clause"
	RuleContractWindowExceedsPolicy  = "contract.window_exceeds_policy"
	RuleIncidentNoticeLate           = "incident.notice_late"
	RuleIncidentNoticeOverdue        = "incident.notice_overdue"
	RuleObligationOverdue            = "obligation.overdue"
	RuleObligationDueSoon            = "obligation.due_soon"
	RuleRiskAboveAppetite            = "risk.above_appetite"
	// RuleProviderConcentration: one provider under many critical vendors.
	RuleProviderConcentration = "provider.concentration"
	// RuleContractSubprocessorUnapproved: our data reaches a vendor's
	// provider without a subprocessor-approval clause.
	RuleContractSubprocessorUnapproved = "contract.subprocessor_unapproved"
)

// Rule families: each is gathered by one set-based fact query.
const (
	FamilyReview      = "review"
	FamilyAttestation = "attestation"
	FamilyContract    = "contract"
	FamilyPolicy      = "policy"
	FamilyIncident    = "incident"
	FamilyObligation  = "obligation"
	// FamilyRisk judges the residual risk; it runs after the others,
	// whose open findings it reads.
	FamilyRisk = "risk"
	// FamilySupplyChain judges the vendors' own providers (fourth
	// parties).
	FamilySupplyChain = "supply_chain"
)

// Rule describes one rule of the catalogue.
type Rule struct {
	ID          string   `json:"id"`
	Family      string   `json:"family"`
	Severity    Severity `json:"severity"` // the usual severity; a finding may carry a higher one
	SubjectType string   `json:"subject_type"`
	Title       string   `json:"title"`
	Explanation string   `json:"explanation"`
	Facts       []string `json:"facts"` // the facts a finding of this rule records
}

// Rules is the catalogue, in the order the scan runs the families.
var Rules = []Rule{
	{RuleReviewOverdue, FamilyReview, SeverityHigh, SubjectVendor, "Due-diligence review overdue",
		"The vendor's next review (last review plus the cadence of its tier) is past. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "tier", "last_review_on", "next_due", "overdue_days"}},
	{RuleReviewDueSoon, FamilyReview, SeverityLow, SubjectVendor, "Due-diligence review due soon",
		"The vendor's next review is due within the review due-soon window (30 days by default). Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "tier", "last_review_on", "next_due", "due_in_days"}},
	{RuleReviewMissing, FamilyReview, SeverityMedium, SubjectVendor, "Vendor never reviewed",
		"No due-diligence review has been recorded for the vendor. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "tier"}},
	{RuleAttestationExpired, FamilyAttestation, SeverityHigh, SubjectAttestation, "Attestation expired",
		"The latest attestation of this kind from the vendor expired and nothing newer replaced it. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "kind", "expires_on", "expired_days"}},
	{RuleAttestationExpiring, FamilyAttestation, SeverityMedium, SubjectAttestation, "Attestation expiring",
		"The latest attestation of this kind expires within the expiring window (30 days by default); ask for the next one. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "kind", "expires_on", "days_left"}},
	{RuleAttestationQualified, FamilyAttestation, SeverityMedium, SubjectAttestation, "Qualified or adverse opinion not reviewed",
		"The auditor's opinion is qualified or adverse and the attestation is neither accepted nor rejected yet (adverse: high). Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "kind", "opinion", "review_status"}},
	{RuleContractExpired, FamilyContract, SeverityHigh, SubjectContract, "Contract expired while the vendor is in service",
		"The contract's end date has passed (or it is recorded as expired and no other contract is active) and the vendor is still in service. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "title", "status", "expires_on", "expired_days"}},
	{RuleContractRenewalNotice, FamilyContract, SeverityMedium, SubjectContract, "Renewal notice deadline approaching",
		"The last day to give notice of non-renewal (expiry minus the notice days) falls within the renewal window (30 days by default). Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "title", "expires_on", "renewal_notice_days", "notice_deadline", "days_left", "auto_renew"}},
	{RuleAttestationMissing, FamilyPolicy, SeverityHigh, SubjectVendor, "Required attestation missing",
		"The attestation policy requires evidence for the vendor's data or tier and none is current. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "tier", "requirements"}},
	{RuleContractNoNotificationClause, FamilyPolicy, SeverityHigh, SubjectVendor, "No breach-notification clause",
		"The vendor handles personal data and none of its active contracts has a breach-notification clause in force. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "categories", "active_contracts"}},
	{RuleContractWindowExceedsPolicy, FamilyPolicy, SeverityMedium, SubjectContract, "Notification window longer than policy",
		"The shortest breach-notification window among the vendor's active contracts is longer than the clause policy allows for its data. Judges active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "window", "window_hours", "max_hours", "requirement", "reason"}},
	{RuleIncidentNoticeLate, FamilyIncident, SeverityHigh, SubjectIncident, "Vendor notified us late",
		"The vendor told us of its incident after a deadline it had to meet: its contract's notification window, or a " +
			"deadline the law fixes for its own notice to us (e.g. Fla. Stat. 501.171(6), 10 days). broken says which: " +
			"contract, law or both; a working deadline for a duty in words only (\"immediately\") is policy and never counts. " +
			"Judges vendors in every status.",
		[]string{"vendor_name", "title", "broken", "window", "discovered_at", "due_at", "law_due_at", "law_regime_id",
			"law_citation", "law_deadline", "notified_at", "lag", "late_by", "law_late_by"}},
	{RuleIncidentNoticeOverdue, FamilyIncident, SeverityCritical, SubjectIncident, "Vendor notice overdue",
		"A deadline the vendor had to meet has passed (its contract's window, or a deadline the law fixes for its notice " +
			"to us; broken says which) and the vendor has not told us. Judges vendors in every status.",
		[]string{"vendor_name", "title", "broken", "window", "discovered_at", "due_at", "law_due_at", "law_regime_id",
			"law_citation", "law_deadline", "overdue_by", "law_overdue_by", "learned_via", "learned_from_press"}},
	{RuleObligationOverdue, FamilyObligation, SeverityCritical, SubjectObligation, "Our obligation overdue",
		"An open regulatory or contractual deadline of ours has passed. Judges vendors in every status.",
		[]string{"vendor_name", "incident_id", "regime", "recipient", "due_at", "overdue_by"}},
	{RuleObligationDueSoon, FamilyObligation, SeverityHigh, SubjectObligation, "Our obligation due soon",
		"An open deadline of ours falls within the due-soon window (24 hours by default). Judges vendors in every status.",
		[]string{"vendor_name", "incident_id", "regime", "recipient", "due_at", "due_in_hours"}},
	{RuleRiskAboveAppetite, FamilyRisk, SeverityHigh, SubjectVendor, "Residual risk above appetite",
		"The vendor's residual risk tier is higher than the risk appetite accepts for its tier (critical when the " +
			"residual tier is critical); factors lists what adds points. It resolves when the residual risk comes back " +
			"within appetite; accept the risk with a reason and an end date to keep it while controls improve. Judges " +
			"active and offboarding vendors, and onboarding vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "tier", "inherent_score", "residual_score", "residual_tier", "appetite", "config", "factors"}},
	{RuleProviderConcentration, FamilySupplyChain, SeverityHigh, SubjectVendor, "Provider concentration",
		"At least N critical vendors of ours (effective tier critical, in service) depend on one provider, directly or " +
			"down their chain to rank 5 (N: scan_thresholds.provider_concentration_critical, 3 by default): a breach or " +
			"outage of the provider reaches all of them at once. The finding is on the provider's record; " +
			"critical_vendors lists them.",
		[]string{"vendor_name", "critical_count", "threshold", "critical_vendors"}},
	{RuleContractSubprocessorUnapproved, FamilySupplyChain, SeverityMedium, SubjectVendor, "Sub-processor without approval clause",
		"The vendor passes our data to a provider of its own (a dependency edge with data categories) and none of its " +
			"active contracts has the subprocessor-approval clause. Judges active and offboarding vendors, and onboarding " +
			"vendors that already hold data (data handling recorded).",
		[]string{"vendor_name", "providers", "categories", "active_contracts"}},
}

// LookupRule returns the rule with the id.
func LookupRule(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// RulesOf returns the ids of a family's rules.
func RulesOf(family string) []string {
	var out []string
	for _, r := range Rules {
		if r.Family == family {
			out = append(out, r.ID)
		}
	}
	return out
}

// ScanThresholds are the configurable windows of the rules.
type ScanThresholds struct {
	ReviewDueSoonDays       int `json:"review_due_soon_days"`
	AttestationExpiringDays int `json:"attestation_expiring_days"`
	RenewalNoticeDays       int `json:"renewal_notice_days"`
	ObligationDueSoonHours  int `json:"obligation_due_soon_hours"`
	// ProviderConcentrationCritical is how many critical vendors on one
	// provider raise provider.concentration.
	ProviderConcentrationCritical int `json:"provider_concentration_critical"`
}

// DefaultScanThresholds are the windows the issue names.
func DefaultScanThresholds() ScanThresholds {
	return ScanThresholds{ReviewDueSoonDays: 30, AttestationExpiringDays: 30, RenewalNoticeDays: 30, ObligationDueSoonHours: 24,
		ProviderConcentrationCritical: 3}
}

// WithDefaults fills unset (zero or negative) thresholds.
func (t ScanThresholds) WithDefaults() ScanThresholds {
	d := DefaultScanThresholds()
	for _, p := range []struct{ v, def *int }{
		{&t.ReviewDueSoonDays, &d.ReviewDueSoonDays}, {&t.AttestationExpiringDays, &d.AttestationExpiringDays},
		{&t.RenewalNoticeDays, &d.RenewalNoticeDays}, {&t.ObligationDueSoonHours, &d.ObligationDueSoonHours},
		{&t.ProviderConcentrationCritical, &d.ProviderConcentrationCritical},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return t
}

// RuleContext is what the rules judge facts against.
type RuleContext struct {
	AsOf       time.Time
	Today      domain.Date
	Thresholds ScanThresholds
	Cadence    review.ReviewCadence
	Policy     contract.ClausePolicy
	Attest     []attestation.AttestationRequirement
	Residual   register.ResidualConfig
}

func newFinding(rule, vendorID, subjectType, subjectID string, facts map[string]any) Finding {
	r, _ := LookupRule(rule)
	return Finding{RuleID: rule, Severity: r.Severity, VendorID: vendorID, SubjectType: subjectType, SubjectID: subjectID,
		Facts: facts, Status: FindingOpen}
}

// ReviewRules judges an active vendor's review status.
func (rc RuleContext) ReviewRules(f ReviewFact) []Finding {
	if f.LastReviewOn.IsZero() {
		return []Finding{newFinding(RuleReviewMissing, f.VendorID, SubjectVendor, f.VendorID,
			map[string]any{"vendor_name": f.VendorName, "tier": f.Tier})}
	}
	next := review.NextReviewDue(f.LastReviewOn, f.Tier, rc.Cadence)
	if next.IsZero() {
		return nil
	}
	facts := map[string]any{"vendor_name": f.VendorName, "tier": f.Tier, "last_review_on": f.LastReviewOn, "next_due": next}
	switch days := rc.Today.DaysUntil(next); {
	case review.ReviewOverdue(next, rc.Today):
		facts["overdue_days"] = -days
		return []Finding{newFinding(RuleReviewOverdue, f.VendorID, SubjectVendor, f.VendorID, facts)}
	case days <= rc.Thresholds.ReviewDueSoonDays:
		facts["due_in_days"] = days
		return []Finding{newFinding(RuleReviewDueSoon, f.VendorID, SubjectVendor, f.VendorID, facts)}
	}
	return nil
}

// AttestationRules judges an attestation's expiry and opinion.
func (rc RuleContext) AttestationRules(a AttestationFact) []Finding {
	var out []Finding
	if a.ReviewStatus == attestation.AttestationRejected {
		return nil
	}
	base := func() map[string]any {
		return map[string]any{"vendor_name": a.VendorName, "kind": a.Kind, "expires_on": a.ExpiresOn}
	}
	switch days := rc.Today.DaysUntil(a.ExpiresOn); {
	case a.ExpiresOn.IsZero(), !a.Latest:
	case attestation.Expired(a.ExpiresOn, rc.Today):
		f := base()
		f["expired_days"] = -days
		out = append(out, newFinding(RuleAttestationExpired, a.VendorID, SubjectAttestation, a.ID, f))
	case attestation.ExpiresWithin(a.ExpiresOn, rc.Today, rc.Thresholds.AttestationExpiringDays):
		f := base()
		f["days_left"] = days
		out = append(out, newFinding(RuleAttestationExpiring, a.VendorID, SubjectAttestation, a.ID, f))
	}
	if (a.Opinion == attestation.OpinionQualified || a.Opinion == attestation.OpinionAdverse) &&
		(a.ReviewStatus == attestation.AttestationReceived || a.ReviewStatus == attestation.AttestationUnderReview) {
		f := base()
		f["opinion"], f["review_status"] = a.Opinion, a.ReviewStatus
		fd := newFinding(RuleAttestationQualified, a.VendorID, SubjectAttestation, a.ID, f)
		if a.Opinion == attestation.OpinionAdverse {
			fd.Severity = SeverityHigh
		}
		out = append(out, fd)
	}
	return out
}

// ContractRules judges a contract's end date and renewal-notice deadline.
// A contract recorded as expired counts only when it reaches here, which
// the store guarantees only when the vendor has no other active contract.
func (rc RuleContext) ContractRules(c ContractFact) []Finding {
	if c.ExpiresOn.IsZero() {
		return nil
	}
	var out []Finding
	days := rc.Today.DaysUntil(c.ExpiresOn)
	if days < 0 && (c.Status == contract.ContractExpired || (c.Status == contract.ContractActive && !c.AutoRenew)) {
		out = append(out, newFinding(RuleContractExpired, c.VendorID, SubjectContract, c.ID, map[string]any{
			"vendor_name": c.VendorName, "title": c.Title, "status": c.Status, "expires_on": c.ExpiresOn, "expired_days": -days}))
	}
	if c.Status == contract.ContractActive && c.RenewalNoticeDays > 0 {
		deadline := contract.Contract{ExpiresOn: c.ExpiresOn, RenewalNoticeDays: c.RenewalNoticeDays}.RenewalNoticeDeadline()
		if left := rc.Today.DaysUntil(deadline); left >= 0 && left <= rc.Thresholds.RenewalNoticeDays {
			out = append(out, newFinding(RuleContractRenewalNotice, c.VendorID, SubjectContract, c.ID, map[string]any{
				"vendor_name": c.VendorName, "title": c.Title, "expires_on": c.ExpiresOn, "renewal_notice_days": c.RenewalNoticeDays,
				"notice_deadline": deadline, "days_left": left, "auto_renew": c.AutoRenew}))
		}
	}
	return out
}

// IncidentRules judges the vendor's notice of an incident against the
// deadlines it had to meet (NoticeBreach): the stored due instant of its
// contract's clause and the earliest deadline the law fixes for its own
// notice to us. The finding says which it broke.
func (rc RuleContext) IncidentRules(i IncidentFact) []Finding {
	status, broken, _ := incident.NoticeBreach(i.DueAt, i.LawDueAt, i.NotifiedAt, rc.AsOf)
	if broken == "" {
		return nil
	}
	facts := map[string]any{"vendor_name": i.VendorName, "title": i.Title, "discovered_at": i.DiscoveredAt.UTC(), "broken": broken}
	if i.DueAt != nil {
		facts["window"], facts["due_at"] = i.Terms.Describe(rc.Policy.StandardWindows), i.DueAt.UTC()
	}
	if i.LawDueAt != nil {
		facts["law_due_at"], facts["law_regime_id"] = i.LawDueAt.UTC(), i.LawRegimeID
		if r, ok := incident.DefaultCatalogue().Regime(i.LawRegimeID); ok {
			facts["law_citation"], facts["law_deadline"] = r.Citation, r.DeadlineText()
		}
	}
	// By how much each broken deadline was missed (late_by, law_late_by;
	// overdue_by, law_overdue_by).
	by := "late_by"
	if status == incident.NoticeOverdue {
		by = "overdue_by"
	}
	for key, due := range map[string]*time.Time{by: i.DueAt, "law_" + by: i.LawDueAt} {
		if due == nil {
			continue
		}
		if s, span := incident.JudgeNotice(*due, i.NotifiedAt, rc.AsOf); s.Broke() {
			facts[key] = span
		}
	}
	if status == incident.NoticeLate {
		facts["notified_at"], facts["lag"] = i.NotifiedAt.UTC(), incident.SpanOf(i.NotifiedAt.Sub(i.DiscoveredAt))
		return []Finding{newFinding(RuleIncidentNoticeLate, i.VendorID, SubjectIncident, i.ID, facts)}
	}
	facts["learned_via"], facts["learned_from_press"] = i.LearnedVia, i.LearnedVia == incident.ViaPress
	return []Finding{newFinding(RuleIncidentNoticeOverdue, i.VendorID, SubjectIncident, i.ID, facts)}
}

// ObligationRules judges an open obligation's deadline.
func (rc RuleContext) ObligationRules(o ObligationFact) []Finding {
	facts := map[string]any{"vendor_name": o.VendorName, "incident_id": o.IncidentID, "regime": o.Regime,
		"recipient": o.Recipient, "due_at": o.DueAt.UTC()}
	left := o.DueAt.Sub(rc.AsOf)
	switch {
	case left < 0:
		facts["overdue_by"] = incident.SpanOf(-left)
		return []Finding{newFinding(RuleObligationOverdue, o.VendorID, SubjectObligation, o.ID, facts)}
	case left <= time.Duration(rc.Thresholds.ObligationDueSoonHours)*time.Hour:
		facts["due_in_hours"] = incident.SpanOf(left).Hours
		return []Finding{newFinding(RuleObligationDueSoon, o.VendorID, SubjectObligation, o.ID, facts)}
	}
	return nil
}

// requirementGap is one attestation requirement a vendor does not meet.
type requirementGap struct {
	ID     string                        `json:"id"`
	Title  string                        `json:"title"`
	Status string                        `json:"status"` // missing or expired
	AnyOf  []attestation.AttestationKind `json:"any_of"`
}

// PolicyRules evaluates the attestation and clause policies for one
// vendor with the existing policy code.
func (rc RuleContext) PolicyRules(v VendorPolicyFact) []Finding {
	out, _ := rc.policyJudgement(v, false)
	return out
}

// policyJudgement is PolicyRules, and with controls the vendor's
// ResidualControls from the same facts and evidence verdicts.
func (rc RuleContext) policyJudgement(v VendorPolicyFact, controls bool) ([]Finding, ResidualControls) {
	var out []Finding
	facts := register.FactsFor(v.Vendor, v.Handling)
	name := v.Vendor.Name

	ev := attestation.EvaluateEvidence(rc.Attest, facts, v.Attestations, rc.Today)
	var rcs ResidualControls
	if controls {
		rcs = rc.residualControls(facts, ev, v.Contracts)
	}
	var gaps []requirementGap
	for _, r := range ev.Requirements {
		if r.Status == attestation.EvidenceMissing || r.Status == attestation.EvidenceExpired {
			gaps = append(gaps, requirementGap{ID: r.Requirement.ID, Title: r.Requirement.Title, Status: r.Status, AnyOf: r.Requirement.AnyOf})
		}
	}
	if len(gaps) > 0 {
		out = append(out, newFinding(RuleAttestationMissing, v.Vendor.ID, SubjectVendor, v.Vendor.ID,
			map[string]any{"vendor_name": name, "tier": facts.Tier, "requirements": gaps}))
	}

	withClause := 0
	for _, c := range v.Contracts {
		if c.Clause != nil {
			withClause++
		}
	}
	if facts.Personal && withClause == 0 {
		out = append(out, newFinding(RuleContractNoNotificationClause, v.Vendor.ID, SubjectVendor, v.Vendor.ID,
			map[string]any{"vendor_name": name, "categories": facts.Categories, "active_contracts": len(v.Contracts)}))
	}

	// The strictest window requirement that applies, judged against the
	// vendor's best clause. A vendor without any clause is the rule above.
	var strictest *contract.ClauseRequirement
	for _, r := range rc.Policy.Applicable(facts) {
		if r.Require == contract.RequireBreachWindow && (strictest == nil || r.MaxWindowHours < strictest.MaxWindowHours) {
			strictest = &r
		}
	}
	if strictest != nil && withClause > 0 {
		var best *ContractClause
		bestHours := 0
		for i, c := range v.Contracts {
			if c.Clause == nil {
				continue
			}
			w, _ := c.Clause.Terms.EffectiveWindow(rc.Policy.StandardWindows)
			if best == nil || w.MaxHours() < bestHours {
				best, bestHours = &v.Contracts[i], w.MaxHours()
			}
		}
		if verdict := rc.Policy.EvaluateRequirement(*strictest, best.Contract, best.Clause); verdict.Status == contract.AuditTooWeak {
			out = append(out, newFinding(RuleContractWindowExceedsPolicy, v.Vendor.ID, SubjectContract, best.Contract.ID,
				map[string]any{"vendor_name": name, "window": best.Clause.Terms.Describe(rc.Policy.StandardWindows),
					"window_hours": bestHours, "max_hours": strictest.MaxWindowHours, "requirement": strictest.ID,
					"reason": verdict.Reason}))
		}
	}
	return out, rcs
}

// ConcentrationRules judges one provider and the critical vendors of ours
// above it: provider.concentration at the threshold and above.
func (rc RuleContext) ConcentrationRules(f ConcentrationFact) []Finding {
	n := rc.Thresholds.ProviderConcentrationCritical
	if len(f.CriticalVendors) < n {
		return nil
	}
	return []Finding{newFinding(RuleProviderConcentration, f.ProviderID, SubjectVendor, f.ProviderID, map[string]any{
		"vendor_name": f.ProviderName, "critical_count": len(f.CriticalVendors), "threshold": n,
		"critical_vendors": f.CriticalVendors})}
}

// SubprocessorRules judges a vendor in service that passes our data to
// providers of its own: contract.subprocessor_unapproved when none of its
// active contracts has the subprocessor-approval clause.
func (rc RuleContext) SubprocessorRules(f SubprocessorFact) []Finding {
	if len(f.Providers) == 0 || len(f.Categories) == 0 || f.ApprovingContracts > 0 {
		return nil
	}
	return []Finding{newFinding(RuleContractSubprocessorUnapproved, f.VendorID, SubjectVendor, f.VendorID, map[string]any{
		"vendor_name": f.VendorName, "providers": f.Providers, "categories": f.Categories,
		"active_contracts": f.ActiveContracts})}
}
