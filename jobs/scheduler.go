package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
)

// Func is the body of a job. It returns counts for the run record (e.g.
// {"vendors": 120}) and should stop early when ctx is cancelled.
type Func func(ctx context.Context) (counts map[string]int, err error)

// Options tune a Scheduler.
type Options struct {
	// Replica names this process in run records; default
	// hostname-pid-random.
	Replica string
	// Clock stamps run records; default domain.SystemClock.
	Clock domain.Clock
	// Logger receives run outcomes; nil discards them.
	Logger *slog.Logger
	// Timeout bounds one run (its context is cancelled then); a run still
	// recorded as running after Timeout plus a minute is marked abandoned
	// by the next tick of its job. Default 1 hour.
	Timeout time.Duration
	// Seconds makes specs take a leading seconds field (tests).
	Seconds bool
}

// Scheduler runs registered jobs on their cron schedules and on demand.
// Across replicas each scheduled slot runs once: the replica whose insert
// of the (job, slot) run row succeeds runs it, the others skip.
type Scheduler struct {
	runs    jobrun.JobRunStore
	clock   domain.Clock
	log     *slog.Logger
	replica string
	timeout time.Duration
	parser  cron.Parser
	cron    *cron.Cron
	jobs    map[string]*job

	ctx     context.Context // parent of every run; cancelled by Stop when its grace expires
	cancel  context.CancelFunc
	manual  sync.WaitGroup
	halt    chan struct{} // closed when Stop begins
	mu      sync.Mutex
	started bool
	stopped bool
}

type job struct {
	name  string
	spec  string
	sched cron.Schedule
	fn    Func
	busy  atomic.Bool // a run of this job is executing on this replica
}

var _ jobrun.JobRunner = (*Scheduler)(nil)

// standardParser reads five-field specs and descriptors (@hourly...).
var standardParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// secondsParser reads six-field specs with leading seconds.
var secondsParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ValidateSpec checks a five-field cron spec (or @hourly, @daily, @every
// 10m...). Time-zone prefixes are refused: schedules run in UTC, and
// robfig/cron panics on some malformed CRON_TZ= specs.
func ValidateSpec(spec string) error {
	_, err := parseSpec(standardParser, spec)
	return err
}

func parseSpec(p cron.Parser, spec string) (cron.Schedule, error) {
	if len(spec) >= 3 && (spec[:3] == "TZ=" || (len(spec) >= 8 && spec[:8] == "CRON_TZ=")) {
		return nil, fmt.Errorf("cron spec %q: time-zone prefixes are not supported; schedules run in UTC", spec)
	}
	s, err := p.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return s, nil
}

// NewReplicaID returns hostname-pid-random, unique per process.
func NewReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// New returns a scheduler recording runs in runs. Register jobs with Add,
// then Start.
func New(runs jobrun.JobRunStore, o Options) *Scheduler {
	if o.Replica == "" {
		o.Replica = NewReplicaID()
	}
	if o.Clock == nil {
		o.Clock = domain.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Hour
	}
	p := standardParser
	if o.Seconds {
		p = secondsParser
	}
	cl := cronLogger{o.Logger}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		runs: runs, clock: o.Clock, log: o.Logger, replica: o.Replica, timeout: o.Timeout, parser: p,
		cron: cron.New(cron.WithLocation(time.UTC), cron.WithParser(p), cron.WithLogger(cl),
			cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl))),
		jobs: map[string]*job{}, ctx: ctx, cancel: cancel, halt: make(chan struct{}),
	}
}

// Replica is the id this scheduler records in its runs.
func (s *Scheduler) Replica() string { return s.replica }

// Add registers a job. An empty spec registers it for manual runs only.
// Returns an error for a bad spec or a duplicate name.
func (s *Scheduler) Add(name, spec string, fn Func) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" || fn == nil {
		return errors.New("jobs: a job needs a name and a function")
	}
	if _, dup := s.jobs[name]; dup {
		return fmt.Errorf("jobs: job %q registered twice", name)
	}
	j := &job{name: name, spec: spec, fn: fn}
	if spec != "" {
		sched, err := parseSpec(s.parser, spec)
		if err != nil {
			return fmt.Errorf("job %s: %w", name, err)
		}
		j.sched = sched
		s.cron.Schedule(sched, cron.FuncJob(func() { s.tick(j) }))
	}
	s.jobs[name] = j
	return nil
}

// Jobs returns the registered job names, sorted.
func (s *Scheduler) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.jobs))
	for n := range s.jobs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Stopping is closed when Stop begins: a job that would otherwise run on
// (a loop until its slot ends) returns then, without waiting for its
// context to be cancelled at the end of the grace period.
func (s *Scheduler) Stopping() <-chan struct{} { return s.halt }

// Start starts the cron loop in the background.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	s.cron.Start()
}

// Stop stops scheduling, then waits for running jobs until ctx ends; at
// that point it cancels their context and waits a few seconds more for
// them to record their outcome. It returns ctx's error if jobs had to be
// cancelled.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopped {
		close(s.halt)
	}
	s.stopped = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		<-s.cron.Stop().Done() // scheduled runs in flight
		s.manual.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
	}
	s.cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.log.Warn("jobs still running after shutdown was cancelled")
	}
	return ctx.Err()
}

// tick is one cron activation of j.
func (s *Scheduler) tick(j *job) {
	slot := slotOf(j.sched, time.Now())
	if _, _, err := s.RunSlot(s.ctx, j.name, slot); err != nil {
		s.log.Error("job tick", "job", j.name, "slot", slot.Format(time.RFC3339), "error", err.Error())
	}
}

// maxLag is how late after its activation a tick may fire and still be
// attributed to that activation.
const maxLag = time.Minute

// slotOf returns the latest activation of sched at or before now: the
// scheduled time of the tick that fires at now (robfig fires a little
// after the activation).
func slotOf(sched cron.Schedule, now time.Time) time.Time {
	now = now.UTC()
	t := sched.Next(now.Add(-maxLag))
	if t.After(now) {
		return now.Truncate(time.Second)
	}
	for {
		n := sched.Next(t)
		if n.After(now) {
			return t.UTC()
		}
		t = n
	}
}

// SlotKey renders a scheduled slot as stored in job_runs.slot.
func SlotKey(slot time.Time) string { return slot.UTC().Format(time.RFC3339) }

// RunSlot claims (job, slot) and, when the claim succeeds, runs the job
// synchronously and records the outcome. ran is false when another
// replica (or an earlier call) owns the slot, or the job is still running
// here. Cron ticks call it; tests call it with fixed slots.
func (s *Scheduler) RunSlot(ctx context.Context, name string, slot time.Time) (run jobrun.JobRun, ran bool, err error) {
	j, err := s.job(name)
	if err != nil {
		return jobrun.JobRun{}, false, err
	}
	now := s.clock.Now()
	// A run left running by a replica that died is marked abandoned.
	if n, err := s.runs.Abandon(ctx, name, now.Add(-s.timeout-time.Minute), now); err != nil {
		s.log.Warn("mark abandoned runs", "job", name, "error", err.Error())
	} else if n > 0 {
		s.log.Warn("job runs abandoned", "job", name, "count", n)
	}
	if !j.busy.CompareAndSwap(false, true) {
		s.log.Info("job still running here; tick skipped", "job", name, "slot", SlotKey(slot))
		return jobrun.JobRun{}, false, nil
	}
	defer j.busy.Store(false)
	run = jobrun.JobRun{ID: domain.NewID(), Job: name, Slot: SlotKey(slot), Trigger: jobrun.TriggerSchedule,
		Replica: s.replica, Status: jobrun.JobRunning, StartedAt: now}
	switch err := s.runs.Claim(ctx, run); {
	case errors.Is(err, domain.ErrConflict):
		s.log.Debug("slot owned by another replica", "job", name, "slot", run.Slot)
		return jobrun.JobRun{}, false, nil
	case err != nil:
		return jobrun.JobRun{}, false, fmt.Errorf("claim %s %s: %w", name, run.Slot, err)
	}
	return s.execute(ctx, j, run), true, nil
}

// Trigger implements jobrun.JobRunner: a manual run in the background,
// with slot "manual:<uuid>" so it never collides with a scheduled slot.
func (s *Scheduler) Trigger(ctx context.Context, name string) (jobrun.JobRun, error) {
	j, err := s.job(name)
	if err != nil {
		return jobrun.JobRun{}, err
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return jobrun.JobRun{}, fmt.Errorf("scheduler is shutting down: %w", domain.ErrUnavailable)
	}
	s.manual.Add(1)
	s.mu.Unlock()
	if !j.busy.CompareAndSwap(false, true) {
		s.manual.Done()
		return jobrun.JobRun{}, &domain.ConflictError{Field: "name", Message: "job " + name + " is already running"}
	}
	id := domain.NewID()
	run := jobrun.JobRun{ID: id, Job: name, Slot: "manual:" + id, Trigger: jobrun.TriggerManual,
		Replica: s.replica, Status: jobrun.JobRunning, StartedAt: s.clock.Now(), Counts: map[string]int{}}
	if err := s.runs.Claim(ctx, run); err != nil {
		j.busy.Store(false)
		s.manual.Done()
		return jobrun.JobRun{}, fmt.Errorf("record manual run of %s: %w", name, err)
	}
	go func() {
		defer s.manual.Done()
		defer j.busy.Store(false)
		s.execute(s.ctx, j, run)
	}()
	return run, nil
}

func (s *Scheduler) job(name string) (*job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[name]
	if !ok {
		return nil, fmt.Errorf("job %q: %w", name, domain.ErrNotFound)
	}
	return j, nil
}

// execute runs a claimed run and records how it ended. A panic is
// recorded as a failure.
func (s *Scheduler) execute(ctx context.Context, j *job, run jobrun.JobRun) jobrun.JobRun {
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	counts, err := s.call(rctx, j)
	fin := s.clock.Now()
	run.FinishedAt, run.Counts, run.Status = &fin, counts, jobrun.JobSucceeded
	if run.Counts == nil {
		run.Counts = map[string]int{}
	}
	if err != nil {
		run.Status, run.Error = jobrun.JobFailed, err.Error()
	}
	// Record even when ctx was cancelled by shutdown.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	if ferr := s.runs.Finish(wctx, run); ferr != nil {
		s.log.Error("record job run", "job", j.name, "run", run.ID, "error", ferr.Error())
	}
	attrs := []any{"job", j.name, "slot", run.Slot, "run", run.ID, "status", string(run.Status),
		"duration", fin.Sub(run.StartedAt).String(), "counts", run.Counts}
	if err != nil {
		s.log.Error("job failed", append(attrs, "error", err.Error())...)
	} else {
		s.log.Info("job done", attrs...)
	}
	return run
}

// call runs the job, turning a panic into an error (the stack goes to
// the log, not into the run record).
func (s *Scheduler) call(ctx context.Context, j *job) (counts map[string]int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			s.log.Error("job panicked", "job", j.name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	return j.fn(ctx)
}

// cronLogger adapts slog to robfig's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err.Error())...)
}
