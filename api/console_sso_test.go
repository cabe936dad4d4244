package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// ssoEnv is a test environment whose router signs in with an in-process
// OpenID Connect provider (mockoidc, on a loopback port: no network).
type ssoEnv struct {
	*testEnv
	idp *mockoidc.MockOIDC
}

const ssoCallback = "http://console.example/signin/sso/callback"

func newSSOEnv(t *testing.T, db *repository.DB) ssoEnv {
	t.Helper()
	return newSSOEnvAt(t, db, ssoCallback)
}

// newSSOEnvAt is newSSOEnv with the console's callback address.
func newSSOEnvAt(t *testing.T, db *repository.DB, callback string) ssoEnv {
	t.Helper()
	e := newEnv(t, db)
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	cfg := idp.Config()
	mapping, err := access.ParseRoleMapping("groups", "vw-admins=admin, risk=vendor_manager, counsel=legal")
	if err != nil {
		t.Fatal(err)
	}
	svc := services.New(db.Stores(filepath.Join(t.TempDir(), "evidence")), services.Settings{Clock: e.clock,
		Calendar: calendar.USFederal(), KeyPepper: "test-pepper"})
	router, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SSO: &api.SSOConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: callback, Scopes: []string{"groups"}, Mapping: mapping}})
	if err != nil {
		t.Fatal(err)
	}
	e.router = router
	return ssoEnv{testEnv: e, idp: idp}
}

// atProvider follows the console's redirect to the provider's
// authorization endpoint, which signs the queued user in at once, and
// returns the console address the provider sends the browser back to.
func (e ssoEnv) atProvider(start page) string {
	e.t.Helper()
	if start.Code != http.StatusSeeOther {
		e.t.Fatalf("SSO start: %d\n%s", start.Code, start.Body)
	}
	authURL := start.Header.Get("Location")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(back, ssoCallback) {
		body, _ := io.ReadAll(res.Body)
		e.t.Fatalf("provider answered %d to %q: %s", res.StatusCode, back, body)
	}
	return strings.TrimPrefix(back, "http://console.example")
}

// TestConsoleSSO: a person the provider vouches for, in a mapped group,
// gets an account with the mapped role on the first sign-in (PKCE S256,
// state and nonce in the request); a person in no mapped group is
// refused with a clear page and an audit event, as is an unverified
// email; an answer whose state is not this browser's is refused; a
// disabled account is refused.
func TestConsoleSSO(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newSSOEnv(t, db)
		b := e.browser("192.0.2.50")
		mustShow(t, b.get("/signin"), `href="/signin/sso"`, "Sign in with SSO")

		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-100", Email: "Lin@Example.com", EmailVerified: true,
			PreferredUsername: "Lin Chen", Groups: []string{"staff", "risk"}})
		start := b.get("/signin/sso?next=%2Fvendors")
		auth, err := url.Parse(start.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		q := auth.Query()
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			if len(q.Get(k)) < 32 {
				t.Errorf("authorization request %s = %q", k, q.Get(k))
			}
		}
		if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != ssoCallback {
			t.Errorf("authorization request: %v", q)
		}
		if strings.Contains(start.Header.Get("Location"), e.idp.ClientSecret) {
			t.Error("the client secret is in the browser's redirect")
		}
		mustRedirect(t, b.get(e.atProvider(start)), "/vendors")
		p := b.get("/vendors")
		mustPage(t, p, 200)
		mustShow(t, p, "Lin Chen", "(vendor manager)")
		if n := e.count(`SELECT count(*) FROM users WHERE email = 'lin@example.com' AND role = 'vendor_manager' AND status = 'active'`); n != 1 {
			t.Errorf("users created by the first sign-in: %d", n)
		}
		if n := e.count(`SELECT count(*) FROM audit_events WHERE action = 'user.create' AND actor_id = 'sso'`); n != 1 {
			t.Errorf("user.create events by sso: %d", n)
		}
		// The second sign-in finds the account; an admin's role stands.
		ctx := domain.WithActor(context.Background(), domain.Actor{ID: "cli", Role: domain.RoleAdmin})
		lin, err := e.users.GetByEmail(ctx, "lin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.users.SetRole(ctx, lin.ID, domain.RoleAuditor); err != nil {
			t.Fatal(err)
		}
		b2 := e.browser("192.0.2.51")
		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-100", Email: "lin@example.com", EmailVerified: true, Groups: []string{"risk"}})
		mustRedirect(t, b2.get(e.atProvider(b2.get("/signin/sso"))), "/")
		mustShow(t, b2.get("/"), "(auditor)")
		if n := e.count(`SELECT count(*) FROM users`); n != 1 {
			t.Errorf("users after the second sign-in: %d", n)
		}

		// No mapped group: refused, audited, no account.
		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-200", Email: "sam@example.com", EmailVerified: true, Groups: []string{"staff"}})
		b3 := e.browser("192.0.2.52")
		p = b3.get(e.atProvider(b3.get("/signin/sso")))
		mustPage(t, p, http.StatusForbidden)
		mustShow(t, p, "sam@example.com", "no role in Vendorwatch is mapped to you")
		mustRedirect(t, b3.get("/vendors"), "/signin?next=%2Fvendors")
		if n := e.count(`SELECT count(*) FROM users WHERE email = 'sam@example.com'`); n != 0 {
			t.Error("a refused sign-in made an account")
		}
		if n := e.count(`SELECT count(*) FROM audit_events WHERE action = 'user.sso_refused'`); n != 1 {
			t.Errorf("user.sso_refused events: %d", n)
		}

		// An email the provider does not vouch for: refused.
		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-300", Email: "kim@example.com", EmailVerified: false, Groups: []string{"risk"}})
		b6 := e.browser("192.0.2.57")
		p = b6.get(e.atProvider(b6.get("/signin/sso")))
		mustPage(t, p, http.StatusForbidden)
		mustShow(t, p, "did not vouch for your email address")
		if n := e.count(`SELECT count(*) FROM users WHERE email = 'kim@example.com'`); n != 0 {
			t.Error("an unverified email made an account")
		}

		// A state that is not this browser's: refused before any exchange.
		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-100", Email: "lin@example.com", EmailVerified: true, Groups: []string{"risk"}})
		b4 := e.browser("192.0.2.53")
		back := e.atProvider(b4.get("/signin/sso"))
		u, _ := url.Parse(back)
		bq := u.Query()
		bq.Set("state", "forged-"+bq.Get("state"))
		u.RawQuery = bq.Encode()
		p = b4.get(u.String())
		mustPage(t, p, http.StatusBadRequest)
		mustShow(t, p, "does not belong to the sign-in this browser started")
		mustRedirect(t, b4.get("/vendors"), "/signin?next=%2Fvendors")
		// Without the cookie (another browser) the answer is refused too.
		p = e.browser("192.0.2.54").get(back)
		mustPage(t, p, http.StatusBadRequest)

		// A disabled account: refused.
		if _, err := e.users.SetStatus(ctx, lin.ID, access.UserDisabled); err != nil {
			t.Fatal(err)
		}
		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-100", Email: "lin@example.com", EmailVerified: true, Groups: []string{"risk"}})
		b5 := e.browser("192.0.2.55")
		p = b5.get(e.atProvider(b5.get("/signin/sso")))
		mustPage(t, p, http.StatusForbidden)
		mustShow(t, p, "is disabled")
		mustRedirect(t, b5.get("/vendors"), "/signin?next=%2Fvendors")
	})
}

// TestConsoleNoSSO: without configuration there is no button and the
// SSO addresses are not found.
func TestConsoleNoSSO(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		b := e.browser("192.0.2.56")
		mustNotShow(t, b.get("/signin"), "Sign in with SSO")
		mustPage(t, b.get("/signin/sso"), http.StatusNotFound)
		mustPage(t, b.get("/signin/sso/callback?state=x&code=y"), http.StatusNotFound)
	})
}
