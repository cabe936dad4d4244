package web

// PageSSORefused is the page of a refused single sign-on.
const PageSSORefused = "sso_refused.html"

func init() { registerPages(PageSSORefused) }

// SSORefused says why a single sign-on was refused and what to do.
type SSORefused struct {
	Status  int
	Message string
}
