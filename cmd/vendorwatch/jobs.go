package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
)

// schedulerOn reads VW_SCHEDULER.
func (c config) schedulerOn() (bool, error) {
	switch strings.ToLower(strings.TrimSpace(c.Scheduler)) {
	case "", "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("VW_SCHEDULER: %q is neither on nor off", c.Scheduler)
}

// reportSchedule is the cron spec of the scheduled audit report, "" when
// VW_REPORT_SCHEDULE is off.
func (c config) reportSchedule() string {
	spec := strings.TrimSpace(c.ReportSchedule)
	if strings.EqualFold(spec, "off") {
		return ""
	}
	return spec
}

// checkJobs validates the job and webhook settings, so serve refuses to
// start on a bad one.
func (c config) checkJobs() error {
	if _, err := c.schedulerOn(); err != nil {
		return err
	}
	var errs []error
	for _, s := range []struct{ name, spec, or string }{
		{"VW_SCAN_SCHEDULE", c.ScanSchedule, ""}, {"VW_SNAPSHOT_SCHEDULE", c.SnapshotSchedule, ""},
		{"VW_REPORT_SCHEDULE", c.reportSchedule(), ", or off"},
	} {
		if s.spec == "" && s.or != "" {
			continue // VW_REPORT_SCHEDULE=off
		}
		if err := jobs.ValidateSpec(s.spec); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w (expected five fields: minute hour day-of-month month day-of-week, in UTC, e.g. \"0 * * * *\"%s)", s.name, err, s.or))
		}
	}
	if c.WebhookMaxAttempts < 1 || c.WebhookMaxAttempts > 50 {
		errs = append(errs, fmt.Errorf("VW_WEBHOOK_MAX_ATTEMPTS: %d is not between 1 and 50", c.WebhookMaxAttempts))
	}
	if c.JobTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("VW_JOB_TIMEOUT: %s is shorter than a minute", c.JobTimeout))
	}
	return errors.Join(errs...)
}

// background is the scheduler and the webhook dispatcher of serve.
type background struct {
	sched *jobs.Scheduler
	disp  *jobs.Dispatcher
	log   *slog.Logger
	// sealer, when this replica seals the audit log, seals once more
	// after the scheduler has stopped: what was written since its last
	// round (between two runs of the job, say) is sealed before exit.
	sealer *auditlog.Sealer
}

// startJobs registers the jobs, hands the scheduler to the job service
// (manual runs work even with the schedule off), and starts the
// scheduler (unless VW_SCHEDULER=off) and the webhook dispatcher.
func startJobs(cfg config, a *app, logger *slog.Logger) (*background, error) {
	if err := cfg.checkJobs(); err != nil {
		return nil, err
	}
	on, _ := cfg.schedulerOn()
	sched := jobs.New(repository.NewJobRuns(a.db), jobs.Options{Logger: logger.With("component", "scheduler"),
		Timeout: cfg.JobTimeout})
	if err := jobs.RegisterBuiltins(sched, a.svc, jobs.Schedules{Scan: cfg.ScanSchedule, Snapshot: cfg.SnapshotSchedule}); err != nil {
		return nil, err
	}
	a.svc.Jobs.Runner = sched
	if on {
		sched.Start()
	}
	logger.Info("scheduler", "enabled", on, "replica", sched.Replica(), "scan", cfg.ScanSchedule,
		"risk_snapshot", cfg.SnapshotSchedule)
	disp := jobs.NewDispatcher(repository.NewWebhooks(a.db), jobs.DispatcherOptions{
		Logger: logger.With("component", "webhooks"), MaxAttempts: cfg.WebhookMaxAttempts,
		BackoffBase: cfg.WebhookBackoff, Timeout: cfg.WebhookTimeout, AllowPrivate: cfg.WebhookAllowPrivate,
	})
	disp.Start()
	return &background{sched: sched, disp: disp, log: logger}, nil
}

// Stop stops the scheduler (waiting for running jobs) and the dispatcher,
// within timeout; serve calls it after HTTP and before the database.
func (b *background) Stop(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := b.sched.Stop(ctx); err != nil {
		b.log.Warn("scheduler stopped before its jobs finished", "error", err.Error())
	}
	if b.sealer != nil {
		if _, err := b.sealer.Seal(ctx); err != nil {
			b.log.Warn("audit log: the last seal before exit failed", "error", err.Error())
		}
	}
	if err := b.disp.Stop(ctx); err != nil {
		b.log.Warn("webhook dispatcher stopped with deliveries in flight", "error", err.Error())
	}
}
