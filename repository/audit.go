package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Audit is the GORM audit-trail store.
type Audit struct{ db *DB }

var _ domain.AuditStore = (*Audit)(nil)

// NewAudit returns the audit store on db.
func NewAudit(db *DB) *Audit { return &Audit{db: db} }

type auditRow struct {
	Seq       int64 `gorm:"primaryKey;autoIncrement"` // drawn by the database on insert
	ID        string
	At        time.Time
	ActorID   string
	ActorName string
	Action    string
	Entity    string
	EntityID  string
	RequestID string
	Before    *string
	After     *string
	Leaf      *int64 // nil until sealed
}

func (auditRow) TableName() string { return "audit_events" }

func rawPtr(b json.RawMessage) *string {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	return &s
}

func ptrRaw(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

func (r auditRow) toDomain() domain.AuditEvent {
	return domain.AuditEvent{Seq: r.Seq, ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName,
		Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, RequestID: r.RequestID,
		Before: ptrRaw(r.Before), After: ptrRaw(r.After), Leaf: r.Leaf}
}

// toAuditRow is e as stored, unsealed; its time at the microsecond
// precision both databases keep.
func toAuditRow(e domain.AuditEvent) auditRow {
	return auditRow{ID: e.ID, At: e.At.UTC().Truncate(time.Microsecond), ActorID: e.ActorID, ActorName: e.ActorName,
		Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, RequestID: e.RequestID, Before: rawPtr(e.Before),
		After: rawPtr(e.After)}
}

// Append implements domain.AuditStore: one INSERT, numbered by the
// database (a PostgreSQL sequence, SQLite's rowid), so writers wait for
// nobody; the sealer seals the event once it is committed.
func (s *Audit) Append(ctx context.Context, e domain.AuditEvent) (domain.AuditEvent, error) {
	row := toAuditRow(e)
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return e, fmt.Errorf("append audit event: %w", translate(err))
	}
	return row.toDomain(), nil
}

// List implements domain.AuditStore: newest first, keyset on seq.
func (s *Audit) List(ctx context.Context, f domain.AuditFilter, p domain.PageRequest) (domain.Page[domain.AuditEvent], error) {
	q := s.db.conn(ctx)
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if p.After != "" {
		after, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || after < 1 {
			return domain.Page[domain.AuditEvent]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("seq < ?", after)
	}
	var rows []auditRow
	if err := q.Order("seq DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[domain.AuditEvent]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r auditRow) string { return strconv.FormatInt(r.Seq, 10) }, auditRow.toDomain), nil
}

// Walk calls fn for every event in sequence order, streaming.
func (s *Audit) Walk(ctx context.Context, fn func(domain.AuditEvent) error) error {
	rows, err := s.db.conn(ctx).Model(&auditRow{}).Order("seq").Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r auditRow
		if err := s.db.conn(ctx).ScanRows(rows, &r); err != nil {
			return translate(err)
		}
		if err := fn(r.toDomain()); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}
