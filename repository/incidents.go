package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// Incidents is the GORM store of vendor incidents and their timelines.
type Incidents struct{ db *DB }

var _ incident.IncidentStore = (*Incidents)(nil)

// NewIncidents returns the incident store on db.
func NewIncidents(db *DB) *Incidents { return &Incidents{db: db} }

type incidentRow struct {
	ID                      string
	VendorID                string
	ReportedByVendorID      *string
	Title                   string
	Description             string
	Status                  string
	ExposureStart           *time.Time
	ExposureEnd             *time.Time
	VendorDiscoveredAt      time.Time
	VendorNotifiedUsAt      *time.Time
	WeLearnedAt             time.Time
	LearnedVia              string
	Categories              string // JSON array
	RecordsAffected         int64
	RecordsEstimated        bool
	Jurisdictions           string // JSON array
	Residents               string // JSON object
	MaterialityDeterminedAt *time.Time
	VendorIsAgent           bool
	NoticeEvidence          *string // JSON object
	NoticeContractID        *string
	NoticeClauseID          *string
	NoticeDueAt             *time.Time
	LawNoticeDueAt          *time.Time
	LawNoticeRegimeID       string
	Version                 int64
	CreatedBy               string
	CreatedAt               time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt               time.Time `gorm:"autoUpdateTime:false"`
}

func (incidentRow) TableName() string { return "incidents" }

var incidentColumns = []string{
	"title", "description", "status", "exposure_start", "exposure_end", "vendor_discovered_at", "vendor_notified_us_at",
	"we_learned_at", "learned_via", "categories", "records_affected", "records_estimated", "jurisdictions", "residents",
	"materiality_determined_at", "vendor_is_agent", "notice_evidence", "notice_contract_id", "notice_clause_id",
	"notice_due_at", "law_notice_due_at", "law_notice_regime_id", "version", "updated_at",
}

func toIncidentRow(i incident.Incident) incidentRow {
	residents, _ := json.Marshal(nonNilMap(i.Residents)) // a string->int64 map always marshals
	r := incidentRow{
		ID: i.ID, VendorID: i.VendorID, ReportedByVendorID: nullString(i.ReportedByVendorID), Title: i.Title,
		Description: i.Description, Status: string(i.Status),
		ExposureStart: utcPtr(i.ExposureStart), ExposureEnd: utcPtr(i.ExposureEnd),
		VendorDiscoveredAt: i.VendorDiscoveredAt.UTC(), VendorNotifiedUsAt: utcPtr(i.VendorNotifiedUsAt),
		WeLearnedAt: i.WeLearnedAt.UTC(), LearnedVia: string(i.LearnedVia), Categories: jsonList(i.Categories),
		RecordsAffected: i.RecordsAffected, RecordsEstimated: i.RecordsEstimated, Jurisdictions: jsonList(i.Jurisdictions),
		Residents: string(residents), MaterialityDeterminedAt: utcPtr(i.MaterialityDeterminedAt),
		VendorIsAgent: i.VendorIsAgent, NoticeContractID: nullString(i.NoticeContractID),
		NoticeClauseID: nullString(i.NoticeClauseID), NoticeDueAt: utcPtr(i.NoticeDueAt),
		LawNoticeDueAt: utcPtr(i.LawNoticeDueAt), LawNoticeRegimeID: i.LawNoticeRegimeID, Version: i.Version,
		CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(),
	}
	if i.NoticeEvidence != nil {
		b, _ := json.Marshal(i.NoticeEvidence) // plain struct
		s := string(b)
		r.NoticeEvidence = &s
	}
	return r
}

func nonNilMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

func (r incidentRow) toDomain() incident.Incident {
	i := incident.Incident{
		ID: r.ID, VendorID: r.VendorID, ReportedByVendorID: deref(r.ReportedByVendorID), Title: r.Title,
		Description: r.Description, Status: incident.IncidentStatus(r.Status),
		ExposureStart: utcPtr(r.ExposureStart), ExposureEnd: utcPtr(r.ExposureEnd),
		VendorDiscoveredAt: r.VendorDiscoveredAt.UTC(), VendorNotifiedUsAt: utcPtr(r.VendorNotifiedUsAt),
		WeLearnedAt: r.WeLearnedAt.UTC(), LearnedVia: incident.LearnedVia(r.LearnedVia), Categories: parseList(r.Categories),
		RecordsAffected: r.RecordsAffected, RecordsEstimated: r.RecordsEstimated, Jurisdictions: parseList(r.Jurisdictions),
		Residents: map[string]int64{}, MaterialityDeterminedAt: utcPtr(r.MaterialityDeterminedAt),
		VendorIsAgent: r.VendorIsAgent, NoticeContractID: deref(r.NoticeContractID), NoticeClauseID: deref(r.NoticeClauseID),
		NoticeDueAt: utcPtr(r.NoticeDueAt), LawNoticeDueAt: utcPtr(r.LawNoticeDueAt), LawNoticeRegimeID: r.LawNoticeRegimeID,
		Version: r.Version, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	_ = json.Unmarshal([]byte(r.Residents), &i.Residents) // written by toIncidentRow
	if r.NoticeEvidence != nil {
		var ev incident.EvidenceRef
		if json.Unmarshal([]byte(*r.NoticeEvidence), &ev) == nil {
			i.NoticeEvidence = &ev
		}
	}
	return i
}

// Create implements incident.IncidentStore.
func (s *Incidents) Create(ctx context.Context, i incident.Incident) error {
	row := toIncidentRow(i)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements incident.IncidentStore.
func (s *Incidents) Get(ctx context.Context, id string) (incident.Incident, error) {
	var row incidentRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return incident.Incident{}, fmt.Errorf("incident %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Update implements incident.IncidentStore.
func (s *Incidents) Update(ctx context.Context, i incident.Incident, expectedVersion int64) error {
	row := toIncidentRow(i)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&incidentRow{}).Where("id = ? AND version = ?", i.ID, expectedVersion).
		Select(incidentColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &incidentRow{}, "incident", i.ID)
	}
	return nil
}

// SetNotice implements incident.IncidentStore.
func (s *Incidents) SetNotice(ctx context.Context, id, contractID, clauseID string, due *time.Time) error {
	err := s.db.conn(ctx).Model(&incidentRow{}).Where("id = ?", id).Updates(map[string]any{
		"notice_contract_id": nullString(contractID), "notice_clause_id": nullString(clauseID), "notice_due_at": utcPtr(due),
	}).Error
	return translate(err)
}

// SetRegimeChecks implements incident.IncidentStore.
func (s *Incidents) SetRegimeChecks(ctx context.Context, id string, checks []incident.RegimeCheck) error {
	return translate(s.db.conn(ctx).Model(&incidentRow{}).Where("id = ?", id).Update("regime_checks", jsonText(checks)).Error)
}

// RegimeChecks implements incident.IncidentStore.
func (s *Incidents) RegimeChecks(ctx context.Context, id string) ([]incident.RegimeCheck, error) {
	var raw []string
	if err := s.db.conn(ctx).Model(&incidentRow{}).Where("id = ?", id).Pluck("regime_checks", &raw).Error; err != nil {
		return nil, translate(err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("incident %s: %w", id, domain.ErrNotFound)
	}
	return parseRegimeChecks(raw[0]), nil
}

// parseRegimeChecks decodes the regime_checks column (written by
// jsonText; an unreadable value reads as none).
func parseRegimeChecks(raw string) []incident.RegimeCheck {
	out := []incident.RegimeCheck{}
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}

// List implements incident.IncidentStore: newest first, keyset on the
// time-ordered id.
func (s *Incidents) List(ctx context.Context, f incident.IncidentFilter, p domain.PageRequest) (domain.Page[incident.Incident], error) {
	q := s.db.conn(ctx).Model(&incidentRow{})
	if f.VendorID != "" {
		q = q.Where("vendor_id = ?", f.VendorID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[incident.Incident]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []incidentRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[incident.Incident]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r incidentRow) string { return r.ID }, incidentRow.toDomain), nil
}

// ListByVendor implements incident.IncidentStore: the vendor's own
// incidents and the provider incidents it reported.
func (s *Incidents) ListByVendor(ctx context.Context, vendorID string) ([]incident.Incident, error) {
	var rows []incidentRow
	if err := s.db.conn(ctx).Where("vendor_id = ? OR reported_by_vendor_id = ?", vendorID, vendorID).Order("vendor_discovered_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]incident.Incident, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

type timelineRow struct {
	IncidentID string `gorm:"primaryKey"`
	Seq        int64  `gorm:"primaryKey;autoIncrement:false"`
	At         time.Time
	Actor      string
	Action     string
	Text       string
	RecordedBy string
	RecordedAt time.Time
}

func (timelineRow) TableName() string { return "incident_timeline" }

// AppendTimeline implements incident.IncidentStore. The next sequence number
// is taken inside the caller's transaction; a concurrent append that
// picks the same number fails on the primary key rather than overwrite.
func (s *Incidents) AppendTimeline(ctx context.Context, e incident.TimelineEntry) (incident.TimelineEntry, error) {
	c := s.db.conn(ctx)
	var last struct{ Seq int64 }
	if err := c.Raw("SELECT COALESCE(MAX(seq), 0) AS seq FROM incident_timeline WHERE incident_id = ?", e.IncidentID).Scan(&last).Error; err != nil {
		return e, translate(err)
	}
	e.Seq = last.Seq + 1
	e.At, e.RecordedAt = e.At.UTC().Truncate(time.Microsecond), e.RecordedAt.UTC().Truncate(time.Microsecond)
	row := timelineRow{IncidentID: e.IncidentID, Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Text: e.Text,
		RecordedBy: e.RecordedBy, RecordedAt: e.RecordedAt}
	return e, translate(c.Create(&row).Error)
}

// Timeline implements incident.IncidentStore.
func (s *Incidents) Timeline(ctx context.Context, incidentID string) ([]incident.TimelineEntry, error) {
	var rows []timelineRow
	if err := s.db.conn(ctx).Where("incident_id = ?", incidentID).Order("seq").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]incident.TimelineEntry, len(rows))
	for i, r := range rows {
		out[i] = incident.TimelineEntry{IncidentID: r.IncidentID, Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, Action: r.Action,
			Text: r.Text, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	}
	return out, nil
}

// seconds returns the SQL for (a - b) in seconds in this dialect.
func (db *DB) seconds(a, b string) string {
	if db.dialect == Postgres {
		return fmt.Sprintf("EXTRACT(EPOCH FROM (%s - %s))", a, b)
	}
	return fmt.Sprintf("((julianday(%s) - julianday(%s)) * 86400.0)", a, b)
}

// Timeliness implements incident.IncidentStore with one aggregate query.
func (s *Incidents) Timeliness(ctx context.Context, vendorID string, now time.Time) (incident.TimelinessStats, error) {
	now = now.UTC()
	lag := s.db.seconds("vendor_notified_us_at", "vendor_discovered_at")
	lateNotified := s.db.seconds("vendor_notified_us_at", "notice_due_at")
	lateOverdue := s.db.seconds("?", "notice_due_at")
	q := fmt.Sprintf(`SELECT
		COUNT(*) AS incidents,
		COALESCE(SUM(CASE WHEN notice_due_at IS NULL THEN 1 ELSE 0 END), 0) AS no_clause,
		COALESCE(SUM(CASE WHEN notice_due_at IS NOT NULL AND vendor_notified_us_at IS NOT NULL AND vendor_notified_us_at <= notice_due_at THEN 1 ELSE 0 END), 0) AS on_time,
		COALESCE(SUM(CASE WHEN notice_due_at IS NOT NULL AND vendor_notified_us_at > notice_due_at THEN 1 ELSE 0 END), 0) AS late,
		COALESCE(SUM(CASE WHEN notice_due_at IS NOT NULL AND vendor_notified_us_at IS NULL AND notice_due_at < ? THEN 1 ELSE 0 END), 0) AS overdue,
		COALESCE(SUM(CASE WHEN notice_due_at IS NOT NULL AND vendor_notified_us_at IS NULL AND notice_due_at >= ? THEN 1 ELSE 0 END), 0) AS pending,
		MAX(CASE WHEN vendor_notified_us_at IS NOT NULL THEN %s END) AS worst_lag_seconds,
		MAX(CASE WHEN notice_due_at IS NULL THEN NULL
		         WHEN vendor_notified_us_at IS NOT NULL AND vendor_notified_us_at > notice_due_at THEN %s
		         WHEN vendor_notified_us_at IS NULL AND notice_due_at < ? THEN %s END) AS worst_late_seconds
		FROM incidents`, lag, lateNotified, lateOverdue)
	args := []any{now, now, now, now}
	if vendorID != "" {
		q += " WHERE vendor_id = ?"
		args = append(args, vendorID)
	}
	var r struct {
		Incidents, NoClause, OnTime, Late, Overdue, Pending int64
		WorstLagSeconds, WorstLateSeconds                   *float64
	}
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&r).Error; err != nil {
		return incident.TimelinessStats{}, translate(err)
	}
	st := incident.TimelinessStats{Incidents: r.Incidents, OnTime: r.OnTime, Late: r.Late, Overdue: r.Overdue,
		Pending: r.Pending, NoClause: r.NoClause}
	if due := r.OnTime + r.Late + r.Overdue; due > 0 {
		rate := math.Round(float64(r.OnTime)/float64(due)*1000) / 1000
		st.OnTimeRate = &rate
	}
	st.WorstLag = secondsSpan(r.WorstLagSeconds)
	st.WorstLateBy = secondsSpan(r.WorstLateSeconds)
	return st, nil
}

func secondsSpan(s *float64) *incident.Span {
	if s == nil {
		return nil
	}
	h := *s / 3600
	return &incident.Span{Hours: math.Round(h*100) / 100, Days: math.Round(h/24*100) / 100}
}
