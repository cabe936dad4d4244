package jobrun

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// JobStatus is the state of one job run.
type JobStatus string

// Job run states. A run is running until it finishes; a run left running
// by a replica that died is marked abandoned by a later tick.
const (
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobAbandoned JobStatus = "abandoned"
)

// Valid reports whether s is a known status.
func (s JobStatus) Valid() bool {
	switch s {
	case JobRunning, JobSucceeded, JobFailed, JobAbandoned:
		return true
	}
	return false
}

// Job run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// JobRun is one execution of a background job. (Job, Slot) is unique: a
// scheduled slot is the activation time it belongs to (RFC 3339, UTC), a
// manual run's slot is "manual:<uuid>". The replica that inserted the row
// owns the slot; the others skip it.
type JobRun struct {
	ID         string         `json:"id"`
	Job        string         `json:"job"`
	Slot       string         `json:"slot"`
	Trigger    string         `json:"trigger"`
	Replica    string         `json:"replica"`
	Status     JobStatus      `json:"status"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at"`
	Counts     map[string]int `json:"counts"`
	Error      string         `json:"error"`
}

// JobRunFilter narrows a list of runs; zero fields do not filter.
type JobRunFilter struct {
	Job    string
	Status JobStatus
}

// JobRunStore records job runs and arbitrates slots between replicas.
type JobRunStore interface {
	// Claim inserts run (status running). Returns ErrConflict when the
	// (job, slot) pair is taken: another replica owns the slot.
	Claim(ctx context.Context, run JobRun) error
	// Finish records the outcome of a running run. Returns ErrNotFound if
	// no running run has that id (it was marked abandoned meanwhile).
	Finish(ctx context.Context, run JobRun) error
	// Abandon marks the runs of job still running that started before
	// cutoff as abandoned at now, and returns how many it marked.
	Abandon(ctx context.Context, job string, cutoff, now time.Time) (int64, error)
	// Get returns one run. Returns ErrNotFound.
	Get(ctx context.Context, id string) (JobRun, error)
	// List returns runs newest first.
	List(ctx context.Context, f JobRunFilter, p domain.PageRequest) (domain.Page[JobRun], error)
}

// JobRunner runs registered jobs on demand (the jobs.Scheduler).
type JobRunner interface {
	// Trigger starts job name now, in the background, and returns its run
	// (status running). Returns ErrNotFound for an unknown job and
	// ErrConflict when the job is already running on this replica.
	Trigger(ctx context.Context, name string) (JobRun, error)
}

// JobService lists job runs and triggers jobs.
type JobService struct {
	Runs JobRunStore
	// Runner is set by the program once the scheduler exists; without one
	// no job is known.
	Runner JobRunner
}

// List returns runs newest first.
func (s *JobService) List(ctx context.Context, f JobRunFilter, p domain.PageRequest) (domain.Page[JobRun], error) {
	if f.Status != "" && !f.Status.Valid() {
		return domain.Page[JobRun]{}, domain.Invalid("status", "must be one of running, succeeded, failed, abandoned")
	}
	return s.Runs.List(ctx, f, p)
}

// Get returns one run.
func (s *JobService) Get(ctx context.Context, id string) (JobRun, error) {
	return domain.Lookup(ctx, "job run", id, s.Runs.Get)
}

// Trigger starts a job now. Returns ErrNotFound for an unknown job.
func (s *JobService) Trigger(ctx context.Context, name string) (JobRun, error) {
	if s.Runner == nil {
		return JobRun{}, fmt.Errorf("job %q: %w", name, domain.ErrNotFound)
	}
	return s.Runner.Trigger(ctx, name)
}
