package web

import (
	"strconv"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// PageReport is a report run's page: its state and, once done, the
// download.
const PageReport = "report.html"

func init() {
	registerPages(PageReport)
}

// Overview is the executive overview at /.
type Overview struct {
	// Findings are the open findings by severity, shown to every role.
	Findings     []finding.SeverityCount
	OpenFindings int64
	FindingBars  BarChart
	// Portfolio is false when the role may not read the dashboard read
	// model (GET /api/v1/dashboard): nothing below is shown.
	Portfolio bool
	AsOf      time.Time
	Vendors   int64
	// Tiers and ResidualTiers are the vendors by inherent and residual
	// tier, as bars linking to the vendor list.
	Tiers, ResidualTiers BarChart
	// Unscored counts the vendors the scan has not given a residual tier.
	Unscored int64
	// Trend is the daily snapshots' tiers, inherent and residual.
	Trend, ResidualTrend LineChart
	TrendNote            string
	// Notices are the vendors' late or overdue notices to us.
	Notices Notices
	// Obligations are ours, to regulators and others: overdue and due
	// soon, each with its countdown.
	Obligations Obligations
	// Riskiest are the ten riskiest vendors, ranked as the executive
	// report ranks them.
	Riskiest []RiskyVendor
	RankedBy string
	// CanReport: the role may generate reports; Runs are the latest.
	CanReport bool
	Runs      []ReportRun
}

// Figure is a count with the address of the list behind it.
type Figure struct {
	Label string
	N     int64
	Href  string
}

// TierCount is how many vendors have a tier.
type TierCount struct {
	Tier    register.Tier
	Vendors int64
}

// Notices are the incidents whose vendor told us late or not yet, past
// the deadline.
type Notices struct {
	Late, Overdue Figure // late or overdue in all; overdue alone
	Rows          []NoticeRow
	// More says Rows shows only the latest of them.
	More bool
}

// NoticeRow is one late or overdue vendor notice.
type NoticeRow struct {
	IncidentID, Title string
	VendorID, Vendor  string
	DiscoveredAt      time.Time
	DueAt, NotifiedAt *time.Time
	Window            string
	Status            incident.NoticeStatus
	LateBy            *incident.Span
	Broken            string // contract, law or both
}

// Obligations are our own notices due: overdue, and due within the next
// week.
type Obligations struct {
	Overdue, DueSoon Figure
	OverdueRows      []DueObligation
	DueSoonRows      []DueObligation
}

// DueObligation is one of our obligations with its countdown: the time
// left until it is due, or how long it is overdue.
type DueObligation struct {
	Vendor, Item, Incident string
	Due                    time.Time
	Countdown              *incident.Span
	Overdue                bool
}

// RiskyVendor is one of the riskiest vendors with why, in a line.
type RiskyVendor struct {
	Rank         int
	ID, Name     string
	Tier         register.Tier // residual, or inherent when not scored
	Score        int
	Residual     bool // Tier and Score are residual
	Inherent     register.Tier
	OpenFindings int64
	Why          string
}

// ReportRun is a report run as the console lists it.
type ReportRun struct {
	reporting.Run
	Download string // its address once done
}

// ReportPage is a report run's page.
type ReportPage struct {
	Run ReportRun
}

// Bar is one bar of a bar chart: its label, value and the list it
// links to; the geometry is set by NewBarChart.
type Bar struct {
	Label string
	Class string // colour class: sev-critical, tier-high, ...
	Value int64
	Href  string
	// What the link says after its label and value, to a screen reader:
	// "vendors of inherent tier" (it reads "critical 12 vendors of
	// inherent tier").
	Name string
	// Geometry, in the chart's coordinates.
	Y, Width, TextX, TextY int
}

// BarChart is a horizontal bar chart drawn on the server as SVG: one bar
// per row, its label on the left and its value written after it, so
// colour is never the only signal.
type BarChart struct {
	ID, Title     string
	Bars          []Bar
	Width, Height int
	LabelW, BarH  int
	LabelX        int // where the labels end
	Total         int64
	Empty         bool // every value is zero
}

// Bar chart geometry (SVG user units; the chart scales to its box).
const (
	barChartWidth = 360
	barLabelWidth = 96
	barValueRoom  = 64
	barHeight     = 24
	barGap        = 10
)

// NewBarChart lays out bars: lengths proportional to the largest value,
// room after each bar for its value.
func NewBarChart(id, title string, bars []Bar) BarChart {
	c := BarChart{ID: id, Title: title, Width: barChartWidth, LabelW: barLabelWidth, BarH: barHeight,
		LabelX: barLabelWidth - 8}
	var top int64
	for _, b := range bars {
		top = max(top, b.Value)
		c.Total += b.Value
	}
	c.Empty = top == 0
	room := barChartWidth - barLabelWidth - barValueRoom
	for i, b := range bars {
		b.Y = barGap/2 + i*(barHeight+barGap)
		if top > 0 {
			b.Width = int(float64(room) * float64(b.Value) / float64(top))
		}
		if b.Value > 0 {
			b.Width = max(b.Width, 2)
		}
		b.TextX = barLabelWidth + b.Width + 6
		b.TextY = b.Y + barHeight/2 + 5
		c.Bars = append(c.Bars, b)
	}
	c.Height = len(bars)*(barHeight+barGap) + barGap/2
	return c
}

// Series is one line of a line chart: its label, colour and dash class,
// its points and its last value (written at the line's end).
type Series struct {
	Label, Class string
	Href         string
	Points       string // SVG polyline points
	Last         int64
	LastY        int // where the end label goes
}

// Tick is a labelled mark on an axis: its position, and where its label
// goes and how it is anchored (start, middle, end).
type Tick struct {
	Pos          int
	Label        string
	TextX, TextY int
	Anchor       string
}

// LineChart is a line chart drawn on the server as SVG, one line per
// tier, each labelled at its end with its tier and last value.
type LineChart struct {
	ID, Title     string
	Series        []Series
	Width, Height int
	Left, Right   int // plot area x range
	Top, Bottom   int // plot area y range
	EndX          int // where the end labels start
	YTicks        []Tick
	XTicks        []Tick
	Points        int // days with a snapshot
	From, To      domain.Date
}

// Line chart geometry.
const (
	lineWidth  = 460
	lineHeight = 236
	lineLeft   = 52
	lineRight  = 340
	lineTop    = 12
	lineBottom = 200
)

// TrendValue is one line's values, oldest first.
type TrendValue struct {
	Label, Class, Href string
	Values             []int64
}

// NewLineChart lays out lines over days (oldest first): the y axis from 0
// to a round maximum, ticks at the first and last day and between.
func NewLineChart(id, title string, days []domain.Date, lines []TrendValue) LineChart {
	c := LineChart{ID: id, Title: title, Width: lineWidth, Height: lineHeight, Left: lineLeft, Right: lineRight,
		Top: lineTop, Bottom: lineBottom, EndX: lineRight + 8, Points: len(days)}
	if len(days) == 0 {
		return c
	}
	c.From, c.To = days[0], days[len(days)-1]
	var top int64
	for _, l := range lines {
		for _, v := range l.Values {
			top = max(top, v)
		}
	}
	top = niceCeil(top)
	y := func(v int64) int {
		return lineBottom - int(float64(lineBottom-lineTop)*float64(v)/float64(top))
	}
	span := c.From.DaysUntil(c.To)
	x := func(d domain.Date) int {
		if span == 0 {
			return lineRight
		}
		return lineLeft + int(float64(lineRight-lineLeft)*float64(c.From.DaysUntil(d))/float64(span))
	}
	for i := range int64(5) {
		v := top * i / 4
		c.YTicks = append(c.YTicks, Tick{Pos: y(v), Label: thousands(v), TextX: lineLeft - 6, TextY: y(v) + 4, Anchor: "end"})
	}
	c.XTicks = append(c.XTicks, Tick{Pos: lineLeft, Label: c.From.String(), TextX: lineLeft, TextY: lineBottom + 20,
		Anchor: "start"})
	if span > 0 {
		c.XTicks = append(c.XTicks, Tick{Pos: lineRight, Label: c.To.String(), TextX: lineRight, TextY: lineBottom + 20,
			Anchor: "end"})
	}
	for _, l := range lines {
		s := Series{Label: l.Label, Class: l.Class, Href: l.Href}
		var pts []byte
		for i, v := range l.Values {
			if i > 0 {
				pts = append(pts, ' ')
			}
			px, py := x(days[i]), y(v)
			if span == 0 { // one day: a short level line
				pts = append(pts, strconv.Itoa(lineLeft)+","+strconv.Itoa(py)+" "...)
			}
			pts = append(pts, strconv.Itoa(px)+","+strconv.Itoa(py)...)
		}
		s.Points = string(pts)
		if n := len(l.Values); n > 0 {
			s.Last, s.LastY = l.Values[n-1], y(l.Values[n-1])
		}
		c.Series = append(c.Series, s)
	}
	spreadLabels(c.Series, 18, lineTop+6, lineBottom+4)
	return c
}

// spreadLabels moves the end labels of lines apart vertically, so that
// lines ending close together keep readable labels (in the order of
// their values).
func spreadLabels(s []Series, gap, top, bottom int) {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	// Insertion sort by LastY (a handful of series).
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && s[idx[j]].LastY < s[idx[j-1]].LastY; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	prev := top - gap
	for _, i := range idx {
		s[i].LastY = max(s[i].LastY+5, prev+gap)
		prev = s[i].LastY
	}
	// Pushed past the bottom: pull up from the last.
	next := bottom + gap
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		s[i].LastY = min(s[i].LastY, next-gap)
		next = s[i].LastY
	}
}

// niceCeil is the top of an axis of four ticks for values up to n: four
// times a round step (1, 2, 3, 4, 5, 6 or 8 times a power of ten), so
// that every tick is a whole number.
func niceCeil(n int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 3, 4, 5, 6, 8} {
			if step := m * p; 4*step >= n {
				return 4 * step
			}
		}
	}
}
