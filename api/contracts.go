package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// clauseInput is a breach-notification clause in a request.
type clauseInput struct {
	Window           *domain.Window                `json:"window"`
	Standard         contract.NotificationStandard `json:"standard"`
	Trigger          contract.ClauseTrigger        `json:"trigger"`
	Notify           []contract.Recipient          `json:"notify"`
	RequiredContent  string                        `json:"required_content"`
	UpdateEveryHours int                           `json:"update_every_hours"`
}

func (in *clauseInput) toDomain() *contract.ClauseTerms {
	if in == nil {
		return nil
	}
	return &contract.ClauseTerms{Window: in.Window, Standard: in.Standard, Trigger: in.Trigger, Notify: in.Notify,
		RequiredContent: in.RequiredContent, UpdateEveryHours: in.UpdateEveryHours}
}

// clauseJSON is a clause version as the API shows it, with the window used
// for computation spelled out.
type clauseJSON struct {
	VersionID          string                         `json:"version_id"`
	EffectiveFrom      time.Time                      `json:"effective_from"`
	EffectiveTo        *time.Time                     `json:"effective_to"`
	Window             *domain.Window                 `json:"window"`
	Standard           *contract.NotificationStandard `json:"standard"`
	EffectiveWindow    domain.Window                  `json:"effective_window"`
	WindowFromStandard bool                           `json:"window_from_standard"`
	WindowText         string                         `json:"window_text"`
	Trigger            contract.ClauseTrigger         `json:"trigger"`
	Notify             []contract.Recipient           `json:"notify"`
	RequiredContent    *string                        `json:"required_content"`
	UpdateEveryHours   *int                           `json:"update_every_hours"`
	Reason             string                         `json:"reason"`
}

func (h *handlers) toClauseJSON(v *contract.ClauseVersion) *clauseJSON {
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
	ID                      string                  `json:"id"`
	VendorID                string                  `json:"vendor_id"`
	Title                   string                  `json:"title"`
	Reference               *string                 `json:"reference"`
	Status                  contract.ContractStatus `json:"status"`
	EffectiveOn             string                  `json:"effective_on"`
	ExpiresOn               *string                 `json:"expires_on"`
	AutoRenew               bool                    `json:"auto_renew"`
	RenewalNoticeDays       int                     `json:"renewal_notice_days"`
	RenewalNoticeDeadline   *string                 `json:"renewal_notice_deadline"`
	DaysUntilExpiry         *int                    `json:"days_until_expiry"`
	GoverningLaw            *string                 `json:"governing_law"`
	AnnualValue             *domain.Money           `json:"annual_value"`
	Notes                   *string                 `json:"notes"`
	RightToAudit            bool                    `json:"right_to_audit"`
	SubprocessorApproval    bool                    `json:"subprocessor_approval"`
	DataReturnOrDestruction bool                    `json:"data_return_or_destruction"`
	SecurityStandard        *string                 `json:"security_standard"`
	DPA                     bool                    `json:"dpa"`
	BAA                     bool                    `json:"baa"`
	CyberInsuranceMin       *domain.Money           `json:"cyber_insurance_min"`
	BreachNotification      *clauseJSON             `json:"breach_notification"`
	Version                 int64                   `json:"version"`
	CreatedAt               time.Time               `json:"created_at"`
	UpdatedAt               time.Time               `json:"updated_at"`
}

func (h *handlers) toContractJSON(v contract.ContractView) contractJSON {
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
	VendorID                *string                  `json:"vendor_id"`
	Title                   *string                  `json:"title"`
	Reference               *string                  `json:"reference"`
	Status                  *contract.ContractStatus `json:"status"`
	EffectiveOn             *string                  `json:"effective_on"`
	ExpiresOn               *string                  `json:"expires_on"`
	AutoRenew               *bool                    `json:"auto_renew"`
	RenewalNoticeDays       *int                     `json:"renewal_notice_days"`
	GoverningLaw            *string                  `json:"governing_law"`
	AnnualValue             *domain.Money            `json:"annual_value"`
	Notes                   *string                  `json:"notes"`
	RightToAudit            *bool                    `json:"right_to_audit"`
	SubprocessorApproval    *bool                    `json:"subprocessor_approval"`
	DataReturnOrDestruction *bool                    `json:"data_return_or_destruction"`
	SecurityStandard        *string                  `json:"security_standard"`
	DPA                     *bool                    `json:"dpa"`
	BAA                     *bool                    `json:"baa"`
	CyberInsuranceMin       *domain.Money            `json:"cyber_insurance_min"`
	BreachNotification      *clauseInput             `json:"breach_notification"`
}

func moneyPtr(m *domain.Money) **domain.Money {
	if m == nil {
		return nil
	}
	return &m
}

// contractWrite is a contract's input with the breach-notification terms
// given beside it (nil: none).
type contractWrite struct {
	contract.ContractInput
	terms *contract.ClauseTerms
}

func (in contractCreate) toDomain() (contractWrite, error) {
	var fe domain.FieldErrors
	out := contract.ContractInput{
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
	if err := fe.Err(); err != nil {
		return contractWrite{}, err
	}
	return contractWrite{ContractInput: out, terms: in.BreachNotification.toDomain()}, nil
}

// contractPatch is the body of PATCH /contracts/{id}: a JSON merge patch.
// breach_notification, when present, corrects the clause currently
// recorded; changes over time go through amendments.
type contractPatch struct {
	VendorID                Optional[string]                  `json:"vendor_id"`
	Title                   Optional[string]                  `json:"title"`
	Reference               Optional[string]                  `json:"reference"`
	Status                  Optional[contract.ContractStatus] `json:"status"`
	EffectiveOn             Optional[string]                  `json:"effective_on"`
	ExpiresOn               Optional[string]                  `json:"expires_on"`
	AutoRenew               Optional[bool]                    `json:"auto_renew"`
	RenewalNoticeDays       Optional[int]                     `json:"renewal_notice_days"`
	GoverningLaw            Optional[string]                  `json:"governing_law"`
	AnnualValue             Optional[domain.Money]            `json:"annual_value"`
	Notes                   Optional[string]                  `json:"notes"`
	RightToAudit            Optional[bool]                    `json:"right_to_audit"`
	SubprocessorApproval    Optional[bool]                    `json:"subprocessor_approval"`
	DataReturnOrDestruction Optional[bool]                    `json:"data_return_or_destruction"`
	SecurityStandard        Optional[string]                  `json:"security_standard"`
	DPA                     Optional[bool]                    `json:"dpa"`
	BAA                     Optional[bool]                    `json:"baa"`
	CyberInsuranceMin       Optional[domain.Money]            `json:"cyber_insurance_min"`
	BreachNotification      Optional[clauseInput]             `json:"breach_notification"`
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

func (p contractPatch) toDomain() (contractWrite, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"title", p.Title.Null}, nullable{"status", p.Status.Null},
		nullable{"effective_on", p.EffectiveOn.Null}, nullable{"auto_renew", p.AutoRenew.Null},
		nullable{"renewal_notice_days", p.RenewalNoticeDays.Null}, nullable{"right_to_audit", p.RightToAudit.Null},
		nullable{"subprocessor_approval", p.SubprocessorApproval.Null},
		nullable{"data_return_or_destruction", p.DataReturnOrDestruction.Null}, nullable{"dpa", p.DPA.Null},
		nullable{"baa", p.BAA.Null})
	if p.BreachNotification.Null {
		fe.Add("breach_notification", "cannot be null here; remove a clause with POST /contracts/{id}/amendments")
	}
	in := contract.ContractInput{
		VendorID: patchField(p.VendorID), Title: patchField(p.Title), Reference: patchField(p.Reference),
		Status: patchField(p.Status), EffectiveOn: parseDate(&fe, "effective_on", patchField(p.EffectiveOn)),
		ExpiresOn: parseDate(&fe, "expires_on", patchField(p.ExpiresOn)), AutoRenew: patchField(p.AutoRenew),
		RenewalNoticeDays: patchField(p.RenewalNoticeDays), GoverningLaw: patchField(p.GoverningLaw),
		AnnualValue: patchMoney(p.AnnualValue), Notes: patchField(p.Notes), RightToAudit: patchField(p.RightToAudit),
		SubprocessorApproval: patchField(p.SubprocessorApproval), DataReturnOrDestruction: patchField(p.DataReturnOrDestruction),
		SecurityStandard: patchField(p.SecurityStandard), DPA: patchField(p.DPA), BAA: patchField(p.BAA),
		CyberInsuranceMin: patchMoney(p.CyberInsuranceMin),
	}
	var terms *contract.ClauseTerms
	if p.BreachNotification.Set && !p.BreachNotification.Null {
		terms = p.BreachNotification.Value.toDomain()
	}
	return contractWrite{ContractInput: in, terms: terms}, fe.Err()
}

// amendmentInput is the body of POST /contracts/{id}/amendments.
type amendmentInput struct {
	EffectiveFrom      string                `json:"effective_from"`
	Reason             string                `json:"reason"`
	BreachNotification Optional[clauseInput] `json:"breach_notification"`
}

func (body amendmentInput) toDomain() (contract.Amendment, error) {
	a := contract.Amendment{Reason: body.Reason}
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
		return a, err
	}
	if !body.BreachNotification.Null {
		a.Terms = body.BreachNotification.Value.toDomain()
	}
	return a, nil
}

func (h *handlers) listContracts(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f := contract.ContractFilter{Query: c.Query("q")}
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return err
	}
	if f.Status, err = enumQuery(c, "status", contract.ContractStatus.Valid, "draft, active, expired, terminated"); err != nil {
		return err
	}
	if s := c.Query("expiring_before"); s != "" {
		if f.ExpiringBefore, err = domain.ParseDate(s); err != nil {
			return &badRequest{Field: "expiring_before", Message: "must be a date in the form YYYY-MM-DD"}
		}
	}
	if len(f.Query) > 200 {
		return &badRequest{Field: "q", Message: "must be at most 200 characters"}
	}
	return listFiltered(c, f, p, h.contracts.List, h.toContractJSON, h.exportContracts)
}

func (h *handlers) createContract(c *gin.Context) error {
	return createVersioned[contractCreate](c, h.maxBody,
		func(ctx context.Context, w contractWrite) (contract.ContractView, error) {
			return h.contracts.Create(ctx, w.ContractInput, w.terms)
		}, h.toContractJSON)
}

func (h *handlers) getContract(c *gin.Context) error {
	return getVersioned(c, h.contracts.Get, h.toContractJSON)
}

func (h *handlers) patchContract(c *gin.Context) error {
	return patchVersioned[contractPatch](c, h.maxBody,
		func(ctx context.Context, id string, w contractWrite, version int64) (contract.ContractView, error) {
			return h.contracts.Update(ctx, id, w.ContractInput, w.terms, version)
		}, h.toContractJSON)
}

func (h *handlers) deleteContract(c *gin.Context) error {
	return deleteVersioned(c, h.contracts.Delete)
}

func (h *handlers) amendContract(c *gin.Context) error {
	return patchVersioned[amendmentInput](c, h.maxBody, h.contracts.Amend, h.toContractJSON)
}

func (h *handlers) listClauseVersions(c *gin.Context) error {
	return getByID(c, h.contracts.Versions, func(vs []contract.ClauseVersion) listResponse[*clauseJSON] {
		return mapList(vs, func(v contract.ClauseVersion) *clauseJSON { return h.toClauseJSON(&v) })
	})
}

func (h *handlers) getClauseAt(c *gin.Context) error {
	at := h.clock.Now()
	if s := c.Query("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return &badRequest{Field: "at", Message: "must be an RFC 3339 instant such as 2017-10-12T00:00:00Z"}
		}
		at = t
	}
	v, err := h.contracts.ClauseAt(c.Request.Context(), c.Param("id"), at)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, h.toClauseJSON(&v))
	return nil
}

// clauseFindingJSON is one verdict of the clause audit.
type clauseFindingJSON struct {
	RequirementID  string                         `json:"requirement_id"`
	Title          string                         `json:"title"`
	Require        contract.ClauseRequirementKind `json:"require"`
	MaxWindowHours *int                           `json:"max_window_hours,omitempty"`
	Status         contract.AuditStatus           `json:"status"`
	Reason         string                         `json:"reason"`
	ContractID     *string                        `json:"contract_id"`
	Source         domain.Source                  `json:"source"`
}

type clauseAuditJSON struct {
	VendorID string              `json:"vendor_id"`
	Facts    factsJSON           `json:"facts"`
	Findings []clauseFindingJSON `json:"findings"`
}

type factsJSON struct {
	Categories    []string      `json:"categories"`
	Jurisdictions []string      `json:"jurisdictions"`
	PersonalData  bool          `json:"personal_data"`
	Tier          register.Tier `json:"tier"`
}

func toClauseAuditJSON(a contract.ClauseAudit) clauseAuditJSON {
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

func (h *handlers) contractClauseAudit(c *gin.Context) error {
	return getByID(c, h.contracts.AuditContract, toClauseAuditJSON)
}

func (h *handlers) vendorClauseAudit(c *gin.Context) error {
	return getByID(c, h.contracts.AuditVendor, toClauseAuditJSON)
}

func (h *handlers) getClausePolicy(c *gin.Context) error {
	writeJSON(c, http.StatusOK, h.contracts.Policy)
	return nil
}
