package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
)

// overviewRoutes are the overview's report buttons: generate a report
// (the API's POST /reports), follow its run and download its file, for
// the roles of the API's report routes.
func (h *handlers) overviewRoutes() []Route {
	return []Route{
		{"POST", "/reports", reporters, h.startReport},
		{"GET", "/reports/:id", reporters, h.reportPage},
		{"GET", "/reports/:id/download", reporters, h.downloadReport},
	}
}

// Bounds of the overview's lists.
const (
	overviewNotices     = 10 // late or overdue vendor notices, latest discovered first
	overviewObligations = 8  // of each: overdue, due soon
	overviewRuns        = 5  // latest report runs
)

// liveFindings are the statuses of the findings behind a figure the
// scan keeps live: open, acknowledged or with the risk accepted (not
// resolved).
const liveFindings = "open,acknowledged,risk_accepted"

// findingsHref is the address of the findings list of a rule.
func findingsHref(rule string) string {
	return "/findings?" + url.Values{"rule": {rule}, "status": {liveFindings}}.Encode()
}

// overview serves GET /: open findings by severity for everyone; for the
// roles that may read the dashboard (GET /api/v1/dashboard), the
// dashboard's read model, the executive report's figures: vendors by
// inherent and residual tier, the trend of the daily snapshots, late and
// overdue vendor notices, our obligations overdue and due soon, the ten
// riskiest vendors; and the report buttons with the latest runs. Three
// reads besides the dashboard's aggregates; none per row.
func (h *handlers) overview(c *gin.Context) error {
	ctx := c.Request.Context()
	u := c.MustGet(ctxUser).(access.User)
	counts, err := h.findings.OpenBySeverity(ctx)
	if err != nil {
		return err
	}
	ov := web.Overview{Findings: counts}
	bars := make([]web.Bar, 0, len(counts))
	for _, n := range counts {
		ov.OpenFindings += n.Count
		sev := string(n.Severity)
		bars = append(bars, web.Bar{Label: sev, Class: "sev-" + sev, Value: n.Count,
			Href: "/findings?status=open%2Cacknowledged&severity=" + url.QueryEscape(sev),
			Name: noun(n.Count, "open finding", "open findings") + " of severity " + sev})
	}
	ov.FindingBars = web.NewBarChart("findings-chart", "Open findings by severity", bars)
	if h.reports != nil && h.mayCall(u.Role, http.MethodGet, "/api/v1/dashboard") {
		ex, err := h.reports.Dashboard(ctx, reporting.Filter{})
		if err != nil {
			return err
		}
		fillPortfolio(&ov, ex)
		if ov.CanReport = h.mayCall(u.Role, http.MethodPost, "/api/v1/reports"); ov.CanReport {
			runs, err := h.reports.List(ctx, domain.PageRequest{Limit: overviewRuns})
			if err != nil {
				return err
			}
			for _, r := range runs.Items {
				ov.Runs = append(ov.Runs, consoleRun(r))
			}
		}
	}
	renderPage(c, http.StatusOK, web.PageOverview, web.Page{Title: "Overview", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "overview", Body: ov})
	return nil
}

// fillPortfolio sets the overview's portfolio figures from the dashboard.
func fillPortfolio(ov *web.Overview, ex reports.Executive) {
	ov.Portfolio, ov.AsOf, ov.Vendors = true, ex.AsOf, ex.Vendors
	tierBars := func(counts []reports.TierCount, param, basis string) []web.Bar {
		out := make([]web.Bar, 0, len(counts))
		for _, t := range counts {
			tier := string(t.Tier)
			out = append(out, web.Bar{Label: tier, Class: "tier-" + tier, Value: t.Vendors,
				Href: "/vendors?" + param + "=" + tier,
				Name: noun(t.Vendors, "vendor", "vendors") + " of " + basis + " tier"})
		}
		return out
	}
	ov.Tiers = web.NewBarChart("tiers-chart", "Vendors by inherent tier", tierBars(ex.Distribution, "tier", "inherent"))
	ov.ResidualTiers = web.NewBarChart("residual-chart", "Vendors by residual tier",
		tierBars(ex.ResidualDistribution, "residual_tier", "residual"))
	ov.Unscored = ex.Vendors - ov.ResidualTiers.Total

	days := make([]domain.Date, len(ex.Trend))
	inherent := make([]web.TrendValue, len(register.Tiers))
	residual := make([]web.TrendValue, len(register.Tiers))
	for i, t := range register.Tiers {
		inherent[i] = web.TrendValue{Label: string(t), Class: "tier-" + string(t), Href: "/vendors?tier=" + string(t)}
		residual[i] = web.TrendValue{Label: string(t), Class: "tier-" + string(t), Href: "/vendors?residual_tier=" + string(t)}
	}
	for d, p := range ex.Trend {
		days[d] = p.Date
		for i, n := range []int64{p.Critical, p.High, p.Moderate, p.Low} {
			inherent[i].Values = append(inherent[i].Values, n)
		}
		for i, n := range []int64{p.ResidualCritical, p.ResidualHigh, p.ResidualModerate, p.ResidualLow} {
			residual[i].Values = append(residual[i].Values, n)
		}
	}
	ov.Trend = web.NewLineChart("trend-chart", "Vendors by inherent tier, daily", days, inherent)
	ov.ResidualTrend = web.NewLineChart("residual-trend-chart", "Vendors by residual tier, daily", days, residual)
	ov.TrendNote = ex.TrendNote

	overdue := ex.Overdue.VendorNotices
	ov.Notices = web.Notices{
		Late:    web.Figure{Label: "notified late", N: ex.LateTotal - overdue, Href: "/incidents?notice=late"},
		Overdue: web.Figure{Label: "overdue, no notice yet", N: overdue, Href: "/incidents?notice=overdue"},
		More:    int64(min(len(ex.LateNotices), overviewNotices)) < ex.LateTotal,
	}
	for _, n := range ex.LateNotices[:min(len(ex.LateNotices), overviewNotices)] {
		ov.Notices.Rows = append(ov.Notices.Rows, web.NoticeRow{IncidentID: n.IncidentID, Title: n.Title,
			VendorID: n.VendorID, Vendor: n.Vendor, DiscoveredAt: n.DiscoveredAt, DueAt: n.DueAt, NotifiedAt: n.NotifiedAt,
			Window: n.Window, Status: n.Status, LateBy: daysSpan(n.LateByDays), Broken: n.Broken})
	}

	ov.Obligations = web.Obligations{
		Overdue: web.Figure{Label: "overdue", N: ex.Overdue.Obligations, Href: findingsHref(finding.RuleObligationOverdue)},
		DueSoon: web.Figure{Label: "due in the next 7 days", N: ex.DueSoon, Href: findingsHref(finding.RuleObligationDueSoon)},
	}
	for _, o := range ex.OverdueObligations[:min(len(ex.OverdueObligations), overviewObligations)] {
		ov.Obligations.OverdueRows = append(ov.Obligations.OverdueRows, web.DueObligation{Vendor: o.Vendor, Item: o.Item,
			Due: o.Due, Countdown: daysSpan(o.DaysOverdue), Overdue: true})
	}
	for _, o := range ex.DueSoonItems[:min(len(ex.DueSoonItems), overviewObligations)] {
		ov.Obligations.DueSoonRows = append(ov.Obligations.DueSoonRows, web.DueObligation{Vendor: o.Vendor, Item: o.Item,
			Incident: o.Incident, Due: o.Due, Countdown: incident.SpanOf(o.Due.Sub(ex.AsOf))})
	}

	ov.RankedBy = ex.RankedBy
	for _, v := range ex.TopVendors {
		r := web.RiskyVendor{Rank: v.Rank, ID: v.VendorID, Name: v.Name, Tier: v.Tier, Score: v.Score, Inherent: v.Tier,
			OpenFindings: v.OpenFindings, Why: v.WhyLine}
		if v.ResidualScore != nil && v.ResidualTier != "" {
			r.Tier, r.Score, r.Residual = v.ResidualTier, *v.ResidualScore, true
		}
		ov.Riskiest = append(ov.Riskiest, r)
	}
}

// noun is one or many as n says (the count itself is written before it).
func noun(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// daysSpan is a count of days as a span.
func daysSpan(days float64) *incident.Span {
	return &incident.Span{Hours: days * 24, Days: days}
}

// consoleRun is a report run with the console's download address.
func consoleRun(r reporting.Run) web.ReportRun {
	out := web.ReportRun{Run: r}
	if r.Status == reporting.RunDone {
		out.Download = "/reports/" + r.ID + "/download"
	}
	return out
}

// startReport serves POST /reports: the API's POST /reports for the whole
// portfolio as of now; kind (audit or executive) from the button. The
// run is generated in the background; the browser goes to its page.
func (h *handlers) startReport(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	run, err := h.reports.Start(c.Request.Context(), reporting.Kind(c.PostForm("kind")), reporting.Filter{})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/reports/"+run.ID)
	return nil
}

// reportPage serves GET /reports/{id}: the run's state and, once done,
// its download.
func (h *handlers) reportPage(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	run, err := h.reports.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	title := strings.ToUpper(string(run.Kind[:1])) + string(run.Kind[1:]) + " report"
	if run.Kind == reporting.KindAudit {
		title = "Audit workbook"
	}
	renderPage(c, http.StatusOK, web.PageReport, web.Page{Title: title, User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "overview", Body: web.ReportPage{Run: consoleRun(run)}})
	return nil
}

// timeliness fills the vendor page's notification-timeliness history:
// GET /vendors/{id}/notification-history's service call (the vendor's
// incidents, their clauses in one read, the totals in one aggregate).
func (h *handlers) timeliness(c *gin.Context, body *web.VendorPage) error {
	hist, err := h.incidents.History(c.Request.Context(), body.Vendor.ID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	t := web.Timeliness{Stats: hist.Stats, More: len(hist.Incidents) > vendorPageLimit}
	// The most recent incidents, oldest first.
	for _, v := range hist.Incidents[max(0, len(hist.Incidents)-vendorPageLimit):] {
		t.Rows = append(t.Rows, web.TimelinessRow{IncidentID: v.ID, Title: v.Title, DiscoveredAt: v.VendorDiscoveredAt,
			DueAt: v.Notice.DueAt, NotifiedAt: v.Notice.NotifiedAt, Window: v.Notice.WindowText, Status: v.Notice.Status,
			Lag: v.Notice.Lag, LateBy: v.Notice.LateBy, Broken: v.Notice.Broken})
	}
	body.Timeliness = t
	return nil
}
