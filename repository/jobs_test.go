package repository_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// insertFinding writes a findings row directly (the scan owns the real
// writes).
func insertFinding(t *testing.T, db *repository.DB, vendorID, severity, status string) {
	t.Helper()
	resolved, accepted := "NULL", ""
	if status == "resolved" {
		resolved = "'2026-11-01 00:00:00+00:00'"
	}
	if status == "risk_accepted" {
		accepted = ", accepted_reason, accepted_until, accepted_by"
	}
	vals := fmt.Sprintf("'%s', 'R-%s', '%s', '%s', 'vendor', '%s', '{}', '%s', '2026-11-01 00:00:00+00:00', '2026-11-01 00:00:00+00:00', 'run-1', %s, 1, '2026-11-01 00:00:00+00:00'",
		domain.NewID(), domain.NewID()[:8], severity, vendorID, domain.NewID(), status, resolved)
	if accepted != "" {
		vals += ", 'ok', '2027-01-01', 'key'"
	}
	q := "INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at, last_seen_at, last_seen_run, resolved_at, version, updated_at" +
		accepted + ") VALUES (" + vals + ")"
	if _, err := db.SQL().Exec(q); err != nil {
		t.Fatalf("insert finding: %v", err)
	}
}

func TestRiskSnapshots(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		store := repository.NewRiskSnapshots(db)
		crit := newVendor("Snap Critical", func(v *register.Vendor) {
			v.Criticality = register.CriticalityCritical
			v.MaxSensitivity, v.MaxRecords = 4, 5_000_000
		})
		if err := repository.NewVendors(db).Create(ctx, crit); err != nil {
			t.Fatal(err)
		}
		low := createVendor(t, db, "Snap Low")
		for _, f := range [][2]string{
			{"critical", "open"}, {"critical", "acknowledged"}, {"high", "open"}, {"medium", "open"},
			{"low", "open"}, {"low", "open"},
			{"critical", "resolved"}, {"high", "risk_accepted"}, // not counted
		} {
			insertFinding(t, db, crit.ID, f[0], f[1])
		}
		day1, _ := domain.ParseDate("2026-11-22")
		day2, _ := domain.ParseDate("2026-11-23")
		at := time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC)
		n, err := store.Take(ctx, day1, at)
		if err != nil || n != 2 {
			t.Fatalf("Take = %d, %v; want 2 vendors", n, err)
		}
		// Again the same day: replaced, not duplicated.
		if n, err := store.Take(ctx, day1, at.Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("second Take = %d, %v", n, err)
		}
		insertFinding(t, db, crit.ID, "high", "open")
		if _, err := store.Take(ctx, day2, at.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		h, err := store.History(ctx, crit.ID, day1, day2)
		if err != nil || len(h) != 2 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		want := register.OpenFindings{Critical: 2, High: 1, Medium: 1, Low: 2}
		if h[0].TakenOn != day1 || h[0].Open != want || h[0].RiskScore != crit.Risk.Score ||
			h[0].RiskTier != crit.Risk.Tier || h[0].Tier != crit.Tier() || h[0].Residual != nil || !h[0].TakenAt.Equal(at.Add(time.Hour)) {
			t.Errorf("day 1 = %+v, want open %+v, score %d tier %s", h[0], want, crit.Risk.Score, crit.Risk.Tier)
		}
		want.High = 2
		if h[1].TakenOn != day2 || h[1].Open != want {
			t.Errorf("day 2 = %+v", h[1])
		}
		hl, err := store.History(ctx, low.ID, day1, day1)
		if err != nil || len(hl) != 1 || hl[0].Open != (register.OpenFindings{}) {
			t.Errorf("low vendor history = %+v, %v", hl, err)
		}
		// Deleting a vendor takes its snapshots with it.
		if _, err := db.SQL().Exec("DELETE FROM vendors WHERE id = '" + low.ID + "'"); err != nil {
			t.Fatal(err)
		}
		var left int64
		if err := db.SQL().QueryRow("SELECT count(*) FROM risk_snapshots WHERE vendor_id = '" + low.ID + "'").Scan(&left); err != nil || left != 0 {
			t.Errorf("snapshots left after vendor delete: %d %v", left, err)
		}
	})
}

func TestJobRunsStore(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		s := repository.NewJobRuns(db)
		t1 := time.Date(2026, 11, 23, 13, 0, 0, 0, plus2)
		run := jobrun.JobRun{ID: domain.NewID(), Job: "scan", Slot: "2026-11-23T11:00:00Z", Trigger: jobrun.TriggerSchedule,
			Replica: "a", Status: jobrun.JobRunning, StartedAt: t1}
		if err := s.Claim(ctx, run); err != nil {
			t.Fatal(err)
		}
		dup := run
		dup.ID, dup.Replica = domain.NewID(), "b"
		if err := s.Claim(ctx, dup); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("second claim of the slot: %v, want conflict", err)
		}
		fin := t1.Add(time.Minute)
		run.Status, run.FinishedAt, run.Counts, run.Error = jobrun.JobFailed, &fin, map[string]int{"vendors": 3}, "boom"
		if err := s.Finish(ctx, run); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, run.ID)
		if err != nil || got.Status != jobrun.JobFailed || got.Counts["vendors"] != 3 || got.Error != "boom" || got.Replica != "a" {
			t.Fatalf("got %+v, %v", got, err)
		}
		checkUTC(t, "started_at", got.StartedAt, t1)
		checkUTC(t, "finished_at", *got.FinishedAt, fin)
		if err := s.Finish(ctx, run); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("finish twice: %v", err)
		}
		other := jobrun.JobRun{ID: domain.NewID(), Job: "snapshot", Slot: "manual:x", Trigger: jobrun.TriggerManual,
			Replica: "a", Status: jobrun.JobRunning, StartedAt: t1}
		if err := s.Claim(ctx, other); err != nil {
			t.Fatal(err)
		}
		page, err := s.List(ctx, jobrun.JobRunFilter{Job: "scan"}, domain.PageRequest{})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != run.ID {
			t.Errorf("filter by job: %+v %v", page, err)
		}
		page, err = s.List(ctx, jobrun.JobRunFilter{Status: jobrun.JobRunning}, domain.PageRequest{})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != other.ID {
			t.Errorf("filter by status: %+v %v", page, err)
		}
		page, err = s.List(ctx, jobrun.JobRunFilter{}, domain.PageRequest{Limit: 1})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != other.ID || page.Next == "" {
			t.Fatalf("page 1: %+v %v", page, err)
		}
		page, err = s.List(ctx, jobrun.JobRunFilter{}, domain.PageRequest{Limit: 1, After: page.Next})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != run.ID || page.Next != "" {
			t.Errorf("page 2: %+v %v", page, err)
		}
	})
}
