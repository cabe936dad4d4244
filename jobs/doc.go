// Package jobs will hold the scheduler (robfig/cron/v3), the per-slot
// claim that runs each tick on one replica only, and the run history. Jobs
// call domain services, never HTTP handlers. Nothing is scheduled yet: the
// compliance scanner arrives with its own issue.
package jobs
