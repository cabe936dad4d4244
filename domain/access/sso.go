package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
)

// RoleRule gives Role to the people whose claim holds Value.
type RoleRule struct {
	Value string
	Role  domain.Role
}

// RoleMapping turns an identity provider's claim (such as "groups") into
// a role. The rules are tried in the order configured and the first
// whose value the claim holds wins, so list the most privileged first.
type RoleMapping struct {
	Claim string
	Rules []RoleRule
}

// ParseRoleMapping reads a mapping written "value=role,value=role"
// (VW_OIDC_ROLES) for the claim named claim (VW_OIDC_ROLE_CLAIM).
func ParseRoleMapping(claim, spec string) (RoleMapping, error) {
	m := RoleMapping{Claim: strings.TrimSpace(claim)}
	if m.Claim == "" {
		return m, errors.New("the claim name is empty")
	}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.LastIndex(part, "=")
		if i <= 0 {
			return m, fmt.Errorf("%q is not value=role", part)
		}
		role := domain.Role(strings.TrimSpace(part[i+1:]))
		if !role.Valid() {
			return m, fmt.Errorf("%q: the role must be one of admin, vendor_manager, legal, executive, auditor", part)
		}
		m.Rules = append(m.Rules, RoleRule{Value: strings.TrimSpace(part[:i]), Role: role})
	}
	if len(m.Rules) == 0 {
		return m, errors.New("no value=role pair is given")
	}
	return m, nil
}

// claimValues reads a claim as strings: a string, or a list of them.
func claimValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// RoleFor returns the role the claims map to, and false when no rule
// applies.
func (m RoleMapping) RoleFor(claims map[string]any) (domain.Role, bool) {
	values := claimValues(claims[m.Claim])
	for _, r := range m.Rules {
		if slices.Contains(values, r.Value) {
			return r.Role, true
		}
	}
	return "", false
}

// ExternalIdentity is a person as an identity provider vouched for them
// in a verified ID token, and where the sign-in came from.
type ExternalIdentity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Claims        map[string]any
	Address       string
	UserAgent     string
}

// Reasons a single sign-on is refused, shown to the person (the
// identity provider already told them who they are) and audited.
var (
	ErrSSONoEmail  = fmt.Errorf("%w: the identity provider did not vouch for an email address", domain.ErrUnauthenticated)
	ErrSSONoRole   = fmt.Errorf("%w: no role is mapped to you", domain.ErrUnauthenticated)
	ErrSSODisabled = fmt.Errorf("%w: your account is disabled", domain.ErrUnauthenticated)
)

// SignInExternal signs in a person an identity provider vouched for. The
// account is found by email; a person signing in for the first time gets
// one with the role m maps their claims to. A sign-in is refused (and
// audited as user.sso_refused) when the email is missing or unverified,
// when no rule of m applies (on every sign-in, so removing someone from
// the provider's group ends their access) or when the account is
// disabled. An existing account keeps the role an admin gave it.
func (s *UserService) SignInExternal(ctx context.Context, m RoleMapping, id ExternalIdentity) (User, string, error) {
	email := NormalizeEmail(id.Email)
	var fe domain.FieldErrors
	if email == "" || !id.EmailVerified || domain.CheckEmail(&fe, "email", email) == "" || len(fe) > 0 {
		return User{}, "", s.refuseExternal(ctx, id, "", ErrSSONoEmail)
	}
	role, mapped := m.RoleFor(id.Claims)
	if !mapped {
		return User{}, "", s.refuseExternal(ctx, id, "", ErrSSONoRole)
	}
	u, err := s.Users.GetByEmail(ctx, email)
	created := false
	switch {
	case errors.Is(err, domain.ErrNotFound):
		name := strings.TrimSpace(id.Name)
		if name == "" || len(name) > 100 {
			name = email
		}
		// The account gets a long random password that nobody is shown: it
		// signs in through the provider until an admin resets it.
		ctx := domain.WithActor(ctx, domain.Actor{ID: "sso", Name: "single sign-on (" + truncate(id.Issuer, 200) + ")"})
		u, _, err = s.Create(ctx, NewUser{Email: email, Name: name, Role: role, Password: GeneratePassword()})
		if err != nil {
			return User{}, "", fmt.Errorf("create the user of a first single sign-on: %w", err)
		}
		created = true
	case err != nil:
		return User{}, "", err
	case u.Status != UserActive:
		return User{}, "", s.refuseExternal(ctx, id, u.ID, ErrSSODisabled)
	}
	details := map[string]string{"method": "sso", "issuer": truncate(id.Issuer, 200), "subject": truncate(id.Subject, 200)}
	if created {
		details["created"] = "true"
	}
	token, err := s.startSession(ctx, u, id.Address, id.UserAgent, details)
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// refuseExternal audits a refused single sign-on and returns why.
func (s *UserService) refuseExternal(ctx context.Context, id ExternalIdentity, userID string, why error) error {
	anon := domain.Actor{ID: "anonymous", Name: "single sign-on from " + id.Address}
	ctx = domain.WithActor(ctx, anon)
	refusal := map[string]string{"email": truncate(NormalizeEmail(id.Email), 254), "issuer": truncate(id.Issuer, 200),
		"subject": truncate(id.Subject, 200), "address": id.Address, "reason": strings.TrimPrefix(why.Error(), domain.ErrUnauthenticated.Error()+": ")}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		return s.Audit.Record(ctx, "user.sso_refused", "user", userID, nil, refusal)
	})
	if err != nil {
		return err
	}
	return why
}
