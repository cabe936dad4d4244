package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// ReportRuns is the GORM store of report runs.
type ReportRuns struct{ db *DB }

var _ reporting.RunStore = (*ReportRuns)(nil)

// NewReportRuns returns the report-run store on db.
func NewReportRuns(db *DB) *ReportRuns { return &ReportRuns{db: db} }

type reportRunRow struct {
	ID          string
	Kind        string
	Filters     string // JSON object
	AsOf        time.Time
	Status      string
	SHA256      *string `gorm:"column:sha256"`
	Size        *int64
	FileName    string
	Error       string
	RequestedBy string
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

func (reportRunRow) TableName() string { return "report_runs" }

func toReportRunRow(r reporting.Run) reportRunRow {
	row := reportRunRow{ID: r.ID, Kind: string(r.Kind), Filters: jsonText(r.Filter), AsOf: r.AsOf.UTC(),
		Status: string(r.Status), SHA256: nullString(r.SHA256), FileName: r.FileName, Error: r.Error,
		RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt.UTC(), StartedAt: utcPtr(r.StartedAt),
		FinishedAt: utcPtr(r.FinishedAt)}
	if r.Status == reporting.RunDone {
		size := r.Size
		row.Size = &size
	}
	return row
}

func (r reportRunRow) toRun() reporting.Run {
	out := reporting.Run{ID: r.ID, Kind: reporting.Kind(r.Kind), AsOf: r.AsOf.UTC(), Status: reporting.RunStatus(r.Status),
		SHA256: deref(r.SHA256), FileName: r.FileName, Error: r.Error, RequestedBy: r.RequestedBy,
		CreatedAt: r.CreatedAt.UTC(), StartedAt: utcPtr(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt)}
	if r.Size != nil {
		out.Size = *r.Size
	}
	_ = json.Unmarshal([]byte(r.Filters), &out.Filter) // written by toReportRunRow
	return out
}

// Create implements reporting.RunStore.
func (s *ReportRuns) Create(ctx context.Context, r reporting.Run) error {
	row := toReportRunRow(r)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Update implements reporting.RunStore.
func (s *ReportRuns) Update(ctx context.Context, r reporting.Run) error {
	row := toReportRunRow(r)
	res := s.db.conn(ctx).Model(&reportRunRow{}).Where("id = ?", r.ID).
		Select("status", "sha256", "size", "file_name", "error", "started_at", "finished_at").Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("report %s: %w", r.ID, domain.ErrNotFound)
	}
	return nil
}

// Get implements reporting.RunStore.
func (s *ReportRuns) Get(ctx context.Context, id string) (reporting.Run, error) {
	var row reportRunRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return reporting.Run{}, fmt.Errorf("report %s: %w", id, translate(err))
	}
	return row.toRun(), nil
}

// List implements reporting.RunStore, newest first, keyed on (created_at, id).
func (s *ReportRuns) List(ctx context.Context, p domain.PageRequest) (domain.Page[reporting.Run], error) {
	q := s.db.conn(ctx).Model(&reportRunRow{})
	if p.After != "" {
		var c struct {
			At time.Time `json:"at"`
			ID string    `json:"id"`
		}
		if err := json.Unmarshal([]byte(p.After), &c); err != nil {
			return domain.Page[reporting.Run]{}, domain.Invalid("after", "is not a cursor of this list")
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", c.At.UTC(), c.At.UTC(), c.ID)
	}
	var rows []reportRunRow
	if err := q.Order("created_at DESC, id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[reporting.Run]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r reportRunRow) string {
		return jsonText(map[string]any{"at": r.CreatedAt.UTC(), "id": r.ID})
	}, reportRunRow.toRun), nil
}

// FailUnfinished implements reporting.RunStore.
func (s *ReportRuns) FailUnfinished(ctx context.Context, now time.Time, reason string) (int64, error) {
	res := s.db.conn(ctx).Model(&reportRunRow{}).Where("status IN ?", []string{"queued", "running"}).
		Updates(map[string]any{"status": "failed", "error": reason, "finished_at": now.UTC()})
	return res.RowsAffected, translate(res.Error)
}
