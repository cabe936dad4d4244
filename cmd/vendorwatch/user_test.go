package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// TestUserCommand creates console users from the command line, with a
// generated one-time password and with one read from stdin, and disables,
// enables and resets them; passwords reach stdout only.
func TestUserCommand(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := repotest.URL(t, d)
			var stdout, stderr bytes.Buffer
			user := func(in string, args ...string) error {
				stdout.Reset()
				stdin = strings.NewReader(in)
				t.Cleanup(func() { stdin = strings.NewReader("") })
				return run(ctx, append(append([]string{"user"}, args...), "--db", url), noEnv, &stdout, &stderr)
			}
			if err := user("", "create", "--email", "Ada@Example.com", "--name", "Ada Lovelace", "--role", "legal"); err != nil {
				t.Fatalf("user create: %v\n%s", err, stderr.String())
			}
			generated := lastLine(stdout.String())
			if !strings.Contains(stdout.String(), "created legal user ada@example.com") || len(generated) != 24 {
				t.Fatalf("user create printed:\n%s", stdout.String())
			}
			const chosen = "a password of my own"
			if err := user(chosen+"\n", "create", "--email", "bob@example.com", "--name", "Bob", "--role", "auditor", "--password-stdin"); err != nil {
				t.Fatalf("user create --password-stdin: %v", err)
			}
			if strings.Contains(stdout.String(), chosen) {
				t.Error("the password read from stdin was printed")
			}
			var fe domain.FieldErrors
			if err := user("too short\n", "create", "--email", "cy@example.com", "--name", "Cy", "--role", "auditor", "--password-stdin"); !errors.As(err, &fe) || fe[0].Field != "password" {
				t.Errorf("short password: %v", err)
			}
			if err := user("", "create", "--email", "ada@example.com", "--name", "Ada again", "--role", "legal"); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("duplicate email: %v", err)
			}
			if err := user("", "frobnicate", "--email", "ada@example.com"); err == nil {
				t.Error("unknown subcommand accepted")
			}

			db, err := repository.Open(ctx, url, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			users := services.New(db.Stores(t.TempDir()), services.Settings{}).Users
			signIn := func(email, pw string) (access.User, error) {
				u, _, err := users.SignIn(ctx, access.SignInRequest{Email: email, Password: pw})
				return u, err
			}
			if u, err := signIn("ada@example.com", generated); err != nil || !u.MustChangePassword || u.Role != domain.RoleLegal {
				t.Errorf("sign-in with the generated password: %+v %v", u, err)
			}
			if u, err := signIn("bob@example.com", chosen); err != nil || u.MustChangePassword {
				t.Errorf("sign-in with the chosen password: %+v %v", u, err)
			}
			if err := user("", "disable", "--email", "bob@example.com"); err != nil || !strings.Contains(stdout.String(), "is disabled") {
				t.Fatalf("disable: %v %s", err, stdout.String())
			}
			if _, err := signIn("bob@example.com", chosen); err == nil {
				t.Error("a disabled user signed in")
			}
			if err := user("", "enable", "--email", "bob@example.com"); err != nil {
				t.Fatal(err)
			}
			if err := user("", "reset-password", "--email", "bob@example.com"); err != nil {
				t.Fatal(err)
			}
			reset := lastLine(stdout.String())
			if _, err := signIn("bob@example.com", chosen); err == nil {
				t.Error("the old password still works after a reset")
			}
			if _, err := signIn("bob@example.com", reset); err != nil {
				t.Errorf("the reset password: %v", err)
			}
			if err := user("", "disable", "--email", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no user") {
				t.Errorf("unknown email: %v", err)
			}
			for _, pw := range []string{generated, chosen, reset} {
				if strings.Contains(stderr.String(), pw) {
					t.Errorf("a password was logged: %s", stderr.String())
				}
			}
		})
	}
}
