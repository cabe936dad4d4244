package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain/register"
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
		Sort: web.Select{Name: "sort", Label: "Order", Value: string(f.Sort), Options: []web.Option{
			{Value: string(register.SortByName), Label: "by name"},
			{Value: string(register.SortByResidual), Label: "by residual score, highest first"}}},
		Filtered: f.Query != "" || f.Status != "" || f.Tier != "" || f.ResidualTier != "" || f.Criticality != "" ||
			f.ReviewOverdue != nil,
	}
	for i, v := range page.Items {
		j := view(v)
		row := web.VendorRow{ID: v.ID, Name: v.Name, Service: v.Service, Status: v.Status, Criticality: v.Criticality,
			Tier: j.Tier, Score: v.Risk.Score, Residual: v.Residual, ReviewOverdue: j.ReviewOverdue}
		if j.NextReviewDue != nil {
			row.NextReviewDue = *j.NextReviewDue
		}
		body.Rows[i] = row
	}
	renderPage(c, http.StatusOK, web.PageVendors, web.Page{Title: "Vendors", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "vendors", Body: body})
	return nil
}
