package reports

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// Sheets of the executive report: the one-page summary first, then a
// section per sheet (each prints from a new page).
const (
	SheetExecutive     = "Summary"
	SheetTopVendors    = "Riskiest vendors"
	SheetTrend         = "Risk trend"
	SheetVendorNotices = "Vendor notices"
	SheetOverdue       = "Overdue"
)

// ExecutiveSheets lists the sheets of the executive report in order.
var ExecutiveSheets = []string{SheetExecutive, SheetTopVendors, SheetTrend, SheetVendorNotices, SheetOverdue}

// Bounds of the executive report's lists.
const (
	topVendors     = 10
	lateNoticeRows = 25
	overdueRows    = 25
	trendDays      = 91 // today and the 90 days before it, for the change since 90 days ago
	summaryRows    = 3  // rows of each list on the first page
)

// TierCount is one bar of the risk distribution.
type TierCount struct {
	Tier    register.Tier `json:"tier"`
	Vendors int64         `json:"vendors"`
}

// TopVendor is one of the riskiest vendors, with why.
type TopVendor struct {
	Rank     int           `json:"rank"`
	VendorID string        `json:"vendor_id"`
	Name     string        `json:"name"`
	Tier     register.Tier `json:"tier"`
	Score    int           `json:"score"`
	// ResidualScore and ResidualTier are the residual risk the last scan
	// stored (null: not scored yet).
	ResidualScore *int          `json:"residual_score"`
	ResidualTier  register.Tier `json:"residual_tier,omitempty"`
	Why           []string      `json:"why"`
	OpenFindings  int64         `json:"open_findings"`
	// WhyLine is why in one line, for the first page; WhyLines explain
	// each factor in words.
	WhyLine  string   `json:"-"`
	WhyLines []string `json:"-"`
}

// LateNotice is one incident whose vendor notice was late or is overdue.
type LateNotice struct {
	IncidentID   string                `json:"incident_id"`
	Title        string                `json:"title"`
	Vendor       string                `json:"vendor"`
	DiscoveredAt time.Time             `json:"discovered_at"`
	NotifiedAt   *time.Time            `json:"notified_at"`
	DueAt        *time.Time            `json:"due_at"`
	Window       string                `json:"window"`
	LagDays      *float64              `json:"lag_days"`
	LateByDays   float64               `json:"late_by_days"`
	Status       incident.NoticeStatus `json:"status"`
	// Broken says which deadline the notice broke: contract, law or both
	// (incident.NoticeBreach); DueAt, LateByDays and Status are against the
	// earlier one.
	Broken string `json:"broken"`
	// VendorID is the incident's vendor (the console links to it).
	VendorID string `json:"-"`
}

// OverdueItem is one thing overdue at as-of.
type OverdueItem struct {
	Kind        string    `json:"kind"` // review, attestation, obligation, vendor_notice
	Vendor      string    `json:"vendor"`
	Item        string    `json:"item"`
	Due         time.Time `json:"due"`
	DaysOverdue float64   `json:"days_overdue"`
	ID          string    `json:"id"`
}

// Executive is the executive report (and GET /api/v1/dashboard).
type Executive struct {
	AsOf         time.Time        `json:"as_of"`
	GeneratedAt  time.Time        `json:"generated_at"`
	GeneratedBy  string           `json:"generated_by"`
	Filter       reporting.Filter `json:"filters"`
	Scope        string           `json:"as_of_scope"`
	RiskBasis    string           `json:"risk_basis"`
	Vendors      int64            `json:"vendors"`
	Distribution []TierCount      `json:"distribution"`
	// ResidualDistribution counts vendors by the residual tier the scan
	// last stored (the present value, whatever as-of says).
	ResidualDistribution []TierCount             `json:"residual_distribution"`
	Trend                []reporting.TrendPoint  `json:"trend"`
	TrendNote            string                  `json:"trend_note"`
	TopVendors           []TopVendor             `json:"top_vendors"`
	LateNotices          []LateNotice            `json:"late_notices"`
	LateTotal            int64                   `json:"late_notices_total"`
	Overdue              reporting.OverdueCounts `json:"overdue"`
	OverdueItems         []OverdueItem           `json:"overdue_items"`

	// The workbook's alone (not in GET /dashboard yet).

	// RankedBy says what ranks TopVendors (riskKey).
	RankedBy string `json:"-"`
	// Headline are the first page's figures with their change
	// (AddChanges).
	Headline []Headline `json:"-"`
	// DueSoon counts our obligations open and due within the next 7
	// days; DueSoonItems are the earliest of them.
	DueSoon      int64     `json:"-"`
	DueSoonItems []DueItem `json:"-"`
	// OverdueObligations are our most overdue obligations alone (up to the
	// bound of each kind), before OverdueItems merges the kinds.
	OverdueObligations []OverdueItem `json:"-"`
}

// Headline is a figure of the first page and its change since 30 and 90
// days before as-of (nil: not known for that day).
type Headline struct {
	Label    string
	Now      int64
	Change30 *int64
	Change90 *int64
}

// DueItem is an obligation of ours due soon.
type DueItem struct {
	Vendor, Item, Incident string
	Due                    time.Time
}

// riskKey is the one sort key of the riskiest vendors, highest first: the
// residual risk score the last scan stored, the inherent score for a vendor
// it has not scored (riskBasisText names it in the report). The database
// ranks by the same expression (repository topVendors).
func riskKey(v TopVendor) int {
	if v.ResidualScore != nil {
		return *v.ResidualScore
	}
	return v.Score
}

// riskBasisText names what riskKey ranks by, as the report says it.
const riskBasisText = "residual risk score"

// shownRisk is the tier and score a top vendor is shown with: residual,
// or inherent when the scan has not scored it.
func (v TopVendor) shownRisk() (register.Tier, int) {
	if v.ResidualScore != nil && v.ResidualTier != "" {
		return v.ResidualTier, *v.ResidualScore
	}
	return v.Tier, v.Score
}

// BuildExecutive computes the executive report from the figures the
// source aggregates in the database, and the trend from the daily
// snapshots. Only the notice clock of the listed incidents and the
// explanation of the listed vendors are computed here.
func BuildExecutive(ctx context.Context, src reporting.Source, f reporting.Filter, pol policy.Policy) (Executive, error) {
	if pol.Clauses.StandardWindows == nil {
		pol = policy.DefaultPolicy()
	}
	asOf := f.AsOf.UTC()
	today := domain.DateOf(asOf)
	ex := Executive{AsOf: asOf, Filter: f, Scope: Scope, RiskBasis: ResidualBasis,
		Trend: []reporting.TrendPoint{}, TopVendors: []TopVendor{}, LateNotices: []LateNotice{}, OverdueItems: []OverdueItem{}}
	fig, err := src.ExecutiveFigures(ctx, f, reporting.ExecutiveQuery{Today: today,
		ReviewCutoffs: review.NewReviewOverdueFilter(true, today, pol.ReviewCadence).Cutoffs,
		TopVendors:    topVendors, LateNotices: lateNoticeRows, OverdueItems: overdueRows, DueBy: asOf.Add(7 * 24 * time.Hour)})
	if err != nil {
		return ex, err
	}
	ex.RankedBy = riskBasisText
	ex.DueSoon = fig.DueSoon
	for _, o := range fig.DueSoonObligations {
		ex.DueSoonItems = append(ex.DueSoonItems, DueItem{Vendor: o.VendorName, Incident: o.IncidentTitle,
			Item: obligationText(o), Due: o.DueAt.UTC()})
	}
	ex.Vendors, ex.Overdue, ex.LateTotal = fig.Vendors, fig.Overdue, fig.LateTotal
	for _, t := range register.Tiers {
		ex.Distribution = append(ex.Distribution, TierCount{Tier: t, Vendors: fig.Tiers[t]})
		ex.ResidualDistribution = append(ex.ResidualDistribution, TierCount{Tier: t, Vendors: fig.ResidualTiers[t]})
	}
	for i, v := range fig.TopVendors {
		ex.TopVendors = append(ex.TopVendors, TopVendor{Rank: i + 1, VendorID: v.ID, Name: v.Name, Tier: v.Tier,
			Score: v.RiskScore, ResidualScore: v.ResidualScore, ResidualTier: v.ResidualTier, Why: why(v),
			WhyLine: whyLine(v), WhyLines: whyLines(v), OpenFindings: v.OpenFindings})
	}
	slices.SortStableFunc(ex.TopVendors, func(a, b TopVendor) int {
		return cmp.Or(cmp.Compare(riskKey(b), riskKey(a)), strings.Compare(a.Name, b.Name))
	})
	for i := range ex.TopVendors {
		ex.TopVendors[i].Rank = i + 1
	}
	std := pol.Clauses.StandardWindows
	for _, r := range fig.LateNotices {
		c, v := NoticeVerdictAt(r, std, asOf)
		ln := LateNotice{IncidentID: r.Incident.ID, Title: r.Incident.Title, Vendor: r.VendorName,
			DiscoveredAt: r.Incident.VendorDiscoveredAt, NotifiedAt: c.NotifiedAt, DueAt: v.DueAt, Window: c.WindowText,
			Status: v.Status, Broken: v.Broken, VendorID: r.Incident.VendorID}
		if c.Lag != nil {
			d := c.Lag.Days
			ln.LagDays = &d
		}
		if v.LateBy != nil {
			ln.LateByDays = v.LateBy.Days
		}
		ex.LateNotices = append(ex.LateNotices, ln)
	}
	ex.OverdueItems = append(ex.OverdueItems, overdueItems(fig, pol, asOf)...)
	ex.OverdueObligations = overdueItems(reporting.ExecutiveFigures{OverdueObligations: fig.OverdueObligations}, pol, asOf)
	trend, err := src.Trend(ctx, f, today.AddDays(-(trendDays - 1)), today)
	if err != nil {
		return ex, err
	}
	ex.Trend = append(ex.Trend, trend...)
	ex.TrendNote = "tier of each vendor in the daily risk snapshots of the " + domain.Count(trendDays, "day", "days") + " up to as-of"
	if len(trend) == 0 {
		ex.TrendNote += "; no snapshot was taken in that period"
	}
	return ex, nil
}

// AddChanges sets the first page's headline figures of ex (built by
// BuildExecutive) with their change since 30 and 90 days before as-of: the
// same figures as of those days (two more ExecutiveFigures, counts only).
// GET /dashboard does without them.
func AddChanges(ctx context.Context, src reporting.Source, ex *Executive, pol policy.Policy) error {
	if pol.Clauses.StandardWindows == nil {
		pol = policy.DefaultPolicy()
	}
	var before [2]*reporting.ExecutiveFigures
	for i, days := range []int{30, 90} {
		pf := ex.Filter
		pf.AsOf = ex.AsOf.AddDate(0, 0, -days)
		pday := domain.DateOf(pf.AsOf)
		p, err := src.ExecutiveFigures(ctx, pf, reporting.ExecutiveQuery{Today: pday,
			ReviewCutoffs: review.NewReviewOverdueFilter(true, pday, pol.ReviewCadence).Cutoffs})
		if err != nil {
			return err
		}
		before[i] = &p
	}
	ex.Headline = headline(*ex, before, domain.DateOf(ex.AsOf))
	return nil
}

// headline is the first page's figures: the tiers against the daily risk
// snapshot of the day 30 and 90 days before (the tier of each vendor then),
// the rest against the figures as of those days.
func headline(ex Executive, before [2]*reporting.ExecutiveFigures, today domain.Date) []Headline {
	tiers := map[register.Tier]int64{}
	for _, d := range ex.Distribution {
		tiers[d.Tier] = d.Vendors
	}
	snap := func(days int) *reporting.TrendPoint {
		day := today.AddDays(-days)
		var at *reporting.TrendPoint
		for i := range ex.Trend {
			if !ex.Trend[i].Date.After(day) {
				at = &ex.Trend[i]
			}
		}
		return at
	}
	tierFig := func(label string, now int64, then func(reporting.TrendPoint) int64) Headline {
		h := Headline{Label: label, Now: now}
		if p := snap(30); p != nil {
			d := now - then(*p)
			h.Change30 = &d
		}
		if p := snap(90); p != nil {
			d := now - then(*p)
			h.Change90 = &d
		}
		return h
	}
	asOfFig := func(label string, now int64, then func(reporting.ExecutiveFigures) int64) Headline {
		h := Headline{Label: label, Now: now}
		d30, d90 := now-then(*before[0]), now-then(*before[1])
		h.Change30, h.Change90 = &d30, &d90
		return h
	}
	return []Headline{
		tierFig("Vendors", ex.Vendors, func(p reporting.TrendPoint) int64 { return p.Critical + p.High + p.Moderate + p.Low }),
		tierFig("Critical-tier vendors (inherent)", tiers[register.TierCritical], func(p reporting.TrendPoint) int64 { return p.Critical }),
		tierFig("High-tier vendors (inherent)", tiers[register.TierHigh], func(p reporting.TrendPoint) int64 { return p.High }),
		asOfFig("Reviews overdue", ex.Overdue.Reviews, func(f reporting.ExecutiveFigures) int64 { return f.Overdue.Reviews }),
		asOfFig("Vendors never reviewed", ex.Overdue.NeverReviewed, func(f reporting.ExecutiveFigures) int64 { return f.Overdue.NeverReviewed }),
		asOfFig("Attestations expired", ex.Overdue.Attestations, func(f reporting.ExecutiveFigures) int64 { return f.Overdue.Attestations }),
		asOfFig("Vendor notices late or overdue", ex.LateTotal, func(f reporting.ExecutiveFigures) int64 { return f.LateTotal }),
		asOfFig("Vendor notices overdue", ex.Overdue.VendorNotices, func(f reporting.ExecutiveFigures) int64 { return f.Overdue.VendorNotices }),
		asOfFig("Obligations overdue", ex.Overdue.Obligations, func(f reporting.ExecutiveFigures) int64 { return f.Overdue.Obligations }),
		{Label: headlineDueSoon, Now: ex.DueSoon},
	}
}

// headlineDueSoon is the label of the figure without a change.
const headlineDueSoon = "Obligations due in the next 7 days"

// obligationText names one of our obligations in words: "Mastercard
// Account Data Compromise notice to Mastercard".
func obligationText(o reporting.ObligationRow) string {
	return regimeLabel(o.Regime) + " notice to " + label(o.Recipient)
}

// overdueItems merges the most overdue items of each kind into the
// overdueRows most overdue.
func overdueItems(fig reporting.ExecutiveFigures, pol policy.Policy, asOf time.Time) []OverdueItem {
	today := domain.DateOf(asOf)
	var out []OverdueItem
	for _, v := range fig.OverdueReviews {
		next := review.NextReviewDue(v.LastReviewOn, v.Tier, pol.ReviewCadence)
		out = append(out, OverdueItem{Kind: "review", Vendor: v.Name, Item: "periodic review (" + string(v.Tier) + " tier)",
			Due: next.Time(), DaysOverdue: float64(next.DaysUntil(today)), ID: v.ID})
	}
	for _, r := range fig.OverdueNotices {
		_, v := NoticeVerdictAt(r, pol.Clauses.StandardWindows, asOf)
		if v.Status != incident.NoticeOverdue {
			continue
		}
		out = append(out, OverdueItem{Kind: "vendor_notice", Vendor: r.VendorName, Item: r.Incident.Title, Due: *v.DueAt,
			DaysOverdue: v.LateBy.Days, ID: r.Incident.ID})
	}
	for _, a := range fig.ExpiredAttestations {
		out = append(out, OverdueItem{Kind: "attestation", Vendor: a.VendorName, Item: label(a.Kind) + " expired",
			Due: a.ExpiresOn.Time(), DaysOverdue: float64(a.ExpiresOn.DaysUntil(today)), ID: a.ID})
	}
	for _, o := range fig.OverdueObligations {
		out = append(out, OverdueItem{Kind: "obligation", Vendor: o.VendorName, Item: obligationText(o),
			Due: o.DueAt.UTC(), DaysOverdue: roundDays(asOf.Sub(*o.DueAt)), ID: o.ID})
	}
	slices.SortStableFunc(out, func(a, b OverdueItem) int { return cmp.Compare(b.DaysOverdue, a.DaysOverdue) })
	return out[:min(len(out), overdueRows)]
}

func roundDays(d time.Duration) float64 {
	return float64(int64(d.Hours()/24*100)) / 100
}

// why explains a vendor's inherent score from its factors.
func why(v reporting.VendorRow) []string {
	risk := register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords,
		Criticality: v.Criticality})
	out := make([]string, 0, 6)
	if v.ResidualScore != nil {
		out = append(out, residualText(v))
	}
	for _, fc := range risk.Factors {
		out = append(out, fmt.Sprintf("%s %d/%d (%s)", strings.ReplaceAll(fc.Factor, "_", " "), fc.Points, fc.MaxPoints, fc.Value))
	}
	if v.TierOverride != "" {
		out = append(out, fmt.Sprintf("tier overridden to %s: %s", v.TierOverride, v.TierOverrideReason))
	}
	if v.OpenFindings > 0 {
		out = append(out, domain.Count(v.OpenFindings, "open finding", "open findings"))
	}
	return out
}

// whyLine is why in one line: the factors that weigh most, then the open
// findings.
func whyLine(v reporting.VendorRow) string {
	risk := register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords,
		Criticality: v.Criticality})
	factors := slices.Clone(risk.Factors)
	slices.SortStableFunc(factors, func(a, b register.RiskFactor) int { return cmp.Compare(b.Points, a.Points) })
	var parts []string
	if v.ResidualScore != nil {
		parts = append(parts, fmt.Sprintf("inherent %d", v.RiskScore))
	}
	for _, fc := range factors {
		if fc.Points == 0 || len(parts) == 3 {
			continue
		}
		parts = append(parts, factorText(fc.Factor, v))
	}
	if v.TierOverride != "" {
		parts = append(parts, "tier set to "+string(v.TierOverride))
	}
	if v.OpenFindings > 0 {
		parts = append(parts, domain.Count(v.OpenFindings, "open finding", "open findings"))
	}
	return strings.Join(parts, "; ")
}

// factorText is a risk factor's input in a few words.
func factorText(factor string, v reporting.VendorRow) string {
	switch factor {
	case "data_sensitivity":
		return fmt.Sprintf("sensitivity %d/4", v.MaxSensitivity)
	case "record_volume":
		return recordsText(v.MaxRecords)
	case "criticality":
		if v.Criticality == register.CriticalityCritical {
			return "business-critical"
		}
		return string(v.Criticality) + " criticality"
	}
	return label(factor)
}

// whyLines explains a vendor's score a factor a line, in words, for the
// workbook.
func whyLines(v reporting.VendorRow) []string {
	risk := register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords,
		Criticality: v.Criticality})
	out := make([]string, 0, 6)
	if v.ResidualScore != nil {
		out = append(out, residualText(v))
	}
	for _, fc := range risk.Factors {
		out = append(out, fmt.Sprintf("%s: %d of %d points", factorText(fc.Factor, v), fc.Points, fc.MaxPoints))
	}
	if v.TierOverride != "" {
		out = append(out, fmt.Sprintf("tier set to %s: %s", v.TierOverride, v.TierOverrideReason))
	}
	if v.OpenFindings > 0 {
		out = append(out, domain.Count(v.OpenFindings, "open finding", "open findings"))
	}
	return out
}

// residualText says how the residual score came from the inherent one:
// "residual 100: inherent 95, controls +5". v has a residual score.
func residualText(v reporting.VendorRow) string {
	return fmt.Sprintf("residual %d: inherent %d, controls %+d", *v.ResidualScore, v.RiskScore,
		*v.ResidualScore-v.RiskScore)
}

// recordsText is a record count in a few words: "2.5M records".
func recordsText(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM records", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%dk records", n/1000)
	}
	return domain.Count(n, "record", "records")
}

// WriteExecutive writes the executive workbook (normal mode: it holds a
// few dozen rows): a one-page summary, then a sheet per section, each
// printing portrait on pages of its own with its header row repeated,
// each chart beside or below the table it draws.
func WriteExecutive(ex Executive, opt Options, w io.Writer) error {
	opt.defaults(ex.AsOf)
	f, st, err := newBook()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", SheetExecutive); err != nil {
		return err
	}
	for _, sh := range ExecutiveSheets[1:] {
		if _, err := f.NewSheet(sh); err != nil {
			return err
		}
	}
	by := cmp.Or(ex.GeneratedBy, opt.GeneratedBy)
	for _, write := range []func(*excelize.File, *styles, Executive, string) error{
		writeExecSummary, writeExecTopVendors, writeExecTrend, writeExecNotices, writeExecOverdue} {
		if err := write(f, st, ex, by); err != nil {
			return err
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: "Vendorwatch executive risk report", Creator: "Vendorwatch",
		Description: "As of " + ex.AsOf.Format(time.RFC3339)}); err != nil {
		return err
	}
	return SaveBook(f, w, opt.Compression)
}

// execWidths are the columns of the summary page: about a portrait page.
var execWidths = []float64{26, 10, 10, 10, 10, 24}

// sheetTop writes a section sheet's title and the line under it.
func sheetTop(g *grid, title, sub string, span int) {
	g.setSpan(1, 1, span, title, g.st.title)
	g.fail(g.f.SetRowHeight(g.sheet, 1, 24))
	g.setSpan(1, 2, span, sub, g.st.note)
}

// asOfLine is the line under each title: as of, filters, who.
func asOfLine(ex Executive, by string) string {
	s := "As of " + ex.AsOf.Format("2 January 2006 15:04") + " UTC · " + describeFilter(ex.Filter)
	if by != "" {
		s += " · generated by " + by
	}
	return s
}

func writeExecSummary(f *excelize.File, st *styles, ex Executive, by string) error {
	sh := SheetExecutive
	// One page: the content is laid out to fit it, and the fit only
	// guards against a long name adding a line.
	if err := setPrint(f, sh, printSpec{fitWidth: true, onePage: true}); err != nil {
		return err
	}
	g := newGrid(f, st, sh, execWidths...)
	sheetTop(g, "Vendor risk: executive summary", asOfLine(ex, by), 6)
	row := 3
	g.setSpan(1, row, 6, "Headline figures", st.section)
	row++
	g.header(row, 1, "Figure", "Now", "Change in 30 days", "Change in 90 days")
	noSnap := false
	for _, h := range ex.Headline {
		row++
		g.set(1, row, h.Label, st.wrap)
		g.set(2, row, h.Now, st.int)
		for i, d := range []*int64{h.Change30, h.Change90} {
			if d != nil {
				g.set(3+i, row, *d, st.change)
			} else if h.Label != headlineDueSoon {
				g.set(3+i, row, "—", st.dash)
				noSnap = true
			}
		}
	}
	if noSnap {
		row++
		g.setSpan(1, row, 6, "— no daily risk snapshot was taken on that day, so the tiers then are not known.", st.note)
	}
	row += 2
	g.setSpan(1, row, 6, "Risk by tier", st.section)
	row++
	tierHead := row
	g.set(1, row, "Vendors", st.header)
	for i, t := range register.Tiers {
		g.set(2+i, row, tierLabel(t), st.sev[string(t)])
	}
	for _, b := range tierBases(ex) {
		row++
		g.set(1, row, b.name, 0)
		for i, t := range register.Tiers {
			g.set(2+i, row, b.counts[t], st.int)
		}
	}
	tierLast := row
	tierChart := row + 1
	row = tierChart + tierChartRows
	g.setSpan(1, row, 6, fmt.Sprintf("The ten riskiest vendors, by %s", ex.RankedBy), st.section)
	row++
	g.header(row, 1, "Vendor", "Tier", "Score")
	g.setSpan(4, row, 3, "Why, in short", st.header)
	for _, t := range ex.TopVendors {
		row++
		g.set(1, row, t.Name, st.wrap)
		tier, score := t.shownRisk()
		g.set(2, row, string(tier), st.sev[string(tier)])
		g.set(3, row, int64(score), st.int)
		g.setSpan(4, row, 3, t.WhyLine, st.indent)
	}
	if len(ex.TopVendors) == 0 {
		row++
		g.setSpan(1, row, 6, "No vendor.", st.note)
	}
	row += 2
	g.setSpan(1, row, 6, fmt.Sprintf("Vendor notices late or overdue: %s (the latest %d; all on the %s sheet)",
		domain.Count(ex.LateTotal, "incident", "incidents"), min(summaryRows, len(ex.LateNotices)), SheetVendorNotices), st.section)
	row++
	g.header(row, 1, "Vendor")
	g.setSpan(2, row, 3, "Incident", st.header)
	g.header(row, 5, "Status", "Late by")
	for _, l := range ex.LateNotices[:min(summaryRows, len(ex.LateNotices))] {
		row++
		g.set(1, row, l.Vendor, st.wrap)
		g.setSpan(2, row, 3, l.Title, st.wrap)
		g.set(5, row, label(string(l.Status)), noticeStyle(st, l.Status))
		g.set(6, row, durationText(l.LateByDays), st.wrap)
	}
	if len(ex.LateNotices) == 0 {
		row++
		g.setSpan(1, row, 6, "None.", st.note)
	}
	row += 2
	g.setSpan(1, row, 6, fmt.Sprintf("Our obligations: %s overdue, %s due in the next 7 days", domain.Count(ex.Overdue.Obligations, "obligation", "obligations"),
		domain.Count(ex.DueSoon, "obligation", "obligations")), st.section)
	row++
	g.header(row, 1, "Obligation")
	g.setSpan(2, row, 3, "Incident (vendor)", st.header)
	g.header(row, 5, "Due", "State")
	n := 0
	for _, o := range ex.OverdueItems {
		if o.Kind != "obligation" || n == summaryRows {
			continue
		}
		n++
		row++
		g.set(1, row, o.Item, st.wrap)
		g.setSpan(2, row, 3, o.Vendor, st.wrap)
		g.set(5, row, o.Due, st.date)
		g.set(6, row, "overdue "+durationText(o.DaysOverdue), st.bad)
	}
	for _, d := range ex.DueSoonItems[:min(summaryRows, len(ex.DueSoonItems))] {
		row++
		g.set(1, row, d.Item, st.wrap)
		g.setSpan(2, row, 3, d.Incident+" ("+d.Vendor+")", st.wrap)
		g.set(5, row, d.Due, st.date)
		g.set(6, row, "due in "+durationText(d.Due.Sub(ex.AsOf).Hours()/24), st.warn)
	}
	if n == 0 && len(ex.DueSoonItems) == 0 {
		row++
		g.setSpan(1, row, 6, "None overdue or due in the next 7 days.", st.note)
	}
	if err := g.done(); err != nil {
		return err
	}
	var most int64
	for _, b := range tierBases(ex) {
		for _, n := range b.counts {
			most = max(most, n)
		}
	}
	return addTierChart(f, sh, fmt.Sprintf("A%d", tierChart), tierHead, tierLast, most)
}

// tierChartRows is the height of the risk-by-tier chart, in rows.
const tierChartRows = 7

// tierLabel is a tier's name as a heading: "Critical".
func tierLabel(t register.Tier) string {
	s, _ := SeverityOf(string(t))
	return s.Label
}

// tierBasis is one row of the risk-by-tier table: vendors per tier by one
// measure of risk.
type tierBasis struct {
	name   string
	counts map[register.Tier]int64
}

// tierBases are the rows of the risk-by-tier table and its chart.
func tierBases(ex Executive) []tierBasis {
	inherent := tierBasis{name: "Inherent risk", counts: map[register.Tier]int64{}}
	for _, d := range ex.Distribution {
		inherent.counts[d.Tier] = d.Vendors
	}
	residual := tierBasis{name: "Residual risk", counts: map[register.Tier]int64{}}
	for _, d := range ex.ResidualDistribution {
		residual.counts[d.Tier] = d.Vendors
	}
	return []tierBasis{inherent, residual}
}

// addTierChart draws the risk-by-tier table (bases in rows from head+1 to
// last, tiers in columns B to E) as bars in the palette, a series per tier.
func addTierChart(f *excelize.File, sh, at string, head, last int, most int64) error {
	var series []excelize.ChartSeries
	for i, t := range register.Tiers {
		sev, _ := SeverityOf(string(t))
		series = append(series, excelize.ChartSeries{Name: ref(sh, 2+i, head, 2+i, head),
			Categories: ref(sh, 1, head+1, 1, last), Values: ref(sh, 2+i, head+1, 2+i, last), Fill: fill(sev.Fill)})
	}
	gap, overlap, zero := uint(60), 0, 0.0
	return f.AddChart(sh, at, &excelize.Chart{Type: excelize.Col, Series: series,
		Title:  chartTitle("Vendors by tier"),
		Legend: excelize.ChartLegend{Position: "right"},
		XAxis:  excelize.ChartAxis{Font: axisFont},
		YAxis: excelize.ChartAxis{Title: axisTitle("vendors"), MajorGridLines: true, Font: axisFont, MajorUnit: countUnit(most),
			Minimum: &zero},
		GapWidth: &gap, Overlap: &overlap,
		Dimension: excelize.ChartDimension{Width: 620, Height: uint(tierChartRows * rowPixels)}})
}

// noticeStyle is the style of a notice status cell.
func noticeStyle(st *styles, s incident.NoticeStatus) int {
	switch s {
	case incident.NoticeOverdue:
		return st.bad
	case incident.NoticeLate:
		return st.warn
	}
	return 0
}

func writeExecTopVendors(f *excelize.File, st *styles, ex Executive, by string) error {
	sh := SheetTopVendors
	if err := setPrint(f, sh, printSpec{fitWidth: true, titles: "$3:$3"}); err != nil {
		return err
	}
	g := newGrid(f, st, sh, 6, 26, 10, 9, 9, 40)
	sheetTop(g, fmt.Sprintf("The ten riskiest vendors, by %s", ex.RankedBy), asOfLine(ex, by), 6)
	g.header(3, 1, "Rank", "Vendor", "Tier", "Score", "Open findings", "Why")
	row := 3
	for _, t := range ex.TopVendors {
		row++
		g.set(1, row, int64(t.Rank), st.int)
		g.set(2, row, t.Name, st.indent)
		tier, score := t.shownRisk()
		g.set(3, row, string(tier), st.sev[string(tier)])
		g.set(4, row, int64(score), st.int)
		g.set(5, row, t.OpenFindings, st.int)
		g.set(6, row, strings.Join(t.WhyLines, "\n"), st.indent)
	}
	g.setSpan(1, row+2, 6, "Tier and score: residual risk, 0-100, as the last compliance scan stored it: the inherent "+
		"score (the sensitivity of the data the vendor handles, up to 40 points; the largest number of records, up "+
		"to 30; its business criticality, up to 30) moved by the state of its controls (evidence, reviews, open "+
		"findings, clause gaps, late notices). A vendor the scan has not scored is shown with its inherent risk.", st.note)
	freezeBelow(f, sh, 3)
	return g.done()
}

// freezeBelow freezes the rows down to row.
func freezeBelow(f *excelize.File, sh string, row int) {
	cell, _ := excelize.CoordinatesToCellName(1, row+1)
	_ = f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell, ActivePane: "bottomLeft"})
}

func writeExecTrend(f *excelize.File, st *styles, ex Executive, by string) error {
	sh := SheetTrend
	if err := setPrint(f, sh, printSpec{fitWidth: true, titles: "$3:$3"}); err != nil {
		return err
	}
	g := newGrid(f, st, sh, 13, 10, 10, 10, 10, 2)
	sheetTop(g, "Vendors by tier, day by day", "From the daily risk snapshots: the "+ex.TrendNote+". "+asOfLine(ex, by), 5)
	g.set(1, 3, "Snapshot day", st.header)
	for i, t := range register.Tiers {
		g.set(2+i, 3, tierLabel(t), st.sev[string(t)])
	}
	row := 3
	for _, p := range ex.Trend {
		row++
		g.set(1, row, p.Date.Time(), st.date)
		for i, n := range []int64{p.Critical, p.High, p.Moderate, p.Low} {
			g.set(2+i, row, n, st.int)
		}
	}
	if len(ex.Trend) == 0 {
		g.setSpan(1, 4, 5, "No snapshot was taken in the period.", st.note)
	}
	freezeBelow(f, sh, 3)
	if err := g.done(); err != nil {
		return err
	}
	if len(ex.Trend) == 0 {
		return nil
	}
	var most int64
	for _, p := range ex.Trend {
		most = max(most, p.Critical, p.High, p.Moderate, p.Low)
	}
	// A scatter chart with lines: its day axis is a value axis, so its
	// labels are dates every two weeks (a category axis of 91 days would
	// print every label over the others).
	zero := 0.0
	lo, hi := timeSerial(ex.Trend[0].Date.Time()), timeSerial(ex.Trend[len(ex.Trend)-1].Date.Time())
	var series []excelize.ChartSeries
	for i, t := range register.Tiers {
		sev, _ := SeverityOf(string(t))
		series = append(series, excelize.ChartSeries{Name: ref(sh, 2+i, 3, 2+i, 3), Categories: ref(sh, 1, 4, 1, row),
			Values: ref(sh, 2+i, 4, 2+i, row), Fill: fill(sev.Fill),
			Line: excelize.LineOptions{Type: excelize.LineSolid, Width: 2}, Marker: excelize.ChartMarker{Symbol: "none"}})
	}
	return f.AddChart(sh, "G3", &excelize.Chart{Type: excelize.Scatter, Series: series, Title: chartTitle("Vendors by tier"),
		Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis: excelize.ChartAxis{Title: axisTitle("snapshot day"), Font: axisFont, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "d mmm"},
			MajorUnit: 14, Minimum: &lo, Maximum: &hi},
		YAxis: excelize.ChartAxis{Title: axisTitle("vendors"), MajorGridLines: true, Font: axisFont, MajorUnit: countUnit(most),
			Minimum: &zero},
		Dimension: excelize.ChartDimension{Width: 360, Height: 320}})
}

// timeSerial is t as a spreadsheet date serial (days since 1899-12-30).
func timeSerial(t time.Time) float64 {
	return t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

func writeExecNotices(f *excelize.File, st *styles, ex Executive, by string) error {
	sh := SheetVendorNotices
	if err := setPrint(f, sh, printSpec{fitWidth: true, titles: "$3:$3"}); err != nil {
		return err
	}
	g := newGrid(f, st, sh, 18, 24, 11, 11, 11, 12, 9, 14)
	sheetTop(g, fmt.Sprintf("Vendor notices late or overdue: %s (the latest %d listed)",
		domain.Count(ex.LateTotal, "incident", "incidents"), lateNoticeRows),
		"Late: the vendor told us after the deadline. Overdue: it has not told us and the deadline has passed. "+
			"The deadline is the earlier of the contract's window and the law's. "+asOfLine(ex, by), 8)
	g.header(3, 1, "Vendor", "Incident", "Vendor discovered", "Deadline", "Vendor told us", "Late by", "Status", "Deadline broken")
	row := 3
	for _, l := range ex.LateNotices {
		row++
		g.set(1, row, l.Vendor, st.wrap)
		g.set(2, row, l.Title, st.wrap)
		g.set(3, row, l.DiscoveredAt, st.date)
		if l.DueAt != nil {
			g.set(4, row, *l.DueAt, st.date)
		}
		if l.NotifiedAt != nil {
			g.set(5, row, *l.NotifiedAt, st.date)
		} else {
			g.set(5, row, "not yet", st.wrap)
		}
		g.set(6, row, durationText(l.LateByDays), st.wrap)
		g.set(7, row, label(string(l.Status)), noticeStyle(st, l.Status))
		g.set(8, row, brokenLabel(l.Broken), st.wrap)
	}
	if len(ex.LateNotices) == 0 {
		g.setSpan(1, 4, 8, "None.", st.note)
	}
	freezeBelow(f, sh, 3)
	return g.done()
}

func writeExecOverdue(f *excelize.File, st *styles, ex Executive, by string) error {
	sh := SheetOverdue
	g := newGrid(f, st, sh, 18, 22, 26, 11, 9, 14)
	sheetTop(g, "Overdue now, and our obligations due this week", asOfLine(ex, by), 6)
	g.setSpan(1, 3, 2, "What", st.header)
	g.set(3, 3, "Count", st.header)
	row := 3
	for _, c := range []struct {
		k string
		v int64
	}{{"Reviews overdue", ex.Overdue.Reviews}, {"Vendors never reviewed", ex.Overdue.NeverReviewed},
		{"Attestations expired", ex.Overdue.Attestations}, {"Our obligations overdue", ex.Overdue.Obligations},
		{"Vendor notices overdue", ex.Overdue.VendorNotices}, {"Our obligations due in the next 7 days", ex.DueSoon}} {
		row++
		g.setSpan(1, row, 2, c.k, st.wrap)
		g.set(3, row, c.v, st.int)
	}
	row += 2
	g.setSpan(1, row, 6, "The most overdue: "+domain.Count(overdueRows, "item", "items")+" at most", st.section)
	row++
	itemsHead := row
	g.header(row, 1, "What", "Vendor", "Item", "Was due", "Days overdue", "Overdue by")
	for _, o := range ex.OverdueItems {
		row++
		g.set(1, row, overdueKindLabel(o.Kind), st.wrap)
		g.set(2, row, o.Vendor, st.wrap)
		g.set(3, row, o.Item, st.wrap)
		g.set(4, row, o.Due, st.date)
		g.set(5, row, int64(math.Floor(o.DaysOverdue)), st.int)
		g.set(6, row, durationText(o.DaysOverdue), st.bad)
	}
	if len(ex.OverdueItems) == 0 {
		row++
		g.setSpan(1, row, 6, "Nothing is overdue.", st.note)
	}
	row += 2
	g.setSpan(1, row, 6, "Our obligations due in the next 7 days", st.section)
	row++
	g.header(row, 1, "Obligation", "Vendor", "Incident", "Due", "Due in")
	for _, d := range ex.DueSoonItems {
		row++
		g.set(1, row, d.Item, st.wrap)
		g.set(2, row, d.Vendor, st.wrap)
		g.set(3, row, d.Incident, st.wrap)
		g.set(4, row, d.Due, st.date)
		g.set(5, row, durationText(d.Due.Sub(ex.AsOf).Hours()/24), st.warn)
	}
	if len(ex.DueSoonItems) == 0 {
		row++
		g.setSpan(1, row, 6, "None.", st.note)
	}
	if err := setPrint(f, sh, printSpec{fitWidth: true, titles: fmt.Sprintf("$%d:$%d", itemsHead, itemsHead)}); err != nil {
		return err
	}
	return g.done()
}

// overdueKindLabel is the words for an overdue item's kind.
func overdueKindLabel(kind string) string {
	switch kind {
	case "vendor_notice":
		return "Vendor notice"
	case "obligation":
		return "Our obligation"
	case "review":
		return "Periodic review"
	case "attestation":
		return "Attestation"
	}
	return label(kind)
}
