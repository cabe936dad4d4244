package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain/finding"
)

// findingPatch is the body of PATCH /findings/{id}: a decision.
type findingPatch struct {
	Status        finding.FindingStatus `json:"status"`
	Reason        string                `json:"reason"`
	AcceptedUntil *string               `json:"accepted_until"`
}

func (b findingPatch) toDomain() (finding.FindingChange, error) {
	ch := finding.FindingChange{Status: b.Status, Reason: b.Reason}
	if b.AcceptedUntil != nil && *b.AcceptedUntil != "" {
		var err error
		if ch.AcceptedUntil, err = parseDateField("accepted_until", *b.AcceptedUntil); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

func (h *handlers) listRules(c *gin.Context) error {
	writeJSON(c, http.StatusOK, listResponse[finding.Rule]{Items: finding.Rules})
	return nil
}

func (h *handlers) listFindings(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	var f finding.FindingFilter
	if f.RuleID = c.Query("rule"); f.RuleID != "" {
		if _, ok := finding.LookupRule(f.RuleID); !ok {
			return &badRequest{Field: "rule", Message: "is not a rule id (see /api/v1/rules)"}
		}
	}
	if f.Severity, err = enumQuery(c, "severity", finding.Severity.Valid, "critical, high, medium, low"); err != nil {
		return err
	}
	if f.Status, err = enumQuery(c, "status", finding.FindingStatus.Valid, "open, acknowledged, risk_accepted, resolved"); err != nil {
		return err
	}
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return err
	}
	if s := c.Query("opened_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return &badRequest{Field: "opened_after", Message: "must be an RFC 3339 instant"}
		}
		f.OpenedAfter = t
	}
	return listFiltered(c, f, p, h.findings.List, identity[finding.Finding], h.exportFindings)
}

func (h *handlers) getFinding(c *gin.Context) error {
	return getVersioned(c, h.findings.Get, identity[finding.Finding])
}

func (h *handlers) patchFinding(c *gin.Context) error {
	return patchVersioned[findingPatch](c, h.maxBody, h.findings.Change, identity[finding.Finding])
}
