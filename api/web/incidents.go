package web

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The incidents area's pages.
const (
	PageIncidents   = "incidents.html"
	PageIncident    = "incident.html"
	PageIncidentNew = "incident_new.html"
)

func init() {
	registerPages(PageIncidents, PageIncident, PageIncidentNew)
}

// Incidents is the incident list at /incidents: its filters, one page of
// incidents with their notice verdicts and the links to the other pages.
type Incidents struct {
	Filters  []Select
	VendorID string // one vendor's incidents only ("" for all)
	Vendor   string // that vendor's name
	Rows     []IncidentRow
	Pager    Pager
	Filtered bool
	// CanRecord: the role may record incidents (the API's POST
	// /incidents); the list links to the form.
	CanRecord bool
}

// IncidentRow is an incident of the list with its vendor's name.
type IncidentRow struct {
	incident.IncidentView
	VendorName string
}

// IncidentPage is an incident at /incidents/{id}: the notification clock
// drawn and explained, the deadlines it started for us, its blast radius
// and timeline, and the forms for the roles that may record.
type IncidentPage struct {
	Incident incident.IncidentView
	Vendor   string // the vendor's name
	Clock    Clock
	// Obligations are our regulatory deadlines, soonest first, with how far
	// each is from now.
	Obligations []ObligationRow
	NotApplied  []incident.RegimeCheck
	// Handling is what the vendor holds of ours; Contracts its contracts
	// with the clause in words now and at the discovery.
	Handling  []register.DataHandling
	Contracts []BlastContract
	Timeline  []incident.TimelineEntry
	// CanRecord: the role may record the vendor's notice and its evidence
	// (the API's PATCH /incidents/{id} and POST .../notice-evidence).
	CanRecord bool
	// Notice is the notice form as sent (kept on errors); Conflict is set
	// when the incident changed since the form was read (nothing saved).
	Notice   NoticeForm
	Conflict *NoticeForm
	// Evidence is the evidence form's message per field (kept on errors).
	Evidence EvidenceForm
	// Saved says what was just saved ("" when nothing was).
	Saved string
	// MaxEvidence is the upload limit in words ("25 MiB").
	MaxEvidence string
}

// BlastContract is a contract of the vendor with its breach-notification
// clause in words, now and when the vendor discovered the incident ("":
// none in force).
type BlastContract struct {
	ID, Title, Status string
	Now, AtDiscovery  string
}

// ObligationRow is one of our obligations with its countdown.
type ObligationRow struct {
	incident.Obligation
	// Days from today to the due date (negative: past); nil without one.
	DaysLeft *int
	Overdue  bool
}

// NoticeForm is the vendor's notice as typed: the date and time (UTC) it
// reached us, the version read and the message per field.
type NoticeForm struct {
	Date, Time string
	Version    int64
	Errors     map[string]string
}

// EvidenceForm is the notice evidence upload as typed.
type EvidenceForm struct {
	Date, Time string
	Errors     map[string]string
}

// IncidentForm is the form recording an incident, as typed, with the
// message per field.
type IncidentForm struct {
	VendorID, VendorName string
	Title, Description   string
	// Discovered, Learned and Notice are the vendor's discovery, when we
	// learned, and the vendor's notice.
	Discovered, Learned, Notice InstantField
	LearnedVia                  string
	ExposureStart               string
	ExposureEnd                 string
	RecordsAffected             string
	Errors                      map[string]string
}

// InstantField is an instant typed as a date and an optional 24-hour UTC
// time, in one fieldset: Name prefixes its two inputs' names, Field is
// the API field whose message it shows.
type InstantField struct {
	Legend, Name, Field string
	Date, Time          string
	Required            bool
	// Error is the message of Field; Max the last date the picker offers.
	Error string
	Max   domain.Date
}

// NewIncidentForm is an empty form for the vendor.
func NewIncidentForm(vendorID, vendorName string) IncidentForm {
	return IncidentForm{VendorID: vendorID, VendorName: vendorName, LearnedVia: string(incident.ViaVendorNotice),
		Discovered: InstantField{Legend: "When the vendor discovered it (required; UTC)", Name: "discovered",
			Field: "vendor_discovered_at", Required: true},
		Learned: InstantField{Legend: "When we learned of it (required; UTC)", Name: "learned", Field: "we_learned_at",
			Required: true},
		Notice: InstantField{Legend: "When the vendor’s notice reached us (UTC; required if we learned by it)",
			Name: "notice", Field: "vendor_notified_us_at"},
	}
}

// IncidentNew is the page recording an incident: without a vendor, a
// search for one; with one, the form.
type IncidentNew struct {
	Query   string
	Matches []Option // vendors matching the search: Value is the id
	Form    IncidentForm
	Via     []Option
	Today   domain.Date
}

// Clock is the notification clock drawn as an SVG timeline: positions are
// computed here, in a viewBox ClockWidth wide, so the template only
// places them. Every mark carries its words; colour is never the only
// signal.
type Clock struct {
	Height int
	// Verdict is the clock's verdict in words ("Notice late by 164 days"),
	// drawn above the axis and used as the picture's title.
	Verdict string
	// Desc describes the picture for screen readers.
	Desc  string
	Bars  []ClockBar
	Marks []ClockMark
	AxisY float64
}

// ClockWidth is the width of the clock's viewBox.
const ClockWidth = 800

// ClockBar is a span of the clock: the window the clause allows, the time
// the notice was late or is overdue, or the lag of a notice on time.
type ClockBar struct {
	X, Y, W, H float64
	Class      string // clock-window, clock-late, clock-lag
	Label      string
	// LabelInside: the bar is wide enough to hold its label.
	LabelInside bool
	LabelX      float64
}

// ClockMark is an instant on the clock with its name and date, written in
// a row of labels below the axis that keeps labels from overlapping.
type ClockMark struct {
	X      float64
	Name   string
	When   string
	Anchor string // start, middle or end
	TextY  float64
	// LineY1 and LineY2 are the ends of the line from the axis to the label.
	LineY1, LineY2 float64
	Class          string
	row            int
}

// Geometry of the clock.
const (
	clockMargin   = 24.0
	clockTop      = 8.0
	clockBarH     = 26.0
	clockRowH     = 40.0
	clockCharW    = 7.2 // average width of a label character at 13 px
	clockLabelGap = 12.0
)

// NewClock draws an incident's notification clock as of now: discovery,
// the due instant of the governing clause, the vendor's notice (or now,
// without one), the law's deadline for the vendor's notice when there is
// one, and the lag and the lateness the clock computed.
func NewClock(c incident.NoticeClock, now time.Time) Clock {
	type mark struct {
		at          time.Time
		name, class string
	}
	marks := []mark{{c.ClockStartsAt, "Vendor discovered", "m-discovery"}}
	if c.DueAt != nil {
		name := "Notice due"
		if c.WindowText != "" {
			name += " (" + c.WindowText + ")"
		}
		marks = append(marks, mark{*c.DueAt, name, "m-due"})
	}
	if c.LawDueAt != nil && (c.DueAt == nil || !c.LawDueAt.Equal(*c.DueAt)) {
		marks = append(marks, mark{*c.LawDueAt, "Due by law", "m-law"})
	}
	end := now.UTC()
	if c.NotifiedAt != nil {
		end = *c.NotifiedAt
		marks = append(marks, mark{end, "Vendor notified us", "m-notice"})
	} else {
		marks = append(marks, mark{end, "Now: no notice yet", "m-now"})
	}
	t0, t1 := c.ClockStartsAt, c.ClockStartsAt
	for _, m := range marks {
		if m.at.Before(t0) {
			t0 = m.at
		}
		if m.at.After(t1) {
			t1 = m.at
		}
	}
	width := t1.Sub(t0).Seconds()
	x := func(t time.Time) float64 {
		if width <= 0 {
			return clockMargin
		}
		return math.Round((clockMargin+(ClockWidth-2*clockMargin)*t.Sub(t0).Seconds()/width)*10) / 10
	}
	out := Clock{Verdict: clockVerdict(c)}
	bar := func(from, to time.Time, class, label string) {
		b := ClockBar{X: x(from), W: math.Max(x(to)-x(from), 2), H: clockBarH, Class: class, Label: label}
		b.LabelInside = float64(len(label))*clockCharW+16 < b.W
		b.LabelX = b.X + b.W/2
		out.Bars = append(out.Bars, b)
	}
	if c.DueAt != nil {
		bar(c.ClockStartsAt, *c.DueAt, "clock-window", "window: "+c.WindowText)
		switch {
		case c.Status == incident.NoticeLate || c.Status == incident.NoticeOverdue:
			word := "late by "
			if c.Status == incident.NoticeOverdue {
				word = "overdue by "
			}
			bar(*c.DueAt, end, "clock-late", word+span(c.LateBy))
		case c.Lag != nil:
			bar(c.ClockStartsAt, end, "clock-lag", "notified after "+span(c.Lag))
		}
	} else if c.Lag != nil {
		bar(c.ClockStartsAt, end, "clock-lag", "notified after "+span(c.Lag))
	}
	// Labels: sorted by position, each in the first row where it does
	// not overlap the previous label.
	slices.SortStableFunc(marks, func(a, b mark) int { return a.at.Compare(b.at) })
	var rowEnds []float64
	for _, m := range marks {
		mx := x(m.at)
		when := instant(m.at)
		w := float64(max(len(m.name), len(when))) * clockCharW
		anchor, left := "middle", mx-w/2
		switch {
		case mx-w/2 < 4:
			anchor, left = "start", mx
		case mx+w/2 > ClockWidth-4:
			anchor, left = "end", mx-w
		}
		row := 0
		for row < len(rowEnds) && left < rowEnds[row]+clockLabelGap {
			row++
		}
		if row == len(rowEnds) {
			rowEnds = append(rowEnds, 0)
		}
		rowEnds[row] = left + w
		out.Marks = append(out.Marks, ClockMark{X: mx, Name: m.name, When: when, Anchor: anchor, Class: m.class, row: row})
	}
	// Even rows are written below the axis, odd rows above it, so a
	// mark's line never crosses another mark's label.
	above := len(rowEnds) / 2
	axis := clockTop + float64(above)*clockRowH + clockBarH/2
	for i := range out.Marks {
		m := &out.Marks[i]
		level := float64(m.row / 2)
		if m.row%2 == 0 {
			m.TextY = axis + clockBarH/2 + 22 + level*clockRowH
			m.LineY1, m.LineY2 = axis, m.TextY-14
		} else {
			m.TextY = axis - clockBarH/2 - 26 - level*clockRowH
			m.LineY1, m.LineY2 = m.TextY+20, axis
		}
	}
	for i := range out.Bars {
		out.Bars[i].Y = axis - clockBarH/2
	}
	out.AxisY = axis
	below := (len(rowEnds) + 1) / 2
	out.Height = int(axis + clockBarH/2 + 12 + float64(below)*clockRowH)
	var desc []string
	for _, m := range out.Marks {
		desc = append(desc, m.Name+" "+m.When)
	}
	for _, b := range out.Bars {
		desc = append(desc, b.Label)
	}
	out.Desc = strings.Join(desc, "; ") + "."
	return out
}

// clockVerdict says the clock's verdict in a few words.
func clockVerdict(c incident.NoticeClock) string {
	switch c.Status {
	case incident.NoticeLate:
		return "Notice late by " + span(c.LateBy)
	case incident.NoticeOverdue:
		return "Notice overdue by " + span(c.LateBy)
	case incident.NoticeOnTime:
		return "Notice on time, after " + span(c.Lag)
	case incident.NoticePending:
		return "Notice pending: the window is still open"
	}
	return "No breach-notification clause was in force at discovery"
}

// BytesText writes a size in the largest whole binary unit ("25 MiB").
func BytesText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return domain.Count(n, "byte", "bytes")
}
