package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestBrowserSSO drives a real Chromium through single sign-on with the
// in-process provider: the sign-in page offers it, the browser goes to
// the provider and back signed in with the mapped role; a person with no
// mapped group reads why they are refused. axe-core checks both pages.
func TestBrowserSSO(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := newBrowser(t)
		var router http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { router.ServeHTTP(w, r) }))
		defer srv.Close()
		e := newSSOEnvAt(t, db, srv.URL+"/signin/sso/callback")
		router = e.router

		step(t, ctx, "open the sign-in page",
			chromedp.EmulateViewport(1366, 768),
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.WaitVisible(chromedp.ID("sso")))
		checkAxe(t, ctx, "/signin with SSO")
		screenshot(t, ctx, "signin-sso")

		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-1", Email: "lin@example.com", EmailVerified: true,
			PreferredUsername: "Lin Chen", Groups: []string{"counsel"}})
		step(t, ctx, "sign in with SSO",
			chromedp.Click(chromedp.ID("sso")),
			chromedp.WaitVisible(chromedp.ID("findings-h")))
		who, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".who")))
		if !strings.Contains(who, "Lin Chen") || !strings.Contains(who, "(legal)") {
			t.Errorf("signed in as %q", who)
		}
		step(t, ctx, "sign out",
			chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
			chromedp.WaitVisible(chromedp.ID("sso")))

		e.idp.QueueUser(&mockoidc.MockUser{Subject: "u-2", Email: "sam@example.com", EmailVerified: true, Groups: []string{"staff"}})
		step(t, ctx, "SSO without a mapped group",
			chromedp.Click(chromedp.ID("sso")),
			chromedp.WaitVisible(chromedp.ID("sso-error")))
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("sso-error")))
		if !strings.Contains(msg, "no role in Vendorwatch is mapped to you") {
			t.Errorf("refusal %q", msg)
		}
		checkAxe(t, ctx, "/signin/sso/callback (refused)")
		screenshot(t, ctx, "sso-refused")
	})
}
