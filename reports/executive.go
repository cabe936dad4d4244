package reports

import (
	"cmp"
	"context"
	"fmt"
	"io"
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

// SheetExecutive is the one sheet of the executive report.
const SheetExecutive = "Executive"

// Bounds of the executive report's lists.
const (
	topVendors     = 10
	lateNoticeRows = 25
	overdueRows    = 25
	trendDays      = 90
)

// TierCount is one bar of the risk distribution.
type TierCount struct {
	Tier    register.Tier `json:"tier"`
	Vendors int64         `json:"vendors"`
}

// TopVendor is one of the riskiest vendors, with why.
type TopVendor struct {
	Rank         int           `json:"rank"`
	VendorID     string        `json:"vendor_id"`
	Name         string        `json:"name"`
	Tier         register.Tier `json:"tier"`
	Score        int           `json:"score"`
	Why          []string      `json:"why"`
	OpenFindings int64         `json:"open_findings"`
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
		TopVendors:    topVendors, LateNotices: lateNoticeRows, OverdueItems: overdueRows})
	if err != nil {
		return ex, err
	}
	ex.Vendors, ex.Overdue, ex.LateTotal = fig.Vendors, fig.Overdue, fig.LateTotal
	for _, t := range register.Tiers {
		ex.Distribution = append(ex.Distribution, TierCount{Tier: t, Vendors: fig.Tiers[t]})
		ex.ResidualDistribution = append(ex.ResidualDistribution, TierCount{Tier: t, Vendors: fig.ResidualTiers[t]})
	}
	for i, v := range fig.TopVendors {
		ex.TopVendors = append(ex.TopVendors, TopVendor{Rank: i + 1, VendorID: v.ID, Name: v.Name, Tier: v.Tier,
			Score: v.RiskScore, Why: why(v), OpenFindings: v.OpenFindings})
	}
	std := pol.Clauses.StandardWindows
	for _, r := range fig.LateNotices {
		c, v := NoticeVerdictAt(r, std, asOf)
		ln := LateNotice{IncidentID: r.Incident.ID, Title: r.Incident.Title, Vendor: r.VendorName,
			DiscoveredAt: r.Incident.VendorDiscoveredAt, NotifiedAt: c.NotifiedAt, DueAt: v.DueAt, Window: c.WindowText,
			Status: v.Status, Broken: v.Broken}
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
		out = append(out, OverdueItem{Kind: "attestation", Vendor: a.VendorName, Item: a.Kind + " expired",
			Due: a.ExpiresOn.Time(), DaysOverdue: float64(a.ExpiresOn.DaysUntil(today)), ID: a.ID})
	}
	for _, o := range fig.OverdueObligations {
		out = append(out, OverdueItem{Kind: "obligation", Vendor: o.VendorName, Item: o.Regime + " to " + o.Recipient,
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
	out := make([]string, 0, 5)
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

// WriteExecutive writes the one-sheet executive workbook (normal mode: it
// holds a few dozen rows) with its charts.
func WriteExecutive(ex Executive, opt Options, w io.Writer) error {
	opt.defaults(ex.AsOf)
	f, st, err := newBook()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	sh := SheetExecutive
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	row := 0
	var werr error
	put := func(col int, v any, style int) {
		if werr != nil {
			return
		}
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err == nil {
			err = f.SetCellValue(sh, cell, v)
		}
		if err == nil && style > 0 {
			err = f.SetCellStyle(sh, cell, cell, style)
		}
		werr = err
	}
	header := func(titles ...string) {
		row++
		for i, t := range titles {
			put(i+1, t, st.header)
		}
	}
	row = 1
	put(1, "Vendorwatch executive risk report", st.title)
	row = 2
	put(1, "As of (UTC)", st.bold)
	put(2, ex.AsOf, st.datetime)
	row = 3
	put(1, "Generated by", st.bold)
	put(2, cmp.Or(ex.GeneratedBy, opt.GeneratedBy), 0)
	row = 4
	put(1, "Filters", st.bold)
	put(2, describeFilter(ex.Filter), 0)
	row = 5
	put(1, "Risk basis", st.bold)
	put(2, "Distribution, trend and top vendors: inherent score and tier; residual distribution: the last scan's residual tier", 0)
	row = 7
	put(1, "Risk distribution", st.bold)
	header("Tier", "Vendors")
	distHead := row
	for _, d := range ex.Distribution {
		row++
		put(1, string(d.Tier), 0)
		put(2, d.Vendors, st.int)
	}
	distLast := row
	row += 2
	put(1, "Residual risk distribution (residual tier from the last compliance scan)", st.bold)
	header("Residual tier", "Vendors")
	for _, d := range ex.ResidualDistribution {
		row++
		put(1, string(d.Tier), 0)
		put(2, d.Vendors, st.int)
	}
	row += 2
	put(1, "Trend ("+ex.TrendNote+")", st.bold)
	header("Snapshot day", "Critical", "High", "Moderate", "Low")
	trendHead := row
	for _, p := range ex.Trend {
		row++
		put(1, p.Date.Time(), st.date)
		put(2, p.Critical, st.int)
		put(3, p.High, st.int)
		put(4, p.Moderate, st.int)
		put(5, p.Low, st.int)
	}
	trendLast := row
	row += 2
	put(1, "Top 10 vendors by risk (inherent score and tier)", st.bold)
	header("Rank", "Vendor", "Tier (inherent)", "Inherent score", "Why", "Open findings")
	for _, t := range ex.TopVendors {
		row++
		// Top-aligned like the wrapped explanation, so a row reads across.
		put(1, int64(t.Rank), st.wrap)
		put(2, t.Name, st.wrap)
		put(3, string(t.Tier), st.wrap)
		put(4, int64(t.Score), st.wrap)
		put(5, strings.Join(t.Why, "; "), st.wrap)
		if werr == nil {
			werr = f.SetRowHeight(sh, row, 42)
		}
		put(6, t.OpenFindings, st.wrap)
	}
	row += 2
	put(1, fmt.Sprintf("Late-notice history (%s with a late or overdue vendor notice; latest %d)", domain.Count(ex.LateTotal, "incident", "incidents"), lateNoticeRows), st.bold)
	header("Vendor", "Incident", "Discovered", "Notified", "Due", "Lag days", "Window", "Late by days", "Status", "Broken")
	lateHead := row
	for _, l := range ex.LateNotices {
		row++
		put(1, l.Vendor, 0)
		put(2, l.Title, 0)
		put(3, l.DiscoveredAt, st.datetime)
		if l.NotifiedAt != nil {
			put(4, *l.NotifiedAt, st.datetime)
		}
		if l.DueAt != nil {
			put(5, *l.DueAt, st.datetime)
		}
		if l.LagDays != nil {
			put(6, *l.LagDays, st.num2)
		}
		put(7, l.Window, 0)
		put(8, l.LateByDays, st.num2)
		put(9, string(l.Status), 0)
		put(10, l.Broken, 0)
	}
	lateLast := row
	row += 2
	put(1, "Overdue now", st.bold)
	header("What", "Count")
	for _, c := range []struct {
		k string
		v int64
	}{{"Reviews overdue", ex.Overdue.Reviews}, {"Vendors never reviewed", ex.Overdue.NeverReviewed},
		{"Attestations expired", ex.Overdue.Attestations}, {"Obligations overdue", ex.Overdue.Obligations},
		{"Vendor notices overdue", ex.Overdue.VendorNotices}} {
		row++
		put(1, c.k, 0)
		put(2, c.v, st.int)
	}
	row++
	header("Kind", "Vendor", "Item", "Due", "Days overdue")
	overdueHead := row
	for _, o := range ex.OverdueItems {
		row++
		put(1, o.Kind, 0)
		put(2, o.Vendor, 0)
		put(3, o.Item, 0)
		put(4, o.Due, st.datetime)
		put(5, o.DaysOverdue, st.num2)
	}
	if werr != nil {
		return werr
	}
	for col, wd := range map[string]float64{"A": 30, "B": 30, "C": 26, "D": 17, "E": 60, "F": 12, "G": 28, "H": 12, "I": 10} {
		if err := f.SetColWidth(sh, col, col, wd); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	marks := []struct {
		head, last int
		col        string
		val        string
	}{{lateHead, lateLast, "I", "overdue"}, {lateHead, lateLast, "I", "late"}}
	for _, m := range marks {
		if m.last <= m.head {
			continue
		}
		id := st.red
		if err := f.SetConditionalFormat(sh, fmt.Sprintf("A%d:I%d", m.head+1, m.last), []excelize.ConditionalFormatOptions{{
			Type: "formula", Criteria: fmt.Sprintf(`$%s%d="%s"`, m.col, m.head+1, m.val), Format: &id}}); err != nil {
			return err
		}
	}
	if row > overdueHead {
		id := st.red
		if err := f.SetConditionalFormat(sh, fmt.Sprintf("A%d:E%d", overdueHead+1, row), []excelize.ConditionalFormatOptions{{
			Type: "cell", Criteria: ">", Value: "0", Format: &id}}); err != nil {
			return err
		}
	}
	if err := f.AutoFilter(sh, fmt.Sprintf("A%d:I%d", lateHead, max(lateLast, lateHead+1)), nil); err != nil {
		return err
	}
	title := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s}}}
	}
	q := "'" + sh + "'"
	if err := f.AddChart(sh, "K2", &excelize.Chart{Type: excelize.Col, Title: title("Risk distribution (inherent tier)"),
		Legend: excelize.ChartLegend{Position: "none"},
		Series: []excelize.ChartSeries{{Name: "Vendors", Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q, distHead+1, distLast),
			Values: fmt.Sprintf("%s!$B$%d:$B$%d", q, distHead+1, distLast)}},
		Dimension: excelize.ChartDimension{Width: 480, Height: 260}}); err != nil {
		return err
	}
	if trendLast > trendHead {
		var series []excelize.ChartSeries
		for i := range 4 {
			col := string(rune('B' + i))
			series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$%s$%d", q, col, trendHead),
				Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q, trendHead+1, trendLast),
				Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", q, col, trendHead+1, col, trendLast)})
		}
		if err := f.AddChart(sh, "K18", &excelize.Chart{Type: excelize.Line, Title: title("Risk trend (daily snapshots)"),
			Series: series, Legend: excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 640, Height: 300}}); err != nil {
			return err
		}
	}
	if err := printOnOnePage(f, sh); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: "Vendorwatch executive risk report", Creator: "Vendorwatch",
		Description: "As of " + ex.AsOf.Format(time.RFC3339)}); err != nil {
		return err
	}
	return SaveBook(f, w, opt.Compression)
}
