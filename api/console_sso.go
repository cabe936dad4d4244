package api

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// SSOConfig turns on single sign-on with an OpenID Connect provider
// (VW_OIDC_*). The client secret is sent to the provider's token
// endpoint only: never logged, never shown.
type SSOConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is read
	// at the first sign-in (and again after a failure).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this console's /signin/sso/callback as the provider
	// knows it (https://vendorwatch.example.com/signin/sso/callback).
	RedirectURL string
	// Scopes are asked for beside openid, email and profile (such as
	// "groups", when the role claim needs one).
	Scopes []string
	// Mapping turns a claim of the ID token into a role.
	Mapping access.RoleMapping
}

// ssoCookie keeps, for the few minutes of a sign-in at the provider, the
// state, nonce and PKCE verifier the callback checks, and where to go
// after. It is HttpOnly and scoped to /signin/sso.
const (
	ssoCookie  = "vw_sso"
	ssoPath    = "/signin/sso"
	ssoTimeout = 10 * time.Minute
	// ssoHTTPTimeout bounds each call to the provider.
	ssoHTTPTimeout = 15 * time.Second
)

// ssoAttempt is the content of the sso cookie.
type ssoAttempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

// ssoClient is the relying party: the provider's endpoints and keys are
// discovered once, lazily, so the console starts even while the
// provider is down.
type ssoClient struct {
	cfg    SSOConfig
	client *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

func newSSOClient(cfg *SSOConfig) *ssoClient {
	if cfg == nil {
		return nil
	}
	return &ssoClient{cfg: *cfg, client: &http.Client{Timeout: ssoHTTPTimeout}}
}

// context carries the client with its timeout to go-oidc and oauth2.
func (s *ssoClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.client)
}

// setup returns the OAuth 2 configuration and the ID token verifier,
// discovering the provider on first use.
func (s *ssoClient) setup(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider == nil {
		p, err := oidc.NewProvider(s.context(ctx), s.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("discover the OpenID provider %s: %w", s.cfg.Issuer, err)
		}
		s.provider = p
	}
	conf := &oauth2.Config{ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret, RedirectURL: s.cfg.RedirectURL,
		Endpoint: s.provider.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID, "email", "profile"}, s.cfg.Scopes...)}
	return conf, s.provider.Verifier(&oidc.Config{ClientID: s.cfg.ClientID}), nil
}

// ssoRoutes are the two steps of single sign-on: off to the provider,
// and back.
func (h *handlers) ssoRoutes() []Route {
	return []Route{
		{"GET", ssoPath, public, h.ssoStart},
		{"GET", ssoPath + "/callback", public, h.ssoCallback},
	}
}

// ssoRefused writes the page of a refused single sign-on.
func ssoRefused(c *gin.Context, status int, msg string) {
	c.Abort()
	renderPage(c, status, web.PageSSORefused, web.Page{Title: "Single sign-on refused",
		Body: web.SSORefused{Status: status, Message: msg}})
}

// ssoStart serves GET /signin/sso: a fresh state, nonce and PKCE
// verifier go into the sso cookie, and the browser to the provider's
// authorization endpoint with the state, the nonce and the verifier's
// S256 challenge.
func (h *handlers) ssoStart(c *gin.Context) error {
	if h.sso == nil {
		return domain.ErrNotFound
	}
	conf, _, err := h.sso.setup(c.Request.Context())
	if err != nil {
		logFrom(c).Error("single sign-on", "error", err.Error())
		ssoRefused(c, http.StatusBadGateway, "The identity provider does not answer. Try again in a while, or sign in with your password.")
		return nil
	}
	a := ssoAttempt{State: access.NewSessionToken(), Nonce: access.NewSessionToken(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(c.Query("next"))}
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	h.setCookie(c, ssoCookie, base64.RawURLEncoding.EncodeToString(raw), int(ssoTimeout.Seconds()), ssoPath)
	c.Redirect(http.StatusSeeOther, conf.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)))
	return nil
}

// readAttempt reads the sso cookie ("ok" false without a valid one).
func readAttempt(c *gin.Context) (ssoAttempt, bool) {
	v, err := c.Cookie(ssoCookie)
	if err != nil || v == "" || len(v) > 1024 {
		return ssoAttempt{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	var a ssoAttempt
	if err != nil || json.Unmarshal(raw, &a) != nil || a.State == "" || a.Nonce == "" || a.Verifier == "" {
		return ssoAttempt{}, false
	}
	return a, true
}

// sameSecret compares two secrets in constant time.
func sameSecret(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ssoCallback serves GET /signin/sso/callback: the provider's answer.
// The state must be the one of this browser's cookie; the code is
// exchanged with the PKCE verifier; the ID token's signature, issuer,
// audience and expiry are verified and its nonce must be the cookie's.
// The domain then finds or creates the user by email with the mapped
// role, or refuses (no mapping, a disabled account), auditing either.
func (h *handlers) ssoCallback(c *gin.Context) error {
	if h.sso == nil {
		return domain.ErrNotFound
	}
	a, ok := readAttempt(c)
	h.setCookie(c, ssoCookie, "", -1, ssoPath)
	if !ok {
		ssoRefused(c, http.StatusBadRequest, "This sign-in was not started here, or took longer than ten minutes. Start again.")
		return nil
	}
	if !sameSecret(a.State, c.Query("state")) {
		logFrom(c).Warn("single sign-on: state mismatch")
		ssoRefused(c, http.StatusBadRequest, "This answer of the identity provider does not belong to the sign-in this browser started. Start again.")
		return nil
	}
	if e := c.Query("error"); e != "" {
		ssoRefused(c, http.StatusUnauthorized, "The identity provider did not sign you in ("+truncateText(e, 100)+").")
		return nil
	}
	ctx := c.Request.Context()
	conf, verifier, err := h.sso.setup(ctx)
	if err != nil {
		logFrom(c).Error("single sign-on", "error", err.Error())
		ssoRefused(c, http.StatusBadGateway, "The identity provider does not answer. Try again in a while, or sign in with your password.")
		return nil
	}
	tok, err := conf.Exchange(h.sso.context(ctx), c.Query("code"), oauth2.VerifierOption(a.Verifier))
	if err != nil {
		logFrom(c).Warn("single sign-on: code exchange", "error", exchangeError(err))
		ssoRefused(c, http.StatusBadGateway, "The identity provider did not confirm this sign-in. Start again.")
		return nil
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(h.sso.context(ctx), rawID)
	if err != nil || !sameSecret(a.Nonce, idt.Nonce) {
		if err == nil {
			err = errors.New("nonce mismatch")
		}
		logFrom(c).Warn("single sign-on: ID token refused", "error", err.Error())
		ssoRefused(c, http.StatusUnauthorized, "The identity provider's answer could not be verified. Start again.")
		return nil
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return fmt.Errorf("read ID token claims: %w", err)
	}
	id := access.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Claims: claims, Address: c.ClientIP(),
		UserAgent: c.Request.UserAgent()}
	id.Email, _ = claims["email"].(string)
	id.EmailVerified, _ = claims["email_verified"].(bool)
	for _, k := range []string{"name", "preferred_username"} {
		if n, _ := claims[k].(string); n != "" && id.Name == "" {
			id.Name = n
		}
	}
	_, token, err := h.users.SignInExternal(ctx, h.sso.cfg.Mapping, id)
	switch {
	case errors.Is(err, access.ErrSSONoRole):
		ssoRefused(c, http.StatusForbidden, "You are signed in at the identity provider as "+id.Email+
			", but no role in Vendorwatch is mapped to you. Ask an administrator to give you one.")
		return nil
	case errors.Is(err, access.ErrSSODisabled):
		ssoRefused(c, http.StatusForbidden, "The account "+id.Email+" is disabled. Ask an administrator to enable it.")
		return nil
	case errors.Is(err, access.ErrSSONoEmail):
		ssoRefused(c, http.StatusForbidden, "The identity provider did not vouch for your email address, which Vendorwatch needs to know you.")
		return nil
	case err != nil:
		return err
	}
	h.setCookie(c, sessionCookie, token, int(h.users.MaxAge().Seconds()), "/")
	c.Redirect(http.StatusSeeOther, a.Next)
	return nil
}

// exchangeError describes a failed code exchange without the request
// (which holds the client secret): the provider's error code only.
func exchangeError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return fmt.Sprintf("status %d %s", re.Response.StatusCode, re.ErrorCode)
	}
	return "no answer"
}

// truncateText cuts s to at most n bytes of valid UTF-8.
func truncateText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
