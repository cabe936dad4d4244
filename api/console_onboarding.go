package api

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// onboardingRoutes are the onboarding area of the console: the guided
// flow from a new vendor to its first review, the vendor profile's edit
// form and the spreadsheet import. Each route admits the roles of the API
// route whose service call it makes.
func (h *handlers) onboardingRoutes() []Route {
	return []Route{
		{"GET", "/onboarding", vendorWriters, h.onboardVendorPage},
		{"POST", "/onboarding", vendorWriters, h.onboardVendor},
		{"GET", "/onboarding/:id/data", vendorWriters, h.onboardDataPage},
		{"POST", "/onboarding/:id/data", vendorWriters, h.onboardData},
		{"GET", "/onboarding/:id/contract", contractWriters, h.onboardContractPage},
		{"POST", "/onboarding/:id/contract", contractWriters, h.onboardContract},
		{"GET", "/onboarding/:id/attestations", vendorWriters, h.onboardAttestationsPage},
		{"POST", "/onboarding/:id/attestations", vendorWriters, h.onboardAttestation},
		{"GET", "/onboarding/:id/attestations/:attestation/evidence", vendorWriters, h.onboardEvidencePage},
		{"POST", "/onboarding/:id/attestations/:attestation/evidence", vendorWriters, h.onboardEvidence},
		{"GET", "/onboarding/:id/review", vendorWriters, h.onboardReviewPage},
		{"POST", "/onboarding/:id/review", vendorWriters, h.onboardReview},
		{"GET", "/onboarding/import", importers, h.importPage},
		{"POST", "/onboarding/import", importers, h.importFile},
		{"GET", "/onboarding/import/templates/:file", importers, h.getImportTemplate},
		{"GET", "/vendors/:id/edit", vendorWriters, h.vendorEditPage},
		{"POST", "/vendors/:id/edit", vendorWriters, h.editVendor},
	}
}

// ---- forms ----

// fillForm sets each field's value from vals (what was typed, or the
// values the form starts with) and its message from errs. A message whose
// field the form does not show is returned, with its field named, to be
// shown above the form.
func fillForm(sets []web.Fieldset, vals url.Values, errs domain.FieldErrors) []string {
	byName := map[string]*web.Field{}
	for i := range sets {
		for j := range sets[i].Fields {
			f := &sets[i].Fields[j]
			f.Value = vals.Get(f.Name)
			f.Values = vals[f.Name]
			byName[f.Name] = f
		}
	}
	var rest []string
	for _, e := range errs {
		f := fieldFor(byName, e.Field)
		switch {
		case f == nil:
			rest = append(rest, strings.ReplaceAll(e.Field, "_", " ")+": "+e.Message)
		case f.Error == "":
			f.Error = e.Message
		}
	}
	return rest
}

var listIndex = regexp.MustCompile(`\[\d+\]$`)

// fieldFor finds the field an error names: the field of that name, else
// the list it is an element of (access[1]: access), else the field of its
// value (breach_notification.window: its .value).
func fieldFor(byName map[string]*web.Field, name string) *web.Field {
	for _, n := range []string{name, listIndex.ReplaceAllString(name, ""), name + ".value"} {
		if f, ok := byName[n]; ok {
			return f
		}
	}
	return nil
}

// formFailure is the field errors of a write refused for its input: the
// domain's field errors, a conflict or a refusal on a named field. ok is
// false for any other error, which becomes an error page.
func formFailure(err error) (status int, fe domain.FieldErrors, ok bool) {
	var conflict *domain.ConflictError
	var forbidden *domain.ForbiddenError
	var upload *domain.UploadError
	switch {
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity, fe, true
	case errors.As(err, &conflict):
		return http.StatusConflict, domain.FieldErrors{{Field: conflict.Field, Message: conflict.Message}}, true
	case errors.As(err, &forbidden) && forbidden.Field != "":
		return http.StatusForbidden, domain.FieldErrors{{Field: forbidden.Field, Message: forbidden.Message}}, true
	case errors.As(err, &upload):
		status = http.StatusUnsupportedMediaType
		if errors.Is(err, domain.ErrEvidenceTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		return status, domain.FieldErrors{{Field: upload.Field, Message: upload.Message}}, true
	}
	return 0, nil, false
}

// answerForm ends a form's post: input the service refused renders the
// form again (render) with the status and the messages next to the
// fields; any other error is an error page; success redirects to next().
func answerForm(c *gin.Context, err error, render func(status int, fe domain.FieldErrors) error, next func() string) error {
	if status, fe, ok := formFailure(err); ok {
		return render(status, fe)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, next())
	return nil
}

// checkOnly is the answer to a form whose own parsing found errors: those
// errors with what the domain's validation (validate, which writes
// nothing) says of the other fields. The service is not called.
func checkOnly(parsed domain.FieldErrors, validate func() error) error {
	return domain.MergeInvalid(parsed, validate())
}

// text is a form field's value as a service input (always set: an empty
// field clears it).
func text(vals url.Values, name string) *string {
	s := vals.Get(name)
	return &s
}

// optionalText is nil for an empty field.
func optionalText(vals url.Values, name string) *string {
	if strings.TrimSpace(vals.Get(name)) == "" {
		return nil
	}
	return text(vals, name)
}

// enum is a select's value as a typed service input.
func enum[T ~string](vals url.Values, name string) *T {
	v := T(vals.Get(name))
	return &v
}

// optionalEnum is nil when nothing is chosen.
func optionalEnum[T ~string](vals url.Values, name string) *T {
	if vals.Get(name) == "" {
		return nil
	}
	return enum[T](vals, name)
}

// formDate parses a date field (nil when empty).
func formDate(fe *domain.FieldErrors, vals url.Values, name string) *domain.Date {
	s := strings.TrimSpace(vals.Get(name))
	if s == "" {
		return nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		fe.Add(name, "must be a date in the form YYYY-MM-DD")
		return nil
	}
	if err := implausibleDate(name, s); err != nil {
		var dfe domain.FieldErrors
		if errors.As(err, &dfe) {
			*fe = append(*fe, dfe...)
		}
		return nil
	}
	return &d
}

// formInt parses a whole-number field (nil when empty).
func formInt(fe *domain.FieldErrors, vals url.Values, name string) *int64 {
	s := strings.ReplaceAll(strings.TrimSpace(vals.Get(name)), ",", "")
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fe.Add(name, "must be a whole number")
		return nil
	}
	return &n
}

// formBool is a checkbox's value.
func formBool(vals url.Values, name string) *bool {
	b := vals.Get(name) != ""
	return &b
}

// formList splits a comma-separated field into its entries.
func formList(vals url.Values, name string) []string {
	var out []string
	for _, s := range strings.Split(vals.Get(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// postedForm is the form body of a console post.
func postedForm(c *gin.Context) url.Values {
	_ = c.Request.ParseForm() // parsed already by the CSRF check
	return c.Request.PostForm
}

// ---- the steps ----

// onboardingSteps names the steps of the flow, in order.
var onboardingSteps = []struct{ name, path string }{
	{"Vendor", ""}, {"Data handled", "data"}, {"Contract", "contract"}, {"Attestations", "attestations"},
	{"First review", "review"},
}

// stepsAt is the step indicator at step number (from 1) of vendorID's
// onboarding ("": the vendor is not created yet).
func stepsAt(vendorID string, number int) []web.Step {
	out := make([]web.Step, len(onboardingSteps))
	for i, s := range onboardingSteps {
		st := web.Step{Name: s.name, State: "todo"}
		switch {
		case i+1 < number:
			st.State = "done"
		case i+1 == number:
			st.State = "current"
		}
		switch {
		case vendorID == "" && i == 0:
			st.Path = "/onboarding"
		case vendorID != "" && i == 0:
			st.Path = "/vendors/" + vendorID + "/edit"
		case vendorID != "":
			st.Path = stepPath(vendorID, i+1)
		}
		out[i] = st
	}
	return out
}

// stepPath is the page of step number of vendorID's onboarding; after the
// last step, the vendor's page.
func stepPath(vendorID string, number int) string {
	if number > len(onboardingSteps) {
		return "/vendors/" + vendorID
	}
	return "/onboarding/" + vendorID + "/" + onboardingSteps[number-1].path
}

// renderStep writes a page of the flow. The step indicator links only
// the steps the caller's role may open (legal: the contract).
func (h *handlers) renderStep(c *gin.Context, status, number int, v *register.Vendor, body web.Onboarding) {
	body.Steps, body.Number = stepsAt("", number), number
	if v != nil {
		body.Steps, body.VendorID, body.VendorName = stepsAt(v.ID, number), v.ID, v.Name
		for i := range body.Steps {
			if !h.mayOpenStep(c, i) {
				body.Steps[i].Path = ""
			}
		}
	}
	if body.Form != nil {
		body.Form.CSRF = pageCSRF(c)
	}
	title := "Onboarding: " + body.Heading
	renderPage(c, status, web.PageOnboarding, web.Page{Title: title, User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "onboarding", Body: body})
}

// mayOpenStep reports whether the caller's role may open step i (from
// 0) of a vendor's onboarding, by the route table above.
func (h *handlers) mayOpenStep(c *gin.Context, i int) bool {
	pattern := "/onboarding/:id/" + onboardingSteps[i].path
	if i == 0 {
		pattern = "/vendors/:id/edit"
	}
	u := pageUser(c)
	for _, rt := range h.onboardingRoutes() {
		if rt.Method == http.MethodGet && rt.Path == pattern {
			return u != nil && slices.Contains(rt.Roles, u.Role)
		}
	}
	return false
}

// stepVendor reads the vendor of a step's page.
func (h *handlers) stepVendor(c *gin.Context) (register.Vendor, error) {
	return h.vendors.Get(c.Request.Context(), c.Param("id"))
}

// savedNotices are what a step says after the one before it recorded
// something (its ?saved=).
var savedNotices = map[string]string{
	"vendor":   "The vendor is recorded.",
	"data":     "The category is recorded: add another, or continue.",
	"contract": "The contract is recorded.",
	"evidence": "The evidence file is stored.",
}

// skipNote says a step may be skipped and how to come back to it.
const skipNote = "(you can add this later from the vendor's page)"

// ---- step 1: the vendor ----

// vendorFieldsets are the vendor profile's fields, for the first step
// and the edit form.
func vendorFieldsets() []web.Fieldset {
	return []web.Fieldset{
		{Legend: "Who they are", Fields: []web.Field{
			{Name: "name", Label: "Name", Type: "text", Required: true, Hint: "As your colleagues know it; no two vendors share one."},
			{Name: "legal_name", Label: "Legal name", Type: "text"},
			{Name: "service", Label: "Service", Type: "textarea", Hint: "What the vendor does for us."},
			{Name: "website", Label: "Website", Type: "url", Hint: "An https:// address."},
			{Name: "country", Label: "Country", Type: "text", Hint: "Two-letter code of the vendor's seat: US, DE, GB…"},
			{Name: "external_ref", Label: "External reference", Type: "text", Hint: "Its id in another system, if any."},
		}},
		{Legend: "Our relationship", Fields: []web.Field{
			{Name: "owner_email", Label: "Owner", Type: "email", Hint: "The email of our colleague who owns the relationship."},
			{Name: "status", Label: "Status", Type: "select", Required: true, Options: options(register.VendorStatuses)},
			{Name: "criticality", Label: "Criticality", Type: "select", Required: true, Options: options(criticalities),
				Hint: "How much the business depends on the service; it weighs in the inherent risk."},
			{Name: "tier_override", Label: "Tier override", Type: "select", Options: options(register.Tiers),
				Hint: "Only to overrule the tier computed from the data handled and the criticality."},
			{Name: "tier_override_reason", Label: "Reason for the override", Type: "text", Hint: "Required with an override."},
		}},
	}
}

// vendorInput is the vendor form as a service input: every field set.
func vendorInput(vals url.Values) register.VendorInput {
	return register.VendorInput{Name: text(vals, "name"), LegalName: text(vals, "legal_name"),
		Website: text(vals, "website"), Service: text(vals, "service"), OwnerEmail: text(vals, "owner_email"),
		Status: enum[register.VendorStatus](vals, "status"), Criticality: enum[register.Criticality](vals, "criticality"),
		Country: text(vals, "country"), ExternalRef: text(vals, "external_ref"),
		TierOverride: enum[register.Tier](vals, "tier_override"), TierOverrideReason: text(vals, "tier_override_reason")}
}

// vendorValues are a vendor's values as the vendor form shows them.
func vendorValues(v register.Vendor) url.Values {
	return url.Values{"name": {v.Name}, "legal_name": {v.LegalName}, "website": {v.Website}, "service": {v.Service},
		"owner_email": {v.OwnerEmail}, "status": {string(v.Status)}, "criticality": {string(v.Criticality)},
		"country": {v.Country}, "external_ref": {v.ExternalRef}, "tier_override": {string(v.TierOverride)},
		"tier_override_reason": {v.TierOverrideReason}}
}

// newVendorForm is the first step's form with vals and errs.
func newVendorForm(vals url.Values, errs domain.FieldErrors) *web.Form {
	f := &web.Form{Action: "/onboarding", Fieldsets: vendorFieldsets(), Submit: "Record the vendor and continue"}
	f.Errors = fillForm(f.Fieldsets, vals, errs)
	return f
}

// onboardVendorPage serves GET /onboarding: the first step, a new
// vendor (status onboarding, moderate criticality to start with).
func (h *handlers) onboardVendorPage(c *gin.Context) error {
	h.renderStep(c, http.StatusOK, 1, nil, web.Onboarding{Heading: "A new vendor",
		Intro: "Five steps: the vendor, the data it handles, its contract, its attestations and a first review. " +
			"Only the first is needed; each of the others can be skipped and done later.",
		Form: newVendorForm(url.Values{"status": {string(register.StatusOnboarding)},
			"criticality": {string(register.DefaultVendorCriticality)}}, nil),
		Skip: &web.Link{Name: "Import many vendors from a spreadsheet instead", Path: "/onboarding/import"}})
	return nil
}

// onboardVendor serves POST /onboarding: POST /api/v1/vendors's call.
func (h *handlers) onboardVendor(c *gin.Context) error {
	vals := postedForm(c)
	v, err := h.vendors.Create(c.Request.Context(), vendorInput(vals))
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		h.renderStep(c, status, 1, nil, web.Onboarding{Heading: "A new vendor", Form: newVendorForm(vals, fe)})
		return nil
	}, func() string { return stepPath(v.ID, 2) + "?saved=vendor" })
}

// ---- step 2: data handled ----

func dataFieldsets() []web.Fieldset {
	return []web.Fieldset{{Legend: "Record a category of data", Fields: []web.Field{
		{Name: "category", Label: "Category", Type: "select", Required: true, Options: dataCategoryOptions(),
			Hint: "Recording a category again replaces what was recorded for it."},
		{Name: "access", Label: "What the vendor does with it", Type: "checkboxes", Required: true,
			Options: options([]register.Access{register.AccessStores, register.AccessProcesses, register.AccessTransmits})},
		{Name: "record_count", Label: "Records", Type: "number", Hint: "About how many records or people."},
		{Name: "jurisdictions", Label: "Jurisdictions", Type: "text",
			Hint: "Where the people live, separated by commas: US-CA, EU, GB…"},
		{Name: "systems", Label: "Our systems", Type: "text", Hint: "The systems the data comes from, separated by commas."},
		{Name: "notes", Label: "Notes", Type: "textarea"},
	}}}
}

// onboardDataPage serves GET /onboarding/{id}/data.
func (h *handlers) onboardDataPage(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	return h.renderData(c, http.StatusOK, v, url.Values{}, nil, savedNotices[c.Query("saved")])
}

// renderData writes the data step with the categories recorded so far.
func (h *handlers) renderData(c *gin.Context, status int, v register.Vendor, vals url.Values, errs domain.FieldErrors,
	saved string) error {
	hs, err := h.vendors.ListHandling(c.Request.Context(), v.ID)
	if err != nil {
		return err
	}
	body := web.Onboarding{Heading: "Data handled", Saved: saved, RecordedTitle: "Recorded so far",
		Intro: "Each category of data the vendor stores, processes or transmits for us. " +
			"The most sensitive category and the largest count set the vendor's inherent risk.",
		Form: &web.Form{Action: stepPath(v.ID, 2), Fieldsets: dataFieldsets(), Submit: "Record this category"}}
	body.Form.Errors = fillForm(body.Form.Fieldsets, vals, errs)
	for _, x := range hs {
		name := x.Category
		if cat, ok := register.LookupCategory(x.Category); ok {
			name = cat.Name
		}
		access := make([]string, len(x.Access))
		for i, a := range x.Access {
			access[i] = string(a)
		}
		detail := strings.Join(access, ", ") + "; " + domain.Count(x.RecordCount, "record", "records")
		if len(x.Jurisdictions) > 0 {
			detail += "; " + strings.Join(x.Jurisdictions, ", ")
		}
		body.Recorded = append(body.Recorded, web.Recorded{Title: name, Detail: detail})
	}
	if len(hs) > 0 {
		body.Next = &web.Link{Name: "Continue to the contract", Path: stepPath(v.ID, 3)}
	} else {
		body.Skip = &web.Link{Name: "Skip this step", Path: stepPath(v.ID, 3), Note: skipNote}
	}
	h.renderStep(c, status, 2, &v, body)
	return nil
}

// onboardData serves POST /onboarding/{id}/data: POST
// /api/v1/vendors/{id}/data-handling's call.
func (h *handlers) onboardData(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	vals := postedForm(c)
	var parsed domain.FieldErrors
	in := register.DataHandlingInput{Category: vals.Get("category"), Access: vals["access"],
		Jurisdictions: formList(vals, "jurisdictions"), Systems: formList(vals, "systems"), Notes: vals.Get("notes")}
	if n := formInt(&parsed, vals, "record_count"); n != nil {
		in.RecordCount = *n
	}
	if len(parsed) > 0 {
		err = checkOnly(parsed, func() error { _, err := register.NewDataHandling(v.ID, in); return err })
	} else {
		_, _, err = h.vendors.PutHandling(c.Request.Context(), v.ID, in)
	}
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		return h.renderData(c, status, v, vals, fe, "")
	}, func() string { return stepPath(v.ID, 2) + "?saved=data" })
}

// ---- step 3: the contract ----

// contractFieldsets are the contract's fields; statuses are those the
// caller's role may record.
func contractFieldsets(statuses []web.Option) []web.Fieldset {
	std := options([]contract.NotificationStandard{contract.StandardWithoutUndueDelay, contract.StandardImmediately,
		contract.StandardMostExpedient})
	triggers := options([]contract.ClauseTrigger{contract.TriggerDiscovery, contract.TriggerConfirmation,
		contract.TriggerReasonableBelief, contract.TriggerAwareness})
	units := options([]domain.WindowUnit{domain.UnitHours, domain.UnitCalendarDays, domain.UnitBusinessDays})
	return []web.Fieldset{
		{Legend: "The contract", Fields: []web.Field{
			{Name: "title", Label: "Title", Type: "text", Required: true},
			{Name: "reference", Label: "Reference", Type: "text"},
			{Name: "status", Label: "Status", Type: "select", Required: true, Options: statuses},
			{Name: "effective_on", Label: "Effective on", Type: "date", Required: true},
			{Name: "expires_on", Label: "Expires on", Type: "date", Hint: "Empty if it runs until terminated."},
			{Name: "renewal_notice_days", Label: "Renewal notice (days)", Type: "number"},
			{Name: "governing_law", Label: "Governing law", Type: "text"},
			{Name: "security_standard", Label: "Security standard", Type: "text", Hint: "ISO 27001, SOC 2…"},
			{Name: "auto_renew", Label: "Renews automatically", Type: "checkbox"},
		}},
		{Legend: "What the contract provides", Fields: []web.Field{
			{Name: "dpa", Label: "Data processing agreement", Type: "checkbox"},
			{Name: "baa", Label: "Business associate agreement (HIPAA)", Type: "checkbox"},
			{Name: "right_to_audit", Label: "Right to audit", Type: "checkbox"},
			{Name: "subprocessor_approval", Label: "Subprocessors need our approval", Type: "checkbox"},
			{Name: "data_return_or_destruction", Label: "Data returned or destroyed at the end", Type: "checkbox"},
		}},
		{Legend: "Breach-notification clause", Hint: "How soon the vendor must tell us of a breach: a window, or a standard " +
			"in words. Leave both empty if the contract has no such clause.", Fields: []web.Field{
			{Name: "breach_notification.window.value", Label: "Window", Type: "number", Hint: "A number, in the unit beside it."},
			{Name: "breach_notification.window.unit", Label: "Unit of the window", Type: "select", Options: units},
			{Name: "breach_notification.standard", Label: "Or a standard in words", Type: "select", Options: std},
			{Name: "breach_notification.trigger", Label: "The clock starts at", Type: "select", Options: triggers},
			{Name: "breach_notification.notify[0].role", Label: "Notify (role)", Type: "text", Hint: "Who is told: Security team…"},
			{Name: "breach_notification.notify[0].email", Label: "Notify (email)", Type: "email"},
			{Name: "breach_notification.update_every_hours", Label: "Updates every (hours)", Type: "number"},
			{Name: "breach_notification.required_content", Label: "What the notice must contain", Type: "textarea"},
		}},
	}
}

// contractStatuses are the statuses the caller may give a new contract
// (contract.CheckRole: a vendor manager records drafts).
func contractStatuses(c *gin.Context) []web.Option {
	var out []web.Option
	for _, s := range []contract.ContractStatus{contract.ContractDraft, contract.ContractActive,
		contract.ContractExpired, contract.ContractTerminated} {
		if contract.CheckRole(c.Request.Context(), nil, &contract.Contract{Status: s}) == nil {
			out = append(out, web.Option{Value: string(s), Label: string(s)})
		}
	}
	return out
}

// onboardContractPage serves GET /onboarding/{id}/contract.
func (h *handlers) onboardContractPage(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	return h.renderOnboardingContract(c, http.StatusOK, v, url.Values{"status": {string(contract.ContractDraft)},
		"breach_notification.window.unit": {string(domain.UnitHours)},
		"breach_notification.trigger":     {string(contract.TriggerDiscovery)}}, nil, savedNotices[c.Query("saved")])
}

func (h *handlers) renderOnboardingContract(c *gin.Context, status int, v register.Vendor, vals url.Values, errs domain.FieldErrors,
	saved string) error {
	cs, err := h.contracts.List(c.Request.Context(), contract.ContractFilter{VendorID: v.ID},
		domain.PageRequest{Limit: vendorPageLimit})
	if err != nil {
		return err
	}
	body := web.Onboarding{Heading: "The contract", Saved: saved, RecordedTitle: "Recorded so far",
		Intro: "The contract with the vendor and its breach-notification clause, which the clause audit checks " +
			"against what the data handled requires.",
		Form: &web.Form{Action: stepPath(v.ID, 3), Fieldsets: contractFieldsets(contractStatuses(c)),
			Submit: "Record the contract and continue"}}
	body.Form.Errors = fillForm(body.Form.Fieldsets, vals, errs)
	for _, cv := range cs.Items {
		clause := "no breach-notification clause"
		if cv.Clause != nil {
			clause = "breach notice: " + cv.Clause.Terms.Describe(h.contracts.Policy.StandardWindows)
		}
		body.Recorded = append(body.Recorded, web.Recorded{Title: cv.Title,
			Detail: string(cv.Status) + ", from " + cv.EffectiveOn.String() + "; " + clause})
	}
	if len(cs.Items) > 0 {
		body.Next = &web.Link{Name: "Continue to the attestations", Path: stepPath(v.ID, 4)}
	} else {
		body.Skip = &web.Link{Name: "Skip this step", Path: stepPath(v.ID, 4), Note: skipNote}
	}
	h.renderStep(c, status, 3, &v, body)
	return nil
}

// contractForm is the contract form as a service input, with the
// errors of its own parsing.
func contractForm(vendorID string, vals url.Values) (contract.ContractInput, *contract.ClauseTerms, domain.FieldErrors) {
	var fe domain.FieldErrors
	in := contract.ContractInput{VendorID: &vendorID, Title: text(vals, "title"), Reference: text(vals, "reference"),
		Status: enum[contract.ContractStatus](vals, "status"), EffectiveOn: formDate(&fe, vals, "effective_on"),
		ExpiresOn: formDate(&fe, vals, "expires_on"), AutoRenew: formBool(vals, "auto_renew"),
		GoverningLaw: text(vals, "governing_law"), SecurityStandard: text(vals, "security_standard"),
		DPA: formBool(vals, "dpa"), BAA: formBool(vals, "baa"), RightToAudit: formBool(vals, "right_to_audit"),
		SubprocessorApproval:    formBool(vals, "subprocessor_approval"),
		DataReturnOrDestruction: formBool(vals, "data_return_or_destruction")}
	if n := formInt(&fe, vals, "renewal_notice_days"); n != nil {
		days := int(*n)
		in.RenewalNoticeDays = &days
	}
	const p = "breach_notification."
	window := formInt(&fe, vals, p+"window.value")
	update := formInt(&fe, vals, p+"update_every_hours")
	role, email := strings.TrimSpace(vals.Get(p+"notify[0].role")), strings.TrimSpace(vals.Get(p+"notify[0].email"))
	content := strings.TrimSpace(vals.Get(p + "required_content"))
	if window == nil && vals.Get(p+"standard") == "" && role == "" && email == "" && content == "" && update == nil {
		return in, nil, fe // no clause
	}
	terms := &contract.ClauseTerms{Standard: contract.NotificationStandard(vals.Get(p + "standard")),
		Trigger: contract.ClauseTrigger(vals.Get(p + "trigger")), RequiredContent: content}
	if window != nil {
		terms.Window = &domain.Window{Value: int(min(max(*window, -1), domain.MaxWindowValue+1)),
			Unit: domain.WindowUnit(vals.Get(p + "window.unit"))}
	}
	if update != nil {
		terms.UpdateEveryHours = int(min(max(*update, -1), 1<<20))
	}
	if role != "" || email != "" {
		terms.Notify = []contract.Recipient{{Role: role, Email: email}}
	}
	return in, terms, fe
}

// onboardContract serves POST /onboarding/{id}/contract: POST
// /api/v1/contracts's call, with the contract's roles.
func (h *handlers) onboardContract(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	vals := postedForm(c)
	in, terms, parsed := contractForm(v.ID, vals)
	if len(parsed) > 0 {
		err = checkOnly(parsed, func() error {
			k := contract.Contract{Status: contract.ContractDraft}
			return domain.MergeInvalid(k.Apply(in), contract.CheckTerms(terms))
		})
	} else {
		_, err = h.contracts.Create(c.Request.Context(), in, terms)
	}
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		return h.renderOnboardingContract(c, status, v, vals, fe, "")
	}, func() string { return stepPath(v.ID, 4) + "?saved=contract" })
}

// ---- step 4: attestations and evidence ----

func attestationFieldsets() []web.Fieldset {
	var kinds []web.Option
	for _, k := range attestation.AttestationKinds() {
		kinds = append(kinds, web.Option{Value: string(k.Code), Label: k.Name})
	}
	return []web.Fieldset{
		{Legend: "Record an attestation", Fields: []web.Field{
			{Name: "kind", Label: "Kind", Type: "select", Required: true, Options: kinds},
			{Name: "issuer", Label: "Issuer", Type: "text", Hint: "The audit firm or certification body."},
			{Name: "issued_on", Label: "Issued on", Type: "date"},
			{Name: "period_start", Label: "Period from", Type: "date", Hint: "The audit period, if the report has one."},
			{Name: "period_end", Label: "Period to", Type: "date"},
			{Name: "expires_on", Label: "Expires on", Type: "date",
				Hint: "Empty: the kind's usual validity, counted from the issue date or the period's end."},
			{Name: "opinion", Label: "Opinion", Type: "select", Options: options([]attestation.AttestationOpinion{
				attestation.OpinionUnqualified, attestation.OpinionQualified, attestation.OpinionAdverse, attestation.OpinionDisclaimer})},
			{Name: "exceptions_count", Label: "Exceptions noted", Type: "number"},
			{Name: "scope", Label: "Scope", Type: "textarea"},
		}},
		{Legend: "Our review of it", Fields: []web.Field{
			{Name: "review_status", Label: "Review status", Type: "select", Required: true, Options: options(
				[]attestation.AttestationReviewStatus{attestation.AttestationReceived, attestation.AttestationUnderReview,
					attestation.AttestationAccepted, attestation.AttestationRejected})},
			{Name: "reviewer", Label: "Reviewer", Type: "text"},
		}},
	}
}

// attestationForm is the attestation form as a service input.
func attestationForm(vendorID string, vals url.Values) (attestation.AttestationInput, domain.FieldErrors) {
	var fe domain.FieldErrors
	in := attestation.AttestationInput{VendorID: &vendorID, Kind: enum[attestation.AttestationKind](vals, "kind"),
		Issuer: text(vals, "issuer"), Scope: text(vals, "scope"), PeriodStart: formDate(&fe, vals, "period_start"),
		PeriodEnd: formDate(&fe, vals, "period_end"), IssuedOn: formDate(&fe, vals, "issued_on"),
		ExpiresOn: formDate(&fe, vals, "expires_on"), ExceptionsCount: formInt(&fe, vals, "exceptions_count"),
		Opinion:      optionalEnum[attestation.AttestationOpinion](vals, "opinion"),
		ReviewStatus: enum[attestation.AttestationReviewStatus](vals, "review_status"), Reviewer: optionalText(vals, "reviewer")}
	return in, fe
}

// onboardAttestationsPage serves GET /onboarding/{id}/attestations.
func (h *handlers) onboardAttestationsPage(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	return h.renderAttestations(c, http.StatusOK, v, url.Values{"review_status": {string(attestation.AttestationReceived)}},
		nil, savedNotices[c.Query("saved")])
}

func (h *handlers) renderAttestations(c *gin.Context, status int, v register.Vendor, vals url.Values,
	errs domain.FieldErrors, saved string) error {
	as, err := h.attestations.List(c.Request.Context(), attestation.AttestationFilter{VendorID: v.ID},
		domain.PageRequest{Limit: vendorPageLimit})
	if err != nil {
		return err
	}
	body := web.Onboarding{Heading: "Attestations", Saved: saved, RecordedTitle: "Recorded so far",
		Intro: "The vendor's audit reports and certifications (SOC 2, ISO 27001, PCI DSS…). " +
			"Record each one, then upload its file as evidence.",
		Form: &web.Form{Action: stepPath(v.ID, 4), Fieldsets: attestationFieldsets(), Submit: "Record the attestation"}}
	body.Form.Errors = fillForm(body.Form.Fieldsets, vals, errs)
	for _, a := range as.Items {
		r := web.Recorded{Title: attestationName(a.Kind), Detail: "expires " + a.ExpiresOn.String()}
		if a.HasEvidence() {
			r.Detail += "; evidence: " + a.EvidenceName
		} else {
			r.Detail += "; no evidence file yet"
			r.Action = &web.Link{Name: "Upload its evidence", Path: evidencePath(v.ID, a.ID)}
		}
		body.Recorded = append(body.Recorded, r)
	}
	if len(as.Items) > 0 {
		body.Next = &web.Link{Name: "Continue to the first review", Path: stepPath(v.ID, 5)}
	} else {
		body.Skip = &web.Link{Name: "Skip this step", Path: stepPath(v.ID, 5), Note: skipNote}
	}
	h.renderStep(c, status, 4, &v, body)
	return nil
}

// attestationName is the name of an attestation kind.
func attestationName(k attestation.AttestationKind) string {
	if info, ok := attestation.LookupAttestationKind(k); ok {
		return info.Name
	}
	return string(k)
}

func evidencePath(vendorID, attestationID string) string {
	return stepPath(vendorID, 4) + "/" + attestationID + "/evidence"
}

// onboardAttestation serves POST /onboarding/{id}/attestations: POST
// /api/v1/attestations's call; then the evidence upload.
func (h *handlers) onboardAttestation(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	vals := postedForm(c)
	in, parsed := attestationForm(v.ID, vals)
	var a attestation.Attestation
	if len(parsed) > 0 {
		err = checkOnly(parsed, func() error { var x attestation.Attestation; return x.Apply(in) })
	} else {
		a, err = h.attestations.Create(c.Request.Context(), in)
	}
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		return h.renderAttestations(c, status, v, vals, fe, "")
	}, func() string { return evidencePath(v.ID, a.ID) })
}

// stepAttestation reads the vendor and the attestation of an evidence
// page; an attestation of another vendor is not found.
func (h *handlers) stepAttestation(c *gin.Context) (register.Vendor, attestation.Attestation, error) {
	v, err := h.stepVendor(c)
	if err != nil {
		return v, attestation.Attestation{}, err
	}
	a, err := h.attestations.Get(c.Request.Context(), c.Param("attestation"))
	if err == nil && a.VendorID != v.ID {
		err = fmt.Errorf("attestation %s of vendor %s: %w", a.ID, v.ID, domain.ErrNotFound)
	}
	return v, a, err
}

// onboardEvidencePage serves GET
// /onboarding/{id}/attestations/{attestation}/evidence: the upload form.
func (h *handlers) onboardEvidencePage(c *gin.Context) error {
	v, a, err := h.stepAttestation(c)
	if err != nil {
		return err
	}
	h.renderEvidence(c, http.StatusOK, v, a, nil)
	return nil
}

func (h *handlers) renderEvidence(c *gin.Context, status int, v register.Vendor, a attestation.Attestation,
	errs domain.FieldErrors) {
	limit := h.attestations.EvidenceLimit()
	body := web.Onboarding{Heading: "Evidence for the " + attestationName(a.Kind), Saved: "The attestation is recorded.",
		Intro: "The report or certificate itself. Its type is checked from its content; its SHA-256 is kept " +
			"and checked each time it is read.",
		Form: &web.Form{Action: evidencePath(v.ID, a.ID), Multipart: true,
			Hidden: []web.Hidden{{Name: "version", Value: strconv.FormatInt(a.Version, 10)}},
			Fieldsets: []web.Fieldset{{Fields: []web.Field{{Name: "file", Label: "Evidence file", Type: "file",
				Required: true, Accept: ".pdf,.png,.jpg,.jpeg,.txt,.zip,.docx,.xlsx",
				Hint: "PDF, PNG, JPEG, plain text, ZIP or an Office document, at most " + byteSize(limit) + "."}}}},
			Submit: "Upload the evidence"},
		Skip: &web.Link{Name: "Upload it later", Path: stepPath(v.ID, 4)}}
	if a.HasEvidence() {
		body.Saved = "A file is stored already (" + a.EvidenceName + "); uploading another replaces it."
	}
	if status != http.StatusOK {
		body.Saved = ""
	}
	body.Form.Errors = fillForm(body.Form.Fieldsets[:], url.Values{}, errs)
	h.renderStep(c, status, 4, &v, body)
}

// byteSize writes a limit in MiB when it is whole MiB, else in bytes.
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return domain.Count(n, "byte", "bytes")
}

// onboardEvidence serves POST
// /onboarding/{id}/attestations/{attestation}/evidence: the file streamed
// to POST /api/v1/attestations/{id}/evidence's call, at the version the
// form was read at.
func (h *handlers) onboardEvidence(c *gin.Context) error {
	v, a, err := h.stepAttestation(c)
	if err != nil {
		return err
	}
	version, part, err := evidenceFormPart(c)
	if err == nil {
		_, _, err = h.attestations.AttachEvidence(c.Request.Context(), a.ID, domain.EvidenceUpload{
			Name: part.FileName(), DeclaredType: part.Header.Get("Content-Type"), Content: part}, version)
	}
	if errors.Is(err, domain.ErrPrecondition) {
		err = domain.Invalid("file", "was not stored: the attestation changed since this page was read; choose the file again")
		a, _ = h.attestations.Get(c.Request.Context(), a.ID)
	}
	if isTooLarge(err) {
		err = &domain.UploadError{Kind: domain.ErrEvidenceTooLarge, Field: "file",
			Message: "is larger than the limit of " + byteSize(h.attestations.EvidenceLimit())}
	}
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		h.renderEvidence(c, status, v, a, fe)
		return nil
	}, func() string { return stepPath(v.ID, 4) + "?saved=evidence" })
}

// evidenceFormPart reads the evidence form after its csrf part: the
// version read, then the file's part, which the caller streams.
func evidenceFormPart(c *gin.Context) (int64, *multipart.Part, error) {
	fields, part, err := multipartFields(c)
	switch {
	case err != nil:
		return 0, nil, err
	case part == nil || part.FileName() == "":
		return 0, nil, domain.Invalid("file", "is required: choose the evidence file")
	}
	version, _ := strconv.ParseInt(fields["version"], 10, 64)
	return version, part, nil
}

// ---- step 5: the first review ----

func reviewFieldsets() []web.Fieldset {
	return []web.Fieldset{{Legend: "The review", Fields: []web.Field{
		{Name: "performed_on", Label: "Performed on", Type: "date", Required: true, Hint: "Not in the future."},
		{Name: "reviewer", Label: "Reviewer", Type: "text", Required: true},
		{Name: "outcome", Label: "Outcome", Type: "select", Required: true, Options: options(review.ReviewOutcomes)},
		{Name: "residual_risk", Label: "Residual risk as judged", Type: "select", Required: true, Options: options(register.Tiers)},
		{Name: "notes", Label: "Notes", Type: "textarea"},
	}}}
}

// onboardReviewPage serves GET /onboarding/{id}/review.
func (h *handlers) onboardReviewPage(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	name := ""
	if u := pageUser(c); u != nil {
		name = u.Name
	}
	h.renderReview(c, http.StatusOK, v, url.Values{"performed_on": {h.today().String()}, "reviewer": {name}}, nil)
	return nil
}

func (h *handlers) renderReview(c *gin.Context, status int, v register.Vendor, vals url.Values, errs domain.FieldErrors) {
	body := web.Onboarding{Heading: "A first review",
		Intro: "The due-diligence review that approves the vendor. Its date and the vendor's tier set when the next one is due.",
		Form:  &web.Form{Action: stepPath(v.ID, 5), Fieldsets: reviewFieldsets(), Submit: "Record the review and finish"},
		Skip:  &web.Link{Name: "Finish without a review", Path: stepPath(v.ID, 6), Note: skipNote}}
	body.Form.Errors = fillForm(body.Form.Fieldsets, vals, errs)
	h.renderStep(c, status, 5, &v, body)
}

// onboardReview serves POST /onboarding/{id}/review: POST
// /api/v1/reviews's call; the flow ends on the vendor's page.
func (h *handlers) onboardReview(c *gin.Context) error {
	v, err := h.stepVendor(c)
	if err != nil {
		return err
	}
	vals := postedForm(c)
	var parsed domain.FieldErrors
	in := review.ReviewInput{VendorID: &v.ID, PerformedOn: formDate(&parsed, vals, "performed_on"),
		Reviewer: text(vals, "reviewer"), Outcome: enum[review.ReviewOutcome](vals, "outcome"),
		ResidualRisk: enum[register.Tier](vals, "residual_risk"), Notes: text(vals, "notes")}
	if len(parsed) > 0 {
		err = checkOnly(parsed, func() error { var r review.Review; return r.Apply(in, h.today()) })
	} else {
		_, err = h.reviews.Create(c.Request.Context(), in)
	}
	return answerForm(c, err, func(status int, fe domain.FieldErrors) error {
		h.renderReview(c, status, v, vals, fe)
		return nil
	}, func() string { return stepPath(v.ID, 6) })
}

// ---- the vendor profile's edit form ----

// editForm is the edit form of vendorID at version with vals and errs.
func editForm(c *gin.Context, vendorID string, version int64, vals url.Values, errs domain.FieldErrors) *web.Form {
	f := &web.Form{Action: "/vendors/" + vendorID + "/edit", CSRF: pageCSRF(c), Fieldsets: vendorFieldsets(),
		Hidden: []web.Hidden{{Name: "version", Value: strconv.FormatInt(version, 10)}}, Submit: "Save the profile"}
	f.Errors = fillForm(f.Fieldsets, vals, errs)
	return f
}

func renderVendorEdit(c *gin.Context, status int, body web.VendorEdit) {
	renderPage(c, status, web.PageVendorEdit, web.Page{Title: "Edit " + body.VendorName, User: pageUser(c),
		CSRF: pageCSRF(c), Nav: "vendors", Body: body})
}

// vendorEditPage serves GET /vendors/{id}/edit: the profile as stored,
// with the version read.
func (h *handlers) vendorEditPage(c *gin.Context) error {
	v, err := h.vendors.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	renderVendorEdit(c, http.StatusOK, web.VendorEdit{VendorID: v.ID, VendorName: v.Name,
		Form: editForm(c, v.ID, v.Version, vendorValues(v), nil)})
	return nil
}

// editVendor serves POST /vendors/{id}/edit: PATCH /api/v1/vendors/{id}'s
// call at the version the form was read at. Invalid input is shown next
// to its field; a vendor changed since is a conflict listing, for each
// field that differs, the value sent and the value now; nothing is
// written in either case. Success returns to the vendor's page.
func (h *handlers) editVendor(c *gin.Context) error {
	ctx := c.Request.Context()
	vals := postedForm(c)
	version, err := strconv.ParseInt(vals.Get("version"), 10, 64)
	if err != nil || version < 1 {
		return &badRequest{Field: "version", Message: "must be the version of the vendor the form was read at"}
	}
	v, err := h.vendors.Update(ctx, c.Param("id"), vendorInput(vals), version)
	if errors.Is(err, domain.ErrPrecondition) {
		now, gerr := h.vendors.Get(ctx, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		body := web.VendorEdit{VendorID: now.ID, VendorName: now.Name, ReadVersion: version, Version: now.Version,
			Form: editForm(c, now.ID, now.Version, vals, nil)}
		current := vendorValues(now)
		for _, s := range body.Form.Fieldsets {
			for _, f := range s.Fields {
				if strings.TrimSpace(vals.Get(f.Name)) != current.Get(f.Name) {
					body.Conflicts = append(body.Conflicts, web.Conflict{Field: f.Label, Yours: vals.Get(f.Name),
						Now: current.Get(f.Name)})
				}
			}
		}
		renderVendorEdit(c, http.StatusConflict, body)
		return nil
	}
	if status, fe, ok := formFailure(err); ok {
		stored, gerr := h.vendors.Get(ctx, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		renderVendorEdit(c, status, web.VendorEdit{VendorID: stored.ID, VendorName: stored.Name,
			Form: editForm(c, stored.ID, version, vals, fe)})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/vendors/"+v.ID)
	return nil
}
