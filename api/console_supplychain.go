package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// dependentsShown is how many vendors of ours above a provider its page
// lists.
const dependentsShown = 20

// supplyChainRoutes are the console's fourth-party pages: the
// concentration ranking, open to the roles of the API's GET
// /concentration. A vendor's supply chain is a section of its page.
func (h *handlers) supplyChainRoutes() []Route {
	return []Route{
		{"GET", "/concentration", everyone, h.concentrationPage},
	}
}

// concentrationPage serves GET /concentration: the providers ranked by how
// many of our vendors depend on them (register.SupplyChainService.
// Concentration), filtered by min_rank, tier and data_category as the API
// filters them; a bad filter is a 400 page naming the parameter.
func (h *handlers) concentrationPage(c *gin.Context) error {
	f, err := concentrationFilter(c)
	if err != nil {
		return err
	}
	providers, err := h.supplyChain.Concentration(c.Request.Context(), f)
	var fe domain.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return &badRequest{Field: fe[0].Field, Message: fe[0].Message}
	}
	if err != nil {
		return err
	}
	limit := f.Limit
	if limit == 0 {
		limit = register.DefaultConcentrationLimit
	}
	ranks := make([]web.Option, 0, register.MaxRank)
	for r := 2; r <= register.MaxRank; r++ {
		ranks = append(ranks, web.Option{Value: strconv.Itoa(r), Label: "rank " + strconv.Itoa(r) + " or deeper"})
	}
	minRank := ""
	if f.MinRank > 1 {
		minRank = strconv.Itoa(f.MinRank)
	}
	body := web.Concentration{Providers: providers, Limit: limit, Full: len(providers) == limit,
		Filtered: f.MinRank > 1 || f.Tier != "" || f.DataCategory != "",
		Filters: []web.Select{
			{Name: "min_rank", Label: "Reached at", Value: minRank, Options: ranks},
			{Name: "tier", Label: "Our vendor's tier", Value: string(f.Tier), Options: options(register.Tiers)},
			{Name: "data_category", Label: "Our data category", Value: f.DataCategory, Options: dataCategoryOptions()},
		}}
	renderPage(c, http.StatusOK, web.PageConcentration, web.Page{Title: "Concentration", User: pageUser(c),
		CSRF: pageCSRF(c), Nav: "concentration", Body: body})
	return nil
}

// vendorSupplyChain fills the vendor page's Supply chain section: the
// providers below the vendor (GET /vendors/{id}/supply-chain) and the
// vendors of ours above it (GET /vendors/{id}/dependents), the first
// dependentsShown of them; one service call each.
func (h *handlers) vendorSupplyChain(ctx context.Context, body *web.VendorPage) error {
	links, err := h.supplyChain.SupplyChain(ctx, body.Vendor.ID)
	if err != nil {
		return err
	}
	up, err := h.supplyChain.Upstream(ctx, body.Vendor.ID)
	if err != nil {
		return err
	}
	body.SupplyChain = links
	body.Dependents, body.DependentsTotal = up[:min(len(up), dependentsShown)], len(up)
	return nil
}
