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
	// classification or after:<duty>.
	Anchor       string     `json:"anchor"`
	AnchorAt     *time.Time `json:"anchor_at"`     // nil while a chained or pending anchor has not happened
	DueAt        *time.Time `json:"due_at"`        // nil for words-only deadlines and pending anchors
	DeadlineText string     `json:"deadline_text"` // "72 hours", "4 business days", "no fixed deadline: without undue delay"
	// Title says what is required, with the deadline: "Give Visa the
	// compromised account numbers within 10 business days".
	Title string `json:"title"`
	// WorkingDueAt is the working deadline of a duty whose law sets no
	// number (DueAt nil): policy, not law, never a legal breach by itself.
	WorkingDueAt        *time.Time `json:"working_due_at"`
	WorkingDeadlineText string     `json:"working_deadline_text"`
	Notes               []string   `json:"notes"`
}

// Obligations returns the deadlines that run for us because of an
// incident, sorted by due instant (none last), then regime id. All times
// are UTC. It is Assess without the regimes not applied, with the default
// working deadlines.
//
// Thresholds on a state's residents (CA_residents) use Residents["US-CA"]
// when given, else the total records affected as an upper bound, and say
// so in a note; residents_of_one_state takes the largest per-state count
// (the total for a state without one); individuals and consumers use the
// records affected.
//
// Anchors: a chained row (after:<duty>) starts at the instant an
// obligation of that duty was marked done (done, by regime id), and stays
// pending until then (AnchorAt and DueAt nil). A missing materiality
// determination leaves the SEC row pending. DORA's classification is not
// recorded, so its initial notification gets the alternative limit only:
// 24 hours after we learned.
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
	return c.Assess(f, AssessOptions{Profile: p, Calendar: cal, Done: done}).Obligations
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
