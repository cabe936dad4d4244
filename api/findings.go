package api

import (
	"net/http"
	"strings"
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
	f, err := findingFilter(c, false)
	if err != nil {
		return err
	}
	return listFiltered(c, f, p, h.findings.List, identity[finding.Finding], h.exportFindings)
}

// findingFilter reads a findings list's filters from the query string:
// the API's GET /findings and the console's findings list read the same
// ones. With statusList, status may name several statuses, separated by
// commas (the console's "open or acknowledged").
func findingFilter(c *gin.Context, statusList bool) (finding.FindingFilter, error) {
	var f finding.FindingFilter
	var err error
	if f.RuleID = c.Query("rule"); f.RuleID != "" {
		if _, ok := finding.LookupRule(f.RuleID); !ok {
			return f, &badRequest{Field: "rule", Message: "is not a rule id (see /api/v1/rules)"}
		}
	}
	if f.Severity, err = enumQuery(c, "severity", finding.Severity.Valid, "critical, high, medium, low"); err != nil {
		return f, err
	}
	const statuses = "open, acknowledged, risk_accepted, resolved"
	if s := c.Query("status"); statusList && strings.Contains(s, ",") {
		for _, part := range strings.Split(s, ",") {
			st := finding.FindingStatus(part)
			if !st.Valid() {
				return f, &badRequest{Field: "status", Message: "must be one or more of " + statuses + ", separated by commas"}
			}
			f.Statuses = append(f.Statuses, st)
		}
	} else if f.Status, err = enumQuery(c, "status", finding.FindingStatus.Valid, statuses); err != nil {
		return f, err
	}
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return f, err
	}
	if s := c.Query("opened_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return f, &badRequest{Field: "opened_after", Message: "must be an RFC 3339 instant"}
		}
		f.OpenedAfter = t
	}
	return f, nil
}

func (h *handlers) getFinding(c *gin.Context) error {
	return getVersioned(c, h.findings.Get, identity[finding.Finding])
}

func (h *handlers) patchFinding(c *gin.Context) error {
	return patchVersioned[findingPatch](c, h.maxBody, h.findings.Change, identity[finding.Finding])
}
