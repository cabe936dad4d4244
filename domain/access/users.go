package access

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vendorwatch/vendorwatch/domain"
)

// UserService manages console users and their sessions: accounts,
// passwords (argon2id), sign-in and sign-out, session checks with idle
// and absolute timeouts. Every change is audited with its actor.
type UserService struct {
	Tx       domain.Transactor
	Users    UserStore
	Sessions SessionStore
	Audit    domain.Auditor
	Clock    domain.Clock
	Timeouts SessionTimeouts
	// Argon2 are the parameters of new hashes (zero: DefaultArgon2).
	Argon2 Argon2Params
}

// NewUser describes a user to create. An empty Password makes one: it is
// returned once, and must be changed at the first sign-in.
type NewUser struct {
	Email    string
	Name     string
	Role     domain.Role
	Password string
}

// SignInRequest is a sign-in attempt: the credentials and where it came
// from (kept on the session and in the audit trail).
type SignInRequest struct {
	Email     string
	Password  string
	Address   string
	UserAgent string
}

// ErrSignInFailed is the one answer to a failed sign-in: unknown email,
// wrong password and disabled account are not told apart.
var ErrSignInFailed = fmt.Errorf("%w: the email or password is wrong, or the account is disabled", domain.ErrUnauthenticated)

func (s *UserService) params() Argon2Params {
	if s.Argon2 == (Argon2Params{}) {
		return DefaultArgon2
	}
	return s.Argon2
}

// dummyHash is verified against when the email is unknown, so an unknown
// email costs what a wrong password does.
var dummyHash = sync.OnceValue(func() string { return DefaultArgon2.HashPassword("not a password of anyone") })

// Create adds a user and returns it with its password when one was
// generated ("" when the caller gave one).
func (s *UserService) Create(ctx context.Context, in NewUser) (User, string, error) {
	var fe domain.FieldErrors
	email := domain.CheckEmail(&fe, "email", in.Email)
	if email == "" {
		fe.Add("email", "is required")
	}
	name := domain.CheckText(&fe, "name", in.Name, true, 100)
	if !in.Role.Valid() {
		fe.Add("role", "must be one of admin, vendor_manager, legal, executive, auditor")
	}
	generated := ""
	pw := in.Password
	if pw == "" {
		generated = GeneratePassword()
		pw = generated
	} else {
		CheckPassword(&fe, "password", pw)
	}
	if err := fe.Err(); err != nil {
		return User{}, "", err
	}
	now := s.Clock.Now().UTC()
	u := User{ID: domain.NewID(), Email: NormalizeEmail(email), Name: name, Role: in.Role, Status: UserActive,
		PasswordHash: s.params().HashPassword(pw), MustChangePassword: generated != "", PasswordChangedAt: now,
		CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: now, UpdatedAt: now}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Users.Create(ctx, u); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return s.Audit.Record(ctx, "user.create", "user", u.ID, nil, u)
	})
	if err != nil {
		return User{}, "", err
	}
	return u, generated, nil
}

// Get returns a user by id.
func (s *UserService) Get(ctx context.Context, id string) (User, error) {
	return domain.Lookup(ctx, "user", id, s.Users.Get)
}

// GetByEmail returns a user by email.
func (s *UserService) GetByEmail(ctx context.Context, email string) (User, error) {
	return s.Users.GetByEmail(ctx, NormalizeEmail(email))
}

// SignIn checks the credentials and starts a session: it returns the user
// and the session token for the cookie. Every failure is ErrSignInFailed
// and is audited (sign_in_failed, with the reason, which the caller is
// not told).
func (s *UserService) SignIn(ctx context.Context, in SignInRequest) (User, string, error) {
	email := NormalizeEmail(in.Email)
	u, err := s.Users.GetByEmail(ctx, email)
	reason := ""
	switch {
	case errors.Is(err, domain.ErrNotFound):
		PasswordMatches(in.Password, dummyHash())
		reason = "unknown email"
	case err != nil:
		return User{}, "", err
	case !PasswordMatches(in.Password, u.PasswordHash):
		reason = "wrong password"
	case u.Status != UserActive:
		reason = "account disabled"
	}
	anon := domain.Actor{ID: "anonymous", Name: "sign-in from " + in.Address, Role: ""}
	if reason != "" {
		failure := map[string]string{"email": truncate(email, 254), "address": in.Address, "reason": reason}
		ctx := domain.WithActor(ctx, anon)
		err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
			return s.Audit.Record(ctx, "user.sign_in_failed", "user", u.ID, nil, failure)
		})
		if err != nil {
			return User{}, "", err
		}
		return User{}, "", ErrSignInFailed
	}
	token, err := s.startSession(ctx, u, in.Address, in.UserAgent, nil)
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// startSession starts a session of u and audits the sign-in (with the
// details given, beside the address), and returns the session token.
func (s *UserService) startSession(ctx context.Context, u User, address, userAgent string, details map[string]string) (string, error) {
	now := s.Clock.Now().UTC()
	token := NewSessionToken()
	sess := Session{IDHash: HashSessionToken(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.Timeouts.withDefaults().Max), Address: address, UserAgent: truncate(userAgent, 200)}
	audited := map[string]string{"address": address}
	for k, v := range details {
		audited[k] = v
	}
	ctx = domain.WithActor(ctx, u.Actor())
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Sessions.DeleteExpired(ctx, u.ID, now, s.Timeouts); err != nil {
			return err
		}
		if err := s.Sessions.Create(ctx, sess); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return s.Audit.Record(ctx, "user.sign_in", "user", u.ID, nil, audited)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the active user of a session token and the
// session. An unknown, expired or ended session, or a disabled user, is
// ErrUnauthenticated. It records the use of the session (at most once a
// minute), which moves the idle timeout.
func (s *UserService) Authenticate(ctx context.Context, token string) (User, Session, error) {
	if token == "" || len(token) > 100 {
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	h := HashSessionToken(token)
	sess, u, err := s.Sessions.Get(ctx, h)
	if errors.Is(err, domain.ErrNotFound) {
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return User{}, Session{}, err
	}
	now := s.Clock.Now().UTC()
	if !sess.Live(now, s.Timeouts) || u.Status != UserActive {
		if err := s.Sessions.Delete(ctx, h); err != nil {
			return User{}, Session{}, err
		}
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchInterval {
		if err := s.Sessions.Touch(ctx, h, now, sessionTouchInterval); err != nil {
			return User{}, Session{}, err
		}
		sess.LastSeenAt = now
	}
	return u, sess, nil
}

// SignOut ends the session of token at once (nothing when there is none).
func (s *UserService) SignOut(ctx context.Context, token string) error {
	h := HashSessionToken(token)
	return s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		sess, u, err := s.Sessions.Get(ctx, h)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.Sessions.Delete(ctx, h); err != nil {
			return err
		}
		ctx = domain.WithActor(ctx, u.Actor())
		return s.Audit.Record(ctx, "user.sign_out", "user", sess.UserID, nil, nil)
	})
}

// ChangePassword replaces the signed-in user's password after checking
// the current one, and ends the user's other sessions (the one of token
// stays signed in).
func (s *UserService) ChangePassword(ctx context.Context, token, current, next string) error {
	u, _, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	var fe domain.FieldErrors
	if !PasswordMatches(current, u.PasswordHash) {
		fe.Add("current_password", "is not your current password")
	}
	n := len(fe)
	CheckPassword(&fe, "new_password", next)
	if next == current && len(fe) == n {
		fe.Add("new_password", "must differ from the current password")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	ctx = domain.WithActor(ctx, u.Actor())
	return s.setPassword(ctx, u, next, false, HashSessionToken(token))
}

// ResetPassword gives the user a new generated password, shown once and
// to be changed at the next sign-in, and ends all the user's sessions.
func (s *UserService) ResetPassword(ctx context.Context, id string) (string, error) {
	u, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	pw := GeneratePassword()
	return pw, s.setPassword(ctx, u, pw, true, "")
}

// setPassword stores a new password and ends the user's sessions but
// except.
func (s *UserService) setPassword(ctx context.Context, before User, pw string, mustChange bool, except string) error {
	now := s.Clock.Now().UTC()
	after := before
	after.PasswordHash, after.MustChangePassword, after.PasswordChangedAt, after.UpdatedAt = s.params().HashPassword(pw), mustChange, now, now
	return s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Users.Update(ctx, after); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if _, err := s.Sessions.DeleteForUser(ctx, after.ID, except); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return s.Audit.Record(ctx, "user.password_change", "user", after.ID, before, after)
	})
}

// SetStatus enables or disables a user. Disabling ends every session of
// the user at once.
func (s *UserService) SetStatus(ctx context.Context, id string, status UserStatus) (User, error) {
	if !status.Valid() {
		return User{}, domain.Invalid("status", "must be active or disabled")
	}
	if status == UserDisabled && domain.ActorFrom(ctx).ID == id {
		return User{}, &domain.ConflictError{Field: "status", Message: "you cannot disable your own account; ask another admin"}
	}
	return s.changeUser(ctx, id, "user.status", func(u *User) bool {
		changed := u.Status != status
		u.Status = status
		return changed
	}, func(ctx context.Context) error {
		if status != UserDisabled {
			return nil
		}
		if _, err := s.Sessions.DeleteForUser(ctx, id, ""); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return nil
	})
}

// EnsureDemoAdmin makes the demo's admin user (or, when it exists, gives
// it a new password and enables it) and returns its one-time password.
func (s *UserService) EnsureDemoAdmin(ctx context.Context, email, name string) (string, error) {
	u, err := s.GetByEmail(ctx, email)
	if errors.Is(err, domain.ErrNotFound) {
		_, pw, err := s.Create(ctx, NewUser{Email: email, Name: name, Role: domain.RoleAdmin})
		return pw, err
	}
	if err != nil {
		return "", err
	}
	if u.Status != UserActive {
		if _, err := s.SetStatus(ctx, u.ID, UserActive); err != nil {
			return "", err
		}
	}
	return s.ResetPassword(ctx, u.ID)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MaxAge is the sessions' absolute lifetime, for the cookie's Max-Age.
func (s *UserService) MaxAge() time.Duration { return s.Timeouts.withDefaults().Max }
