package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// incidentWriters may record incidents, vendors' notices and notice
// evidence: the roles of the API's POST /incidents, PATCH
// /incidents/{id} and POST /incidents/{id}/notice-evidence, whose
// service calls the console's forms make.
var incidentWriters = incidentTeam

// incidentRoutes are the console's incident pages and forms.
func (h *handlers) incidentRoutes() []Route {
	return []Route{
		{"GET", "/incidents", everyone, h.incidentList},
		{"GET", "/incidents/new", incidentWriters, h.newIncidentPage},
		{"POST", "/incidents", incidentWriters, h.recordIncident},
		{"GET", "/incidents/:id", everyone, h.incidentPage},
		{"POST", "/incidents/:id/notice", incidentWriters, h.recordNotice},
		{"POST", "/incidents/:id/notice-evidence", incidentWriters, h.uploadNoticeEvidence},
		{"GET", "/incidents/:id/notice-evidence", everyone, h.downloadNotice},
	}
}

// savedMessages are what the incident page says after a form saved
// (?saved=).
var savedMessages = map[string]string{
	"incident": "the incident is recorded and its clock is running",
	"notice":   "the vendor’s notice is recorded and the clock judged again",
	"evidence": "the notice evidence is stored",
}

// incidentList serves GET /incidents: the API's incident list (the same
// filters and service call), with each incident's vendor named by one
// set-based read per page.
func (h *handlers) incidentList(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f, err := incidentFilter(c)
	if err != nil {
		return err
	}
	page, err := h.incidents.List(ctx, f, p)
	if err != nil {
		return err
	}
	vendors, err := listVendors(ctx, h, page.Items, func(v incident.IncidentView) string { return v.VendorID }, f.VendorID)
	if err != nil {
		return err
	}
	u := pageUser(c)
	body := web.Incidents{Pager: pager(c, page.Next), VendorID: f.VendorID, Vendor: vendors[f.VendorID].Name,
		Rows: make([]web.IncidentRow, len(page.Items)), CanRecord: u != nil && slices.Contains(incidentWriters, u.Role),
		Filters: []web.Select{
			{Name: "status", Label: "Status", Value: string(f.Status), Options: options([]incident.IncidentStatus{
				incident.IncidentOpen, incident.IncidentContained, incident.IncidentClosed})},
			{Name: "notice", Label: "Vendor’s notice", Value: c.Query("notice"), Options: append([]web.Option{
				{Value: "late,overdue", Label: "late or overdue"}}, options(incident.NoticeStatuses)...)},
		},
		Filtered: f.VendorID != "" || f.Status != "" || len(f.Notices) > 0,
	}
	for i, v := range page.Items {
		body.Rows[i] = web.IncidentRow{IncidentView: v, VendorName: vendors[v.VendorID].Name}
	}
	renderPage(c, http.StatusOK, web.PageIncidents, web.Page{Title: "Incidents", User: u, CSRF: pageCSRF(c),
		Nav: "incidents", Body: body})
	return nil
}

// listVendors reads, in one set-based query, the vendors of a console
// list's rows and the vendor the list is filtered by ("" for none).
func listVendors[T any](ctx context.Context, h *handlers, rows []T, vendorOf func(T) string,
	filtered string) (map[string]register.Vendor, error) {
	ids := make([]string, 0, len(rows)+1)
	for _, r := range rows {
		ids = append(ids, vendorOf(r))
	}
	if filtered != "" {
		ids = append(ids, filtered)
	}
	return h.imports.VendorsByID(ctx, ids)
}

// incidentPage serves GET /incidents/{id}.
func (h *handlers) incidentPage(c *gin.Context) error {
	saved := c.Query("saved")
	if _, ok := savedMessages[saved]; !ok {
		saved = ""
	}
	return h.renderIncident(c, http.StatusOK, incidentForms{saved: saved})
}

// incidentForms are the incident page's forms as sent, with what to say.
type incidentForms struct {
	notice   web.NoticeForm
	conflict *web.NoticeForm
	evidence web.EvidenceForm
	saved    string
}

// renderIncident writes an incident's page: the blast radius (the
// incident with its clock and explanation, the vendor, what it holds, its
// contracts), the obligations, the regimes not applied and the timeline,
// each the service call of the API's endpoint.
func (h *handlers) renderIncident(c *gin.Context, status int, forms incidentForms) error {
	ctx, id := c.Request.Context(), c.Param("id")
	b, err := h.incidents.BlastRadius(ctx, id)
	if err != nil {
		return err
	}
	os, err := h.incidents.ListObligations(ctx, id)
	if err != nil {
		return err
	}
	checks, err := h.incidents.RegimesNotApplied(ctx, id)
	if err != nil {
		return err
	}
	timeline, err := h.incidents.Timeline(ctx, id)
	if err != nil {
		return err
	}
	// The log is kept in the order entries were written; the page reads
	// it in the order things happened.
	slices.SortStableFunc(timeline, func(a, b incident.TimelineEntry) int { return a.At.Compare(b.At) })
	now, today := h.clock.Now(), h.today()
	u := pageUser(c)
	body := web.IncidentPage{Incident: b.Incident, Vendor: b.Vendor.Name, Clock: web.NewClock(b.Incident.Notice, now),
		NotApplied: checks, Handling: b.Handling, Timeline: timeline,
		CanRecord: u != nil && slices.Contains(incidentWriters, u.Role), Notice: forms.notice,
		Conflict: forms.conflict, Evidence: forms.evidence, Saved: savedMessages[forms.saved],
		MaxEvidence: web.BytesText(h.incidents.EvidenceLimit())}
	if body.Notice.Date == "" && forms.conflict == nil && b.Incident.VendorNotifiedUsAt != nil {
		body.Notice.Date, body.Notice.Time = dateAndTime(*b.Incident.VendorNotifiedUsAt)
	}
	for _, o := range os {
		row := web.ObligationRow{Obligation: o}
		if o.DueAt != nil {
			d := today.DaysUntil(domain.DateOf(*o.DueAt))
			row.DaysLeft = &d
			row.Overdue = o.Status == incident.ObligationOpen && o.DueAt.Before(now)
		}
		body.Obligations = append(body.Obligations, row)
	}
	std := h.contracts.Policy.StandardWindows
	for _, cc := range b.Contracts {
		row := web.BlastContract{ID: cc.Contract.ID, Title: cc.Contract.Title, Status: string(cc.Contract.Status)}
		if cc.ClauseNow != nil {
			row.Now = cc.ClauseNow.Terms.Describe(std)
		}
		if cc.ClauseAtDiscovery != nil {
			row.AtDiscovery = cc.ClauseAtDiscovery.Terms.Describe(std)
		}
		body.Contracts = append(body.Contracts, row)
	}
	renderPage(c, status, web.PageIncident, web.Page{Title: b.Incident.Title, User: u, CSRF: pageCSRF(c),
		Nav: "incidents", Body: body})
	return nil
}

// learnedVia are the ways of learning, in words, in the order the form
// offers them.
var learnedVia = []web.Option{
	{Value: string(incident.ViaVendorNotice), Label: "the vendor’s notice"},
	{Value: string(incident.ViaPress), Label: "the press"},
	{Value: string(incident.ViaCustomer), Label: "a customer"},
	{Value: string(incident.ViaLawEnforcement), Label: "law enforcement"},
	{Value: string(incident.ViaMonitoring), Label: "our monitoring"},
	{Value: string(incident.ViaOther), Label: "another way"},
}

// newIncidentPage serves GET /incidents/new: with ?vendor_id= the form
// recording an incident at that vendor; without, a search for the vendor
// by name (?q=, the vendor list's search).
func (h *handlers) newIncidentPage(c *gin.Context) error {
	ctx := c.Request.Context()
	vendorID, err := vendorIDQuery(c)
	if err != nil {
		return err
	}
	body := web.IncidentNew{Query: strings.TrimSpace(c.Query("q"))}
	if vendorID != "" {
		v, err := h.vendors.Get(ctx, vendorID)
		if err != nil {
			return err
		}
		body.Form = web.NewIncidentForm(v.ID, v.Name)
	} else if body.Query != "" {
		page, err := h.vendors.List(ctx, register.VendorFilter{Query: body.Query}, domain.PageRequest{Limit: vendorPageLimit})
		if err != nil {
			return err
		}
		for _, v := range page.Items {
			body.Matches = append(body.Matches, web.Option{Value: v.ID, Label: v.Name})
		}
	}
	return h.renderNewIncident(c, http.StatusOK, body)
}

func (h *handlers) renderNewIncident(c *gin.Context, status int, body web.IncidentNew) error {
	body.Via, body.Today = learnedVia, h.today()
	for _, f := range []*web.InstantField{&body.Form.Discovered, &body.Form.Learned, &body.Form.Notice} {
		f.Max, f.Error = body.Today, body.Form.Errors[f.Field]
	}
	renderPage(c, status, web.PageIncidentNew, web.Page{Title: "Record an incident", User: pageUser(c), CSRF: pageCSRF(c),
		Nav: "incidents", Body: body})
	return nil
}

// recordIncident serves POST /incidents: the service call of the API's
// POST /incidents. Invalid input is shown next to its field with what
// was typed, and nothing is written; success opens the incident's page.
func (h *handlers) recordIncident(c *gin.Context) error {
	ctx := c.Request.Context()
	form := web.NewIncidentForm(strings.TrimSpace(c.PostForm("vendor_id")), "")
	form.Title, form.Description, form.LearnedVia = c.PostForm("title"), c.PostForm("description"), c.PostForm("learned_via")
	form.ExposureStart, form.ExposureEnd = c.PostForm("exposure_start"), c.PostForm("exposure_end")
	form.RecordsAffected, form.Errors = strings.TrimSpace(c.PostForm("records_affected")), map[string]string{}
	discovered, learned := postedInstant(c, &form.Discovered, form.Errors), postedInstant(c, &form.Learned, form.Errors)
	notice := postedInstant(c, &form.Notice, form.Errors)
	if !domain.ValidID(form.VendorID) {
		return &badRequest{Field: "vendor_id", Message: "must be the id (UUID) of a vendor"}
	}
	v, err := h.vendors.Get(ctx, form.VendorID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("vendor_id", "no vendor with id %s", form.VendorID)
	}
	if err != nil {
		return err
	}
	form.VendorName = v.Name
	in := incident.IncidentInput{VendorID: &form.VendorID, Title: &form.Title}
	if strings.TrimSpace(form.Description) != "" {
		in.Description = &form.Description
	}
	via := incident.LearnedVia(form.LearnedVia)
	in.LearnedVia = &via
	in.VendorDiscoveredAt, in.WeLearnedAt = discovered, learned
	if notice != nil {
		in.VendorNotifiedUsAt = &notice
	}
	if t := formInstant(form.Errors, "exposure_start", form.ExposureStart, "", false); t != nil {
		in.ExposureStart = &t
	}
	if t := formInstant(form.Errors, "exposure_end", form.ExposureEnd, "", false); t != nil {
		in.ExposureEnd = &t
	}
	if form.RecordsAffected != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(form.RecordsAffected, ",", ""), 10, 64)
		if err != nil {
			form.Errors["records_affected"] = "must be a whole number, such as 1200"
		} else {
			in.RecordsAffected = &n
		}
	}
	var created incident.IncidentView
	if len(form.Errors) == 0 {
		created, err = h.incidents.Create(ctx, in)
	} else {
		// The fields that did parse are still checked, so every message
		// shows at once; nothing is written.
		check := incident.Incident{Status: incident.IncidentOpen}
		err = check.Apply(in, h.clock.Now())
	}
	var fe domain.FieldErrors
	if errors.As(err, &fe) || len(form.Errors) > 0 {
		addFieldMessages(form.Errors, fe)
		return h.renderNewIncident(c, http.StatusUnprocessableEntity, web.IncidentNew{Form: form})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/incidents/"+created.ID+"?saved=incident")
	return nil
}

// recordNotice serves POST /incidents/{id}/notice: the vendor's notice
// time, through the service call of the API's PATCH /incidents/{id} on
// the version the form was read at. Invalid input is shown next to its
// field; an incident changed since it was read is a conflict showing
// both; nothing is written in either case.
func (h *handlers) recordNotice(c *gin.Context) error {
	form := web.NoticeForm{Date: strings.TrimSpace(c.PostForm("notice_date")), Time: strings.TrimSpace(c.PostForm("notice_time")),
		Errors: map[string]string{}}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 64)
	if err != nil || version < 1 {
		return &badRequest{Field: "version", Message: "must be the version of the incident the form was read at"}
	}
	form.Version = version
	at := formInstant(form.Errors, "vendor_notified_us_at", form.Date, form.Time, true)
	if len(form.Errors) == 0 {
		_, err = h.incidents.Update(c.Request.Context(), c.Param("id"), incident.IncidentInput{VendorNotifiedUsAt: &at}, version)
	}
	var fe domain.FieldErrors
	switch {
	case len(form.Errors) > 0 || errors.As(err, &fe):
		addFieldMessages(form.Errors, fe)
		return h.renderIncident(c, http.StatusUnprocessableEntity, incidentForms{notice: form})
	case errors.Is(err, domain.ErrPrecondition):
		yours := form
		return h.renderIncident(c, http.StatusConflict, incidentForms{conflict: &yours,
			notice: web.NoticeForm{Date: form.Date, Time: form.Time}})
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/incidents/"+c.Param("id")+"?saved=notice")
	return nil
}

// uploadNoticeEvidence serves POST /incidents/{id}/notice-evidence: the
// service call of the API's upload, with its limit and type checks. The
// form's fields come before the file (the session middleware has read
// the csrf field). A refused file is shown next to the file field and
// nothing is kept.
func (h *handlers) uploadNoticeEvidence(c *gin.Context) error {
	fields, part, err := multipartFields(c)
	if err != nil {
		return err
	}
	form := web.EvidenceForm{Date: fields["received_date"], Errors: map[string]string{}}
	version, err := strconv.ParseInt(fields["version"], 10, 64)
	if err != nil || version < 1 {
		return &badRequest{Field: "version", Message: "must be the version of the incident the form was read at"}
	}
	at := formInstant(form.Errors, "received_at", form.Date, "", false)
	if part == nil || part.FileName() == "" {
		form.Errors["file"] = "is required: choose the file of the vendor's notice"
	}
	if len(form.Errors) > 0 {
		return h.renderIncident(c, http.StatusUnprocessableEntity, incidentForms{evidence: form})
	}
	_, err = h.incidents.AttachNotice(c.Request.Context(), c.Param("id"), domain.EvidenceUpload{Name: part.FileName(),
		DeclaredType: part.Header.Get("Content-Type"), Content: part}, at, version)
	var fe domain.FieldErrors
	var upload *domain.UploadError
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &upload):
		status = problemFor(c, err).Status
		form.Errors[upload.Field] = upload.Message
	case isTooLarge(err):
		status = http.StatusRequestEntityTooLarge
		form.Errors["file"] = "is larger than the limit of " + web.BytesText(h.incidents.EvidenceLimit())
	case errors.As(err, &fe):
		for _, e := range fe {
			form.Errors[e.Field] = e.Message
		}
	case errors.Is(err, domain.ErrPrecondition):
		status = http.StatusConflict
		form.Errors["version"] = "Not stored: someone changed this incident after you opened it. Check it as it is now and upload again."
	case err != nil:
		return err
	default:
		c.Redirect(http.StatusSeeOther, "/incidents/"+c.Param("id")+"?saved=evidence")
		return nil
	}
	return h.renderIncident(c, status, incidentForms{evidence: form})
}

// postedInstant reads the posted date and time of f into it and returns
// the instant they make (nil: blank or malformed, with its message in
// errs).
func postedInstant(c *gin.Context, f *web.InstantField, errs map[string]string) *time.Time {
	f.Date, f.Time = c.PostForm(f.Name+"_date"), c.PostForm(f.Name+"_time")
	return formInstant(errs, f.Field, f.Date, f.Time, f.Required)
}

// formInstant reads a date field (YYYY-MM-DD) and an optional time field
// (HH:MM, UTC; midnight when blank) as an instant. A blank date is nil,
// with "is required" noted when required; a malformed one notes its
// message under field.
func formInstant(errs map[string]string, field, date, clock string, required bool) *time.Time {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		if required {
			errs[field] = "is required: a date in the form YYYY-MM-DD"
		}
		return nil
	}
	d, err := domain.ParseDate(date)
	if err != nil {
		errs[field] = "must be a date in the form YYYY-MM-DD"
		return nil
	}
	t := d.Time()
	if clock != "" {
		c, err := time.Parse("15:04", clock)
		if err != nil {
			if c, err = time.Parse("15:04:05", clock); err != nil {
				errs[field] = "the time must be in the form HH:MM (24-hour, UTC)"
				return nil
			}
		}
		t = t.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second)
	}
	return &t
}

// dateAndTime splits an instant into the form's date and time fields.
func dateAndTime(t time.Time) (string, string) {
	t = t.UTC()
	return t.Format(time.DateOnly), t.Format("15:04")
}
