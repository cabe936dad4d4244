package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// The console's cookies: the session (its token; the database keeps
// only the token's SHA-256), and the sign-in form's own anti-forgery
// value, which the form repeats in a hidden field (there is no session
// yet to tie a token to).
const (
	sessionCookie = "vw_session"
	signInCookie  = "vw_signin"
)

// Sign-in throttling. Each failed sign-in takes a token from the
// account's bucket (keyed by the email as typed, known or not) and from
// the client address's; while either is empty, sign-in answers 429 with
// Retry-After before the password is checked. An account allows five
// failures, then one a minute; an address twenty, then one every five
// seconds.
const (
	signInAccountBurst = 5
	signInAccountEvery = time.Minute
	signInAddressBurst = 20
	signInAddressEvery = 5 * time.Second
)

// signInMessage is the one answer to failed credentials: it never says
// whether the email exists.
const signInMessage = "The email or password is wrong."

// maxFormBytes bounds a console form's body.
const maxFormBytes = 64 << 10

// consoleCSP lets pages load the console's own style sheet and nothing
// else: no script, no frame, forms posting only to this origin.
const consoleCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ctxSessionToken keeps the session token of a console request.
const ctxSessionToken = "vw.session_token"

// consoleRoutes are the console's pages, in the same form as the API's
// route table: who may open what. A route with roles needs a session
// (not an API key); its unsafe requests need the session's CSRF token.
func (h *handlers) consoleRoutes() []Route {
	routes := []Route{
		{"GET", web.CSSPath, public, consoleCSS},
		{"GET", "/signin", public, h.signInPage},
		{"POST", "/signin", public, h.signIn},
		{"POST", "/signout", everyone, h.signOut},
		{"GET", "/", everyone, h.overview},
		{"GET", "/vendors", everyone, h.vendorList},
		{"GET", "/vendors/:id", everyone, h.vendorPage},
		{"GET", "/findings", everyone, h.findingList},
		{"GET", "/findings/:id", everyone, h.findingPage},
		{"POST", "/findings/:id", findingWriters, h.triageFinding},
		{"GET", "/account/password", everyone, h.passwordPage},
		{"POST", "/account/password", everyone, h.changePassword},
	}
	// Each further area of the console lists its own routes in its own
	// file; this is the one place they are joined.
	for _, area := range [][]Route{h.adminRoutes(), h.ssoRoutes(), h.incidentRoutes(), h.contractRoutes(),
		h.onboardingRoutes(), h.overviewRoutes(), h.supplyChainRoutes()} {
		routes = append(routes, area...)
	}
	return routes
}

// ConsoleRoutes returns the console's route table (for tests and
// documentation).
func ConsoleRoutes() []Route {
	h := &handlers{}
	return h.consoleRoutes()
}

// signInThrottle limits failed sign-ins per account and per address.
type signInThrottle struct {
	accounts  *keyLimiter
	addresses *keyLimiter
}

func newSignInThrottle() *signInThrottle {
	return &signInThrottle{
		accounts:  newKeyLimiter(1/signInAccountEvery.Seconds(), signInAccountBurst),
		addresses: newKeyLimiter(1/signInAddressEvery.Seconds(), signInAddressBurst),
	}
}

// blocked reports whether the account or the address is out of failed
// attempts at now, and how long until both have one again.
func (t *signInThrottle) blocked(email, addr string, now time.Time) (bool, time.Duration) {
	a, waitA := t.accounts.spent(access.NormalizeEmail(email), now)
	b, waitB := t.addresses.spent(addr, now)
	return a || b, max(waitA, waitB)
}

// failed counts a failed sign-in at now.
func (t *signInThrottle) failed(email, addr string, now time.Time) {
	t.accounts.reserve(access.NormalizeEmail(email), now)
	t.addresses.reserve(addr, now)
}

// renderPage writes a console page with the console's headers.
func renderPage(c *gin.Context, status int, page string, data web.Page) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Security-Policy", consoleCSP)
	c.Status(status)
	if err := web.Render(c.Writer, page, data); err != nil {
		logFrom(c).Error("render page", "page", page, "error", err.Error())
	}
}

// pageError renders err as an error page, with the status the API would
// answer.
func pageError(c *gin.Context, err error) {
	p := problemFor(c, err)
	msg := p.Detail
	switch p.Status {
	case http.StatusForbidden:
		msg = "Your role may not open this page or do this."
	case http.StatusNotFound:
		msg = "There is no such page."
	}
	c.Abort()
	renderPage(c, p.Status, web.PageError, web.Page{Title: http.StatusText(p.Status), User: pageUser(c),
		CSRF: pageCSRF(c), Body: web.Error{Status: p.Status, Message: msg, RequestID: p.RequestID, Errors: p.Errors}})
}

// handlePage adapts a console handler: an error becomes an error page.
func handlePage(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			pageError(c, err)
		}
	}
}

// pageUser is the signed-in user of the request, for the page header.
func pageUser(c *gin.Context) *web.User {
	v, ok := c.Get(ctxUser)
	if !ok {
		return nil
	}
	u := v.(access.User)
	return &web.User{Name: u.Name, Email: u.Email, Role: u.Role, Onboard: slices.Contains(vendorWriters, u.Role)}
}

// pageCSRF is the CSRF token of the request's session ("" without one).
func pageCSRF(c *gin.Context) string {
	if tok := c.GetString(ctxSessionToken); tok != "" {
		return access.CSRFToken(tok)
	}
	return ""
}

// ctxUser keeps the signed-in user of a console request.
const ctxUser = "vw.user"

// unsafeMethod reports whether a request may change something.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// session authenticates a console request by its session cookie and
// admits only the given roles, as authorize does for API keys. Without a
// live session a page redirects to the sign-in form; an unsafe request
// must carry the session's CSRF token (403 otherwise, before any handler
// runs; a multipart upload carries it in its first part, see
// console_upload.go); a user whose password was generated is sent to change it first.
func (h *handlers) session(roles []domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, _ := c.Cookie(sessionCookie)
		u, _, err := h.users.Authenticate(c.Request.Context(), tok)
		if errors.Is(err, domain.ErrUnauthenticated) {
			if tok != "" {
				h.setCookie(c, sessionCookie, "", -1, "/")
			}
			target := "/signin"
			if c.Request.Method == http.MethodGet && c.Request.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
			}
			c.Abort()
			c.Redirect(http.StatusSeeOther, target)
			return
		}
		if err != nil {
			pageError(c, err)
			return
		}
		c.Set(ctxSessionToken, tok)
		c.Set(ctxUser, u)
		actor := u.Actor()
		c.Set(ctxActor, actor)
		c.Request = c.Request.WithContext(domain.WithActor(c.Request.Context(), actor))
		if unsafeMethod(c.Request.Method) && !h.formCSRF(c, tok) {
			pageError(c, &statusError{Status: http.StatusForbidden, Detail: "forbidden"})
			return
		}
		if u.MustChangePassword && c.Request.URL.Path != "/account/password" && c.Request.URL.Path != "/signout" {
			c.Abort()
			c.Redirect(http.StatusSeeOther, "/account/password")
			return
		}
		if !slices.Contains(roles, u.Role) {
			pageError(c, domain.ErrForbidden)
			return
		}
		c.Next()
	}
}

// setCookie sets (maxAge > 0), or with maxAge < 0 deletes, an HttpOnly,
// SameSite=Lax cookie, Secure when the request came over TLS or the
// server is configured so (VW_COOKIE_SECURE).
func (h *handlers) setCookie(c *gin.Context, name, value string, maxAge int, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.cookieSecure || c.Request.TLS != nil})
}

// consoleCSS serves the style sheet; its address changes with its
// content, so it is cached for a year.
func consoleCSS(c *gin.Context) error {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/css; charset=utf-8", web.CSS)
	return nil
}

// safeNext is where to go after signing in: a path on this site, else /.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

// signInLinks are the service's entry points, which the sign-in page
// lists as the landing page did.
func signInLinks() []web.Link {
	out := make([]web.Link, 0, len(Links))
	for _, l := range Links {
		if l.Path != "/" {
			out = append(out, web.Link{Name: l.Name, Path: l.Path, Note: l.Note})
		}
	}
	return out
}

// signInPage serves GET /signin: the form, with a fresh anti-forgery
// value in its cookie and hidden field. A signed-in browser goes to the
// overview.
func (h *handlers) signInPage(c *gin.Context) error {
	if tok, _ := c.Cookie(sessionCookie); tok != "" {
		if _, _, err := h.users.Authenticate(c.Request.Context(), tok); err == nil {
			c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
			return nil
		}
	}
	h.renderSignIn(c, http.StatusOK, "", "", safeNext(c.Query("next")))
	return nil
}

// renderSignIn writes the sign-in form with a new anti-forgery value.
func (h *handlers) renderSignIn(c *gin.Context, status int, email, msg, next string) {
	csrf := access.NewSessionToken()
	h.setCookie(c, signInCookie, csrf, 3600, "/signin")
	if next == "/" {
		next = ""
	}
	renderPage(c, status, web.PageSignIn, web.Page{Title: "Sign in", CSRF: csrf,
		Body: web.SignIn{Email: email, Error: msg, Next: next, Links: signInLinks(), SSO: h.sso != nil}})
}

// signIn serves POST /signin. A form without its anti-forgery value is
// 403 and checks nothing; a throttled account or address is 429; wrong
// credentials are 401 with one message whatever was wrong; success sets
// the session cookie and redirects.
func (h *handlers) signIn(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	email, pw, next := c.PostForm("email"), c.PostForm("password"), safeNext(c.PostForm("next"))
	want, _ := c.Cookie(signInCookie)
	sent := c.PostForm("csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(sent)) != 1 {
		pageError(c, &statusError{Status: http.StatusForbidden, Detail: "forbidden"})
		return nil
	}
	addr := c.ClientIP()
	if blocked, wait := h.signIns.blocked(email, addr, h.clock.Now()); blocked {
		c.Header("Retry-After", retryAfter(wait))
		h.renderSignIn(c, http.StatusTooManyRequests, email,
			"Too many failed sign-ins. Wait "+domain.Count(retrySeconds(wait), "second", "seconds")+" and try again.", next)
		return nil
	}
	_, tok, err := h.users.SignIn(c.Request.Context(), access.SignInRequest{Email: email, Password: pw, Address: addr,
		UserAgent: c.Request.UserAgent()})
	if errors.Is(err, domain.ErrUnauthenticated) {
		h.signIns.failed(email, addr, h.clock.Now())
		h.renderSignIn(c, http.StatusUnauthorized, email, signInMessage, next)
		return nil
	}
	if err != nil {
		return err
	}
	h.setCookie(c, signInCookie, "", -1, "/signin")
	h.setCookie(c, sessionCookie, tok, int(h.users.MaxAge().Seconds()), "/")
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// signOut serves POST /signout: the session ends at once.
func (h *handlers) signOut(c *gin.Context) error {
	if err := h.users.SignOut(c.Request.Context(), c.GetString(ctxSessionToken)); err != nil {
		return err
	}
	h.setCookie(c, sessionCookie, "", -1, "/")
	c.Redirect(http.StatusSeeOther, "/signin")
	return nil
}

// mayCall reports whether role may call the API route method path.
func (h *handlers) mayCall(role domain.Role, method, path string) bool {
	for _, rt := range Routes() {
		if rt.Method == method && rt.Path == path {
			return rt.Roles == nil || slices.Contains(rt.Roles, role)
		}
	}
	return false
}

// passwordPage serves GET /account/password.
func (h *handlers) passwordPage(c *gin.Context) error {
	u := c.MustGet(ctxUser).(access.User)
	renderPage(c, http.StatusOK, web.PagePassword, web.Page{Title: "Change password", User: pageUser(c), CSRF: pageCSRF(c),
		Body: web.Password{Required: u.MustChangePassword}})
	return nil
}

// changePassword serves POST /account/password: the other sessions end;
// errors are shown next to their fields.
func (h *handlers) changePassword(c *gin.Context) error {
	u := c.MustGet(ctxUser).(access.User)
	err := h.users.ChangePassword(c.Request.Context(), c.GetString(ctxSessionToken), c.PostForm("current_password"),
		c.PostForm("new_password"))
	var fe domain.FieldErrors
	if errors.As(err, &fe) {
		form := web.Password{Required: u.MustChangePassword, Errors: map[string]string{}}
		for _, e := range fe {
			form.Errors[e.Field] = e.Message
		}
		renderPage(c, http.StatusUnprocessableEntity, web.PagePassword, web.Page{Title: "Change password",
			User: pageUser(c), CSRF: pageCSRF(c), Body: form})
		return nil
	}
	if err != nil {
		return err
	}
	renderPage(c, http.StatusOK, web.PagePassword, web.Page{Title: "Change password", User: pageUser(c),
		CSRF: pageCSRF(c), Body: web.Password{Done: true}})
	return nil
}
