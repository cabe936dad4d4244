package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
)

// findingWriters may triage findings: the roles of the API's PATCH
// /findings/{id}, whose route the console's POST shares.
var findingWriters = incidentTeam

// findingList serves GET /findings: the API's findings list (the same
// filters and service call; status may also name several statuses), with
// each finding's vendor named by one set-based read per page.
func (h *handlers) findingList(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f, err := findingFilter(c, true)
	if err != nil {
		return err
	}
	page, err := h.findings.List(ctx, f, p)
	if err != nil {
		return err
	}
	vendors, err := listVendors(ctx, h, page.Items, func(x finding.Finding) string { return x.VendorID }, f.VendorID)
	if err != nil {
		return err
	}
	rules := make([]web.Option, len(finding.Rules))
	for i, r := range finding.Rules {
		rules[i] = web.Option{Value: r.ID, Label: r.Title}
	}
	status := string(f.Status)
	if len(f.Statuses) > 0 {
		status = c.Query("status")
	}
	body := web.Findings{Rows: findingRows(page.Items, vendors), Pager: pager(c, page.Next), VendorID: f.VendorID,
		Vendor: vendors[f.VendorID].Name,
		Filters: []web.Select{
			{Name: "status", Label: "Status", Value: status, Options: append([]web.Option{
				{Value: "open,acknowledged", Label: "open or acknowledged"}}, options([]finding.FindingStatus{
				finding.FindingOpen, finding.FindingAcknowledged, finding.FindingRiskAccepted, finding.FindingResolved})...)},
			{Name: "severity", Label: "Severity", Value: string(f.Severity), Options: options(finding.Severities)},
			{Name: "rule", Label: "Rule", Value: f.RuleID, Options: rules},
		},
		Filtered: f.Status != "" || len(f.Statuses) > 0 || f.Severity != "" || f.RuleID != "" || f.VendorID != "",
	}
	renderPage(c, http.StatusOK, web.PageFindings, web.Page{Title: "Findings", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "findings", Body: body})
	return nil
}

// findingPage serves GET /findings/{id}: the finding, the facts its rule
// recorded and, for the roles that may decide, the triage forms.
func (h *handlers) findingPage(c *gin.Context) error {
	f, err := h.findings.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	saved := c.Query("saved")
	if !finding.FindingStatus(saved).Valid() {
		saved = ""
	}
	return h.renderFinding(c, http.StatusOK, f, web.TriageForm{}, nil, saved)
}

// renderFinding writes a finding's page with the form as sent.
func (h *handlers) renderFinding(c *gin.Context, status int, f finding.Finding, form web.TriageForm,
	conflict *web.TriageForm, saved string) error {
	vendors, err := h.imports.VendorsByID(c.Request.Context(), []string{f.VendorID})
	if err != nil {
		return err
	}
	rule, _ := finding.LookupRule(f.RuleID)
	u := pageUser(c)
	body := web.FindingPage{Row: findingRows([]finding.Finding{f}, vendors)[0], Explanation: rule.Explanation,
		Facts: factList(f, rule), CanTriage: u != nil && slices.Contains(findingWriters, u.Role), Form: form,
		Conflict: conflict, Saved: saved, MinUntil: h.today().AddDays(1)}
	title := body.Row.RuleTitle
	if title == "" {
		title = f.RuleID
	}
	renderPage(c, status, web.PageFinding, web.Page{Title: title, User: u, CSRF: pageCSRF(c), Nav: "findings", Body: body})
	return nil
}

// triageFinding serves POST /findings/{id}: a decision (acknowledge,
// accept the risk with a reason and an expiry, reopen) made on the
// version the form was read at, through the service call of the API's
// PATCH. Invalid input is shown next to its field and kept; a finding
// changed since it was read is a conflict showing both; nothing is
// written in either case. Success redirects to the finding.
func (h *handlers) triageFinding(c *gin.Context) error {
	ctx := c.Request.Context()
	form := web.TriageForm{Status: c.PostForm("status"), Reason: c.PostForm("reason"),
		AcceptedUntil: strings.TrimSpace(c.PostForm("accepted_until")), Errors: map[string]string{}}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 64)
	if err != nil || version < 1 {
		return &badRequest{Field: "version", Message: "must be the version of the finding the form was read at"}
	}
	form.Version = version
	ch := finding.FindingChange{Status: finding.FindingStatus(form.Status), Reason: form.Reason}
	if form.Status != string(finding.FindingRiskAccepted) {
		ch.Reason = "" // the acceptance fields go with an acceptance only
	} else if form.AcceptedUntil != "" {
		d, err := domain.ParseDate(form.AcceptedUntil)
		if err != nil {
			form.Errors["accepted_until"] = "must be a date in the form YYYY-MM-DD"
		}
		ch.AcceptedUntil = d
	}
	var changed finding.Finding
	if len(form.Errors) == 0 {
		changed, err = h.findings.Change(ctx, c.Param("id"), ch, version)
	}
	var fe domain.FieldErrors
	switch {
	case len(form.Errors) > 0 || errors.As(err, &fe):
		addFieldMessages(form.Errors, fe)
		current, gerr := h.findings.Get(ctx, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		return h.renderFinding(c, http.StatusUnprocessableEntity, current, form, nil, "")
	case errors.Is(err, domain.ErrPrecondition):
		current, gerr := h.findings.Get(ctx, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		yours := form
		return h.renderFinding(c, http.StatusConflict, current, web.TriageForm{Status: form.Status, Reason: form.Reason,
			AcceptedUntil: form.AcceptedUntil}, &yours, "")
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/findings/"+changed.ID+"?saved="+string(changed.Status))
	return nil
}

// factList writes a finding's facts in words, in the order its rule
// lists them, then any others by name.
func factList(f finding.Finding, r finding.Rule) []web.Fact {
	var out []web.Fact
	seen := map[string]bool{}
	add := func(k string) {
		v, ok := f.Facts[k]
		if !ok || seen[k] || v == nil || k == "vendor_name" {
			return
		}
		seen[k] = true
		out = append(out, web.Fact{Name: strings.ReplaceAll(k, "_", " "), Value: factValue(v)})
	}
	for _, k := range r.Facts {
		add(k)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Facts)) {
		add(k)
	}
	return out
}

// factValue writes one fact: a span as hours or days, a list joined,
// anything else as stored.
func factValue(v any) string {
	switch x := v.(type) {
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any:
		if d, ok := x["days"].(float64); ok {
			if hrs, ok := x["hours"].(float64); ok && hrs < 48 {
				return domain.Count(int64(hrs+0.5), "hour", "hours")
			}
			return domain.Count(int64(d+0.5), "day", "days")
		}
		// A named thing the rule recorded (a requirement, a clause):
		// its title, and its status when it has one.
		if title, ok := x["title"].(string); ok && title != "" {
			if status, ok := x["status"].(string); ok && status != "" {
				return title + " (" + strings.ReplaceAll(status, "_", " ") + ")"
			}
			return title
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = factValue(e)
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
