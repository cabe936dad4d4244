package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// findingPatch is the body of PATCH /findings/{id}: a decision.
type findingPatch struct {
	Status        domain.FindingStatus `json:"status"`
	Reason        string               `json:"reason"`
	AcceptedUntil *string              `json:"accepted_until"`
}

func (h *handlers) listRules(c *gin.Context) {
	writeJSON(c, http.StatusOK, listResponse[domain.Rule]{Items: domain.Rules})
}

func (h *handlers) listFindings(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var f domain.FindingFilter
	if f.RuleID = c.Query("rule"); f.RuleID != "" {
		if _, ok := domain.LookupRule(f.RuleID); !ok {
			writeError(c, &badRequest{Field: "rule", Message: "is not a rule id (see /api/v1/rules)"})
			return
		}
	}
	if f.Severity, err = enumQuery(c, "severity", domain.Severity.Valid, "critical, high, medium, low"); err != nil {
		writeError(c, err)
		return
	}
	if f.Status, err = enumQuery(c, "status", domain.FindingStatus.Valid, "open, acknowledged, risk_accepted, resolved"); err != nil {
		writeError(c, err)
		return
	}
	if f.VendorID = c.Query("vendor_id"); f.VendorID != "" && !domain.ValidID(f.VendorID) {
		writeError(c, &badRequest{Field: "vendor_id", Message: "must be a vendor id (UUID)"})
		return
	}
	if s := c.Query("opened_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			writeError(c, &badRequest{Field: "opened_after", Message: "must be an RFC 3339 instant"})
			return
		}
		f.OpenedAfter = t
	}
	if format, ok, err := exportFormat(c); err != nil {
		writeError(c, err)
		return
	} else if ok {
		h.exportFindings(c, format, f)
		return
	}
	page, err := h.findings.List(c.Request.Context(), f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, func(f domain.Finding) domain.Finding { return f }))
}

func (h *handlers) getFinding(c *gin.Context) {
	f, err := h.findings.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, f.Version)
	writeJSON(c, http.StatusOK, f)
}

func (h *handlers) patchFinding(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var b findingPatch
	if err := decodeJSON(c, h.maxBody, &b); err != nil {
		writeError(c, err)
		return
	}
	ch := domain.FindingChange{Status: b.Status, Reason: b.Reason}
	if b.AcceptedUntil != nil && *b.AcceptedUntil != "" {
		if ch.AcceptedUntil, err = parseDateField("accepted_until", *b.AcceptedUntil); err != nil {
			writeError(c, err)
			return
		}
	}
	var f domain.Finding
	err = onLatest(c.Request.Context(), version, func() (err error) {
		f, err = h.findings.Change(c.Request.Context(), c.Param("id"), ch, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, f.Version)
	writeJSON(c, http.StatusOK, f)
}
