package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// pager links the pages of a console list: the next page is this
// address with the store's next cursor, the first this address without
// one.
func pager(c *gin.Context, next string) web.Pager {
	q := c.Request.URL.Query()
	var p web.Pager
	if q.Get("cursor") != "" {
		first := cloneQuery(q)
		first.Del("cursor")
		p.First = c.Request.URL.Path + queryString(first)
	}
	if next != "" {
		n := cloneQuery(q)
		n.Set("cursor", encodeCursor(next))
		p.Next = c.Request.URL.Path + queryString(n)
	}
	return p
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if len(v) > 0 && v[0] != "" {
			out[k] = v
		}
	}
	return out
}

func queryString(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// options turns enumerated values into a select's choices.
func options[T ~string](values []T) []web.Option {
	out := make([]web.Option, len(values))
	for i, v := range values {
		out[i] = web.Option{Value: string(v), Label: string(v)}
	}
	return out
}

// dataCategoryOptions are the data categories as a select's choices,
// named.
func dataCategoryOptions() []web.Option {
	cats := register.DataCategories()
	out := make([]web.Option, len(cats))
	for i, cat := range cats {
		out[i] = web.Option{Value: cat.Code, Label: cat.Name}
	}
	return out
}

// criticalities are the criticality levels, highest first (the same words
// as the tiers).
var criticalities = []register.Criticality{register.CriticalityCritical, register.CriticalityHigh,
	register.CriticalityModerate, register.CriticalityLow}

// vendorList serves GET /vendors: the API's vendor list (the same filter
// parsing, the same service call, the same review status per row), one
// keyset page at a time.
func (h *handlers) vendorList(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f, err := h.vendorFilter(c)
	if err != nil {
		return err
	}
	page, err := h.vendors.List(c.Request.Context(), f, p)
	if err != nil {
		return err
	}
	view := h.vendorViews()
	body := web.Vendors{Query: f.Query, Rows: make([]web.VendorRow, len(page.Items)), Pager: pager(c, page.Next),
		Filters: []web.Select{
			{Name: "status", Label: "Status", Options: options(register.VendorStatuses), Value: string(f.Status)},
			{Name: "tier", Label: "Inherent tier", Options: options(register.Tiers), Value: string(f.Tier)},
			{Name: "residual_tier", Label: "Residual tier", Options: options(register.Tiers), Value: string(f.ResidualTier)},
			{Name: "criticality", Label: "Criticality", Options: options(criticalities), Value: string(f.Criticality)},
		},
		Sort: web.Select{Name: "sort", Label: "Order", Value: string(f.Sort), Required: true, Options: []web.Option{
			{Value: string(register.SortByName), Label: "by name"},
			{Value: string(register.SortByResidual), Label: "by residual score"}}},
		Filtered: f.Query != "" || f.Status != "" || f.Tier != "" || f.ResidualTier != "" || f.Criticality != "" ||
			f.ReviewOverdue != nil,
	}
	for i, v := range page.Items {
		j := view(v)
		row := web.VendorRow{ID: v.ID, Name: v.Name, Service: v.Service, Status: v.Status, Criticality: v.Criticality,
			Tier: j.Tier, Score: v.Risk.Score, Overridden: v.TierOverride != "", Residual: v.Residual, ReviewOverdue: j.ReviewOverdue}
		if j.NextReviewDue != nil {
			row.NextReviewDue = *j.NextReviewDue
		}
		body.Rows[i] = row
	}
	renderPage(c, http.StatusOK, web.PageVendors, web.Page{Title: "Vendors", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "vendors", Body: body})
	return nil
}

// vendorPageLimit is how many rows each section of the vendor page shows.
const vendorPageLimit = 20

// vendorPage serves GET /vendors/{id}: the vendor's profile, data
// handled, risk (GET /vendors/{id}/risk's call), contracts and the clause
// audit, attestations and evidence requirements, reviews, incidents with
// their notice status, and open findings. Each section is one service
// call, the one the API's endpoint makes; none reads per row.
func (h *handlers) vendorPage(c *gin.Context) error {
	ctx := c.Request.Context()
	v, err := h.vendors.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	j := h.vendorView(v)
	body := web.VendorPage{Vendor: v, Tier: j.Tier, ReviewOverdue: j.ReviewOverdue, Inherent: v.Risk, Stored: v.Residual,
		More: map[string]bool{}, Limit: vendorPageLimit}
	if u := pageUser(c); u != nil {
		body.CanEdit = slices.Contains(vendorWriters, u.Role)
	}
	if j.NextReviewDue != nil {
		body.NextReviewDue = *j.NextReviewDue
	}
	if body.Handling, err = h.vendors.ListHandling(ctx, v.ID); err != nil {
		return err
	}
	risk, err := h.scan.VendorRisk(ctx, v.ID)
	if err != nil {
		return err
	}
	body.Residual, body.Config, body.AsOf = risk.Residual, risk.Config, risk.AsOf
	if err := h.vendorContracts(ctx, &body); err != nil {
		return err
	}
	if err := h.vendorAttestations(ctx, &body); err != nil {
		return err
	}
	if err := h.vendorSupplyChain(ctx, &body); err != nil {
		return err
	}
	p := domain.PageRequest{Limit: vendorPageLimit}
	reviews, err := h.reviews.List(ctx, review.ReviewFilter{VendorID: v.ID}, p)
	if err != nil {
		return err
	}
	cadence := h.reviewCadence()
	for _, r := range reviews.Items {
		body.Reviews = append(body.Reviews, web.ReviewRow{Review: r,
			NextDue: review.NextReviewDue(r.PerformedOn, r.VendorTier, cadence)})
	}
	body.More["reviews"] = reviews.Next != ""
	incidents, err := h.incidents.List(ctx, incident.IncidentFilter{VendorID: v.ID}, p)
	if err != nil {
		return err
	}
	body.Incidents, body.More["incidents"] = incidents.Items, incidents.Next != ""
	if err := h.timeliness(c, &body); err != nil {
		return err
	}
	findings, err := h.findings.List(ctx, finding.FindingFilter{VendorID: v.ID, Statuses: liveUntriaged}, p)
	if err != nil {
		return err
	}
	body.Findings, body.More["findings"] = findingRows(findings.Items, nil), findings.Next != ""
	slices.SortStableFunc(body.Findings, func(a, b web.FindingRow) int {
		return slices.Index(finding.Severities, a.Severity) - slices.Index(finding.Severities, b.Severity)
	})
	renderPage(c, http.StatusOK, web.PageVendor, web.Page{Title: v.Name, User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "vendors", Body: body})
	return nil
}

// liveUntriaged are the findings the overview counts as open: open or
// acknowledged (not risk-accepted, not resolved).
var liveUntriaged = []finding.FindingStatus{finding.FindingOpen, finding.FindingAcknowledged}

// vendorContracts fills the contracts (with the clause in force, as GET
// /contracts?vendor_id= shows them) and the vendor's clause audit.
func (h *handlers) vendorContracts(ctx context.Context, body *web.VendorPage) error {
	cs, err := h.contracts.List(ctx, contract.ContractFilter{VendorID: body.Vendor.ID},
		domain.PageRequest{Limit: vendorPageLimit})
	if err != nil {
		return err
	}
	body.More["contracts"] = cs.Next != ""
	std, today := h.contracts.Policy.StandardWindows, h.today()
	titles := map[string]string{}
	for _, cv := range cs.Items {
		row := web.ContractRow{Contract: cv.Contract}
		if cv.Clause != nil {
			row.Clause = cv.Clause.Terms.Describe(std)
		}
		if !cv.ExpiresOn.IsZero() {
			d := today.DaysUntil(cv.ExpiresOn)
			row.DaysUntilExpiry = &d
		}
		titles[cv.ID] = cv.Title
		body.Contracts = append(body.Contracts, row)
	}
	audit, err := h.contracts.AuditVendor(ctx, body.Vendor.ID)
	if err != nil {
		return err
	}
	for _, f := range audit.Findings {
		body.ClauseAudit = append(body.ClauseAudit, web.ClauseVerdict{ClauseFinding: f, ContractTitle: titles[f.ContractID]})
	}
	return nil
}

// vendorAttestations fills the attestations with their days to expiry and
// the evidence requirements (GET /vendors/{id}/evidence-status).
func (h *handlers) vendorAttestations(ctx context.Context, body *web.VendorPage) error {
	as, err := h.attestations.List(ctx, attestation.AttestationFilter{VendorID: body.Vendor.ID},
		domain.PageRequest{Limit: vendorPageLimit})
	if err != nil {
		return err
	}
	body.More["attestations"] = as.Next != ""
	kinds := map[attestation.AttestationKind]string{}
	for _, k := range attestation.AttestationKinds() {
		kinds[k.Code] = k.Name
	}
	today := h.today()
	for _, a := range as.Items {
		body.Attestations = append(body.Attestations, web.AttestationRow{Attestation: a, KindName: kinds[a.Kind],
			DaysLeft: today.DaysUntil(a.ExpiresOn)})
	}
	st, err := h.attestations.EvidenceStatus(ctx, body.Vendor.ID)
	if err != nil {
		return err
	}
	body.Evidence = st.Requirements
	return nil
}

// findingRows names each finding's rule and vendor.
func findingRows(fs []finding.Finding, vendors map[string]register.Vendor) []web.FindingRow {
	out := make([]web.FindingRow, len(fs))
	for i, f := range fs {
		r, _ := finding.LookupRule(f.RuleID)
		out[i] = web.FindingRow{Finding: f, RuleTitle: r.Title, VendorName: vendors[f.VendorID].Name,
			About: findingAbout(f, r)}
	}
	return out
}

// aboutFacts are the facts that name a finding's subject, where its rule
// records them.
var aboutFacts = []string{"title", "kind", "requirement", "requirements", "regime", "recipient", "window"}

// findingAbout names a finding's subject by the first two facts of
// aboutFacts its rule recorded (in the rule's order). It reads the facts
// the scan recorded; it judges nothing.
func findingAbout(f finding.Finding, r finding.Rule) string {
	var parts []string
	for _, k := range r.Facts {
		if len(parts) == 2 {
			break
		}
		if v, ok := f.Facts[k]; ok && v != nil && slices.Contains(aboutFacts, k) {
			if s := factValue(v); s != "" {
				parts = append(parts, strings.ReplaceAll(s, "_", " "))
			}
		}
	}
	return strings.Join(parts, ", ")
}
