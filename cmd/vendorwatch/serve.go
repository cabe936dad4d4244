package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
)

func cmdServe(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	cfg.dbFlag(fs)
	fs.StringVar(&cfg.HTTPAddr, "addr", cfg.HTTPAddr, "listen address")
	demo := fs.Bool("demo", false, "load a few demo vendors when the register is empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.checkJobs(); err != nil {
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

	auditKeys, err := loadAuditKeys(cfg, true, logger)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
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
	if *demo {
		n, err := loadDemo(bootCtx, a.svc.Vendors)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if n > 0 {
			logger.Info("demo vendors loaded", "count", n)
		}
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
	on, _ := cfg.schedulerOn()
	if err := startAuditSealer(cfg, a, bg.sched, auditKeys, on, logger); err != nil {
		return err
	}

	if cfg.DebugAddr != "" {
		if _, err := startDebug(ctx, cfg.DebugAddr, logger); err != nil {
			return err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.db.SQL(), "vendorwatch"))
	router, err := api.New(api.Deps{
		Services: a.svc, DB: a.db, Logger: logger, Registry: reg,
		TrustedProxies: cfg.TrustedProxies, MaxBodyBytes: cfg.MaxBodyBytes,
		RatePerKey: cfg.RatePerKey, RateBurst: cfg.RateBurst,
		MaxImportBytes: cfg.ImportMaxBytes,
		Reports:        reps,
		AuditPublicKey: auditKeys.Public,
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
	fmt.Fprintf(stdout, "Vendorwatch is listening on http://%s\n", ln.Addr())
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
