package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
)

func cmdServe(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("serve", args, stdout, stderr)
	cfg.dbFlag(fs)
	fs.StringVar(&cfg.HTTPAddr, "addr", cfg.HTTPAddr, "listen address")
	demo := fs.Bool("demo", false, "load a few demo vendors when the register is empty, and print a one-time "+
		"console sign-in for the demo admin ("+demoAdminEmail+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The whole configuration is checked before anything is created:
	// a bad setting stops serve before it makes (and prints) an admin key.
	if err := errors.Join(cfg.checkJobs(), cfg.checkServe()); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logger.Info("starting", "database", cfg.redactedURL(), "addr", cfg.HTTPAddr, "api_key_pepper_set", cfg.APIKeyPepper != "")

	a, err := openApp(ctx, cfg, logger, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			logger.Error("close database", "error", err.Error())
		}
	}()

	if n, first, err := a.db.CheckWebhookKeys(ctx); err != nil {
		return fmt.Errorf("webhook secrets: %w", err)
	} else if n > 0 {
		// Their deliveries wait (pending, with the reason) until the key
		// is configured; the rest of the service works.
		logger.Error("webhook secrets cannot be opened with VW_WEBHOOK_KEY_FILE; every replica needs the same key file",
			"count", n, "first", first)
	}

	// The audit log's signing key; every replica must share its file. On
	// the first start it is new, and saved once the address is bound.
	auditKeys, saveAuditKey, err := prepareAuditKeys(cfg, logger)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}

	reps, err := startReports(ctx, cfg, a, logger)
	if err != nil {
		return err
	}
	defer reps.Close() // stops report runs in progress; before the database closes

	// The scheduler and the webhook dispatcher; deferred, so they stop
	// after the HTTP server has shut down and before the database closes.
	bg, err := startJobs(cfg, a, logger)
	if err != nil {
		return err
	}
	defer bg.Stop(cfg.ShutdownTimeout)
	if err := registerReportJobs(bg.sched, cfg.reportSchedule(), reps, logger); err != nil {
		return err
	}

	if cfg.DebugAddr != "" {
		if _, err := startDebug(ctx, cfg.DebugAddr, logger); err != nil {
			return err
		}
	}

	cookieSecure, _ := cfg.cookieSecure() // checked by loadConfig
	sso, _ := cfg.sso()                   // checked by loadConfig
	if sso != nil {
		logger.Info("single sign-on", "issuer", sso.Issuer, "client_id", sso.ClientID, "redirect_url", sso.RedirectURL)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.db.SQL(), "vendorwatch"))
	router, err := api.New(api.Deps{
		Services: a.svc, DB: a.db, Logger: logger, Registry: reg,
		TrustedProxies: cfg.TrustedProxies, MaxBodyBytes: cfg.MaxBodyBytes,
		RatePerKey: cfg.RatePerKey, RateBurst: cfg.RateBurst,
		AuthFailureRate: cfg.AuthFailureRate, AuthFailureBurst: cfg.AuthFailureBurst,
		MaxImportBytes: cfg.ImportMaxBytes,
		Reports:        reps,
		AuditPublicKey: auditKeys.Public,
		CookieSecure:   cookieSecure,
		SSO:            sso,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 5 * time.Second,
		// Long enough for a 25 MiB evidence upload or download on a slow
		// link; slow headers are cut off by ReadHeaderTimeout.
		ReadTimeout:    5 * time.Minute,
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // when serve fails before it serves; Shutdown closes it otherwise
	// Only now, with everything started and the address bound, are the
	// audit log's key file and an admin key created when there are none;
	// the audit log's sealer starts with its key saved.
	if saveAuditKey != nil {
		if err := saveAuditKey(); err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
	}
	on, _ := cfg.schedulerOn()
	if err := startAuditSealer(cfg, a, bg, auditKeys, on, logger); err != nil {
		return err
	}
	bootCtx := domain.WithActor(ctx, domain.Actor{ID: "system", Name: "bootstrap", Role: domain.RoleAdmin})
	key, err := a.svc.Keys.EnsureAdmin(bootCtx, "bootstrap admin")
	if err != nil {
		return fmt.Errorf("bootstrap admin key: %w", err)
	}
	if key != "" {
		// Printed once, to stdout only: it is never logged.
		fmt.Fprintf(stdout, "No admin key existed, so one was created. It is shown only once:\n%s\n", key)
	}
	demoPassword := ""
	if *demo {
		n, err := loadDemo(bootCtx, a.svc.Vendors)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if n > 0 {
			logger.Info("demo vendors loaded", "count", n)
		}
		if demoPassword, err = a.svc.Users.EnsureDemoAdmin(bootCtx, demoAdminEmail, "Demo admin"); err != nil {
			return fmt.Errorf("demo admin user: %w", err)
		}
	}
	base := "http://" + reachable(ln.Addr())
	fmt.Fprintf(stdout, "Vendorwatch is listening on %s\n", base)
	for _, l := range api.Links {
		fmt.Fprintf(stdout, "  %-18s %s%s\n", l.Name, base, l.Path)
	}
	if demoPassword != "" {
		// Printed to stdout only, never logged; changed at the first
		// sign-in, and replaced at the next start with --demo.
		fmt.Fprintf(stdout, "Demo console sign-in at %s/signin (one-time password, to be changed at the first sign-in):\n"+
			"  email    %s\n  password %s\n", base, demoAdminEmail, demoPassword)
	}
	logger.Info("listening", "addr", ln.Addr().String())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	// Ordered shutdown: stop accepting, let in-flight requests finish, then
	// close the database (deferred above).
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// checkServe checks serve's own settings: the listen address, the debug
// address and the trusted proxies. It touches no network and no database.
func (c config) checkServe() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("listen address %q (VW_HTTP_ADDR or --addr): %w; use host:port or :port, e.g. :8080", c.HTTPAddr, err))
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		errs = append(errs, fmt.Errorf("listen address %q (VW_HTTP_ADDR or --addr): %w", c.HTTPAddr, err))
	}
	if c.DebugAddr != "" {
		errs = append(errs, loopbackOnly(c.DebugAddr))
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(strings.TrimSpace(p)); err != nil {
			if _, aerr := netip.ParseAddr(strings.TrimSpace(p)); aerr != nil {
				errs = append(errs, fmt.Errorf("VW_TRUSTED_PROXIES: %q is neither a CIDR nor an IP address", p))
			}
		}
	}
	return errors.Join(errs...)
}

// reachable is the listen address as a client reaches it: a wildcard host
// (":8080" listens on every interface) becomes localhost.
func reachable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return net.JoinHostPort(clientHost(host, "localhost"), port)
}

// clientHost is the host a client dials for a listen host: wildcard for
// a wildcard host (empty, 0.0.0.0 or ::), else the host itself.
func clientHost(host, wildcard string) string {
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return wildcard
	}
	return host
}
