package main

import (
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

// TestSSOConfig: single sign-on is off without VW_OIDC_ISSUER; with it,
// the other settings are required and checked, and no error shows the
// client secret.
func TestSSOConfig(t *testing.T) {
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := cfg.sso(); s != nil || err != nil {
		t.Fatalf("without VW_OIDC_ISSUER: %v, %v", s, err)
	}
	good := map[string]string{
		"VW_OIDC_ISSUER": "https://id.example.com", "VW_OIDC_CLIENT_ID": "vendorwatch",
		"VW_OIDC_CLIENT_SECRET": "s3cret-value-never-shown", "VW_OIDC_REDIRECT_URL": "https://vw.example.com/signin/sso/callback",
		"VW_OIDC_SCOPES": "groups", "VW_OIDC_ROLES": "vw-admins=admin, risk=vendor_manager",
	}
	with := func(k, v string) func(string) string {
		return func(name string) string {
			if name == k {
				return v
			}
			return good[name]
		}
	}
	cfg, err = loadConfig(with("", ""))
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.sso()
	if err != nil || s == nil {
		t.Fatalf("sso: %v", err)
	}
	if s.Mapping.Claim != "groups" || len(s.Mapping.Rules) != 2 || s.Mapping.Rules[1].Role != domain.RoleVendorManager ||
		len(s.Scopes) != 1 || s.ClientSecret != good["VW_OIDC_CLIENT_SECRET"] {
		t.Errorf("sso config: %+v", s)
	}
	for _, tc := range []struct{ key, value, want string }{
		{"VW_OIDC_CLIENT_ID", "", "VW_OIDC_CLIENT_ID"},
		{"VW_OIDC_CLIENT_SECRET", "", "VW_OIDC_CLIENT_SECRET"},
		{"VW_OIDC_ROLES", "", "VW_OIDC_ROLES"},
		{"VW_OIDC_ROLES", "risk=root", "the role must be one of"},
		{"VW_OIDC_ROLES", "risk", "is not value=role"},
		{"VW_OIDC_REDIRECT_URL", "https://vw.example.com/elsewhere", "must end in /signin/sso/callback"},
		{"VW_OIDC_ISSUER", "id.example.com", "VW_OIDC_ISSUER"},
	} {
		_, err := loadConfig(with(tc.key, tc.value))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v, want %q", tc.key, tc.value, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), good["VW_OIDC_CLIENT_SECRET"]) {
			t.Errorf("%s=%q: the error shows the client secret", tc.key, tc.value)
		}
	}
}
