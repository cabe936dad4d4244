package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
)

// The Contracts area's pages: the portfolio clause audit and a contract.
const (
	PageContracts = "contracts.html"
	PageContract  = "contract.html"
)

func init() {
	registerPages(PageContracts, PageContract)
}

// ClauseAudit is the portfolio clause audit at /contracts: every active
// contract against every requirement that applies to its vendor, one page
// at a time, with its filters.
type ClauseAudit struct {
	Filters  []Select
	VendorID string // one vendor's contracts only ("" for all)
	Vendor   string // that vendor's name
	Lines    []contract.PortfolioLine
	Pager    Pager
	Filtered bool
	// Partial: the page stopped at its reading budget before it was full
	// (Searched contracts read); the next page continues the search.
	Partial  bool
	Searched int64
}

// ContractPage is a contract at /contracts/{id}: its terms, its clause
// versions on a timeline, the clause audit, and the amendment form for the
// roles that may amend.
type ContractPage struct {
	Contract        contract.Contract
	VendorName      string
	DaysUntilExpiry *int
	RenewalDeadline domain.Date
	// Versions of the breach-notification clause, oldest first; Current
	// is the one in force now (nil: none).
	Versions []ClauseVersionRow
	Current  *ClauseVersionRow
	// Latest is the most recent version, in force or not (nil: none).
	Latest   *ClauseVersionRow
	Timeline Timeline
	// Audit is the contract's clause audit (GET /contracts/{id}/clause-audit).
	Audit []contract.ClauseFinding
	// CanAmend: the role may amend (the API's POST
	// /contracts/{id}/amendments); the form is shown.
	CanAmend bool
	// Form is the amendment as typed (kept on errors) with the message per
	// field; its Version is the contract version the form was read at.
	Form AmendForm
	// Conflict is set when the contract changed since the form was read:
	// nothing was saved; it holds the amendment sent, and the page shows the
	// contract as it is now.
	Conflict *AmendForm
	// Saved: an amendment was just saved.
	Saved bool
	// Choices of the form's selects.
	Units, Standards, Triggers []Option
}

// AnnualValue is the contract's annual value in words ("" without one).
func (p ContractPage) AnnualValue() string { return money(p.Contract.AnnualValue) }

// CyberInsuranceMin is the cyber-insurance minimum in words ("" without one).
func (p ContractPage) CyberInsuranceMin() string { return money(p.Contract.CyberInsuranceMin) }

// money writes an amount with its currency's minor digits and thousands
// separators: "120,000.00 USD".
func money(m *domain.Money) string {
	if m == nil {
		return ""
	}
	d := m.MinorDigits()
	unit := int64(1)
	for range d {
		unit *= 10
	}
	s := thousands(m.AmountMinor / unit)
	if d > 0 {
		s += fmt.Sprintf(".%0*d", d, m.AmountMinor%unit)
	}
	return s + " " + m.Currency
}

// ClauseVersionRow is a clause version with its number (1 for the first),
// its window in words, and whether it is in force now.
type ClauseVersionRow struct {
	contract.ClauseVersion
	Number  int
	Window  string
	InForce bool
}

// AmendForm is an amendment as sent: the fields as typed, the contract
// version read, and the message per field.
type AmendForm struct {
	EffectiveFrom    string
	Reason           string
	Remove           bool // remove the clause from EffectiveFrom on
	WindowValue      string
	WindowUnit       string
	Standard         string
	Trigger          string
	Notify           string // one recipient a line: "role, email"
	RequiredContent  string
	UpdateEveryHours string
	Version          int64
	Errors           map[string]string
}

// Timeline is a server-drawn SVG of a contract's clause versions: one lane
// per version, its bar from its start to its end (or to the right edge
// while open), labelled in words; year ticks below; markers for today and
// the contract's expiry. Coordinates are in the SVG's own units.
type Timeline struct {
	Width, Height int
	AxisY         int
	Lanes         []TimelineLane
	Ticks         []TimelineTick
	Marks         []TimelineMark
	// Summary says in one sentence what the picture shows (its desc).
	Summary string
}

// TimelineLane is one version: its label line, its bar (with an arrow
// head while open) and a line of dates.
type TimelineLane struct {
	X, W, BarY, H int
	TextY, DatesY int
	Open          bool   // no end: the bar runs to the right edge
	Arrow         string // the arrow head's points, when open
	InForce       bool
	Label         string // "Version 2: 24 hours from discovery (in force)"
	Dates         string // "2017-11-01 to now, open"
	Reason        string // why the version began
	LabelX        int
	LabelEnd      bool // the label is anchored at its end (a bar in the right half)
}

// TimelineTick is a year on the axis.
type TimelineTick struct {
	X, Y1, Y2, LabelY int
	Label             string
}

// TimelineMark is a vertical marker (today, the contract's expiry).
type TimelineMark struct {
	X, Y1, Y2, LabelY int
	Label             string
	Class             string
	LabelEnd          bool
}

// Timeline geometry, in SVG units.
const (
	tlWidth  = 720
	tlLeft   = 12
	tlRight  = 12
	tlTop    = 30
	tlLane   = 62 // a label line, the bar, a line of dates
	tlBar    = 14
	tlArrow  = 8 // the arrow head of an open version
	tlAxis   = 30
	tlMargin = 0.04 // of the span, either side
	tlEdge   = 16   // a year label needs this much room from an edge
)

// NewTimeline lays out the versions between the contract's start and the
// later of today, its expiry and its last version's start.
func NewTimeline(c contract.Contract, versions []ClauseVersionRow, now time.Time) Timeline {
	start := c.EffectiveOn.Time()
	end := now
	if !c.ExpiresOn.IsZero() && c.ExpiresOn.Time().After(end) {
		end = c.ExpiresOn.Time()
	}
	for _, v := range versions {
		if v.EffectiveFrom.Before(start) {
			start = v.EffectiveFrom
		}
		if v.EffectiveFrom.After(end) {
			end = v.EffectiveFrom
		}
		if v.EffectiveTo != nil && v.EffectiveTo.After(end) {
			end = *v.EffectiveTo
		}
	}
	span := end.Sub(start)
	if span < 24*time.Hour {
		span = 24 * time.Hour
	}
	pad := time.Duration(float64(span) * tlMargin)
	lo, hi := start.Add(-pad), end.Add(pad)
	inner := tlWidth - tlLeft - tlRight
	x := func(t time.Time) int {
		return tlLeft + int(float64(inner)*float64(t.Sub(lo))/float64(hi.Sub(lo))+0.5)
	}
	t := Timeline{Width: tlWidth}
	for i, v := range versions {
		y := tlTop + i*tlLane
		x1, x2 := x(v.EffectiveFrom), tlWidth-tlRight-tlArrow
		dates := v.EffectiveFrom.UTC().Format("2006-01-02")
		if v.EffectiveTo != nil {
			x2 = x(*v.EffectiveTo)
			dates += " to " + v.EffectiveTo.UTC().Format("2006-01-02")
		} else {
			dates += " onwards"
		}
		if x2-x1 < 4 {
			x2 = x1 + 4
		}
		label := fmt.Sprintf("Version %d: %s from %s", v.Number, v.Window, strings.ReplaceAll(string(v.Terms.Trigger), "_", " "))
		switch {
		case v.InForce:
			label += " (in force)"
		case v.EffectiveFrom.After(now):
			label += " (not yet in force)"
		}
		lane := TimelineLane{X: x1, W: x2 - x1, TextY: y + 14, BarY: y + 22, H: tlBar, DatesY: y + 52,
			Open: v.EffectiveTo == nil, InForce: v.InForce, Label: label, Dates: dates, Reason: v.Reason, LabelX: x1}
		if lane.Open {
			lane.Arrow = fmt.Sprintf("%d,%d %d,%d %d,%d", x2, y+18, x2+tlArrow, y+22+tlBar/2, x2, y+26+tlBar)
		}
		// A bar starting in the right half is labelled leftwards from its end.
		if x1 > tlWidth/2 {
			lane.LabelEnd, lane.LabelX = true, tlWidth-tlRight
		}
		t.Lanes = append(t.Lanes, lane)
	}
	t.AxisY = tlTop + len(versions)*tlLane
	if len(versions) == 0 {
		t.AxisY = tlTop + tlLane/2
	}
	t.Height = t.AxisY + tlAxis
	step := 1
	for years := hi.Year() - lo.Year(); years/step > 8; {
		step *= 2
	}
	for y := lo.Year() + 1; y <= hi.Year(); y++ {
		if y%step != 0 {
			continue
		}
		tx := x(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		if tx < tlEdge || tx > tlWidth-tlEdge {
			continue // its label would be cut at the edge
		}
		t.Ticks = append(t.Ticks, TimelineTick{X: tx, Y1: t.AxisY,
			Y2: t.AxisY + 6, LabelY: t.AxisY + 20, Label: fmt.Sprint(y)})
	}
	today := TimelineMark{X: x(now), Y1: tlTop - 8, Y2: t.AxisY, LabelY: tlTop - 12,
		Label: "today " + now.UTC().Format("2006-01-02"), Class: "tl-today"}
	today.LabelEnd = today.X > tlWidth/2
	if !c.ExpiresOn.IsZero() {
		m := TimelineMark{X: x(c.ExpiresOn.Time()), Y1: tlTop - 8, Y2: t.AxisY, LabelY: tlTop - 12,
			Label: "expires " + c.ExpiresOn.String(), Class: "tl-expiry"}
		m.LabelEnd = m.X > tlWidth/2
		// Close together, the two labels point away from each other.
		if d := m.X - today.X; d > -200 && d < 200 {
			m.LabelEnd, today.LabelEnd = d < 0, d >= 0
		}
		t.Marks = append(t.Marks, m)
	}
	t.Marks = append(t.Marks, today)
	t.Summary = fmt.Sprintf("%s of the breach-notification clause from %s to %s.",
		domain.Count(int64(len(versions)), "version", "versions"), start.UTC().Format("2006-01-02"),
		end.UTC().Format("2006-01-02"))
	return t
}

// Updates says how often the vendor must send updates ("" when the
// clause sets no cadence).
func (v ClauseVersionRow) Updates() string {
	if v.Terms.UpdateEveryHours <= 0 {
		return ""
	}
	return "every " + domain.Count(int64(v.Terms.UpdateEveryHours), "hour", "hours")
}

// Err is the message of a field of the form ("" when none).
func (f AmendForm) Err(field string) string { return f.Errors[field] }
