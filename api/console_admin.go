package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// adminRoutes are the administration pages: users, API keys, webhooks
// and job runs, for admins only (the roles of the API's routes for the
// same services). Every change goes through the service the API and the
// command line call, which audits it with the signed-in admin as actor.
func (h *handlers) adminRoutes() []Route {
	return []Route{
		{"GET", "/admin/users", admins, h.adminUsers},
		{"POST", "/admin/users", admins, h.adminCreateUser},
		{"GET", "/admin/users/:id", admins, h.adminUser},
		{"POST", "/admin/users/:id/role", admins, h.adminSetRole},
		{"POST", "/admin/users/:id/status", admins, h.adminSetStatus},
		{"POST", "/admin/users/:id/password", admins, h.adminResetPassword},
		{"GET", "/admin/api-keys", admins, h.adminKeys},
		{"POST", "/admin/api-keys", admins, h.adminCreateKey},
		{"POST", "/admin/api-keys/:id/revoke", admins, h.adminRevokeKey},
		{"GET", "/admin/webhooks", admins, h.adminWebhooks},
		{"POST", "/admin/webhooks", admins, h.adminCreateWebhook},
		{"POST", "/admin/webhooks/:id/disable", admins, h.adminDisableWebhook},
		{"POST", "/admin/webhooks/:id/enable", admins, h.adminEnableWebhook},
		{"POST", "/admin/webhooks/:id/delete", admins, h.adminDeleteWebhook},
		{"GET", "/admin/jobs", admins, h.adminJobs},
	}
}

// renderAdmin writes an administration page.
func renderAdmin(c *gin.Context, status int, page, title string, body any) {
	renderPage(c, status, page, web.Page{Title: title, User: pageUser(c), CSRF: pageCSRF(c), Nav: "admin", Body: body})
}

// formErrors turns the field errors and conflicts of a service call into
// messages by field; false when err is neither (nil or another error).
func formErrors(err error) (map[string]string, bool) {
	var fe domain.FieldErrors
	var ce *domain.ConflictError
	switch {
	case errors.As(err, &fe):
		out := map[string]string{}
		addFieldMessages(out, fe)
		return out, true
	case errors.As(err, &ce):
		return map[string]string{ce.Field: ce.Message}, true
	}
	return nil, false
}

// adminUsers serves GET /admin/users.
func (h *handlers) adminUsers(c *gin.Context) error {
	return h.renderUsers(c, http.StatusOK, web.UserForm{Role: string(domain.RoleVendorManager)}, nil)
}

// renderUsers writes the user list with the new-user form as sent.
func (h *handlers) renderUsers(c *gin.Context, status int, form web.UserForm, created *web.OneTime) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.users.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	renderAdmin(c, status, web.PageAdminUsers, "Users", web.AdminUsers{Rows: page.Items, Pager: pager(c, page.Next),
		Form: form, Created: created})
	return nil
}

// adminCreateUser serves POST /admin/users: the user gets a one-time
// password, shown on the answer only, to be changed at the first
// sign-in.
func (h *handlers) adminCreateUser(c *gin.Context) error {
	form := web.UserForm{Email: c.PostForm("email"), Name: c.PostForm("name"), Role: c.PostForm("role")}
	u, pw, err := h.users.Create(c.Request.Context(), access.NewUser{Email: form.Email, Name: form.Name,
		Role: domain.Role(form.Role)})
	if msgs, ok := formErrors(err); ok {
		form.Errors = msgs
		return h.renderUsers(c, http.StatusUnprocessableEntity, form, nil)
	}
	if err != nil {
		return err
	}
	noStore(c)
	return h.renderUsers(c, http.StatusCreated, web.UserForm{Role: string(domain.RoleVendorManager)}, &web.OneTime{
		What: "The one-time password of " + u.Email, Secret: pw,
		Note: "Give it to " + u.Name + " by a channel you trust. It is shown only now; they choose their own at the first sign-in."})
}

// noStore keeps a page that shows a secret out of every cache.
func noStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// adminUser serves GET /admin/users/{id}.
func (h *handlers) adminUser(c *gin.Context) error {
	u, err := h.users.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	saved := c.Query("saved")
	if saved != "role" && saved != "status" {
		saved = ""
	}
	return h.renderUser(c, http.StatusOK, u, web.AdminUser{Saved: saved})
}

// renderUser writes a user's page.
func (h *handlers) renderUser(c *gin.Context, status int, u access.User, body web.AdminUser) error {
	body.User = u
	body.Self = c.MustGet(ctxUser).(access.User).ID == u.ID
	if body.Role == "" {
		body.Role = string(u.Role)
	}
	renderAdmin(c, status, web.PageAdminUser, u.Name, body)
	return nil
}

// userChange answers a change of a user: refused input is shown next to
// its field, success goes back to the user's page.
func (h *handlers) userChange(c *gin.Context, saved string, body web.AdminUser, err error) error {
	if msgs, ok := formErrors(err); ok {
		u, gerr := h.users.Get(c.Request.Context(), c.Param("id"))
		if gerr != nil {
			return gerr
		}
		body.Errors = msgs
		return h.renderUser(c, http.StatusUnprocessableEntity, u, body)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+c.Param("id")+"?saved="+saved)
	return nil
}

// adminSetRole serves POST /admin/users/{id}/role.
func (h *handlers) adminSetRole(c *gin.Context) error {
	role := c.PostForm("role")
	_, err := h.users.SetRole(c.Request.Context(), c.Param("id"), domain.Role(role))
	return h.userChange(c, "role", web.AdminUser{Role: role}, err)
}

// adminSetStatus serves POST /admin/users/{id}/status: disabling ends
// the user's sessions at once.
func (h *handlers) adminSetStatus(c *gin.Context) error {
	_, err := h.users.SetStatus(c.Request.Context(), c.Param("id"), access.UserStatus(c.PostForm("status")))
	return h.userChange(c, "status", web.AdminUser{}, err)
}

// adminResetPassword serves POST /admin/users/{id}/password: a new
// one-time password, shown on the answer only; the user is signed out
// everywhere.
func (h *handlers) adminResetPassword(c *gin.Context) error {
	ctx := c.Request.Context()
	pw, err := h.users.ResetPassword(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	u, err := h.users.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	noStore(c)
	return h.renderUser(c, http.StatusOK, u, web.AdminUser{Password: &web.OneTime{
		What: "The new one-time password of " + u.Email, Secret: pw,
		Note: u.Name + " is signed out everywhere. Give them the password by a channel you trust; it is shown only now, and they choose their own at the next sign-in."}})
}

// adminKeys serves GET /admin/api-keys.
func (h *handlers) adminKeys(c *gin.Context) error {
	saved := ""
	if c.Query("saved") == "revoked" {
		saved = "revoked"
	}
	return h.renderKeys(c, http.StatusOK, web.AdminKeys{Form: web.KeyForm{Role: string(domain.RoleAuditor)}, Saved: saved})
}

// renderKeys writes the key list with body's form and messages.
func (h *handlers) renderKeys(c *gin.Context, status int, body web.AdminKeys) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.keys.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	now := h.clock.Now()
	for _, k := range page.Items {
		state := "active"
		switch {
		case k.RevokedAt != nil:
			state = "revoked"
		case !k.Active(now):
			state = "expired"
		}
		body.Rows = append(body.Rows, web.KeyRow{APIKey: k, State: state})
	}
	body.Pager, body.MinExpiry = pager(c, page.Next), h.today().AddDays(1)
	renderAdmin(c, status, web.PageAdminKeys, "API keys", body)
	return nil
}

// adminCreateKey serves POST /admin/api-keys: the key is shown on the
// answer only. An expiry date is the start of that day, UTC.
func (h *handlers) adminCreateKey(c *gin.Context) error {
	form := web.KeyForm{Name: c.PostForm("name"), Role: c.PostForm("role"), ExpiresOn: strings.TrimSpace(c.PostForm("expires_on"))}
	nk := access.NewKey{Name: form.Name, Role: domain.Role(form.Role)}
	var err error
	if form.ExpiresOn != "" {
		d, perr := domain.ParseDate(form.ExpiresOn)
		if perr != nil {
			err = domain.Invalid("expires_at", "must be a date in the form YYYY-MM-DD")
		} else {
			t := d.Time()
			nk.ExpiresAt = &t
		}
	}
	var k access.APIKey
	var plaintext string
	if err == nil {
		k, plaintext, err = h.keys.Create(c.Request.Context(), nk)
	}
	if msgs, ok := formErrors(err); ok {
		if m, ok := msgs["expires_at"]; ok {
			msgs["expires_on"] = m
		}
		form.Errors = msgs
		return h.renderKeys(c, http.StatusUnprocessableEntity, web.AdminKeys{Form: form})
	}
	if err != nil {
		return err
	}
	noStore(c)
	return h.renderKeys(c, http.StatusCreated, web.AdminKeys{Form: web.KeyForm{Role: string(domain.RoleAuditor)},
		Created: &web.OneTime{What: "The key " + k.Name + " (" + string(k.Role) + ")", Secret: plaintext,
			Note: "Copy it into the program that will use it. It is shown only now: only its hash is kept."}})
}

// adminRevokeKey serves POST /admin/api-keys/{id}/revoke. Revoking the
// last active admin key is refused, with the service's reason.
func (h *handlers) adminRevokeKey(c *gin.Context) error {
	err := h.keys.Revoke(c.Request.Context(), c.Param("id"))
	if msgs, ok := formErrors(err); ok {
		msg := ""
		for _, m := range msgs {
			msg = m
		}
		return h.renderKeys(c, http.StatusConflict, web.AdminKeys{Form: web.KeyForm{Role: string(domain.RoleAuditor)},
			Error: "Not revoked: " + msg + "."})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/api-keys?saved=revoked")
	return nil
}

// adminWebhooks serves GET /admin/webhooks.
func (h *handlers) adminWebhooks(c *gin.Context) error {
	saved := c.Query("saved")
	if saved != "deleted" && saved != "disabled" && saved != "enabled" {
		saved = ""
	}
	return h.renderWebhooks(c, http.StatusOK, web.AdminWebhooks{Saved: saved})
}

// renderWebhooks writes the webhook list with body's form and messages.
func (h *handlers) renderWebhooks(c *gin.Context, status int, body web.AdminWebhooks) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.webhooks.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	body.Rows, body.Pager, body.Events = page.Items, pager(c, page.Next), domain.EventTypes
	renderAdmin(c, status, web.PageAdminWebhooks, "Webhooks", body)
	return nil
}

// adminCreateWebhook serves POST /admin/webhooks: the signing secret is
// generated and shown on the answer only.
func (h *handlers) adminCreateWebhook(c *gin.Context) error {
	form := web.WebhookForm{URL: c.PostForm("url"), Description: c.PostForm("description"), Events: c.PostFormArray("events")}
	w, secret, err := h.webhooks.Create(c.Request.Context(), webhook.NewWebhook{URL: form.URL, Events: form.Events,
		Description: form.Description})
	if msgs, ok := formErrors(err); ok {
		form.Errors = msgs
		return h.renderWebhooks(c, http.StatusUnprocessableEntity, web.AdminWebhooks{Form: form})
	}
	if err != nil {
		return err
	}
	noStore(c)
	return h.renderWebhooks(c, http.StatusCreated, web.AdminWebhooks{Created: &web.OneTime{
		What: "The signing secret of the webhook to " + w.URL, Secret: secret,
		Note: "The receiver checks each delivery's " + webhook.SignatureHeader + " header with it. It is shown only now; the list shows its last characters."}})
}

// adminDisableWebhook serves POST /admin/webhooks/{id}/disable: nothing
// is queued for the webhook until it is enabled; what was queued waits.
func (h *handlers) adminDisableWebhook(c *gin.Context) error {
	if _, err := h.webhooks.SetEnabled(c.Request.Context(), c.Param("id"), false); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?saved=disabled")
	return nil
}

// adminEnableWebhook serves POST /admin/webhooks/{id}/enable.
func (h *handlers) adminEnableWebhook(c *gin.Context) error {
	if _, err := h.webhooks.SetEnabled(c.Request.Context(), c.Param("id"), true); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?saved=enabled")
	return nil
}

// adminDeleteWebhook serves POST /admin/webhooks/{id}/delete: the
// webhook stops receiving events, and its queued deliveries go with it.
func (h *handlers) adminDeleteWebhook(c *gin.Context) error {
	if err := h.webhooks.Delete(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?saved=deleted")
	return nil
}

// adminJobs serves GET /admin/jobs: the API's job-run list (the same
// filters and service call), newest first, one keyset page at a time.
func (h *handlers) adminJobs(c *gin.Context) error {
	f, p, err := jobRunQuery(c)
	if err != nil {
		return err
	}
	page, err := h.jobs.List(c.Request.Context(), f, p)
	if err != nil {
		return err
	}
	body := web.AdminJobs{Job: f.Job, Pager: pager(c, page.Next), Filtered: f.Job != "" || f.Status != "",
		Now: h.clock.Now().UTC(), Filters: []web.Select{{Name: "status", Label: "Status", Value: string(f.Status),
			Options: options([]jobrun.JobStatus{jobrun.JobRunning, jobrun.JobSucceeded, jobrun.JobFailed, jobrun.JobAbandoned})}}}
	for _, r := range page.Items {
		body.Rows = append(body.Rows, web.JobRow{JobRun: r})
	}
	renderAdmin(c, http.StatusOK, web.PageAdminJobs, "Job runs", body)
	return nil
}
