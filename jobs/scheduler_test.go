package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// replicas opens n pools on one fresh database of dialect d: n replicas
// sharing one database.
func replicas(t *testing.T, d repository.Dialect, n int) []*repository.DB {
	t.Helper()
	url := repotest.URL(t, d)
	var dbs []*repository.DB
	for range n {
		db, err := repository.Open(context.Background(), url, repository.Options{MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}

// eachDialect runs fn on SQLite and, when configured, PostgreSQL.
func eachDialect(t *testing.T, fn func(t *testing.T, d repository.Dialect)) {
	for _, d := range []repository.Dialect{repository.SQLite, repository.Postgres} {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

func allRuns(t *testing.T, db *repository.DB, job string) []jobrun.JobRun {
	t.Helper()
	var out []jobrun.JobRun
	p := domain.PageRequest{Limit: 500}
	for {
		page, err := repository.NewJobRuns(db).List(context.Background(), jobrun.JobRunFilter{Job: job}, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		p.After = page.Next
	}
}

func stop(t *testing.T, s *jobs.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// Two replicas claim the same fixed slots at the same moment: each slot
// runs once, on one of them.
func TestTwoSchedulersFixedSlots(t *testing.T) {
	eachDialect(t, func(t *testing.T, d repository.Dialect) {
		dbs := replicas(t, d, 2)
		var mu sync.Mutex
		bodies := map[string]int{} // slot -> body executions
		var scheds []*jobs.Scheduler
		for i, db := range dbs {
			s := jobs.New(repository.NewJobRuns(db), jobs.Options{Replica: fmt.Sprintf("replica-%d", i)})
			err := s.Add("tick", "* * * * *", func(ctx context.Context) (map[string]int, error) {
				time.Sleep(5 * time.Millisecond)
				return map[string]int{"n": 1}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			scheds = append(scheds, s)
		}
		base := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
		const slots = 12
		for i := range slots {
			slot := base.Add(time.Duration(i) * time.Minute)
			var wg sync.WaitGroup
			for _, s := range scheds {
				wg.Go(func() {
					run, ran, err := s.RunSlot(context.Background(), "tick", slot)
					if err != nil {
						t.Errorf("%s: %v", jobs.SlotKey(slot), err)
					}
					if ran {
						mu.Lock()
						bodies[run.Slot]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
		}
		runs := allRuns(t, dbs[0], "tick")
		if len(runs) != slots {
			t.Fatalf("%d run rows, want %d", len(runs), slots)
		}
		perSlot := map[string]int{}
		replicasSeen := map[string]bool{}
		for _, r := range runs {
			perSlot[r.Slot]++
			replicasSeen[r.Replica] = true
			if r.Status != jobrun.JobSucceeded || r.FinishedAt == nil || r.Counts["n"] != 1 || r.Trigger != jobrun.TriggerSchedule {
				t.Errorf("run %+v", r)
			}
		}
		for i := range slots {
			k := jobs.SlotKey(base.Add(time.Duration(i) * time.Minute))
			if perSlot[k] != 1 || bodies[k] != 1 {
				t.Errorf("slot %s: %d rows, body ran %d times; want 1 and 1", k, perSlot[k], bodies[k])
			}
		}
		t.Logf("%s: replicas that won slots: %v", d, replicasSeen)
		// The same slot again, on either replica: skipped.
		if _, ran, err := scheds[1].RunSlot(context.Background(), "tick", base); err != nil || ran {
			t.Errorf("rerun of an owned slot: ran=%v err=%v", ran, err)
		}
	})
}

// Two schedulers with a real cron loop firing every second against one
// database: every slot has exactly one row and the body ran once per row.
func TestTwoSchedulersCron(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real cron ticks for a few seconds")
	}
	eachDialect(t, func(t *testing.T, d repository.Dialect) {
		dbs := replicas(t, d, 2)
		var bodies atomic.Int64
		var scheds []*jobs.Scheduler
		for i, db := range dbs {
			s := jobs.New(repository.NewJobRuns(db), jobs.Options{Replica: fmt.Sprintf("r%d", i), Seconds: true})
			if err := s.Add("fast", "* * * * * *", func(context.Context) (map[string]int, error) {
				bodies.Add(1)
				return nil, nil
			}); err != nil {
				t.Fatal(err)
			}
			scheds = append(scheds, s)
		}
		for _, s := range scheds {
			s.Start()
		}
		time.Sleep(3500 * time.Millisecond)
		for _, s := range scheds {
			stop(t, s)
		}
		runs := allRuns(t, dbs[0], "fast")
		if len(runs) < 2 {
			t.Fatalf("only %d runs in 3.5s of a per-second schedule", len(runs))
		}
		seen := map[string]int{}
		for _, r := range runs {
			seen[r.Slot]++
			if r.Status != jobrun.JobSucceeded {
				t.Errorf("run %+v", r)
			}
		}
		for slot, n := range seen {
			if n != 1 {
				t.Errorf("slot %s has %d rows", slot, n)
			}
		}
		if got := bodies.Load(); got != int64(len(runs)) {
			t.Errorf("body ran %d times for %d slots", got, len(runs))
		}
	})
}

func TestPanicIsRecordedAndSchedulingGoesOn(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real cron ticks")
	}
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		s := jobs.New(repository.NewJobRuns(db), jobs.Options{Seconds: true})
		var calls atomic.Int64
		if err := s.Add("boom", "* * * * * *", func(context.Context) (map[string]int, error) {
			calls.Add(1)
			panic("kaboom")
		}); err != nil {
			t.Fatal(err)
		}
		// Fixed slot first: recorded as failed with the panic.
		run, ran, err := s.RunSlot(context.Background(), "boom", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || !ran || run.Status != jobrun.JobFailed || !strings.Contains(run.Error, "kaboom") {
			t.Fatalf("panicking run = %+v ran=%v err=%v", run, ran, err)
		}
		s.Start()
		time.Sleep(2500 * time.Millisecond)
		stop(t, s)
		runs := allRuns(t, db, "boom")
		if len(runs) < 3 {
			t.Fatalf("%d runs: the scheduler stopped after a panic", len(runs))
		}
		for _, r := range runs {
			if r.Status != jobrun.JobFailed || !strings.Contains(r.Error, "panic: kaboom") || r.FinishedAt == nil {
				t.Errorf("run %+v", r)
			}
		}
		if calls.Load() != int64(len(runs)) {
			t.Errorf("%d calls, %d runs", calls.Load(), len(runs))
		}
	})
}

func TestSkipIfStillRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real cron ticks")
	}
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		s := jobs.New(repository.NewJobRuns(db), jobs.Options{Seconds: true})
		release := make(chan struct{})
		var calls atomic.Int64
		if err := s.Add("slow", "* * * * * *", func(ctx context.Context) (map[string]int, error) {
			calls.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return map[string]int{"done": 1}, nil
		}); err != nil {
			t.Fatal(err)
		}
		s.Start()
		time.Sleep(3200 * time.Millisecond) // three ticks or more while the first run blocks
		close(release)
		stop(t, s)
		runs := allRuns(t, db, "slow")
		if calls.Load() != 1 || len(runs) != 1 {
			t.Fatalf("calls=%d runs=%d; want one run while the first was still going", calls.Load(), len(runs))
		}
		if runs[0].Status != jobrun.JobSucceeded || runs[0].Counts["done"] != 1 {
			t.Errorf("run %+v", runs[0])
		}
	})
}

func TestManualTriggerAndAbandon(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		store := repository.NewJobRuns(db)
		clock := &fakeClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		s := jobs.New(store, jobs.Options{Clock: clock, Timeout: 10 * time.Minute, Replica: "me"})
		release := make(chan struct{})
		if err := s.Add("manual", "", func(ctx context.Context) (map[string]int, error) {
			<-release
			return map[string]int{"x": 2}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.Add("manual", "", nil); err == nil {
			t.Error("duplicate job accepted")
		}
		if _, err := s.Trigger(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("unknown job: %v", err)
		}
		run, err := s.Trigger(ctx, "manual")
		if err != nil || run.Status != jobrun.JobRunning || !strings.HasPrefix(run.Slot, "manual:") || run.Trigger != jobrun.TriggerManual {
			t.Fatalf("trigger = %+v, %v", run, err)
		}
		if _, err := s.Trigger(ctx, "manual"); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("second trigger while running: %v", err)
		}
		close(release)
		waitFor(t, func() bool {
			r, err := store.Get(ctx, run.ID)
			return err == nil && r.Status == jobrun.JobSucceeded && r.Counts["x"] == 2
		})

		// A run left running by a dead replica is abandoned by the next tick.
		dead := jobrun.JobRun{ID: domain.NewID(), Job: "manual", Slot: "2026-11-23T10:00:00Z", Trigger: jobrun.TriggerSchedule,
			Replica: "dead", Status: jobrun.JobRunning, StartedAt: clock.Now().Add(-time.Hour)}
		if err := store.Claim(ctx, dead); err != nil {
			t.Fatal(err)
		}
		fresh := jobrun.JobRun{ID: domain.NewID(), Job: "manual", Slot: "2026-11-23T11:59:00Z", Trigger: jobrun.TriggerSchedule,
			Replica: "alive", Status: jobrun.JobRunning, StartedAt: clock.Now().Add(-time.Minute)}
		if err := store.Claim(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if _, ran, err := s.RunSlot(ctx, "manual", clock.Now()); err != nil || !ran {
			t.Fatalf("tick: ran=%v err=%v", ran, err)
		}
		if r, _ := store.Get(ctx, dead.ID); r.Status != jobrun.JobAbandoned || r.FinishedAt == nil || r.Error == "" {
			t.Errorf("dead run = %+v, want abandoned", r)
		}
		if r, _ := store.Get(ctx, fresh.ID); r.Status != jobrun.JobRunning {
			t.Errorf("recent run = %+v, want still running", r)
		}
		// Finishing a run that was abandoned meanwhile is refused.
		now := clock.Now()
		dead.Status, dead.FinishedAt = jobrun.JobSucceeded, &now
		if err := store.Finish(ctx, dead); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("finish abandoned run: %v", err)
		}
		stop(t, s)
		if _, err := s.Trigger(ctx, "manual"); !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("trigger after stop: %v", err)
		}
	})
}

// fakeClock is pinned and moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
