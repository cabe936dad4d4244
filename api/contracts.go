package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// clauseInput is a breach-notification clause in a request.
type clauseInput struct {
	Window           *domain.Window              `json:"window"`
	Standard         domain.NotificationStandard `json:"standard"`
	Trigger          domain.ClauseTrigger        `json:"trigger"`
	Notify           []domain.Recipient          `json:"notify"`
	RequiredContent  string                      `json:"required_content"`
	UpdateEveryHours int                         `json:"update_every_hours"`
}

func (in *clauseInput) toDomain() *domain.ClauseTerms {
	if in == nil {
		return nil
	}
	return &domain.ClauseTerms{Window: in.Window, Standard: in.Standard, Trigger: in.Trigger, Notify: in.Notify,
		RequiredContent: in.RequiredContent, UpdateEveryHours: in.UpdateEveryHours}
}

// clauseJSON is a clause version as the API shows it, with the window used
// for computation spelled out.
type clauseJSON struct {
	VersionID          string                       `json:"version_id"`
	EffectiveFrom      time.Time                    `json:"effective_from"`
	EffectiveTo        *time.Time                   `json:"effective_to"`
	Window             *domain.Window               `json:"window"`
	Standard           *domain.NotificationStandard `json:"standard"`
	EffectiveWindow    domain.Window                `json:"effective_window"`
	WindowFromStandard bool                         `json:"window_from_standard"`
	WindowText         string                       `json:"window_text"`
	Trigger            domain.ClauseTrigger         `json:"trigger"`
	Notify             []domain.Recipient           `json:"notify"`
	RequiredContent    *string                      `json:"required_content"`
	UpdateEveryHours   *int                         `json:"update_every_hours"`
	Reason             string                       `json:"reason"`
}

func (h *handlers) toClauseJSON(v *domain.ClauseVersion) *clauseJSON {
	if v == nil {
		return nil
	}
	std := h.contracts.Policy.StandardWindows
	w, fromStd := v.Terms.EffectiveWindow(std)
	out := &clauseJSON{VersionID: v.ID, EffectiveFrom: v.EffectiveFrom, EffectiveTo: v.EffectiveTo, Window: v.Terms.Window,
		EffectiveWindow: w, WindowFromStandard: fromStd, WindowText: v.Terms.Describe(std), Trigger: v.Terms.Trigger,
		Notify: nonNil(v.Terms.Notify), RequiredContent: null(v.Terms.RequiredContent), Reason: v.Reason}
	if v.Terms.Standard != "" {
		s := v.Terms.Standard
		out.Standard = &s
	}
	if v.Terms.UpdateEveryHours > 0 {
		n := v.Terms.UpdateEveryHours
		out.UpdateEveryHours = &n
	}
	return out
}

// contractJSON is a contract as the API shows it.
type contractJSON struct {
	ID                      string                `json:"id"`
	VendorID                string                `json:"vendor_id"`
	Title                   string                `json:"title"`
	Reference               *string               `json:"reference"`
	Status                  domain.ContractStatus `json:"status"`
	EffectiveOn             string                `json:"effective_on"`
	ExpiresOn               *string               `json:"expires_on"`
	AutoRenew               bool                  `json:"auto_renew"`
	RenewalNoticeDays       int                   `json:"renewal_notice_days"`
	RenewalNoticeDeadline   *string               `json:"renewal_notice_deadline"`
	DaysUntilExpiry         *int                  `json:"days_until_expiry"`
	GoverningLaw            *string               `json:"governing_law"`
	AnnualValue             *domain.Money         `json:"annual_value"`
	Notes                   *string               `json:"notes"`
	RightToAudit            bool                  `json:"right_to_audit"`
	SubprocessorApproval    bool                  `json:"subprocessor_approval"`
	DataReturnOrDestruction bool                  `json:"data_return_or_destruction"`
	SecurityStandard        *string               `json:"security_standard"`
	DPA                     bool                  `json:"dpa"`
	BAA                     bool                  `json:"baa"`
	CyberInsuranceMin       *domain.Money         `json:"cyber_insurance_min"`
	BreachNotification      *clauseJSON           `json:"breach_notification"`
	Version                 int64                 `json:"version"`
	CreatedAt               time.Time             `json:"created_at"`
	UpdatedAt               time.Time             `json:"updated_at"`
}

func (h *handlers) toContractJSON(v domain.ContractView) contractJSON {
	c := v.Contract
	out := contractJSON{
		ID: c.ID, VendorID: c.VendorID, Title: c.Title, Reference: null(c.Reference), Status: c.Status,
		EffectiveOn: c.EffectiveOn.String(), ExpiresOn: null(c.ExpiresOn.String()), AutoRenew: c.AutoRenew,
		RenewalNoticeDays: c.RenewalNoticeDays, RenewalNoticeDeadline: null(c.RenewalNoticeDeadline().String()),
		GoverningLaw: null(c.GoverningLaw), AnnualValue: c.AnnualValue, Notes: null(c.Notes),
		RightToAudit: c.RightToAudit, SubprocessorApproval: c.SubprocessorApproval,
		DataReturnOrDestruction: c.DataReturnOrDestruction, SecurityStandard: null(c.SecurityStandard),
		DPA: c.DPA, BAA: c.BAA, CyberInsuranceMin: c.CyberInsuranceMin, BreachNotification: h.toClauseJSON(v.Clause),
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if !c.ExpiresOn.IsZero() {
		d := domain.DateOf(h.clock.Now()).DaysUntil(c.ExpiresOn)
		out.DaysUntilExpiry = &d
	}
	return out
}

// contractCreate is the body of POST /contracts.
type contractCreate struct {
	VendorID                *string                `json:"vendor_id"`
	Title                   *string                `json:"title"`
	Reference               *string                `json:"reference"`
	Status                  *domain.ContractStatus `json:"status"`
	EffectiveOn             *string                `json:"effective_on"`
	ExpiresOn               *string                `json:"expires_on"`
	AutoRenew               *bool                  `json:"auto_renew"`
	RenewalNoticeDays       *int                   `json:"renewal_notice_days"`
	GoverningLaw            *string                `json:"governing_law"`
	AnnualValue             *domain.Money          `json:"annual_value"`
	Notes                   *string                `json:"notes"`
	RightToAudit            *bool                  `json:"right_to_audit"`
	SubprocessorApproval    *bool                  `json:"subprocessor_approval"`
	DataReturnOrDestruction *bool                  `json:"data_return_or_destruction"`
	SecurityStandard        *string                `json:"security_standard"`
	DPA                     *bool                  `json:"dpa"`
	BAA                     *bool                  `json:"baa"`
	CyberInsuranceMin       *domain.Money          `json:"cyber_insurance_min"`
	BreachNotification      *clauseInput           `json:"breach_notification"`
}

// parseDates reads date strings into the domain input, naming the field
// of each bad one.
func parseDate(fe *domain.FieldErrors, field string, s *string) *domain.Date {
	if s == nil {
		return nil
	}
	if *s == "" {
		return &domain.Date{}
	}
	d, err := domain.ParseDate(*s)
	if err != nil {
		fe.Add(field, "must be a date in the form YYYY-MM-DD")
		return nil
	}
	return &d
}

func moneyPtr(m *domain.Money) **domain.Money {
	if m == nil {
		return nil
	}
	return &m
}

func (in contractCreate) toDomain() (domain.ContractInput, error) {
	var fe domain.FieldErrors
	out := domain.ContractInput{
		VendorID: in.VendorID, Title: in.Title, Reference: in.Reference, Status: in.Status,
		EffectiveOn: parseDate(&fe, "effective_on", in.EffectiveOn), ExpiresOn: parseDate(&fe, "expires_on", in.ExpiresOn),
		AutoRenew: in.AutoRenew, RenewalNoticeDays: in.RenewalNoticeDays, GoverningLaw: in.GoverningLaw,
		AnnualValue: moneyPtr(in.AnnualValue), Notes: in.Notes, RightToAudit: in.RightToAudit,
		SubprocessorApproval: in.SubprocessorApproval, DataReturnOrDestruction: in.DataReturnOrDestruction,
		SecurityStandard: in.SecurityStandard, DPA: in.DPA, BAA: in.BAA, CyberInsuranceMin: moneyPtr(in.CyberInsuranceMin),
	}
	if in.VendorID == nil {
		empty := ""
		out.VendorID = &empty
	}
	return out, fe.Err()
}

// contractPatch is the body of PATCH /contracts/{id}: a JSON merge patch.
// breach_notification, when present, corrects the clause currently
// recorded; changes over time go through amendments.
type contractPatch struct {
	VendorID                Optional[string]                `json:"vendor_id"`
	Title                   Optional[string]                `json:"title"`
	Reference               Optional[string]                `json:"reference"`
	Status                  Optional[domain.ContractStatus] `json:"status"`
	EffectiveOn             Optional[string]                `json:"effective_on"`
	ExpiresOn               Optional[string]                `json:"expires_on"`
	AutoRenew               Optional[bool]                  `json:"auto_renew"`
	RenewalNoticeDays       Optional[int]                   `json:"renewal_notice_days"`
	GoverningLaw            Optional[string]                `json:"governing_law"`
	AnnualValue             Optional[domain.Money]          `json:"annual_value"`
	Notes                   Optional[string]                `json:"notes"`
	RightToAudit            Optional[bool]                  `json:"right_to_audit"`
	SubprocessorApproval    Optional[bool]                  `json:"subprocessor_approval"`
	DataReturnOrDestruction Optional[bool]                  `json:"data_return_or_destruction"`
	SecurityStandard        Optional[string]                `json:"security_standard"`
	DPA                     Optional[bool]                  `json:"dpa"`
	BAA                     Optional[bool]                  `json:"baa"`
	CyberInsuranceMin       Optional[domain.Money]          `json:"cyber_insurance_min"`
	BreachNotification      Optional[clauseInput]           `json:"breach_notification"`
}

// patchMoney maps a merge-patch money field: null clears it.
func patchMoney(o Optional[domain.Money]) **domain.Money {
	if !o.Set {
		return nil
	}
	var m *domain.Money
	if !o.Null {
		v := o.Value
		m = &v
	}
	return &m
}

func (p contractPatch) toDomain() (domain.ContractInput, *domain.ClauseTerms, error) {
	var fe domain.FieldErrors
	for field, isNull := range map[string]bool{"title": p.Title.Null, "status": p.Status.Null, "effective_on": p.EffectiveOn.Null,
		"auto_renew": p.AutoRenew.Null, "renewal_notice_days": p.RenewalNoticeDays.Null, "right_to_audit": p.RightToAudit.Null,
		"subprocessor_approval": p.SubprocessorApproval.Null, "data_return_or_destruction": p.DataReturnOrDestruction.Null,
		"dpa": p.DPA.Null, "baa": p.BAA.Null} {
		if isNull {
			fe.Add(field, "cannot be null")
		}
	}
	if p.BreachNotification.Null {
		fe.Add("breach_notification", "cannot be null here; remove a clause with POST /contracts/{id}/amendments")
	}
	in := domain.ContractInput{
		VendorID: patchField(p.VendorID), Title: patchField(p.Title), Reference: patchField(p.Reference),
		Status: patchField(p.Status), EffectiveOn: parseDate(&fe, "effective_on", patchField(p.EffectiveOn)),
		ExpiresOn: parseDate(&fe, "expires_on", patchField(p.ExpiresOn)), AutoRenew: patchField(p.AutoRenew),
		RenewalNoticeDays: patchField(p.RenewalNoticeDays), GoverningLaw: patchField(p.GoverningLaw),
		AnnualValue: patchMoney(p.AnnualValue), Notes: patchField(p.Notes), RightToAudit: patchField(p.RightToAudit),
		SubprocessorApproval: patchField(p.SubprocessorApproval), DataReturnOrDestruction: patchField(p.DataReturnOrDestruction),
		SecurityStandard: patchField(p.SecurityStandard), DPA: patchField(p.DPA), BAA: patchField(p.BAA),
		CyberInsuranceMin: patchMoney(p.CyberInsuranceMin),
	}
	var terms *domain.ClauseTerms
	if p.BreachNotification.Set && !p.BreachNotification.Null {
		terms = p.BreachNotification.Value.toDomain()
	}
	return in, terms, fe.Err()
}

// amendmentInput is the body of POST /contracts/{id}/amendments.
type amendmentInput struct {
	EffectiveFrom      string                `json:"effective_from"`
	Reason             string                `json:"reason"`
	BreachNotification Optional[clauseInput] `json:"breach_notification"`
}

// parseInstant reads an RFC 3339 instant, or a date meaning the start of
// that day in UTC.
func parseInstant(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := domain.ParseDate(s); err == nil {
		return d.Time(), nil
	}
	return time.Time{}, domain.Invalid(field, "must be an RFC 3339 instant (2026-03-01T00:00:00Z) or a date (2026-03-01)")
}

func (h *handlers) listContracts(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := domain.ContractFilter{VendorID: c.Query("vendor_id"), Query: c.Query("q")}
	if f.VendorID != "" && !domain.ValidID(f.VendorID) {
		writeError(c, &badRequest{Field: "vendor_id", Message: "must be a vendor id (UUID)"})
		return
	}
	if f.Status, err = enumQuery(c, "status", domain.ContractStatus.Valid, "draft, active, expired, terminated"); err != nil {
		writeError(c, err)
		return
	}
	if s := c.Query("expiring_before"); s != "" {
		if f.ExpiringBefore, err = domain.ParseDate(s); err != nil {
			writeError(c, &badRequest{Field: "expiring_before", Message: "must be a date in the form YYYY-MM-DD"})
			return
		}
	}
	if len(f.Query) > 200 {
		writeError(c, &badRequest{Field: "q", Message: "must be at most 200 characters"})
		return
	}
	if format, ok, err := exportFormat(c); err != nil {
		writeError(c, err)
		return
	} else if ok {
		h.exportContracts(c, format, f)
		return
	}
	page, err := h.contracts.List(c.Request.Context(), f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, h.toContractJSON))
}

func (h *handlers) createContract(c *gin.Context) {
	var body contractCreate
	if err := decodeJSON(c, h.maxBody, &body); err != nil {
		writeError(c, err)
		return
	}
	in, err := body.toDomain()
	if err != nil {
		writeError(c, err)
		return
	}
	view, err := h.contracts.Create(c.Request.Context(), in, body.BreachNotification.toDomain())
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, view.Version)
	c.Header("Location", "/api/v1/contracts/"+view.ID)
	writeJSON(c, http.StatusCreated, h.toContractJSON(view))
}

func (h *handlers) getContract(c *gin.Context) {
	view, err := h.contracts.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, view.Version)
	writeJSON(c, http.StatusOK, h.toContractJSON(view))
}

func (h *handlers) patchContract(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var p contractPatch
	if err := decodeJSON(c, h.maxBody, &p); err != nil {
		writeError(c, err)
		return
	}
	in, terms, err := p.toDomain()
	if err != nil {
		writeError(c, err)
		return
	}
	var view domain.ContractView
	err = onLatest(c.Request.Context(), version, func() (err error) {
		view, err = h.contracts.Update(c.Request.Context(), c.Param("id"), in, terms, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, view.Version)
	writeJSON(c, http.StatusOK, h.toContractJSON(view))
}

func (h *handlers) deleteContract(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := onLatest(c.Request.Context(), version, func() error {
		return h.contracts.Delete(c.Request.Context(), c.Param("id"), version)
	}); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) amendContract(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var body amendmentInput
	if err := decodeJSON(c, h.maxBody, &body); err != nil {
		writeError(c, err)
		return
	}
	a := domain.Amendment{Reason: body.Reason}
	var fe domain.FieldErrors
	if strings.TrimSpace(body.EffectiveFrom) != "" {
		t, err := parseInstant("effective_from", body.EffectiveFrom)
		if err != nil {
			fe = append(fe, err.(domain.FieldErrors)...)
		}
		a.EffectiveFrom = t
	}
	if !body.BreachNotification.Set {
		fe.Add("breach_notification", "is required: the new terms, or null to remove the clause from effective_from on")
	}
	if err := fe.Err(); err != nil {
		writeError(c, err)
		return
	}
	if !body.BreachNotification.Null {
		a.Terms = body.BreachNotification.Value.toDomain()
	}
	var view domain.ContractView
	err = onLatest(c.Request.Context(), version, func() (err error) {
		view, err = h.contracts.Amend(c.Request.Context(), c.Param("id"), a, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, view.Version)
	writeJSON(c, http.StatusOK, h.toContractJSON(view))
}

func (h *handlers) listClauseVersions(c *gin.Context) {
	vs, err := h.contracts.Versions(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	out := listResponse[*clauseJSON]{Items: make([]*clauseJSON, len(vs))}
	for i := range vs {
		out.Items[i] = h.toClauseJSON(&vs[i])
	}
	writeJSON(c, http.StatusOK, out)
}

func (h *handlers) getClauseAt(c *gin.Context) {
	at := h.clock.Now()
	if s := c.Query("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeError(c, &badRequest{Field: "at", Message: "must be an RFC 3339 instant such as 2017-10-12T00:00:00Z"})
			return
		}
		at = t
	}
	v, err := h.contracts.ClauseAt(c.Request.Context(), c.Param("id"), at)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, h.toClauseJSON(&v))
}

// clauseFindingJSON is one verdict of the clause audit.
type clauseFindingJSON struct {
	RequirementID  string                       `json:"requirement_id"`
	Title          string                       `json:"title"`
	Require        domain.ClauseRequirementKind `json:"require"`
	MaxWindowHours *int                         `json:"max_window_hours,omitempty"`
	Status         domain.AuditStatus           `json:"status"`
	Reason         string                       `json:"reason"`
	ContractID     *string                      `json:"contract_id"`
	Source         domain.Source                `json:"source"`
}

type clauseAuditJSON struct {
	VendorID string              `json:"vendor_id"`
	Facts    factsJSON           `json:"facts"`
	Findings []clauseFindingJSON `json:"findings"`
}

type factsJSON struct {
	Categories    []string    `json:"categories"`
	Jurisdictions []string    `json:"jurisdictions"`
	PersonalData  bool        `json:"personal_data"`
	Tier          domain.Tier `json:"tier"`
}

func toClauseAuditJSON(a domain.ClauseAudit) clauseAuditJSON {
	out := clauseAuditJSON{VendorID: a.VendorID, Findings: make([]clauseFindingJSON, len(a.Findings)),
		Facts: factsJSON{Categories: nonNil(a.Facts.Categories), Jurisdictions: nonNil(a.Facts.Jurisdictions),
			PersonalData: a.Facts.Personal, Tier: a.Facts.Tier}}
	for i, f := range a.Findings {
		out.Findings[i] = clauseFindingJSON{RequirementID: f.Requirement.ID, Title: f.Requirement.Title,
			Require: f.Requirement.Require, Status: f.Status, Reason: f.Reason, ContractID: null(f.ContractID),
			Source: f.Requirement.Source}
		if f.Requirement.MaxWindowHours > 0 {
			n := f.Requirement.MaxWindowHours
			out.Findings[i].MaxWindowHours = &n
		}
	}
	return out
}

func (h *handlers) contractClauseAudit(c *gin.Context) {
	a, err := h.contracts.AuditContract(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, toClauseAuditJSON(a))
}

func (h *handlers) vendorClauseAudit(c *gin.Context) {
	a, err := h.contracts.AuditVendor(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, toClauseAuditJSON(a))
}

func (h *handlers) getClausePolicy(c *gin.Context) {
	writeJSON(c, http.StatusOK, h.contracts.Policy)
}
