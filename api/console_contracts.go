package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// clauseAmenders may amend a contract's clause: the roles of the API's
// POST /contracts/{id}/amendments, whose service call the console's form
// makes.
var clauseAmenders = legalWriters

// contractRoutes are the console's Contracts area: the portfolio clause
// audit, a contract's page and its amendment form.
func (h *handlers) contractRoutes() []Route {
	return []Route{
		{"GET", "/contracts", everyone, h.clauseAuditPage},
		{"GET", "/contracts/:id", everyone, h.contractPage},
		{"POST", "/contracts/:id/amendments", clauseAmenders, h.amendClause},
	}
}

// clauseAuditPage serves GET /contracts: the portfolio clause audit
// (contract.ContractService.PortfolioAudit), filtered by vendor, tier,
// verdict, requirement and requirement kind, one keyset page at a time.
func (h *handlers) clauseAuditPage(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f := contract.PortfolioFilter{VendorID: c.Query("vendor_id"), Tier: register.Tier(c.Query("tier")),
		Status: contract.AuditStatus(c.Query("outcome")), Requirement: c.Query("requirement"),
		Kind: contract.ClauseRequirementKind(c.Query("kind"))}
	page, err := h.contracts.PortfolioAudit(ctx, f, p)
	var fe domain.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return &badRequest{Field: fe[0].Field, Message: fe[0].Message}
	}
	if err != nil {
		return err
	}
	body := web.ClauseAudit{Lines: page.Lines, Pager: pager(c, page.Next), VendorID: f.VendorID, Partial: page.Partial,
		Searched: int64(page.Searched), Filtered: f != contract.PortfolioFilter{}}
	if f.VendorID != "" {
		vendors, err := h.imports.VendorsByID(ctx, []string{f.VendorID})
		if err != nil {
			return err
		}
		body.Vendor = vendors[f.VendorID].Name
	}
	reqs := make([]web.Option, len(h.contracts.Policy.Requirements))
	for i, r := range h.contracts.Policy.Requirements {
		reqs[i] = web.Option{Value: r.ID, Label: r.Title}
	}
	body.Filters = []web.Select{
		{Name: "outcome", Label: "Verdict", Value: string(f.Status), Options: options(contract.AuditStatuses)},
		{Name: "requirement", Label: "Requirement", Value: f.Requirement, Options: reqs},
		{Name: "kind", Label: "Clause kind", Value: string(f.Kind), Options: options(contract.RequirementKinds)},
		{Name: "tier", Label: "Vendor tier", Value: string(f.Tier), Options: options(register.Tiers)},
	}
	renderPage(c, http.StatusOK, web.PageContracts, web.Page{Title: "Clause audit", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "contracts", Body: body})
	return nil
}

// contractPage serves GET /contracts/{id}: the contract, its clause
// versions on a timeline, its clause audit and, for the roles that may
// amend, the amendment form.
func (h *handlers) contractPage(c *gin.Context) error {
	return h.renderContract(c, http.StatusOK, web.AmendForm{}, nil, c.Query("saved") == "amendment")
}

// renderContract writes a contract's page with the amendment form as sent
// (a zero form: a fresh one at the contract's version).
func (h *handlers) renderContract(c *gin.Context, status int, form web.AmendForm, conflict *web.AmendForm, saved bool) error {
	ctx := c.Request.Context()
	id := c.Param("id")
	view, err := h.contracts.Get(ctx, id)
	if err != nil {
		return err
	}
	versions, err := h.contracts.Versions(ctx, id)
	if err != nil {
		return err
	}
	audit, err := h.contracts.AuditContract(ctx, id)
	if err != nil {
		return err
	}
	vendors, err := h.imports.VendorsByID(ctx, []string{view.VendorID})
	if err != nil {
		return err
	}
	u := pageUser(c)
	now, std := h.clock.Now(), h.contracts.Policy.StandardWindows
	body := web.ContractPage{Contract: view.Contract, VendorName: vendors[view.VendorID].Name, Audit: audit.Findings,
		RenewalDeadline: view.RenewalNoticeDeadline(), CanAmend: u != nil && slices.Contains(clauseAmenders, u.Role),
		Conflict: conflict, Saved: saved,
		Units: []web.Option{{Value: string(domain.UnitHours), Label: "hours"},
			{Value: string(domain.UnitCalendarDays), Label: "calendar days"},
			{Value: string(domain.UnitBusinessDays), Label: "business days"}},
		Standards: make([]web.Option, 0, 3), Triggers: options([]contract.ClauseTrigger{contract.TriggerDiscovery,
			contract.TriggerConfirmation, contract.TriggerReasonableBelief, contract.TriggerAwareness})}
	for _, s := range []contract.NotificationStandard{contract.StandardWithoutUndueDelay, contract.StandardImmediately,
		contract.StandardMostExpedient} {
		body.Standards = append(body.Standards, web.Option{Value: string(s),
			Label: strings.ReplaceAll(string(s), "_", " ") + " (counted as " + std[s].Window.String() + ")"})
	}
	if !view.ExpiresOn.IsZero() {
		d := h.today().DaysUntil(view.ExpiresOn)
		body.DaysUntilExpiry = &d
	}
	for i, v := range versions {
		row := web.ClauseVersionRow{ClauseVersion: v, Number: i + 1, Window: v.Terms.Describe(std), InForce: v.InForceAt(now)}
		body.Versions = append(body.Versions, row)
	}
	for i := range body.Versions {
		if body.Versions[i].InForce {
			body.Current = &body.Versions[i]
		}
	}
	if n := len(body.Versions); n > 0 {
		body.Latest = &body.Versions[n-1]
	}
	body.Timeline = web.NewTimeline(view.Contract, body.Versions, now)
	if form.Version == 0 {
		form = amendFormFrom(body.Current)
	}
	form.Version = view.Version
	body.Form = form
	renderPage(c, status, web.PageContract, web.Page{Title: view.Title, User: u, CSRF: pageCSRF(c), Nav: "contracts",
		Body: body})
	return nil
}

// amendFormFrom starts the amendment form from the clause in force (its
// terms are the likeliest starting point of the next ones).
func amendFormFrom(v *web.ClauseVersionRow) web.AmendForm {
	f := web.AmendForm{WindowUnit: string(domain.UnitHours), Trigger: string(contract.TriggerDiscovery)}
	if v == nil {
		return f
	}
	t := v.Terms
	if t.Window != nil {
		f.WindowValue, f.WindowUnit = strconv.Itoa(t.Window.Value), string(t.Window.Unit)
	}
	f.Standard, f.Trigger, f.RequiredContent = string(t.Standard), string(t.Trigger), t.RequiredContent
	if t.UpdateEveryHours > 0 {
		f.UpdateEveryHours = strconv.Itoa(t.UpdateEveryHours)
	}
	lines := make([]string, len(t.Notify))
	for i, r := range t.Notify {
		lines[i] = r.Role + ", " + r.Email
	}
	f.Notify = strings.Join(lines, "\n")
	return f
}

// amendFormFields maps the fields the API names in an amendment's errors
// to the form's fields.
var amendFormFields = []struct{ prefix, field string }{
	{"breach_notification.window.unit", "window_unit"},
	{"breach_notification.window", "window_value"},
	{"breach_notification.standard", "standard"},
	{"breach_notification.trigger", "trigger"},
	{"breach_notification.notify", "notify"},
	{"breach_notification.required_content", "required_content"},
	{"breach_notification.update_every_hours", "update_every_hours"},
	{"effective_from", "effective_from"},
	{"reason", "reason"},
}

// formField is the form's field for an error the API would name field.
func formField(field string) string {
	for _, m := range amendFormFields {
		if strings.HasPrefix(field, m.prefix) {
			return m.field
		}
	}
	return "breach_notification"
}

// amendClause serves POST /contracts/{id}/amendments: the amendment as the
// API's route reads it (amendmentInput), made on the contract version the
// form was read at. Invalid input is shown next to its field and kept; a
// start overlapping the latest version is shown next to the start; a
// contract changed since it was read is a conflict showing both; nothing
// is written in any of these. Success redirects to the contract.
func (h *handlers) amendClause(c *gin.Context) error {
	form := web.AmendForm{EffectiveFrom: strings.TrimSpace(c.PostForm("effective_from")), Reason: c.PostForm("reason"),
		Remove: c.PostForm("remove") != "", WindowValue: strings.TrimSpace(c.PostForm("window_value")),
		WindowUnit: c.PostForm("window_unit"), Standard: c.PostForm("standard"), Trigger: c.PostForm("trigger"),
		Notify: strings.TrimSpace(c.PostForm("notify")), RequiredContent: c.PostForm("required_content"),
		UpdateEveryHours: strings.TrimSpace(c.PostForm("update_every_hours")), Errors: map[string]string{}}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 64)
	if err != nil || version < 1 {
		return &badRequest{Field: "version", Message: "must be the version of the contract the form was read at"}
	}
	form.Version = version
	in := amendmentInput{EffectiveFrom: form.EffectiveFrom, Reason: form.Reason,
		BreachNotification: Optional[clauseInput]{Set: true, Null: form.Remove}}
	if !form.Remove {
		in.BreachNotification.Value = clauseFromForm(&form)
	}
	var a contract.Amendment
	if form.EffectiveFrom == "" {
		form.Errors["effective_from"] = "is required (the date the new terms begin)"
	}
	if len(form.Errors) == 0 {
		a, err = in.toDomain()
		if err == nil {
			_, err = h.contracts.Amend(c.Request.Context(), c.Param("id"), a, version)
		}
	}
	var fe domain.FieldErrors
	var conflict *domain.ConflictError
	switch {
	case len(form.Errors) > 0 || errors.As(err, &fe):
		for _, e := range fe {
			if f := formField(e.Field); form.Errors[f] == "" {
				form.Errors[f] = e.Message
			}
		}
		return h.renderContract(c, http.StatusUnprocessableEntity, form, nil, false)
	case errors.As(err, &conflict):
		form.Errors[formField(conflict.Field)] = conflict.Message
		return h.renderContract(c, http.StatusConflict, form, nil, false)
	case errors.Is(err, domain.ErrPrecondition):
		yours := form
		return h.renderContract(c, http.StatusConflict, form, &yours, false)
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/contracts/"+c.Param("id")+"?saved=amendment")
	return nil
}

// clauseFromForm reads the terms of the form as the API's clause input;
// numbers that do not parse are errors of their fields.
func clauseFromForm(form *web.AmendForm) clauseInput {
	in := clauseInput{Standard: contract.NotificationStandard(form.Standard), Trigger: contract.ClauseTrigger(form.Trigger),
		RequiredContent: form.RequiredContent}
	if form.WindowValue != "" {
		n, err := strconv.Atoi(form.WindowValue)
		if err != nil {
			form.Errors["window_value"] = "must be a whole number"
		}
		in.Window = &domain.Window{Value: n, Unit: domain.WindowUnit(form.WindowUnit)}
	}
	if form.UpdateEveryHours != "" {
		n, err := strconv.Atoi(form.UpdateEveryHours)
		if err != nil {
			form.Errors["update_every_hours"] = "must be a whole number of hours"
		}
		in.UpdateEveryHours = n
	}
	for i, line := range strings.Split(form.Notify, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		role, email, ok := strings.Cut(line, ",")
		if !ok {
			form.Errors["notify"] = "line " + strconv.Itoa(i+1) + " must be a role and an email separated by a comma"
			continue
		}
		in.Notify = append(in.Notify, contract.Recipient{Role: strings.TrimSpace(role), Email: strings.TrimSpace(email)})
	}
	return in
}
