package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
)

// Why a clause version of the vendor did not govern an incident's notice.
const (
	ClauseNotYetInForce = "not_yet_in_force" // took effect after the vendor's discovery
	ClauseSuperseded    = "superseded"       // ended before the discovery
	ClauseLooserWindow  = "looser_window"    // in force, but its window closes later than the chosen one
)

// ClauseRef identifies a clause version for people: the contract, the
// version's number within it, its period in force, its window in words
// and trigger.
type ClauseRef struct {
	ContractID      string                 `json:"contract_id"`
	ContractTitle   string                 `json:"contract_title"`
	ClauseVersionID string                 `json:"clause_version_id"`
	Version         int                    `json:"version"` // 1 for the contract's first clause version, in order of effective_from
	EffectiveFrom   time.Time              `json:"effective_from"`
	EffectiveTo     *time.Time             `json:"effective_to"` // nil: still in force
	WindowText      string                 `json:"window_text"`
	Trigger         contract.ClauseTrigger `json:"trigger"`
	// DueAt is the instant the version's window would have closed, counted
	// from the discovery (set for versions in force at it).
	DueAt *time.Time `json:"due_at,omitempty"`
}

// ClauseConsidered is a clause version that did not govern, with why.
type ClauseConsidered struct {
	ClauseRef
	Reason string `json:"reason"` // ClauseNotYetInForce, ClauseSuperseded or ClauseLooserWindow
	Detail string `json:"detail"`
}

// NoticeExplanation says which clause governs an incident's notice clock,
// which other versions of the vendor's clauses were considered and why
// they did not govern, in one plain paragraph too.
type NoticeExplanation struct {
	Governing *ClauseRef         `json:"governing_clause"`
	NotChosen []ClauseConsidered `json:"clauses_not_chosen"`
	Sentence  string             `json:"explanation"`
}

// ExplainNotice explains the choice NoticeDue makes among the vendor's
// clause versions for a discovery at discovered: the strictest version in
// force then governs; versions that took effect later, ended before, or
// were in force with a looser window did not.
func ExplainNotice(discovered time.Time, cands []ClauseCandidate, std map[contract.NotificationStandard]contract.StandardWindow, cal domain.BusinessCalendar) NoticeExplanation {
	discovered = discovered.UTC()
	ex := NoticeExplanation{NotChosen: []ClauseConsidered{}}
	best, _, ok := NoticeDue(discovered, cands, std, cal)
	refs := clauseRefs(cands, std)
	next := map[string]bool{} // versions followed by another of their contract
	for i, c := range cands {
		for _, o := range cands[i+1:] {
			if o.ContractID == c.ContractID {
				if o.Clause.EffectiveFrom.After(c.Clause.EffectiveFrom) {
					next[c.Clause.ID] = true
				} else {
					next[o.Clause.ID] = true
				}
			}
		}
	}
	contractIDs := map[string]bool{}
	for _, c := range cands {
		contractIDs[c.ContractID] = true
	}
	contracts := len(contractIDs) // an amendment names its contract when there are several
	var sentences []string
	if ok {
		g := refs[best.Clause.ID]
		g.DueAt = dueFrom(best.Clause, discovered, std, cal)
		ex.Governing = &g
		sentences = append(sentences, fmt.Sprintf("The %s of the %s (version %d, in force %s) governs: it was in force when the vendor discovered the breach on %s.",
			clauseNoun(best.Clause, std), g.ContractTitle, g.Version, periodText(g.EffectiveFrom, g.EffectiveTo), dayText(discovered)))
	} else {
		sentences = append(sentences, fmt.Sprintf("No breach-notification clause of the vendor's contracts was in force when the vendor discovered the breach on %s.", dayText(discovered)))
	}
	for _, c := range cands {
		if ok && c.Clause.ID == best.Clause.ID {
			continue
		}
		ref := refs[c.Clause.ID]
		var cc ClauseConsidered
		noun := clauseNoun(c.Clause, std)
		switch v := c.Clause; {
		case discovered.Before(v.EffectiveFrom):
			kind := "amendment"
			switch {
			case ref.Version == 1:
				kind = "clause of the " + ref.ContractTitle
			case contracts > 1:
				kind = "amendment to the " + ref.ContractTitle
			}
			cc = ClauseConsidered{ClauseRef: ref, Reason: ClauseNotYetInForce,
				Detail: fmt.Sprintf("took effect on %s, after the discovery on %s", dayText(v.EffectiveFrom), dayText(discovered))}
			sentences = append(sentences, fmt.Sprintf("The %s %s of %s came later and does not apply.",
				windowAdjective(v, std), kind, dayText(v.EffectiveFrom)))
		case v.EffectiveTo != nil && !discovered.Before(*v.EffectiveTo):
			how := "ended"
			if next[v.ID] {
				how = "was superseded"
			}
			cc = ClauseConsidered{ClauseRef: ref, Reason: ClauseSuperseded,
				Detail: fmt.Sprintf("%s on %s, before the discovery on %s", how, dayText(*v.EffectiveTo), dayText(discovered))}
			sentences = append(sentences, fmt.Sprintf("The %s of the %s (version %d) %s on %s, before the discovery.",
				noun, ref.ContractTitle, ref.Version, how, dayText(*v.EffectiveTo)))
		default:
			ref.DueAt = dueFrom(v, discovered, std, cal)
			cc = ClauseConsidered{ClauseRef: ref, Reason: ClauseLooserWindow,
				Detail: fmt.Sprintf("in force at the discovery, but its window closes %s, after the chosen clause's %s",
					ref.DueAt.Format(time.RFC3339), ex.Governing.DueAt.Format(time.RFC3339))}
			sentences = append(sentences, fmt.Sprintf("The %s of the %s was in force too, but its window is looser.",
				noun, ref.ContractTitle))
		}
		ex.NotChosen = append(ex.NotChosen, cc)
	}
	ex.Sentence = strings.Join(sentences, " ")
	return ex
}

// clauseRefs describes every candidate, numbering each contract's versions
// in order of effective_from.
func clauseRefs(cands []ClauseCandidate, std map[contract.NotificationStandard]contract.StandardWindow) map[string]ClauseRef {
	sorted := slices.Clone(cands)
	slices.SortStableFunc(sorted, func(a, b ClauseCandidate) int { return a.Clause.EffectiveFrom.Compare(b.Clause.EffectiveFrom) })
	n := map[string]int{}
	out := map[string]ClauseRef{}
	for _, c := range sorted {
		n[c.ContractID]++
		v := c.Clause
		out[v.ID] = ClauseRef{ContractID: c.ContractID, ContractTitle: c.ContractTitle, ClauseVersionID: v.ID,
			Version: n[c.ContractID], EffectiveFrom: v.EffectiveFrom.UTC(), EffectiveTo: utcPtrTime(v.EffectiveTo),
			WindowText: v.Terms.Describe(std), Trigger: v.Terms.Trigger}
	}
	return out
}

func dueFrom(v contract.ClauseVersion, discovered time.Time, std map[contract.NotificationStandard]contract.StandardWindow, cal domain.BusinessCalendar) *time.Time {
	w, _ := v.Terms.EffectiveWindow(std)
	due := w.DueAt(discovered, cal)
	return &due
}

// windowAdjective renders a clause's window as an adjective: "72-hour",
// "30-day", "10-business-day", or a standard in quotes with how it is
// counted.
func windowAdjective(v contract.ClauseVersion, std map[contract.NotificationStandard]contract.StandardWindow) string {
	w, fromStd := v.Terms.EffectiveWindow(std)
	if fromStd {
		return fmt.Sprintf("%q (counted as %s)", strings.ReplaceAll(string(v.Terms.Standard), "_", " "), w)
	}
	switch w.Unit {
	case domain.UnitHours:
		return fmt.Sprintf("%d-hour", w.Value)
	case domain.UnitCalendarDays:
		return fmt.Sprintf("%d-day", w.Value)
	}
	return fmt.Sprintf("%d-business-day", w.Value)
}

// clauseNoun is "30-day clause".
func clauseNoun(v contract.ClauseVersion, std map[contract.NotificationStandard]contract.StandardWindow) string {
	return windowAdjective(v, std) + " clause"
}

// dayText renders an instant as its date when it is midnight UTC, else
// with the time: "2017-10-12", "2017-10-12 14:30 UTC".
func dayText(t time.Time) string {
	t = t.UTC()
	if t.Equal(domain.DateOf(t).Time()) {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04 UTC")
}

// periodText is "2016-01-01 to 2017-11-01", or "since 2016-01-01".
func periodText(from time.Time, to *time.Time) string {
	if to == nil {
		return "since " + dayText(from)
	}
	return dayText(from) + " to " + dayText(*to)
}
