package incident

import (
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Deadline bases of a vendor's statutory duty.
const (
	BasisLaw    = "law"    // a number of hours or days the law fixes
	BasisPolicy = "policy" // the law has words only; the working deadline is ours
)

// VendorDuty is a duty the law puts on the vendor toward us for an
// incident (a vendor obligation of the catalogue: California §1798.82(b)
// "immediately following discovery", Florida's 10 days), with its deadline
// from the vendor's discovery and whether the vendor's notice met it.
type VendorDuty struct {
	RegimeID     string `json:"regime_id"`
	Regime       string `json:"regime"`
	Citation     string `json:"citation"`
	SourceStatus string `json:"source_status"`
	Title        string `json:"title"` // what the law requires, with its deadline
	DeadlineText string `json:"deadline_text"`
	// DueAt is the deadline the law fixes; nil when it sets only words
	// ("immediately"), and WorkingDueAt then gives the policy's.
	DueAt               *time.Time `json:"due_at"`
	WorkingDueAt        *time.Time `json:"working_due_at"`
	WorkingDeadlineText string     `json:"working_deadline_text"`
	// Status is JudgeNotice against DueAt, else against WorkingDueAt.
	Status NoticeStatus `json:"status"`
	Basis  string       `json:"basis"` // BasisLaw or BasisPolicy: what Status was judged against
	LateBy *Span        `json:"late_by"`
	// Broken is true when the vendor missed a deadline the law fixes; a
	// missed working deadline is never a legal breach by itself.
	Broken bool `json:"broken"`
}

// VendorDuties returns the vendor's statutory duties toward us for an
// incident, judged as of asOf. A duty counts when it binds an organisation
// like ours (its entity type, if any, is in the profile), concerns the
// affected jurisdictions and data, and a version of it was in force on the
// day the vendor discovered the incident (its clock runs from there).
func (c Catalogue) VendorDuties(f IncidentFacts, o AssessOptions, asOf time.Time) []VendorDuty {
	if o.Calendar == nil {
		o.Calendar = domain.WeekdaysOnlyCalendar{}
	}
	o.Working = o.Working.WithDefaults()
	start := f.VendorDiscoveredAt.UTC()
	out := []VendorDuty{}
	for _, idx := range c.duties() {
		for _, j := range idx {
			r := c.regimes[j]
			if !r.VendorObligation || !r.InForce || !r.InForceOn(domain.DateOf(start)) ||
				(r.AppliesTo != "" && !o.Profile.Has(r.AppliesTo)) ||
				(!r.AnyIncident && !r.covers(f.Jurisdictions)) || !r.dataMatches(f.Categories) {
				continue
			}
			d := VendorDuty{RegimeID: r.ID, Regime: r.Regime, Citation: r.Citation, SourceStatus: r.Status,
				Title: r.Title(), DeadlineText: r.DeadlineText(), Basis: BasisLaw}
			var judged time.Time
			if r.Deadline != nil {
				due := r.Deadline.DueAt(start, o.Calendar)
				d.DueAt, judged = &due, due
			} else {
				due, text := o.Working.workingDue(r, start, o.Calendar)
				d.WorkingDueAt, d.WorkingDeadlineText, d.Basis, judged = &due, text, BasisPolicy, due
			}
			d.Status, d.LateBy = JudgeNotice(judged, f.VendorNotifiedUsAt, asOf)
			d.Broken = d.Basis == BasisLaw && d.Status.Broke()
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b VendorDuty) int {
		return dueOf(a).Compare(dueOf(b))
	})
	return out
}

// dueOf is the instant a duty is judged against.
func dueOf(d VendorDuty) time.Time {
	if d.DueAt != nil {
		return *d.DueAt
	}
	return *d.WorkingDueAt
}

// LawNoticeDue returns the earliest deadline the law fixes among duties,
// and the duty's regime id: what incidents store as the statutory
// deadline of the vendor's notice.
func LawNoticeDue(duties []VendorDuty) (string, *time.Time) {
	var id string
	var due *time.Time
	for _, d := range duties {
		if d.DueAt != nil && (due == nil || d.DueAt.Before(*due)) {
			id, due = d.RegimeID, d.DueAt
		}
	}
	return id, due
}
