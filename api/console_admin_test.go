package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// oneTime is the secret of a page's one-time box.
var oneTime = regexp.MustCompile(`id="onetime-secret" type="text" readonly value="([^"]+)"`)

func mustOneTime(t *testing.T, p page) string {
	t.Helper()
	m := oneTime.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no one-time secret on the page:\n%s", p.Body)
	}
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a page with a secret has Cache-Control %q", p.Header.Get("Cache-Control"))
	}
	return m[1]
}

// TestConsoleAdminRoles: the administration pages open for admins only,
// the nav shows them to admins only, and a forged post (a valid session
// and CSRF token of another role) or a post without the CSRF token
// writes nothing.
func TestConsoleAdminRoles(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		var adminPages []string
		for _, rt := range api.ConsoleRoutes() {
			if strings.HasPrefix(rt.Path, "/admin") && rt.Method == "GET" && !strings.Contains(rt.Path, ":") {
				adminPages = append(adminPages, rt.Path)
			}
		}
		if len(adminPages) != 4 {
			t.Fatalf("admin pages in the route table: %v", adminPages)
		}
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			admin := role == domain.RoleAdmin
			if strings.Contains(b.get("/").Body, `href="/admin/users"`) != admin {
				t.Errorf("overview as %s: Administration link shown = %v", role, !admin)
			}
			for _, path := range adminPages {
				p := b.get(path)
				switch {
				case admin:
					mustPage(t, p, http.StatusOK)
					mustShow(t, p, `aria-current="page">Administration`)
				default:
					mustPage(t, p, http.StatusForbidden)
				}
			}
			if admin {
				continue
			}
			users := e.count("SELECT count(*) FROM users")
			p := b.post("/admin/users", url.Values{"email": {"forged@example.com"}, "name": {"Forged"}, "role": {"admin"}})
			mustPage(t, p, http.StatusForbidden)
			p = b.post("/admin/api-keys", url.Values{"name": {"forged"}, "role": {"admin"}})
			mustPage(t, p, http.StatusForbidden)
			if n := e.count("SELECT count(*) FROM users"); n != users {
				t.Errorf("a forged post as %s added a user", role)
			}
		}
		keys := e.count("SELECT count(*) FROM api_keys")
		b := e.signedIn(domain.RoleAdmin)
		b.get("/admin/api-keys")
		for _, csrf := range []string{"", "not-the-token"} {
			p := b.post("/admin/api-keys", url.Values{"name": {"no token"}, "role": {"admin"}, "csrf": {csrf}})
			mustPage(t, p, http.StatusForbidden)
		}
		if e.count("SELECT count(*) FROM api_keys") != keys {
			t.Error("a post without the CSRF token made a key")
		}
	})
}

// TestConsoleAdminUsers: an admin adds a user (errors next to the
// fields, typed values kept, nothing written), who signs in with the
// one-time password; changes their role; disables them, which ends their
// session at once; enables them and resets their password. Each change
// is audited with the admin as actor; an admin cannot disable themself.
func TestConsoleAdminUsers(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.signedIn(domain.RoleAdmin)
		adminID := e.count("SELECT count(*) FROM users") // a number, to check nothing more was written
		b := admin
		b.get("/admin/users")
		p := b.post("/admin/users", url.Values{"email": {"not an email"}, "name": {"Grace Hopper"}, "role": {"legal"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, `id="email-error"`, `value="not an email"`, `value="Grace Hopper"`, `<option value="legal" selected>`)
		mustNotShow(t, p, `id="name-error"`, `id="onetime"`)
		if e.count("SELECT count(*) FROM users") != adminID {
			t.Fatal("a refused form wrote a user")
		}
		p = b.post("/admin/users", url.Values{"email": {"Grace@Example.com"}, "name": {"Grace Hopper"}, "role": {"legal"}})
		mustPage(t, p, http.StatusCreated)
		pw := mustOneTime(t, p)
		mustShow(t, p, "grace@example.com", "Grace Hopper")
		if strings.Contains(b.get("/admin/users").Body, pw) {
			t.Error("the user list shows the one-time password again")
		}
		p = b.post("/admin/users", url.Values{"email": {"grace@example.com"}, "name": {"Again"}, "role": {"legal"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, `id="email-error">is already taken`)

		grace := e.browser("192.0.2.40")
		mustRedirect(t, grace.signIn("grace@example.com", pw), "/")
		mustRedirect(t, grace.get("/"), "/account/password")
		grace.get("/account/password")
		mustPage(t, grace.post("/account/password", url.Values{"current_password": {pw}, "new_password": {"grace's own password"}}), 200)
		mustPage(t, grace.get("/vendors"), 200)

		var id string
		if err := e.db.SQL().QueryRow("SELECT id FROM users WHERE email = 'grace@example.com'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		p = b.get("/admin/users/" + id)
		mustPage(t, p, 200)
		mustShow(t, p, "Disable the user", "Reset the password", `<option value="legal" selected>`)
		p = b.post("/admin/users/"+id+"/role", url.Values{"role": {"root"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, `id="role-error"`)
		mustRedirect(t, b.post("/admin/users/"+id+"/role", url.Values{"role": {"auditor"}}), "/admin/users/"+id+"?saved=role")
		mustShow(t, b.get("/admin/users/"+id+"?saved=role"), "the role is now auditor")
		mustPage(t, grace.get("/admin/users"), http.StatusForbidden)

		mustRedirect(t, b.post("/admin/users/"+id+"/status", url.Values{"status": {"disabled"}}), "/admin/users/"+id+"?saved=status")
		mustRedirect(t, grace.get("/vendors"), "/signin?next=%2Fvendors")
		mustPage(t, grace.signIn("grace@example.com", "grace's own password"), http.StatusUnauthorized)
		mustRedirect(t, b.post("/admin/users/"+id+"/status", url.Values{"status": {"active"}}), "/admin/users/"+id+"?saved=status")
		mustRedirect(t, grace.signIn("grace@example.com", "grace's own password"), "/")

		p = b.post("/admin/users/"+id+"/password", url.Values{})
		mustPage(t, p, 200)
		npw := mustOneTime(t, p)
		mustRedirect(t, grace.get("/vendors"), "/signin?next=%2Fvendors")
		mustPage(t, grace.signIn("grace@example.com", "grace's own password"), http.StatusUnauthorized)
		mustRedirect(t, grace.signIn("grace@example.com", npw), "/")

		for _, action := range []string{"user.create", "user.role", "user.status", "user.password_change"} {
			q := fmt.Sprintf(`SELECT count(*) FROM audit_events a JOIN users u ON CAST(u.id AS TEXT) = a.actor_id
				WHERE a.action = '%s' AND a.entity_id = '%s' AND u.role = 'admin'`, action, id)
			if e.count(q) == 0 {
				t.Errorf("no %s event by the admin", action)
			}
		}

		var self string
		if err := e.db.SQL().QueryRow("SELECT id FROM users WHERE role = 'admin'").Scan(&self); err != nil {
			t.Fatal(err)
		}
		p = b.get("/admin/users/" + self)
		mustShow(t, p, "This is your own account")
		mustNotShow(t, p, "Disable the user")
		p = b.post("/admin/users/"+self+"/status", url.Values{"status": {"disabled"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, "you cannot disable your own account")
		mustPage(t, b.get("/admin/users"), 200)
	})
}

// TestConsoleAdminKeys: a key made in the console is shown once and
// works on the API; revoking it ends that; the last admin key cannot be
// revoked.
func TestConsoleAdminKeys(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		b := e.signedIn(domain.RoleAdmin)
		b.get("/admin/api-keys")
		keys := e.count("SELECT count(*) FROM api_keys")
		p := b.post("/admin/api-keys", url.Values{"name": {""}, "role": {"auditor"}, "expires_on": {"2020-01-01"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, `id="name-error"`, `id="expires_on-error">must be in the future`, `value="2020-01-01"`)
		if e.count("SELECT count(*) FROM api_keys") != keys {
			t.Fatal("a refused form made a key")
		}
		p = b.post("/admin/api-keys", url.Values{"name": {"Nightly export"}, "role": {"auditor"}})
		mustPage(t, p, http.StatusCreated)
		key := mustOneTime(t, p)
		mustStatus(t, e.do("GET", "/api/v1/vendors", key, nil), http.StatusOK)
		p = b.get("/admin/api-keys")
		mustNotShow(t, p, key)
		mustShow(t, p, "Nightly export")
		var id string
		if err := e.db.SQL().QueryRow("SELECT id FROM api_keys WHERE name = 'Nightly export'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		mustRedirect(t, b.post("/admin/api-keys/"+id+"/revoke", url.Values{}), "/admin/api-keys?saved=revoked")
		mustStatus(t, e.do("GET", "/api/v1/vendors", key, nil), http.StatusUnauthorized)
		p = b.post("/admin/api-keys/"+e.keyIDs[domain.RoleAdmin]+"/revoke", url.Values{})
		mustPage(t, p, http.StatusConflict)
		mustShow(t, p, "last active admin key")
	})
}

// TestConsoleAdminWebhooks: a webhook's secret is shown when it is made
// and never again; a refused form keeps what was typed; it is disabled,
// enabled again and deleted.
func TestConsoleAdminWebhooks(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		b := e.signedIn(domain.RoleAdmin)
		b.get("/admin/webhooks")
		p := b.post("/admin/webhooks", url.Values{"url": {"ftp://example.com/hook"}, "description": {"SIEM"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		mustShow(t, p, `id="url-error"`, `id="events-error"`, `value="ftp://example.com/hook"`, `value="SIEM"`)
		if e.countRows("webhooks") != 0 {
			t.Fatal("a refused form made a webhook")
		}
		p = b.post("/admin/webhooks", url.Values{"url": {"https://siem.example.com/hook"}, "description": {"SIEM"},
			"events": {domain.EventFindingOpened, domain.EventNoticeLate}})
		mustPage(t, p, http.StatusCreated)
		secret := mustOneTime(t, p)
		p = b.get("/admin/webhooks")
		mustShow(t, p, "https://siem.example.com/hook", secret[len(secret)-4:])
		mustNotShow(t, p, secret)
		var id string
		if err := e.db.SQL().QueryRow("SELECT id FROM webhooks").Scan(&id); err != nil {
			t.Fatal(err)
		}
		mustRedirect(t, b.post("/admin/webhooks/"+id+"/disable", url.Values{}), "/admin/webhooks?saved=disabled")
		p = b.get("/admin/webhooks?saved=disabled")
		mustShow(t, p, "Disabled: nothing is queued", `<span class="badge b-bad">disabled</span>`, "/enable")
		if e.count("SELECT count(*) FROM webhooks WHERE disabled_at IS NOT NULL") != 1 {
			t.Error("the webhook is not disabled")
		}
		mustRedirect(t, b.post("/admin/webhooks/"+id+"/enable", url.Values{}), "/admin/webhooks?saved=enabled")
		if e.count("SELECT count(*) FROM webhooks WHERE disabled_at IS NULL") != 1 {
			t.Error("the webhook is not enabled again")
		}
		mustRedirect(t, b.post("/admin/webhooks/"+id+"/delete", url.Values{}), "/admin/webhooks?saved=deleted")
		if e.countRows("webhooks") != 0 {
			t.Error("the webhook is still there")
		}
		mustPage(t, b.post("/admin/webhooks/"+id+"/delete", url.Values{}), http.StatusNotFound)
	})
}

// addJobRuns records finished job runs as the scheduler does: claimed
// (running) at their start, then finished.
func addJobRuns(t *testing.T, db *repository.DB, runs ...jobrun.JobRun) {
	t.Helper()
	store := repository.NewJobRuns(db)
	ctx := context.Background()
	for _, r := range runs {
		r.ID, r.Slot, r.Trigger, r.Replica = domain.NewID(), r.StartedAt.UTC().Format(time.RFC3339), jobrun.TriggerSchedule, "vw-1"
		claim := r
		claim.Status, claim.FinishedAt, claim.Counts, claim.Error = jobrun.JobRunning, nil, nil, ""
		if err := store.Claim(ctx, claim); err != nil {
			t.Fatal(err)
		}
		if err := store.Finish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConsoleAdminJobs: job runs newest first with status, duration and
// error, filtered by job and status, one keyset page at a time.
func TestConsoleAdminJobs(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		t0 := time.Date(2026, 11, 30, 2, 15, 0, 0, time.UTC)
		var runs []jobrun.JobRun
		for i, job := range []string{"scan", "risk_snapshot", "scan"} {
			start := t0.Add(time.Duration(i) * time.Hour)
			end := start.Add(90 * time.Second)
			r := jobrun.JobRun{Job: job, StartedAt: start, FinishedAt: &end, Status: jobrun.JobSucceeded,
				Counts: map[string]int{"opened": i}}
			if i == 2 {
				r.Status, r.Error = jobrun.JobFailed, "database unavailable"
			}
			runs = append(runs, r)
		}
		addJobRuns(t, db, runs...)
		b := e.signedIn(domain.RoleAdmin)
		p := b.get("/admin/jobs")
		mustPage(t, p, 200)
		mustShow(t, p, "database unavailable", "1 minute 30 seconds", "risk snapshot", "3 runs on this page")
		p = b.get("/admin/jobs?job=scan&status=failed")
		mustShow(t, p, "1 run on this page", "database unavailable")
		mustNotShow(t, p, "risk snapshot")
		p = b.get("/admin/jobs?limit=2")
		m := nextLink.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no next page link:\n%s", p.Body)
		}
		p = b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		mustShow(t, p, "1 run on this page", "First page")
		mustPage(t, b.get("/admin/jobs?status=lost"), http.StatusBadRequest)
	})
}
