package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// cliActor is who the command line acts as in the audit trail.
var cliActor = domain.Actor{ID: "cli", Name: "command line", Role: domain.RoleAdmin}

// userSubcommands are the subcommands of "vendorwatch user".
var userSubcommands = []string{"create", "disable", "enable", "reset-password"}

func cmdUser(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("user", args, stdout, stderr)
	cfg.dbFlag(fs)
	email := fs.String("email", "", "the user's email address, with which they sign in (required)")
	name := fs.String("name", "", "create: the name the console shows (required)")
	role := fs.String("role", "", "create: admin, vendor_manager, legal, executive or auditor (required)")
	fromStdin := fs.Bool("password-stdin", false, "create: read the password from the first line of standard input "+
		"instead of generating a one-time password")
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	known := false
	for _, s := range userSubcommands {
		known = known || s == sub
	}
	if !known {
		if helpRequested(args) {
			fs.Usage()
			return flag.ErrHelp
		}
		return fmt.Errorf("usage: vendorwatch user %s ... (vendorwatch user --help explains)", strings.Join(userSubcommands, "|"))
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return errors.New("--email is required")
	}
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = domain.WithActor(ctx, cliActor)
	users := a.svc.Users
	if sub == "create" {
		in := access.NewUser{Email: *email, Name: *name, Role: domain.Role(*role)}
		if *fromStdin {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read the password: %w", err)
			}
			in.Password = strings.TrimRight(line, "\r\n")
			if in.Password == "" {
				return errors.New("--password-stdin: standard input holds no password")
			}
		}
		u, pw, err := users.Create(ctx, in)
		if err != nil {
			return err
		}
		if pw == "" {
			fmt.Fprintf(stdout, "created %s user %s (id %s)\n", u.Role, u.Email, u.ID)
			return nil
		}
		fmt.Fprintf(stdout, "created %s user %s (id %s); the one-time password, to be changed at the first sign-in, is shown only once:\n%s\n",
			u.Role, u.Email, u.ID, pw)
		return nil
	}
	u, err := users.GetByEmail(ctx, *email)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("no user has the email %s", access.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	switch sub {
	case "disable", "enable":
		status := access.UserActive
		if sub == "disable" {
			status = access.UserDisabled
		}
		if _, err := users.SetStatus(ctx, u.ID, status); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s is %s\n", u.Email, status)
	case "reset-password":
		pw, err := users.ResetPassword(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s is signed out everywhere; the one-time password, to be changed at the next sign-in, is shown only once:\n%s\n", u.Email, pw)
	}
	return nil
}
