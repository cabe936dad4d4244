// Package jobs runs Vendorwatch's background work: the Scheduler (robfig/
// cron/v3) with its per-slot claim, which runs each scheduled tick on one
// replica only and records every run, and the Dispatcher, which delivers
// queued webhook events. Jobs call domain services, never HTTP handlers;
// SQL stays in the repository behind domain interfaces.
package jobs
