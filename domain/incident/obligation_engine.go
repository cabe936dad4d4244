package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// IncidentFacts are what the engine needs from an incident.
type IncidentFacts struct {
	VendorDiscoveredAt      time.Time
	VendorNotifiedUsAt      *time.Time // no row anchors on it: "receipt of the vendor's notice" (AL, CA, MD) takes we_learned_at, never later
	WeLearnedAt             time.Time
	MaterialityDeterminedAt *time.Time
	VendorIsAgent           bool             // HIPAA: the vendor acts as our agent, so its discovery is ours
	Categories              []string         // affected data categories
	Jurisdictions           []string         // affected data subjects' jurisdictions
	RecordsAffected         int64            // total records affected
	Residents               map[string]int64 // optional per-jurisdiction counts, e.g. {"US-CA": 1200}
}

// ObligationSpec is one deadline that runs for us.
type ObligationSpec struct {
	RegimeID  string `json:"regime_id"`
	Regime    Regime `json:"regime"`
	Recipient string `json:"recipient"`
	// Anchor is the instant that starts the clock: we_learned_at,
	// vendor_discovered_at, materiality_determined_at, year_end,
	// classification or after:<regime id>.
	Anchor       string     `json:"anchor"`
	AnchorAt     *time.Time `json:"anchor_at"`     // nil while a chained or pending anchor has not happened
	DueAt        *time.Time `json:"due_at"`        // nil for words-only deadlines and pending anchors
	DeadlineText string     `json:"deadline_text"` // "72 hours", "4 business days", "without undue delay"
	Notes        []string   `json:"notes"`
}

// Obligations returns the deadlines that run for us because of an
// incident, sorted by due instant (none last), then regime id. All times
// are UTC.
//
// A row binds when it is ours (not a vendor's or a third party's duty), in
// force, needs no event incidents do not record, applies to any data owner
// or to an entity type of the profile, took effect on or before the date
// we learned of the incident, concerns the affected jurisdictions (rows
// bound by entity type, any_incident, ignore them), matches the affected
// data, and meets its threshold. A chained row also needs the row it
// follows to bind (its threshold aside: a threshold gates only its own
// row).
//
// Thresholds on a state's residents (CA_residents) use Residents["US-CA"]
// when given, else the total records affected as an upper bound, and say
// so in a note; residents_of_one_state takes the largest per-state count
// (the total for a state without one); individuals and consumers use the
// records affected.
//
// Anchors: a chained row (after:<id>) starts at done[<id>], the instant
// the earlier obligation was marked done, and stays pending until then
// (AnchorAt and DueAt nil). A missing materiality determination leaves the
// SEC row pending. DORA's classification is not recorded, so its initial
// notification gets the alternative limit only: 24 hours after we learned.
//
// HIPAA's annual log (days_after_calendar_year_end) is due 60 days after
// the end of the calendar year of discovery. We count the days from the
// date 31 December as day 0, so day 60 is 1 March (29 February when the
// next year is a leap year), and pin the due instant at 00:00 UTC at the
// start of that day: a 2026 breach is due 2027-03-01T00:00:00Z. The law's
// last day ends 24 hours later; pinning its start can only make us early.
// AnchorAt is 31 December 00:00 UTC of the discovery year.
//
// cal counts business days; nil counts Monday to Friday only.
func (c Catalogue) Obligations(f IncidentFacts, p OrgProfile, cal domain.BusinessCalendar, done map[string]time.Time) []ObligationSpec {
	if cal == nil {
		cal = domain.WeekdaysOnlyCalendar{}
	}
	out := []ObligationSpec{}
	for _, r := range c.regimes {
		if !c.bindsChain(r, f, p) {
			continue
		}
		var notes []string
		if r.AnchorNote != "" {
			notes = append(notes, r.AnchorNote)
		}
		if t := r.Threshold; t != nil {
			n, basis := thresholdCount(*t, f)
			switch {
			case t.AppliesTo != "" && t.Met(n):
				notes = append(notes, fmt.Sprintf("%s: owed, %s (%s)", t.AppliesTo, t, basis))
			case t.AppliesTo != "":
				notes = append(notes, fmt.Sprintf("%s: not owed, needs %s (%s)", t.AppliesTo, t, basis))
			case !t.Met(n):
				continue
			default:
				notes = append(notes, fmt.Sprintf("threshold %s met: %s", t, basis))
			}
		}
		s := ObligationSpec{RegimeID: r.ID, Regime: r.clone(), Recipient: r.Recipient, DeadlineText: r.DeadlineText()}
		anchor, at, note := resolveAnchor(r.Anchor, f, done)
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
			altAnchor, altAt, _ := resolveAnchor(alt.Anchor, f, done)
			if altAt == nil {
				continue
			}
			due := alt.Deadline.DueAt(*altAt, cal)
			if s.DueAt == nil || due.Before(*s.DueAt) {
				s.Anchor, s.AnchorAt, s.DueAt, s.DeadlineText = altAnchor, altAt, &due, alt.Deadline.String()
			}
		}
		if r.Deadline == nil {
			notes = append(notes, "no fixed deadline: "+r.DeadlineText())
		} else if r.Deadline.Unit == string(domain.UnitBusinessDays) && s.DueAt != nil {
			notes = append(notes, "business days on the "+cal.Name()+" calendar")
		}
		s.Notes = notes
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b ObligationSpec) int {
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

// binds reports whether the row is a deadline of ours for the incident,
// thresholds aside.
func (r Regime) binds(f IncidentFacts, p OrgProfile) bool {
	switch {
	case !r.Ours, !r.InForce, r.RequiresEvent != "", r.Anchor == AnchorNone:
		return false
	case r.AppliesTo != "" && !p.Has(r.AppliesTo):
		return false
	case r.EffectiveFrom != nil && domain.DateOf(f.WeLearnedAt).Before(*r.EffectiveFrom):
		return false
	case !r.AnyIncident && !r.covers(f.Jurisdictions):
		return false
	case !r.dataMatches(f.Categories):
		return false
	}
	return true
}

// bindsChain is binds plus, for a chained row, the row it follows: a
// report due after a notice is owed only when the notice is (Visa's
// incident report follows the notice of WTDIC v8.0, effective 2023-10-14).
func (c Catalogue) bindsChain(r Regime, f IncidentFacts, p OrgProfile) bool {
	for {
		if !r.binds(f, p) {
			return false
		}
		prior, ok := r.Chained()
		if !ok {
			return true
		}
		r = c.regimes[c.byID[prior]] // validated: exists, no cycle
	}
}

// resolveAnchor returns the anchor's name as the obligation shows it, its
// instant (nil while pending) and a note when the instant needs one.
func resolveAnchor(anchor string, f IncidentFacts, done map[string]time.Time) (string, *time.Time, string) {
	switch anchor {
	case AnchorWeLearnedAt:
		return AnchorWeLearnedAt, obligationUTC(f.WeLearnedAt), ""
	case AnchorVendorDiscoveredAt:
		return AnchorVendorDiscoveredAt, obligationUTC(f.VendorDiscoveredAt), ""
	case AnchorDiscoveryHIPAA:
		name, at := hipaaDiscovery(f)
		if name == AnchorVendorDiscoveredAt {
			return name, obligationUTC(at), "the vendor acts as our agent: its discovery is ours, so the clock runs from vendor_discovered_at"
		}
		return name, obligationUTC(at), ""
	case AnchorMaterialityDeterminedAt:
		if f.MaterialityDeterminedAt == nil {
			return anchor, nil, "starts when materiality is determined (materiality_determined_at not recorded)"
		}
		return anchor, obligationUTC(*f.MaterialityDeterminedAt), ""
	case AnchorYearEnd:
		_, at := hipaaDiscovery(f)
		y := at.UTC().Year()
		return anchor, obligationUTC(domain.NewDate(y, time.December, 31).Time()),
			fmt.Sprintf("discovered in %d: counted from 31 December %d", y, y)
	case AnchorClassification:
		return anchor, nil, ""
	}
	if prior, ok := strings.CutPrefix(anchor, AnchorAfterPrefix); ok {
		if t, ok := done[prior]; ok {
			return anchor, obligationUTC(t), ""
		}
		return anchor, nil, "starts when " + prior + " is done"
	}
	return anchor, nil, ""
}

// hipaaDiscovery is HIPAA discovery: the earlier of the vendor's discovery
// and ours when the vendor is our agent, else when we learned.
func hipaaDiscovery(f IncidentFacts) (string, time.Time) {
	if f.VendorIsAgent && !f.VendorDiscoveredAt.IsZero() && f.VendorDiscoveredAt.Before(f.WeLearnedAt) {
		return AnchorVendorDiscoveredAt, f.VendorDiscoveredAt
	}
	return AnchorWeLearnedAt, f.WeLearnedAt
}

// thresholdCount is the count a threshold is assessed on, and how it was
// obtained.
func thresholdCount(t Threshold, f IncidentFacts) (int64, string) {
	switch {
	case t.Metric == "residents_of_one_state":
		best, estimated := int64(-1), false
		states := slices.Clone(f.Jurisdictions)
		for code := range f.Residents {
			states = append(states, code)
		}
		for _, code := range states {
			if !strings.HasPrefix(code, "US-") {
				continue
			}
			if n, ok := f.Residents[code]; ok {
				best = max(best, n)
			} else {
				best, estimated = max(best, f.RecordsAffected), true
			}
		}
		if best < 0 || estimated {
			return max(best, f.RecordsAffected), fmt.Sprintf("assessed on the total records affected (%d), an upper bound of the residents of any one state: record per-state residents to refine", f.RecordsAffected)
		}
		return best, fmt.Sprintf("largest per-state residents count recorded: %d", best)
	case strings.HasSuffix(t.Metric, "_residents"):
		code := thresholdState(t.Metric)
		if n, ok := f.Residents[code]; ok {
			return n, fmt.Sprintf("%s of %s recorded", domain.Count(n, "resident", "residents"), code)
		}
		return f.RecordsAffected, fmt.Sprintf("assessed on the total records affected (%d), an upper bound: record the residents of %s to refine", f.RecordsAffected, code)
	}
	return f.RecordsAffected, fmt.Sprintf("assessed on the records affected (%d), taken as the number of %s", f.RecordsAffected, t.Metric)
}

func obligationUTC(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}
