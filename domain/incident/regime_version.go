package incident

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Versions of the law. A duty of the catalogue (California's notice to
// individuals, say) may have several rows, each the law's text in force
// over [EffectiveFrom, EffectiveTo). The engine picks, for each duty, the
// row in force at the instant that starts the obligation's clock, never
// today's text for an old incident.

// NoFixedDeadline opens the deadline text of a duty whose law sets no
// number of hours or days.
const NoFixedDeadline = "no fixed deadline"

// standardWords renders the catalogue's speed standards for people.
var standardWords = map[string]string{
	"most_expedient_without_unreasonable_delay": "in the most expedient time possible and without unreasonable delay",
	"no_fixed_deadline":                         "",
	"immediately":                               "immediately following discovery",
}

// StandardWords is the row's speed standard in words: "without undue
// delay", "in the most expedient time possible and without unreasonable
// delay".
func (r Regime) StandardWords() string {
	if w, ok := standardWords[r.Standard]; ok {
		return w
	}
	return strings.ReplaceAll(r.Standard, "_", " ")
}

// InForceOn reports whether the row governs day d: d in
// [EffectiveFrom, EffectiveTo). A missing date leaves that side open.
func (r Regime) InForceOn(d domain.Date) bool {
	return (r.EffectiveFrom == nil || !d.Before(*r.EffectiveFrom)) && (r.EffectiveTo == nil || d.Before(*r.EffectiveTo))
}

// Period renders the row's period in force: "2003-07-01 to 2026-01-01",
// "from 2026-01-01", "until 2026-01-01", or "no dates in the source".
func (r Regime) Period() string {
	switch {
	case r.EffectiveFrom != nil && r.EffectiveTo != nil:
		return r.EffectiveFrom.String() + " to " + r.EffectiveTo.String()
	case r.EffectiveFrom != nil:
		return "from " + r.EffectiveFrom.String()
	case r.EffectiveTo != nil:
		return "until " + r.EffectiveTo.String()
	}
	return "no dates in the source"
}

// noFixedText is DeadlineText for a row without a number.
func (r Regime) noFixedText() string {
	if w := r.StandardWords(); w != "" {
		return NoFixedDeadline + ": " + w
	}
	return NoFixedDeadline
}

// Title says what the duty requires, with its deadline: "Give Visa the
// compromised account numbers within 10 business days", "Notify the
// affected California residents (no fixed deadline: in the most expedient
// time possible and without unreasonable delay)".
func (r Regime) Title() string {
	if r.Deadline != nil {
		return r.Action + " within " + r.Deadline.String()
	}
	return r.Action + " (" + r.DeadlineText() + ")"
}

// Versions returns the rows of duty, oldest first (a row without a start
// date first).
func (c Catalogue) Versions(duty string) []Regime {
	var out []Regime
	for _, r := range c.versions(duty) {
		out = append(out, r.clone())
	}
	return out
}

// versions returns the rows of duty, oldest first: the catalogue's own
// rows, which callers must not change.
func (c Catalogue) versions(duty string) []*Regime {
	i, ok := c.dutyAt[duty]
	if !ok {
		return nil
	}
	out := make([]*Regime, len(c.order[i]))
	for k, j := range c.order[i] {
		out[k] = &c.regimes[j]
	}
	return out
}

// compareStart orders rows by start date, a missing one first.
func compareStart(a, b Regime) int {
	switch {
	case a.EffectiveFrom == nil && b.EffectiveFrom == nil:
		return 0
	case a.EffectiveFrom == nil:
		return -1
	case b.EffectiveFrom == nil:
		return 1
	}
	return a.EffectiveFrom.Time().Compare(b.EffectiveFrom.Time())
}

// duties returns the row indexes of each duty, oldest version first, in
// catalogue order of each duty's first row.
func (c Catalogue) duties() [][]int { return c.order }

// groupDuties computes duties, and where each duty is in them.
func (c Catalogue) groupDuties() ([][]int, map[string]int) {
	var order []string
	byDuty := map[string][]int{}
	for i, r := range c.regimes {
		if _, ok := byDuty[r.Duty]; !ok {
			order = append(order, r.Duty)
		}
		byDuty[r.Duty] = append(byDuty[r.Duty], i)
	}
	out := make([][]int, len(order))
	at := make(map[string]int, len(order))
	for i, d := range order {
		idx := byDuty[d]
		slices.SortStableFunc(idx, func(a, b int) int { return compareStart(c.regimes[a], c.regimes[b]) })
		out[i], at[d] = idx, i
	}
	return out, at
}

// checkVersions validates the duties: each names one of its own rows, its
// rows do not overlap in time, agree on whose duty it is, and every
// period ends after it starts.
func (c Catalogue) checkVersions() []error {
	var errs []error
	for _, idx := range c.duties() {
		rows := make([]Regime, len(idx))
		for i, j := range idx {
			rows[i] = c.regimes[j]
		}
		duty := rows[0].Duty
		if duty == "" {
			errs = append(errs, fmt.Errorf("regime %q: no duty", rows[0].ID))
			continue
		}
		if !slices.ContainsFunc(rows, func(r Regime) bool { return r.ID == duty }) {
			errs = append(errs, fmt.Errorf("duty %q: names none of its rows", duty))
		}
		slices.SortStableFunc(rows, compareStart)
		for i, r := range rows {
			if strings.TrimSpace(r.Action) == "" {
				errs = append(errs, fmt.Errorf("regime %q: no action", r.ID))
			}
			if r.EffectiveFrom != nil && r.EffectiveTo != nil && !r.EffectiveFrom.Before(*r.EffectiveTo) {
				errs = append(errs, fmt.Errorf("regime %q: effective_to %s is not after effective_from %s", r.ID, r.EffectiveTo, r.EffectiveFrom))
			}
			if r.Ours != rows[0].Ours || r.VendorObligation != rows[0].VendorObligation || r.AppliesTo != rows[0].AppliesTo {
				errs = append(errs, fmt.Errorf("regime %q: versions of duty %q disagree on whose duty it is", r.ID, duty))
			}
			if i == 0 {
				continue
			}
			prev := rows[i-1]
			if prev.EffectiveTo == nil || r.EffectiveFrom == nil || r.EffectiveFrom.Before(*prev.EffectiveTo) {
				errs = append(errs, fmt.Errorf("regime %q: overlaps %q, another version of duty %q", r.ID, prev.ID, duty))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return []error{errors.Join(errs...)}
}
