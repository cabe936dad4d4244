package api_test

import (
	"context"
	"crypto/tls"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// browser is a client of the console through the real router: it keeps
// cookies as a browser does and reads the CSRF field of the last page.
type browser struct {
	t       *testing.T
	e       *testEnv
	addr    string // client address (RemoteAddr)
	cookies map[string]*http.Cookie
	csrf    string // the csrf field of the last page
	tls     bool
}

func (e *testEnv) browser(addr string) *browser {
	return &browser{t: e.t, e: e, addr: addr, cookies: map[string]*http.Cookie{}}
}

// page is a console response.
type page struct {
	Code   int
	Header http.Header
	Body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = b.addr + ":40000"
	if b.tls {
		req.TLS = &tls.ConnectionState{}
	}
	for _, c := range b.cookies {
		if strings.HasPrefix(req.URL.Path, c.Path) {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	rec := httptest.NewRecorder()
	b.e.router.ServeHTTP(rec, req)
	res := rec.Result()
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	p := page{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return p
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// post submits a form; the csrf field of the last page is added unless
// form sets one.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", path, form)
}

// signIn opens the sign-in form and submits it.
func (b *browser) signIn(email, password string) page {
	b.t.Helper()
	b.get("/signin")
	return b.post("/signin", url.Values{"email": {email}, "password": {password}})
}

func mustPage(t *testing.T, p page, status int) {
	t.Helper()
	if p.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.Code, status, p.Body)
	}
}

func mustRedirect(t *testing.T, p page, to string) {
	t.Helper()
	if p.Code != http.StatusSeeOther || p.Header.Get("Location") != to {
		t.Fatalf("got %d to %q, want 303 to %q; body:\n%s", p.Code, p.Header.Get("Location"), to, p.Body)
	}
}

const consolePassword = "a long enough password"

// addUser creates a console user with consolePassword.
func (e *testEnv) addUser(email string, role domain.Role) access.User {
	e.t.Helper()
	u, _, err := e.users.Create(context.Background(), access.NewUser{Email: email, Name: "Test " + string(role), Role: role, Password: consolePassword})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// count returns a single number from SQL.
func (e *testEnv) count(query string) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(query).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

var signInError = regexp.MustCompile(`role="alert" id="signin-error">([^<]*)<`)

func TestConsoleSignInAndOut(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.addUser("ada@example.com", domain.RoleAdmin)
		b := e.browser("198.51.100.7")

		// Signed out, the console sends you to the sign-in page, which
		// still lists what the landing page did; the JSON index works.
		mustRedirect(t, b.get("/"), "/signin")
		p := b.get("/signin")
		mustPage(t, p, 200)
		for _, want := range []string{`<label for="email">Email</label>`, `<label for="password">Password</label>`,
			`href="/api/v1"`, `href="/api/v1/openapi.json"`, `href="/healthz"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("sign-in page lacks %s", want)
			}
		}
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("CSP = %q", csp)
		}
		mustStatus(t, e.do("GET", "/api/v1", "", nil), 200)
		css := p.Body[strings.Index(p.Body, `href="/console-`)+6:]
		css = css[:strings.Index(css, `"`)]
		if c := b.get(css); c.Code != 200 || !strings.Contains(c.Body, "--sev-critical") {
			t.Errorf("GET %s = %d", css, c.Code)
		}

		// Unknown email and wrong password: the same answer.
		audit := e.count("SELECT count(*) FROM audit_events")
		unknown := b.signIn("nobody@example.com", consolePassword)
		wrong := b.signIn("ada@example.com", "not the password")
		mustPage(t, unknown, http.StatusUnauthorized)
		mustPage(t, wrong, http.StatusUnauthorized)
		m1, m2 := signInError.FindStringSubmatch(unknown.Body), signInError.FindStringSubmatch(wrong.Body)
		if m1 == nil || m2 == nil || m1[1] != m2[1] || m1[1] != "The email or password is wrong." {
			t.Errorf("messages %q and %q", m1, m2)
		}
		if _, ok := b.cookies["vw_session"]; ok {
			t.Error("a failed sign-in set a session cookie")
		}
		if n := e.count("SELECT count(*) FROM audit_events WHERE action = 'user.sign_in_failed'"); n != 2 {
			t.Errorf("%d failure events", n)
		}

		// Success: a session cookie, HttpOnly and SameSite=Lax, then the
		// overview with the severity table and the tiers.
		mustRedirect(t, b.signIn("ADA@example.com", consolePassword), "/")
		c := b.cookies["vw_session"]
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || len(c.Value) != 43 {
			t.Fatalf("session cookie = %+v", c)
		}
		if n := e.count("SELECT count(*) FROM sessions WHERE id_hash = '" + access.HashSessionToken(c.Value) + "'"); n != 1 {
			t.Errorf("session rows by the token's hash: %d", n)
		}
		if n := e.count("SELECT count(*) FROM sessions WHERE id_hash = '" + c.Value + "'"); n != 0 {
			t.Error("the token itself is stored")
		}
		p = b.get("/")
		mustPage(t, p, 200)
		for _, want := range []string{"<h1>Overview</h1>", `class="bar-label">critical</text>`, "Vendors by tier",
			"Test admin", `action="/signout"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("overview lacks %s:\n%s", want, p.Body)
			}
		}
		if e.count("SELECT count(*) FROM audit_events") != audit+3 {
			t.Errorf("audit events: %d, want %d", e.count("SELECT count(*) FROM audit_events"), audit+3)
		}

		// Sign-out without the CSRF token is refused and ends nothing.
		mustPage(t, b.post("/signout", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
		mustPage(t, b.get("/"), 200)
		mustRedirect(t, b.post("/signout", url.Values{}), "/signin")
		if n := e.count("SELECT count(*) FROM sessions"); n != 0 {
			t.Errorf("%d sessions after sign-out", n)
		}
		if n := e.count("SELECT count(*) FROM audit_events WHERE action = 'user.sign_out'"); n != 1 {
			t.Errorf("%d sign-out events", n)
		}
		mustRedirect(t, b.get("/"), "/signin")
		// The old cookie, replayed, opens nothing.
		b.cookies["vw_session"] = c
		mustRedirect(t, b.get("/"), "/signin")

		// Over TLS the cookie is Secure; a page asked for while signed out
		// is where sign-in leads.
		b2 := e.browser("198.51.100.8")
		b2.tls = true
		mustRedirect(t, b2.get("/account/password"), "/signin?next=%2Faccount%2Fpassword")
		b2.get("/signin?next=%2Faccount%2Fpassword")
		mustRedirect(t, b2.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {consolePassword}, "next": {"/account/password"}}), "/account/password")
		if c := b2.cookies["vw_session"]; c == nil || !c.Secure {
			t.Errorf("cookie over TLS = %+v", c)
		}
	})
}

// TestConsoleCSRF: an unsafe request without the session's token, or
// with another session's, is 403 and writes nothing; the sign-in form
// without its own token is refused before the password is checked.
func TestConsoleCSRF(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.addUser("ada@example.com", domain.RoleAdmin)
		e.addUser("bob@example.com", domain.RoleLegal)
		ada, bob := e.browser("198.51.100.1"), e.browser("198.51.100.2")
		mustRedirect(t, ada.signIn("ada@example.com", consolePassword), "/")
		mustRedirect(t, bob.signIn("bob@example.com", consolePassword), "/")
		bob.get("/")
		events := e.count("SELECT count(*) FROM audit_events")
		change := url.Values{"current_password": {consolePassword}, "new_password": {"another long password"}}
		ada.get("/account/password")
		for name, csrf := range map[string]string{"missing": "", "wrong": "AAAA", "another session's": bob.csrf} {
			form := url.Values{}
			for k, v := range change {
				form[k] = v
			}
			if csrf != "" {
				form.Set("csrf", csrf)
			}
			if p := ada.do("POST", "/account/password", form); p.Code != http.StatusForbidden {
				t.Errorf("%s token: %d", name, p.Code)
			}
		}
		if p := ada.post("/account/password", url.Values{"csrf": {ada.csrf + "x"}}); p.Code != http.StatusForbidden {
			t.Errorf("altered token: %d", p.Code)
		}
		if n := e.count("SELECT count(*) FROM audit_events"); n != events {
			t.Errorf("refused posts wrote %d audit events", n-events)
		}
		if n := e.count("SELECT count(*) FROM sessions"); n != 2 {
			t.Errorf("refused posts changed the sessions: %d", n)
		}
		// The password is unchanged.
		mustRedirect(t, e.browser("198.51.100.3").signIn("ada@example.com", consolePassword), "/")

		// The sign-in form without its cookie's value.
		b := e.browser("198.51.100.4")
		b.get("/signin")
		p := b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {consolePassword}, "csrf": {"guess"}})
		mustPage(t, p, http.StatusForbidden)
		delete(b.cookies, "vw_signin")
		mustPage(t, b.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {consolePassword}}), http.StatusForbidden)
		if _, ok := b.cookies["vw_session"]; ok {
			t.Error("a forged sign-in set a session")
		}
	})
}

// TestConsoleThrottle: five failures lock an account (known or not) for
// a while, whatever the password; twenty lock an address.
func TestConsoleThrottle(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		// The throttle reads the service clock: pinned, no token comes back
		// however slowly the sign-ins run.
		e.clock.set(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
		e.addUser("ada@example.com", domain.RoleAdmin)
		e.addUser("bob@example.com", domain.RoleAdmin)
		for i, email := range []string{"ada@example.com", "nobody@example.com"} {
			b := e.browser("203.0.113." + string(rune('1'+i)))
			for range 5 {
				mustPage(t, b.signIn(email, "wrong password!"), http.StatusUnauthorized)
			}
			p := b.signIn(email, consolePassword)
			mustPage(t, p, http.StatusTooManyRequests)
			if p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "Too many failed sign-ins") {
				t.Errorf("%s: throttled page %v", email, p.Header)
			}
			// From another address too: the account is locked.
			mustPage(t, e.browser("203.0.113.9").signIn(email, consolePassword), http.StatusTooManyRequests)
		}
		if n := e.count("SELECT count(*) FROM sessions"); n != 0 {
			t.Errorf("throttled sign-ins made %d sessions", n)
		}
		// Bob's account is not locked by the others' failures.
		mustRedirect(t, e.browser("203.0.113.10").signIn("bob@example.com", consolePassword), "/")

		// One address trying many accounts.
		b := e.browser("203.0.113.50")
		for i := range 20 {
			mustPage(t, b.signIn("user"+string(rune('a'+i))+"@example.com", "wrong password!"), http.StatusUnauthorized)
		}
		mustPage(t, b.signIn("bob@example.com", consolePassword), http.StatusTooManyRequests)
	})
}

// TestConsoleSessionEnds: idle and absolute timeouts (the injectable
// clock), a disabled user, and a password change, which ends the other
// sessions but not the one that made it.
func TestConsoleSessionEnds(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
		e.clock.set(start)
		u := e.addUser("ada@example.com", domain.RoleExecutive)
		b := e.browser("192.0.2.10")
		mustRedirect(t, b.signIn("ada@example.com", consolePassword), "/")

		// Idle: 29 minutes between requests keep it; 30 end it.
		e.clock.set(start.Add(29 * time.Minute))
		mustPage(t, b.get("/"), 200)
		e.clock.set(start.Add(58 * time.Minute))
		mustPage(t, b.get("/"), 200)
		e.clock.set(start.Add(88 * time.Minute))
		mustRedirect(t, b.get("/"), "/signin")

		// Absolute: twelve hours after sign-in, however busy.
		mustRedirect(t, b.signIn("ada@example.com", consolePassword), "/")
		at := start.Add(88 * time.Minute)
		for range 12 * 3 {
			at = at.Add(20 * time.Minute)
			e.clock.set(at)
			if p := b.get("/"); p.Code != 200 {
				break
			}
		}
		if at.Sub(start.Add(88*time.Minute)) != 12*time.Hour {
			t.Errorf("the session ended after %s, want 12h", at.Sub(start.Add(88*time.Minute)))
		}
		mustRedirect(t, b.get("/"), "/signin")

		// Disabling the user ends the session at once.
		mustRedirect(t, b.signIn("ada@example.com", consolePassword), "/")
		ctx := domain.WithActor(context.Background(), domain.SystemActor)
		if _, err := e.users.SetStatus(ctx, u.ID, access.UserDisabled); err != nil {
			t.Fatal(err)
		}
		mustRedirect(t, b.get("/"), "/signin")
		mustPage(t, b.signIn("ada@example.com", consolePassword), http.StatusUnauthorized)
		if _, err := e.users.SetStatus(ctx, u.ID, access.UserActive); err != nil {
			t.Fatal(err)
		}

		// A password change: errors next to their fields and nothing
		// written; then the other browser is signed out, this one not.
		other := e.browser("192.0.2.11")
		mustRedirect(t, b.signIn("ada@example.com", consolePassword), "/")
		mustRedirect(t, other.signIn("ada@example.com", consolePassword), "/")
		b.get("/account/password")
		p := b.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"short"}})
		mustPage(t, p, http.StatusUnprocessableEntity)
		for _, want := range []string{`id="current_password-error">is not your current password<`, `id="new_password-error">must be at least 12 characters long<`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("password form lacks %s", want)
			}
		}
		mustPage(t, other.get("/"), 200)
		p = b.post("/account/password", url.Values{"current_password": {consolePassword}, "new_password": {"my new long password"}})
		mustPage(t, p, 200)
		mustPage(t, b.get("/"), 200)
		mustRedirect(t, other.get("/"), "/signin")
		mustPage(t, other.signIn("ada@example.com", consolePassword), http.StatusUnauthorized)
		mustRedirect(t, other.signIn("ada@example.com", "my new long password"), "/")
	})
}

// TestConsoleRoles: every console page for every role, through the route
// table; the overview shows the tier tables only to the roles that may
// read the dashboard, and a generated password must be changed first.
func TestConsoleRoles(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		for _, role := range domain.Roles {
			e.addUser(string(role)+"@example.com", role)
			b := e.browser("192.0.2.20")
			mustRedirect(t, b.signIn(string(role)+"@example.com", consolePassword), "/")
			for _, rt := range api.ConsoleRoutes() {
				if rt.Roles == nil || rt.Method != "GET" || strings.Contains(rt.Path, ":") {
					continue // pages of one resource: console_pages_test.go
				}
				p := b.get(rt.Path)
				allowed := slices.Contains(rt.Roles, role)
				if allowed && p.Code != 200 || !allowed && p.Code != http.StatusForbidden {
					t.Errorf("GET %s as %s: %d", rt.Path, role, p.Code)
				}
			}
			p := b.get("/")
			reporter := role != domain.RoleVendorManager
			if strings.Contains(p.Body, "Vendors by tier") != reporter {
				t.Errorf("overview as %s: tier tables shown = %v", role, !reporter)
			}
		}
		ctx := context.Background()
		_, pw, err := e.users.Create(ctx, access.NewUser{Email: "new@example.com", Name: "New", Role: domain.RoleAuditor})
		if err != nil || len(pw) != 24 {
			t.Fatalf("generated password %q: %v", pw, err)
		}
		b := e.browser("192.0.2.21")
		mustRedirect(t, b.signIn("new@example.com", pw), "/")
		mustRedirect(t, b.get("/"), "/account/password")
		p := b.get("/account/password")
		if !strings.Contains(p.Body, "choose your own") {
			t.Errorf("password page for a generated password:\n%s", p.Body)
		}
		mustPage(t, b.post("/account/password", url.Values{"current_password": {pw}, "new_password": {"chosen by me, long"}}), 200)
		mustPage(t, b.get("/"), 200)
	})
}
