package repository_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// movingClock is a clock a test moves forward.
type movingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movingClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestUserSessions walks an account through its life on both databases:
// the stored password is a hash, sessions end by idle and absolute
// timeouts, a password change ends the other sessions, disabling ends all.
func TestUserSessions(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		clock := &movingClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		svc := services.New(db.Stores(t.TempDir()), services.Settings{Clock: clock,
			Sessions: access.SessionTimeouts{Idle: 30 * time.Minute, Max: 8 * time.Hour}}).Users
		const pw = "correct horse battery"
		u, generated, err := svc.Create(ctx, access.NewUser{Email: " Ada@Example.com ", Name: "Ada", Role: domain.RoleLegal, Password: pw})
		if err != nil || generated != "" {
			t.Fatalf("Create = %v %q", err, generated)
		}
		if u.Email != "ada@example.com" || u.MustChangePassword {
			t.Errorf("user = %+v", u)
		}
		var stored string
		if err := db.SQL().QueryRow("SELECT password_hash FROM users WHERE id = '" + u.ID + "'").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, pw) || !strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("stored password hash %q", stored)
		}
		if _, _, err := svc.Create(ctx, access.NewUser{Email: "ADA@example.com", Name: "Ada 2", Role: domain.RoleLegal}); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("duplicate email: %v", err)
		}
		var fe domain.FieldErrors
		if _, _, err := svc.Create(ctx, access.NewUser{Email: "x", Name: "", Role: "boss", Password: "short"}); !errors.As(err, &fe) || len(fe) != 4 {
			t.Errorf("bad input: %v", err)
		}

		signIn := func(pw string) (string, error) {
			_, tok, err := svc.SignIn(ctx, access.SignInRequest{Email: "ada@example.com", Password: pw, Address: "192.0.2.1"})
			return tok, err
		}
		if _, err := signIn("wrong password!!"); !errors.Is(err, access.ErrSignInFailed) {
			t.Errorf("wrong password: %v", err)
		}
		if _, _, err := svc.SignIn(ctx, access.SignInRequest{Email: "nobody@example.com", Password: pw}); !errors.Is(err, access.ErrSignInFailed) {
			t.Errorf("unknown email: %v", err)
		}
		tok, err := signIn(pw)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM sessions WHERE id_hash = '" + access.HashSessionToken(tok) + "'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("session row by hash: %d %v", n, err)
		}
		// Idle: used every 20 minutes it lives; 30 idle minutes end it.
		for range 3 {
			clock.advance(20 * time.Minute)
			if _, _, err := svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("active session refused: %v", err)
			}
		}
		clock.advance(30 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, tok); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("idle session: %v", err)
		}
		// Absolute: ends after 8 hours however busy.
		tok, _ = signIn(pw)
		for range 8 * 3 {
			clock.advance(20 * time.Minute)
			_, _, err = svc.Authenticate(ctx, tok)
		}
		if !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("session past its maximum: %v", err)
		}
		// A password change keeps this session and ends the others.
		a, _ := signIn(pw)
		b, _ := signIn(pw)
		if err := svc.ChangePassword(ctx, a, "not it at all", "a new long password"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("wrong current password: %v", err)
		}
		if err := svc.ChangePassword(ctx, a, pw, "a new long password"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, a); err != nil {
			t.Errorf("the changing session ended: %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, b); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("other session after a password change: %v", err)
		}
		// Disabling ends every session, and a disabled user cannot sign in.
		if _, err := svc.SetStatus(ctx, u.ID, access.UserDisabled); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, a); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("session of a disabled user: %v", err)
		}
		if _, err := signIn("a new long password"); !errors.Is(err, access.ErrSignInFailed) {
			t.Errorf("disabled user signed in: %v", err)
		}
		if err := db.SQL().QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions left: %d %v", n, err)
		}
		var actions []string
		rows, err := db.SQL().Query("SELECT action FROM audit_events WHERE entity = 'user' ORDER BY seq")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			_ = rows.Scan(&a)
			actions = append(actions, a)
		}
		want := "user.create user.sign_in_failed user.sign_in_failed user.sign_in user.sign_in user.sign_in user.sign_in " +
			"user.password_change user.status user.sign_in_failed"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit actions:\n%s\nwant\n%s", got, want)
		}
	})
}
