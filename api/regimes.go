package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// listRegimes serves the regulatory-notification catalogue (not
// paginated: it is a fixed list). ?jurisdiction= keeps the rows that can
// concern data subjects there (EU rows for DE, US federal rows for US-CA,
// state rows for US, card-brand rows everywhere); ?status= keeps one
// verification status (V, P or U).
func (h *handlers) listRegimes(c *gin.Context) error {
	var f incident.RegimeFilter
	if s := c.Query("jurisdiction"); s != "" {
		code := strings.ToUpper(strings.TrimSpace(s))
		if msg := domain.CheckJurisdiction(code); msg != "" {
			return &badRequest{Field: "jurisdiction", Message: msg}
		}
		f.Jurisdiction = code
	}
	if s := c.Query("status"); s != "" {
		if s != "V" && s != "P" && s != "U" {
			return &badRequest{Field: "status", Message: "must be one of V, P, U"}
		}
		f.Status = s
	}
	writeJSON(c, http.StatusOK, listResponse[incident.Regime]{Items: incident.DefaultCatalogue().Find(f)})
	return nil
}
