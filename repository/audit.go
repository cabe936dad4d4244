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
	Seq       int64 `gorm:"primaryKey;autoIncrement:false"`
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
	PrevHash  string
	Hash      string
}

func (auditRow) TableName() string { return "audit_events" }

type chainHead struct {
	Seq  int64
	Hash string
}

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
		Before: ptrRaw(r.Before), After: ptrRaw(r.After), PrevHash: r.PrevHash, Hash: r.Hash}
}

// Append implements domain.AuditStore. Advancing the chain head first takes
// its row lock (PostgreSQL) or relies on the single writer (SQLite), so
// concurrent writers queue and the chain never forks.
func (s *Audit) Append(ctx context.Context, e domain.AuditEvent) (domain.AuditEvent, error) {
	c := s.db.conn(ctx)
	var head chainHead
	if err := c.Raw("UPDATE audit_chain SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&head).Error; err != nil {
		return e, fmt.Errorf("advance audit chain: %w", translate(err))
	}
	if head.Seq == 0 {
		return e, fmt.Errorf("advance audit chain: head row missing")
	}
	e.Seq, e.PrevHash = head.Seq, head.Hash
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = domain.ChainHash(e.PrevHash, e)
	row := auditRow{Seq: e.Seq, ID: e.ID, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		Entity: e.Entity, EntityID: e.EntityID, RequestID: e.RequestID, Before: rawPtr(e.Before),
		After: rawPtr(e.After), PrevHash: e.PrevHash, Hash: e.Hash}
	if err := c.Create(&row).Error; err != nil {
		return e, fmt.Errorf("append audit event: %w", translate(err))
	}
	if err := c.Exec("UPDATE audit_chain SET hash = ? WHERE id = 1", e.Hash).Error; err != nil {
		return e, fmt.Errorf("advance audit chain: %w", translate(err))
	}
	return e, nil
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

// Walk implements domain.AuditStore, streaming rows in sequence order.
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

// Head implements domain.AuditStore.
func (s *Audit) Head(ctx context.Context) (int64, string, error) {
	var head chainHead
	if err := s.db.conn(ctx).Raw("SELECT seq, hash FROM audit_chain WHERE id = 1").Scan(&head).Error; err != nil {
		return 0, "", translate(err)
	}
	return head.Seq, head.Hash, nil
}
