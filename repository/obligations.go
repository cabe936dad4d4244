package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// Obligations is the GORM store of the deadlines incidents start for us.
type Obligations struct{ db *DB }

var _ incident.ObligationStore = (*Obligations)(nil)

// NewObligations returns the obligation store on db.
func NewObligations(db *DB) *Obligations { return &Obligations{db: db} }

type obligationRow struct {
	ID           string
	IncidentID   string
	RegimeID     string
	Regime       string
	Citation     string
	Recipient    string
	SourceStatus string
	Anchor       string
	AnchorAt     *time.Time
	DueAt        *time.Time
	DeadlineText string
	Title        string
	WorkingDueAt *time.Time
	WorkingText  string `gorm:"column:working_deadline_text"`
	Notes        string // JSON array
	Status       string
	Reason       string
	DoneAt       *time.Time
	Evidence     string
	SetBy        string
	Version      int64
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
}

func (obligationRow) TableName() string { return "obligations" }

var obligationColumns = []string{"regime", "citation", "recipient", "source_status", "anchor", "anchor_at", "due_at",
	"deadline_text", "title", "working_due_at", "working_deadline_text", "notes", "status", "reason", "done_at", "evidence", "set_by", "version", "updated_at"}

func toObligationRow(o incident.Obligation) obligationRow {
	return obligationRow{ID: o.ID, IncidentID: o.IncidentID, RegimeID: o.RegimeID, Regime: o.Regime, Citation: o.Citation,
		Recipient: o.Recipient, SourceStatus: o.SourceStatus, Anchor: o.Anchor, AnchorAt: utcPtr(o.AnchorAt),
		DueAt: utcPtr(o.DueAt), DeadlineText: o.DeadlineText, Title: o.Title, WorkingDueAt: utcPtr(o.WorkingDueAt),
		WorkingText: o.WorkingDeadlineText, Notes: jsonList(o.Notes), Status: string(o.Status),
		Reason: o.Reason, DoneAt: utcPtr(o.DoneAt), Evidence: o.Evidence, SetBy: o.SetBy, Version: o.Version,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
}

func (r obligationRow) toDomain() incident.Obligation {
	o := incident.Obligation{ID: r.ID, IncidentID: r.IncidentID, RegimeID: r.RegimeID, Regime: r.Regime, Citation: r.Citation,
		Recipient: r.Recipient, SourceStatus: r.SourceStatus, Anchor: r.Anchor, AnchorAt: utcPtr(r.AnchorAt),
		DueAt: utcPtr(r.DueAt), DeadlineText: r.DeadlineText, Title: r.Title, WorkingDueAt: utcPtr(r.WorkingDueAt),
		WorkingDeadlineText: r.WorkingText, Notes: []string{}, Status: incident.ObligationStatus(r.Status),
		Reason: r.Reason, DoneAt: utcPtr(r.DoneAt), Evidence: r.Evidence, SetBy: r.SetBy, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Notes), &o.Notes) // written by jsonList
	return o
}

// ListByIncident implements incident.ObligationStore.
func (s *Obligations) ListByIncident(ctx context.Context, incidentID string) ([]incident.Obligation, error) {
	var rows []obligationRow
	if err := s.db.conn(ctx).Where("incident_id = ?", incidentID).Order("regime_id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]incident.Obligation, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Get implements incident.ObligationStore.
func (s *Obligations) Get(ctx context.Context, id string) (incident.Obligation, error) {
	var row obligationRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return incident.Obligation{}, fmt.Errorf("obligation %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Insert implements incident.ObligationStore.
func (s *Obligations) Insert(ctx context.Context, o incident.Obligation) error {
	row := toObligationRow(o)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Update implements incident.ObligationStore.
func (s *Obligations) Update(ctx context.Context, o incident.Obligation, expectedVersion int64) error {
	row := toObligationRow(o)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&obligationRow{}).Where("id = ? AND version = ?", o.ID, expectedVersion).
		Select(obligationColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &obligationRow{}, "obligation", o.ID)
	}
	return nil
}
