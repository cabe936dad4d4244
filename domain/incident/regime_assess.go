package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Reasons why the engine checked a regime for an incident and did not
// apply it.
const (
	// ReasonNotInForce: no version of the duty was in force on the date
	// its clock would start (or the rule is only proposed).
	ReasonNotInForce = "not_in_force"
	// ReasonJurisdiction: the duty concerns data subjects elsewhere.
	ReasonJurisdiction = "jurisdiction_not_affected"
	// ReasonDataNotCovered: the affected data categories are not the
	// duty's.
	ReasonDataNotCovered = "data_not_covered"
	// ReasonBelowThreshold: the count is below the duty's threshold (the
	// check carries both).
	ReasonBelowThreshold = "below_threshold"
	// ReasonNoAnchorYet: what starts the clock has not happened, and which
	// version of the law applies depends on when it does (or the incident
	// cannot record it: an extortion payment).
	ReasonNoAnchorYet = "no_anchor_yet"
)

// RegimeCheck is a regime the engine checked for an incident and did not
// apply, with why. Duties of one regime with the same reason are one
// check.
type RegimeCheck struct {
	Regime    string   `json:"regime"`     // "CA breach law"
	RegimeIDs []string `json:"regime_ids"` // the catalogue rows checked: per duty, the version that would govern, else the latest
	Citations []string `json:"citations"`
	Reason    string   `json:"reason"` // Reason*
	Detail    string   `json:"detail"` // the reason in words, with the dates, codes or counts it rests on
	Threshold string   `json:"threshold,omitempty"`
	Count     *int64   `json:"count,omitempty"`
}

// Assessment is what the engine made of an incident: the deadlines that
// run for us, and the regimes checked and not applied.
type Assessment struct {
	Obligations []ObligationSpec `json:"obligations"`
	NotApplied  []RegimeCheck    `json:"not_applied"`
}

// AssessOptions are what an assessment needs besides the incident: the
// organisation profile, the business calendar (nil: Monday to Friday),
// the instants at which obligations were marked done (by regime id; a
// chained duty starts from them) and the working deadlines of words-only
// duties (zero: DefaultWorkingDeadlines).
type AssessOptions struct {
	Profile  OrgProfile
	Calendar domain.BusinessCalendar
	Done     map[string]time.Time
	Working  WorkingDeadlines
}

// dutyOutcome is the engine's verdict on one duty.
type dutyOutcome struct {
	spec  *ObligationSpec
	check *RegimeCheck
}

// Assess applies the catalogue to an incident, duty by duty.
//
// Duties that are not ours (the vendor's, shown as its statutory duties;
// a forensic investigator's) and duties that bind only an entity type the
// profile does not declare are not checked. Every other duty is checked in
// this order, the first failure giving the reason it does not apply:
// the affected jurisdictions (rows bound by entity type ignore them), the
// affected data, an event the incident cannot record, the duty it follows
// (a chained duty applies only when the one it follows does), the law in
// force, the threshold.
//
// The law in force: for each duty, the version in force on the date of
// its anchor instant (the instant that starts its clock; for DORA's
// initial notification, the alternative limit's), never today's text for
// an old incident. While the anchor has not happened (a chained duty whose
// predecessor is not done, the SEC's materiality determination), the
// version in force on the date we learned of the incident is taken when no
// later version exists, and the obligation waits for its anchor; when a
// later version exists, which one applies depends on when the anchor
// comes, and the duty is not applied yet (no_anchor_yet).
func (c Catalogue) Assess(f IncidentFacts, o AssessOptions) Assessment {
	if o.Calendar == nil {
		o.Calendar = domain.WeekdaysOnlyCalendar{}
	}
	o.Working = o.Working.WithDefaults()
	a := &assessor{c: c, f: f, o: o, doneByDuty: map[string]time.Time{}, outcomes: make(map[string]*dutyOutcome, len(c.order))}
	for id, t := range o.Done {
		duty := id
		if i, ok := c.byID[id]; ok {
			duty = c.regimes[i].Duty
		}
		if prev, ok := a.doneByDuty[duty]; !ok || t.Before(prev) {
			a.doneByDuty[duty] = t
		}
	}
	out := Assessment{Obligations: []ObligationSpec{}, NotApplied: []RegimeCheck{}}
	for _, idx := range c.duties() {
		res := a.duty(c.regimes[idx[0]].Duty)
		switch {
		case res.spec != nil:
			out.Obligations = append(out.Obligations, *res.spec)
		case res.check != nil:
			out.NotApplied = mergeCheck(out.NotApplied, *res.check)
		}
	}
	slices.SortStableFunc(out.Obligations, func(a, b ObligationSpec) int {
		switch {
		case a.DueAt != nil && b.DueAt != nil:
			if c := a.DueAt.Compare(*b.DueAt); c != 0 {
				return c
			}
		case a.DueAt != nil:
			return -1
		case b.DueAt != nil:
			return 1
		}
		return strings.Compare(a.RegimeID, b.RegimeID)
	})
	return out
}

// incidentAffects joins what a regime concerns or covers to what the
// incident affects, in a check's detail.
const incidentAffects = "; the incident affects "

// SummarizeChecks renders checks of one reason in one line, each regime
// with its detail, and what the incident affects once when the details
// share it: "GDPR: concerns EU; CO breach law: concerns US-CO (the
// incident affects US, US-CA)".
func SummarizeChecks(checks []RegimeCheck) string {
	parts := make([]string, len(checks))
	tail, shared := "", true
	for i, c := range checks {
		head, t, ok := strings.Cut(c.Detail, incidentAffects)
		if !ok || (i > 0 && t != tail) {
			shared = false
		}
		parts[i], tail = c.Regime+": "+head, t
	}
	if !shared {
		for i, c := range checks {
			parts[i] = c.Regime + ": " + c.Detail
		}
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, "; ") + " (the incident affects " + tail + ")"
}

// mergeCheck adds ch to checks, joining a check of the same regime with
// the same reason and detail.
func mergeCheck(checks []RegimeCheck, ch RegimeCheck) []RegimeCheck {
	for i, x := range checks {
		if x.Regime == ch.Regime && x.Reason == ch.Reason && x.Detail == ch.Detail {
			checks[i].RegimeIDs = append(checks[i].RegimeIDs, ch.RegimeIDs...)
			for _, c := range ch.Citations {
				if !slices.Contains(checks[i].Citations, c) {
					checks[i].Citations = append(checks[i].Citations, c)
				}
			}
			return checks
		}
	}
	return append(checks, ch)
}

// assessor holds one assessment's inputs and the outcome of each duty
// assessed so far (a chained duty looks up the one it follows).
type assessor struct {
	c          Catalogue
	f          IncidentFacts
	o          AssessOptions
	doneByDuty map[string]time.Time
	outcomes   map[string]*dutyOutcome
}

// duty assesses one duty (memoised).
func (a *assessor) duty(duty string) dutyOutcome {
	if res, ok := a.outcomes[duty]; ok {
		return *res
	}
	res := a.assess(duty)
	a.outcomes[duty] = &res
	return res
}

func (a *assessor) assess(duty string) dutyOutcome {
	versions := a.c.versions(duty)
	latest := *versions[len(versions)-1]
	check := func(r Regime, reason, format string, args ...any) dutyOutcome {
		return dutyOutcome{check: &RegimeCheck{Regime: r.Regime, RegimeIDs: []string{r.ID}, Citations: []string{r.Citation},
			Reason: reason, Detail: fmt.Sprintf(format, args...)}}
	}
	switch {
	case !latest.Ours:
		return dutyOutcome{}
	case latest.AppliesTo != "" && !a.o.Profile.Has(latest.AppliesTo):
		return dutyOutcome{}
	case !latest.InForce:
		return check(latest, ReasonNotInForce, "a proposed rule, not in force")
	case !latest.AnyIncident && !latest.covers(a.f.Jurisdictions):
		return check(latest, ReasonJurisdiction, "concerns %s"+incidentAffects+"%s",
			strings.Join(latest.Jurisdictions, ", "), listOr(a.f.Jurisdictions, "no recorded jurisdiction"))
	case !latest.dataMatches(a.f.Categories):
		return check(latest, ReasonDataNotCovered, "covers %s"+incidentAffects+"%s",
			latest.dataCondition(), listOr(a.f.Categories, "no recorded data category"))
	case latest.RequiresEvent != "" || latest.Anchor == AnchorNone:
		return check(latest, ReasonNoAnchorYet, "runs from an event incidents do not record (%s)",
			strings.ReplaceAll(latest.RequiresEvent, "_", " "))
	}
	if prior, ok := latest.Chained(); ok {
		if res := a.duty(prior); res.spec == nil {
			reason, detail := ReasonNotInForce, "does not apply"
			if res.check != nil {
				reason, detail = res.check.Reason, res.check.Detail
			}
			return check(latest, reason, "follows %s, which does not apply: %s", prior, detail)
		}
	}
	// The version in force at the anchor instant.
	var pending []*Regime
	var resolved *time.Time
	for _, v := range versions {
		at := a.anchorInstant(*v)
		if at == nil {
			pending = append(pending, v)
			continue
		}
		if v.InForceOn(domain.DateOf(*at)) {
			return a.apply(*v)
		}
		resolved = at
	}
	if len(pending) == 0 {
		return check(latest, ReasonNotInForce, "not in force on %s, when its clock starts (%s)",
			domain.DateOf(*resolved), periods(versions))
	}
	learned := domain.DateOf(a.f.WeLearnedAt)
	var now *Regime
	later := false
	for _, v := range pending {
		if v.InForceOn(learned) {
			now = v
		} else if v.EffectiveFrom != nil && v.EffectiveFrom.After(learned) {
			later = true
		}
	}
	_, _, wait := resolveAnchor(latest.Anchor, a.f, a.doneByDuty)
	switch {
	case now != nil && !later:
		return a.apply(*now)
	case now == nil && !later:
		return check(latest, ReasonNotInForce, "not in force on %s, when we learned of the incident (%s)", learned, periods(versions))
	}
	if t, n, ok := sameThreshold(pending, a.f); ok {
		return a.belowThreshold(*pending[len(pending)-1], t, n)
	}
	return check(latest, ReasonNoAnchorYet, "%s; the version in force then applies (%s)", wait, periods(versions))
}

// anchorInstant is the instant that starts the clock of row r (its
// anchor's, else the first recorded alternative limit's), nil while
// pending.
func (a *assessor) anchorInstant(r Regime) *time.Time {
	if _, at, _ := resolveAnchor(r.Anchor, a.f, a.doneByDuty); at != nil {
		return at
	}
	for _, alt := range r.AltLimits {
		if _, at, _ := resolveAnchor(alt.Anchor, a.f, a.doneByDuty); at != nil {
			return at
		}
	}
	return nil
}

// sameThreshold reports whether every row has the same threshold and the
// incident's count does not meet it.
func sameThreshold(rows []*Regime, f IncidentFacts) (Threshold, int64, bool) {
	t := rows[0].Threshold
	if t == nil || t.AppliesTo != "" {
		return Threshold{}, 0, false
	}
	for _, r := range rows[1:] {
		if r.Threshold == nil || *r.Threshold != *t {
			return Threshold{}, 0, false
		}
	}
	n, _ := thresholdCount(*t, f)
	return *t, n, !t.Met(n)
}

// belowThreshold is the check of a row whose threshold the count misses.
func (a *assessor) belowThreshold(r Regime, t Threshold, n int64) dutyOutcome {
	_, basis := thresholdCount(t, a.f)
	return dutyOutcome{check: &RegimeCheck{Regime: r.Regime, RegimeIDs: []string{r.ID}, Citations: []string{r.Citation},
		Reason: ReasonBelowThreshold, Detail: fmt.Sprintf("needs %s: %s", t, basis), Threshold: t.String(), Count: &n}}
}

// apply builds the obligation of row r, unless its threshold is not met.
func (a *assessor) apply(r Regime) dutyOutcome {
	var notes []string
	if r.AnchorNote != "" {
		notes = append(notes, r.AnchorNote)
	}
	if t := r.Threshold; t != nil {
		n, basis := thresholdCount(*t, a.f)
		switch {
		case t.AppliesTo != "" && t.Met(n):
			notes = append(notes, fmt.Sprintf("%s: owed, %s (%s)", t.AppliesTo, t, basis))
		case t.AppliesTo != "":
			notes = append(notes, fmt.Sprintf("%s: not owed, needs %s (%s)", t.AppliesTo, t, basis))
		case !t.Met(n):
			return a.belowThreshold(r, *t, n)
		default:
			notes = append(notes, fmt.Sprintf("threshold %s met: %s", t, basis))
		}
	}
	if len(a.c.versions(r.Duty)) > 1 {
		notes = append(notes, fmt.Sprintf("the law as in force when its clock starts: %s (%s)", r.Citation, r.Period()))
	}
	cal := a.o.Calendar
	s := ObligationSpec{RegimeID: r.ID, Regime: r.clone(), Recipient: r.Recipient, DeadlineText: r.DeadlineText(), Title: r.Title()}
	anchor, at, note := resolveAnchor(r.Anchor, a.f, a.doneByDuty)
	s.Anchor, s.AnchorAt = anchor, at
	if note != "" {
		notes = append(notes, note)
	}
	if r.Deadline != nil && at != nil {
		due := r.Deadline.DueAt(*at, cal)
		s.DueAt = &due
	}
	// Alternative limits: the earliest due instant wins, and the
	// obligation then names the anchor and deadline that produced it.
	for _, alt := range r.AltLimits {
		altAnchor, altAt, _ := resolveAnchor(alt.Anchor, a.f, a.doneByDuty)
		if altAt == nil {
			continue
		}
		due := alt.Deadline.DueAt(*altAt, cal)
		if s.DueAt == nil || due.Before(*s.DueAt) {
			s.Anchor, s.AnchorAt, s.DueAt, s.DeadlineText = altAnchor, altAt, &due, alt.Deadline.String()
		}
	}
	switch {
	case r.Deadline == nil && s.DueAt == nil && at != nil:
		due, text := a.o.Working.workingDue(r, *at, cal)
		s.WorkingDueAt, s.WorkingDeadlineText = &due, text
		notes = append(notes, "the law sets no number of days; the working deadline is policy, not law, and passing it is not a legal breach by itself")
	case r.Deadline != nil && r.Deadline.Unit == string(domain.UnitBusinessDays) && s.DueAt != nil:
		notes = append(notes, "business days on the "+cal.Name()+" calendar")
	}
	s.Notes = notes
	return dutyOutcome{spec: &s}
}

// dataCondition renders what data brings the row in.
func (r Regime) dataCondition() string {
	switch {
	case r.AnyIncident:
		return "any incident"
	case r.PersonalData:
		return "personal data"
	}
	return strings.Join(r.Categories, ", ")
}

// periods renders each version's period: "ca-ind-2003 2003-07-01 to
// 2026-01-01, ca-ind from 2026-01-01".
func periods(rows []*Regime) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r.ID + " " + r.Period()
		if len(rows) == 1 {
			parts[i] = "in force " + r.Period()
		}
	}
	return strings.Join(parts, ", ")
}

// listOr joins items, or returns none when there are none.
func listOr(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, ", ")
}
