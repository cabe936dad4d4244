package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Link is one of the service's entry points, as a newcomer looks for
// them. serve's start message, the sign-in page and the index at /api/v1
// all list Links, so they cannot disagree.
type Link struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Note string `json:"note"`
}

// Links are the entry points, relative to the service's base URL.
var Links = []Link{
	{"console", "/", "the web console for people: sign in with an account (vendorwatch user create)"},
	{"API", "/api/v1", "JSON under /api/v1; every call but this index, the OpenAPI document and the health checks needs Authorization: Bearer <api key>"},
	{"OpenAPI document", "/api/v1/openapi.json", "every route with its roles and its request and response shapes"},
	{"health", "/healthz", "the process answers"},
	{"readiness", "/readyz", "the database answers"},
}

// apiIndex serves GET /api/v1: the entry points, as JSON.
func apiIndex(c *gin.Context) error {
	writeJSON(c, http.StatusOK, gin.H{"name": "Vendorwatch API", "version": "v1", "links": Links})
	return nil
}
