package web

import "github.com/vendorwatch/vendorwatch/domain/register"

// The fourth-party pages: the concentration ranking (a vendor's supply
// chain is a section of the vendor page).
const PageConcentration = "concentration.html"

func init() {
	registerPages(PageConcentration)
}

// Concentration is the page at /concentration: the providers ranked by
// how many of our vendors depend on them, directly or down the chain
// (GET /api/v1/concentration), with its filters.
type Concentration struct {
	Filters   []Select
	Providers []register.ProviderConcentration
	// Limit is how many providers the ranking shows; Full says it shows
	// that many, so more may exist below.
	Limit    int
	Full     bool
	Filtered bool
}
