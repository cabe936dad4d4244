package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// JobRuns is the GORM store of job runs.
type JobRuns struct{ db *DB }

var _ jobrun.JobRunStore = (*JobRuns)(nil)

// NewJobRuns returns the job-run store on db.
func NewJobRuns(db *DB) *JobRuns { return &JobRuns{db: db} }

type jobRunRow struct {
	ID         string
	Job        string
	Slot       string
	Trigger    string
	Replica    string
	Status     string
	StartedAt  time.Time
	FinishedAt *time.Time
	Counts     string
	Error      string
}

func (jobRunRow) TableName() string { return "job_runs" }

func (r jobRunRow) toDomain() jobrun.JobRun {
	run := jobrun.JobRun{ID: r.ID, Job: r.Job, Slot: r.Slot, Trigger: r.Trigger, Replica: r.Replica,
		Status: jobrun.JobStatus(r.Status), StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt),
		Counts: map[string]int{}, Error: r.Error}
	_ = json.Unmarshal([]byte(r.Counts), &run.Counts) // written by Finish; a bad value reads as empty
	return run
}

func countsJSON(c map[string]int) string {
	if len(c) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(c) // a map of ints always marshals
	return string(b)
}

// Claim implements jobrun.JobRunStore: the unique (job, slot) index turns
// a second claim into ErrConflict.
func (s *JobRuns) Claim(ctx context.Context, run jobrun.JobRun) error {
	row := jobRunRow{ID: run.ID, Job: run.Job, Slot: run.Slot, Trigger: run.Trigger, Replica: run.Replica,
		Status: string(jobrun.JobRunning), StartedAt: run.StartedAt.UTC(), Counts: "{}"}
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Finish implements jobrun.JobRunStore.
func (s *JobRuns) Finish(ctx context.Context, run jobrun.JobRun) error {
	fin := run.FinishedAt
	if fin == nil {
		return domain.Invalid("finished_at", "is required")
	}
	res := s.db.conn(ctx).Model(&jobRunRow{}).Where("id = ? AND status = ?", run.ID, jobrun.JobRunning).
		Updates(map[string]any{"status": string(run.Status), "finished_at": fin.UTC(),
			"counts": countsJSON(run.Counts), "error": run.Error})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("running job run %s: %w", run.ID, domain.ErrNotFound)
	}
	return nil
}

// Abandon implements jobrun.JobRunStore.
func (s *JobRuns) Abandon(ctx context.Context, job string, cutoff, now time.Time) (int64, error) {
	res := s.db.conn(ctx).Model(&jobRunRow{}).
		Where("job = ? AND status = ? AND started_at < ?", job, jobrun.JobRunning, cutoff.UTC()).
		Updates(map[string]any{"status": string(jobrun.JobAbandoned), "finished_at": now.UTC(),
			"error": "abandoned: still running at " + cutoff.UTC().Format(time.RFC3339) + " past the job timeout (replica gone?)"})
	return res.RowsAffected, translate(res.Error)
}

// Get implements jobrun.JobRunStore.
func (s *JobRuns) Get(ctx context.Context, id string) (jobrun.JobRun, error) {
	var row jobRunRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return jobrun.JobRun{}, fmt.Errorf("job run %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// List implements jobrun.JobRunStore: newest first, keyset on the id
// (UUIDv7 ids sort by start).
func (s *JobRuns) List(ctx context.Context, f jobrun.JobRunFilter, p domain.PageRequest) (domain.Page[jobrun.JobRun], error) {
	q := s.db.conn(ctx)
	if f.Job != "" {
		q = q.Where("job = ?", f.Job)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[jobrun.JobRun]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []jobRunRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[jobrun.JobRun]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r jobRunRow) string { return r.ID }, jobRunRow.toDomain), nil
}

// RiskSnapshots is the store of daily risk snapshots.
type RiskSnapshots struct{ db *DB }

var _ register.RiskSnapshotStore = (*RiskSnapshots)(nil)

// NewRiskSnapshots returns the snapshot store on db.
func NewRiskSnapshots(db *DB) *RiskSnapshots { return &RiskSnapshots{db: db} }

// snapshotSQL copies every vendor's risk (inherent, and the residual the
// scan last stored) and its open findings by severity into risk_snapshots
// in one statement. Open means open or acknowledged (findingOpenSQL):
// accepted risks and resolved findings are not counted.
// "WHERE true" keeps SQLite from reading ON CONFLICT as a join
// constraint. %s are the dialect's typed placeholders.
const snapshotSQL = `INSERT INTO risk_snapshots (taken_on, vendor_id, risk_score, risk_tier, tier, residual_score,
    residual_tier, open_critical, open_high, open_medium, open_low, taken_at)
SELECT %s, v.id, v.risk_score, v.risk_tier, v.tier, v.residual_score, v.residual_tier,
    COALESCE(f.critical, 0), COALESCE(f.high, 0), COALESCE(f.medium, 0), COALESCE(f.low, 0), %s
FROM vendors v
LEFT JOIN (
    SELECT vendor_id,
        SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical,
        SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END) AS high,
        SUM(CASE WHEN severity = 'medium' THEN 1 ELSE 0 END) AS medium,
        SUM(CASE WHEN severity = 'low' THEN 1 ELSE 0 END) AS low
    FROM findings f
    WHERE ` + findingOpenSQL + `
    GROUP BY vendor_id
) f ON f.vendor_id = v.id
WHERE true
ON CONFLICT (taken_on, vendor_id) DO UPDATE SET
    risk_score = excluded.risk_score, risk_tier = excluded.risk_tier, tier = excluded.tier,
    residual_score = excluded.residual_score, residual_tier = excluded.residual_tier, open_critical = excluded.open_critical,
    open_high = excluded.open_high, open_medium = excluded.open_medium, open_low = excluded.open_low,
    taken_at = excluded.taken_at`

// Take implements register.RiskSnapshotStore.
func (s *RiskSnapshots) Take(ctx context.Context, day domain.Date, at time.Time) (int64, error) {
	dayP, atP := "?", "?"
	if s.db.dialect == Postgres {
		// Untyped parameters in a SELECT list would be text.
		dayP, atP = "CAST(? AS date)", "CAST(? AS timestamptz)"
	}
	res := s.db.conn(ctx).Exec(fmt.Sprintf(snapshotSQL, dayP, atP), sqlDate(day), at.UTC())
	return res.RowsAffected, translate(res.Error)
}

type snapshotRow struct {
	TakenOn       dateCol
	VendorID      string
	RiskScore     int
	RiskTier      string
	Tier          string
	ResidualScore *int
	ResidualTier  *string
	OpenCritical  int
	OpenHigh      int
	OpenMedium    int
	OpenLow       int
	TakenAt       time.Time
}

func (snapshotRow) TableName() string { return "risk_snapshots" }

// History implements register.RiskSnapshotStore.
func (s *RiskSnapshots) History(ctx context.Context, vendorID string, from, to domain.Date) ([]register.RiskSnapshot, error) {
	var rows []snapshotRow
	err := s.db.conn(ctx).Where("vendor_id = ? AND taken_on >= ? AND taken_on <= ?", vendorID, sqlDate(from), sqlDate(to)).
		Order("taken_on").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]register.RiskSnapshot, len(rows))
	for i, r := range rows {
		out[i] = register.RiskSnapshot{TakenOn: r.TakenOn.Date, VendorID: r.VendorID, RiskScore: r.RiskScore,
			RiskTier: register.Tier(r.RiskTier), Tier: register.Tier(r.Tier), Residual: r.ResidualScore,
			ResidualTier: register.Tier(deref(r.ResidualTier)),
			Open:         register.OpenFindings{Critical: r.OpenCritical, High: r.OpenHigh, Medium: r.OpenMedium, Low: r.OpenLow},
			TakenAt:      r.TakenAt.UTC()}
	}
	return out, nil
}
