package web

import (
	"html/template"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// The administration pages (admins only).
const (
	PageAdminUsers    = "admin_users.html"
	PageAdminUser     = "admin_user.html"
	PageAdminKeys     = "admin_keys.html"
	PageAdminWebhooks = "admin_webhooks.html"
	PageAdminJobs     = "admin_jobs.html"
)

// RoleField is the role select of a form: the five roles, the one
// chosen and the message about it.
type RoleField struct {
	Roles []domain.Role
	Value string
	Error string
}

// roleField makes the role select of a form from its value and errors.
func roleField(value string, errors map[string]string) RoleField {
	return RoleField{Roles: domain.Roles, Value: value, Error: errors["role"]}
}

func init() {
	funcs["roleField"] = roleField
	// The administration pages share their own parts (the section's
	// navigation, the one-time secret box) beside the console's.
	for _, p := range []string{PageAdminUsers, PageAdminUser, PageAdminKeys, PageAdminWebhooks, PageAdminJobs} {
		pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html",
			"templates/parts.html", "templates/admin_parts.html", "templates/"+p))
	}
}

// OneTime is a secret shown once, just after it was made (a user's
// password, an API key, a webhook's signing secret): the page says so,
// and nothing shows it again.
type OneTime struct {
	// What it is and whose, in words: "The one-time password of ada@example.com".
	What   string
	Secret string
	// Note says what to do with it.
	Note string
}

// UserForm is the new-user form as sent, with a message per field.
type UserForm struct {
	Email, Name, Role string
	Errors            map[string]string
}

// AdminUsers is /admin/users: one page of users and the new-user form.
type AdminUsers struct {
	Rows    []access.User
	Pager   Pager
	Form    UserForm
	Created *OneTime
}

// AdminUser is /admin/users/{id}: the user and the forms that change
// their role and status and reset their password.
type AdminUser struct {
	User access.User
	// Self: the page is the signed-in admin's own account, whose role
	// and status they cannot change.
	Self bool
	// Role is the role chosen in the form (kept on errors).
	Role   string
	Errors map[string]string
	// Saved names what was just changed ("role", "status"; "" for nothing).
	Saved    string
	Password *OneTime
}

// KeyRow is an API key with its state in words: active, expired or revoked.
type KeyRow struct {
	access.APIKey
	State string
}

// KeyForm is the new-key form as sent, with a message per field.
type KeyForm struct {
	Name, Role, ExpiresOn string
	Errors                map[string]string
}

// AdminKeys is /admin/api-keys: one page of keys and the new-key form.
type AdminKeys struct {
	Rows    []KeyRow
	Pager   Pager
	Form    KeyForm
	Created *OneTime
	// Saved is "revoked" after a revocation; Error a revocation refused.
	Saved, Error string
	// MinExpiry is the first date a key may expire on (tomorrow).
	MinExpiry domain.Date
}

// WebhookForm is the new-webhook form as sent, with a message per field.
type WebhookForm struct {
	URL, Description string
	Events           []string
	Errors           map[string]string
}

// Has reports whether the form has event type t ticked.
func (f WebhookForm) Has(t string) bool {
	for _, e := range f.Events {
		if e == t {
			return true
		}
	}
	return false
}

// AdminWebhooks is /admin/webhooks: one page of webhooks and the
// new-webhook form. A webhook's secret is never shown after creation:
// its hint is.
type AdminWebhooks struct {
	Rows    []webhook.Webhook
	Pager   Pager
	Events  []string
	Form    WebhookForm
	Created *OneTime
	Saved   string
}

// JobRow is a job run as listed.
type JobRow struct {
	jobrun.JobRun
}

// Duration is how long the run took (or has run so far, for one still
// running at now), in words.
func (r JobRow) Duration(now time.Time) string {
	end := now
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	d := end.Sub(r.StartedAt)
	switch {
	case d < 0:
		return ""
	case d < time.Second:
		return "under a second"
	case d < time.Minute:
		return domain.Count(int64(d/time.Second), "second", "seconds")
	case d < time.Hour:
		return domain.Count(int64(d/time.Minute), "minute", "minutes") + " " + domain.Count(int64(d%time.Minute/time.Second), "second", "seconds")
	}
	return domain.Count(int64(d/time.Hour), "hour", "hours") + " " + domain.Count(int64(d%time.Hour/time.Minute), "minute", "minutes")
}

// AdminJobs is /admin/jobs: the recent job runs, newest first, filtered
// by job and status.
type AdminJobs struct {
	Job      string
	Filters  []Select
	Rows     []JobRow
	Pager    Pager
	Filtered bool
	Now      time.Time
}
