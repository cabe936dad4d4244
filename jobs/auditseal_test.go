package jobs_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestCheckpointFile(t *testing.T) {
	keys := repotest.AuditKeys(t)
	file := jobs.CheckpointFile{Path: filepath.Join(t.TempDir(), "checkpoints.jsonl"), Clock: domain.SystemClock{}}
	if _, ok, err := file.Last(keys.Verifier); ok || err != nil {
		t.Fatalf("Last of a missing file = %v, %v; want nothing", ok, err)
	}
	var signed []auditlog.Signed
	for size := int64(1); size <= 3; size++ {
		s, err := auditlog.Sign(auditlog.Checkpoint{Origin: auditlog.Origin, Size: size, Root: tlog.RecordHash([]byte{byte(size)})}, keys.Signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := file.Append(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		signed = append(signed, s)
	}
	raw, err := os.ReadFile(file.Path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i, line := range lines {
		var e auditlog.FileEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Note != signed[i].Note || e.Size != int64(i+1) {
			t.Errorf("line %d = %s (%v)", i+1, line, err)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3: each checkpoint appended", len(lines))
	}
	last, ok, err := file.Last(keys.Verifier)
	if err != nil || !ok || last.Size != 3 {
		t.Errorf("Last = %+v, %v, %v; want the checkpoint of size 3", last.Checkpoint, ok, err)
	}
	// A line cut short by a crash is passed over.
	f, err := os.OpenFile(file.Path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"at":"2026-12-01T00:00:00Z","size":4,"no`)
	_ = f.Close()
	if last, ok, err := file.Last(keys.Verifier); err != nil || !ok || last.Size != 3 {
		t.Errorf("Last after a torn line = %+v, %v, %v; want size 3", last.Checkpoint, ok, err)
	}
	// A checkpoint file of another key is not trusted.
	if _, _, err := file.Last(repotest.AuditKeys(t).Verifier); err == nil {
		t.Error("Last accepted a checkpoint signed by another key")
	}
}

// The sealer job seals as events commit, and when the scheduler stops it
// seals once more and returns at once rather than at the end of its
// minute.
func TestAuditSealJobSealsAndStopsWithTheScheduler(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repotest.AuditKeys(t)
		sealer := repotest.Sealer(db, keys)
		sched := jobs.New(repository.NewJobRuns(db), jobs.Options{})
		if err := sched.Add(jobs.JobAuditSeal, "", jobs.AuditSealJob(sealer, 20*time.Millisecond, sched.Stopping())); err != nil {
			t.Fatal(err)
		}
		write := func(name string) {
			t.Helper()
			err := db.WithinTx(ctx, func(ctx context.Context) error {
				_, err := repository.NewAudit(db).Append(ctx, domain.AuditEvent{ID: domain.NewID(), At: time.Now(),
					Action: "vendor.create", Entity: "vendor", EntityID: name})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		run, err := sched.Trigger(ctx, jobs.JobAuditSeal)
		if err != nil {
			t.Fatal(err)
		}
		write("first")
		log := repository.NewAuditLog(db)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if head, err := log.Head(ctx); err == nil && head.Size == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first event was not sealed within 10s")
			}
		}
		write("second")
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		start := time.Now()
		if err := sched.Stop(stopCtx); err != nil {
			t.Fatalf("Stop: %v (the sealer did not return when the scheduler stopped)", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Stop took %s", d)
		}
		if head, err := log.Head(ctx); err != nil || head.Size != 2 {
			t.Errorf("head after stop = %+v, %v; want the second event sealed by the final round", head, err)
		}
		got, err := repository.NewJobRuns(db).Get(ctx, run.ID)
		if err != nil || got.Status != jobrun.JobSucceeded || got.Counts["sealed"] != 2 {
			t.Errorf("run = %+v, %v; want succeeded with 2 sealed", got, err)
		}
	})
}
