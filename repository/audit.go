package repository

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
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
	Leaf      *int64 `gorm:"->"` // audit_leaves.leaf; nil until sealed
}

func (auditRow) TableName() string { return "audit_events" }

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

// auditCols are the columns an event is inserted with (seq is drawn by
// the database).
const auditCols = "id, at, actor_id, actor_name, action, entity, entity_id, request_id, before, after"

// auditSelect reads events with their leaf index (NULL until sealed).
const auditSelect = `SELECT e.seq, e.id, e.at, e.actor_id, e.actor_name, e.action, e.entity, e.entity_id, e.request_id,
	e.before, e.after, l.leaf FROM audit_events e LEFT JOIN audit_leaves l ON l.seq = e.seq`

// insertAudit inserts events, numbered by the database, and queues each
// with its leaf hash (auditlog.LeafHash) in audit_unsealed for the
// sealer, which then reads 40 bytes per event rather than the event: on
// PostgreSQL in one statement per chunk, on SQLite in two. It returns the
// numbers drawn, in the order of events.
func insertAudit(ctx context.Context, db *DB, events []domain.AuditEvent, chunk int) ([]int64, error) {
	return insertAuditOn(ctx, db.dialect, sqlAuditConn(ctx, db.conn(ctx).Statement.ConnPool), events, chunk)
}

// auditConn runs insertAudit's statements, written with ? placeholders
// (numbered on PostgreSQL), on a connection or transaction.
type auditConn struct {
	query func(q string, args []any) ([]numbered, error) // rows of (seq, id)
	exec  func(q string, args []any) error
}

// sqlConn is what database/sql connections and transactions, and GORM's
// connection pool, have in common.
type sqlConn interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// sqlAuditConn runs insertAudit's statements on c (GORM's Scan would render
// the SQL for its logger on every call).
func sqlAuditConn(ctx context.Context, c sqlConn) auditConn {
	return auditConn{
		query: func(q string, args []any) ([]numbered, error) {
			rows, err := c.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, translate(err)
			}
			defer rows.Close()
			return scanNumbered(rows)
		},
		exec: func(q string, args []any) error {
			_, err := c.ExecContext(ctx, q, args...)
			return translate(err)
		},
	}
}

// pgxAuditConn runs insertAudit's statements in a pgx transaction (the
// bulk writer's).
func pgxAuditConn(ctx context.Context, tx pgx.Tx) auditConn {
	return auditConn{
		query: func(q string, args []any) ([]numbered, error) {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return nil, translate(err)
			}
			defer rows.Close()
			var out []numbered
			for rows.Next() {
				var n numbered
				if err := rows.Scan(&n.seq, &n.id); err != nil {
					return nil, translate(err)
				}
				out = append(out, n)
			}
			return out, translate(rows.Err())
		},
		exec: func(q string, args []any) error {
			_, err := tx.Exec(ctx, q, args...)
			return translate(err)
		},
	}
}

// insertAuditOn is insertAudit on c.
func insertAuditOn(ctx context.Context, d Dialect, c auditConn, events []domain.AuditEvent, chunk int) ([]int64, error) {
	seqs := make([]int64, 0, len(events))
	for start := 0; start < len(events); start += chunk {
		part := events[start:min(start+chunk, len(events))]
		args := make([]any, 0, 12*len(part))
		hashes := make([][]byte, len(part))
		for i, e := range part {
			args = append(args, e.ID, e.At.UTC().Truncate(time.Microsecond), e.ActorID, e.ActorName, e.Action, e.Entity,
				e.EntityID, e.RequestID, jsonArg(d, e.Before), jsonArg(d, e.After))
			h := auditlog.LeafHash(e) // of the stored form: LeafData keeps microseconds, in UTC
			hashes[i] = h[:]
		}
		if d == Postgres {
			if len(part) == 1 {
				args = append(args, hashes[0])
			} else {
				for i, e := range part {
					args = append(args, e.ID, hashes[i])
				}
			}
		}
		got, err := c.query(auditInsertSQL(d, len(part)), args)
		if err != nil {
			return nil, err
		}
		if len(got) != len(part) {
			return nil, fmt.Errorf("inserted %s, numbered %d", domain.Count(len(part), "audit event", "audit events"), len(got))
		}
		at := make(map[string]int, len(part))
		for i, e := range part {
			at[e.ID] = i
		}
		ordered := make([]int64, len(part))
		queue := make([]any, 0, 2*len(got))
		for _, g := range got {
			ordered[at[g.id]] = g.seq
			queue = append(queue, g.seq, hashes[at[g.id]])
		}
		if d != Postgres {
			if err := c.exec("INSERT INTO audit_unsealed (seq, hash) VALUES "+
				strings.TrimSuffix(strings.Repeat("(?, ?), ", len(got)), ", "), queue); err != nil {
				return nil, err
			}
		}
		seqs = append(seqs, ordered...)
	}
	return seqs, nil
}

// jsonArg is a snapshot as a statement argument: NULL when absent; on
// PostgreSQL the bytes as they are (pgx sends json.RawMessage without a
// copy), on SQLite text.
func jsonArg(d Dialect, raw json.RawMessage) any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if d == Postgres {
		return raw
	}
	return string(raw)
}

// auditInserts memoises auditInsertSQL by dialect and row count.
var auditInserts sync.Map

// auditInsertSQL is the statement that inserts n events and returns their
// numbers and ids; on PostgreSQL (placeholders numbered) it also queues
// them with their hashes, which follow the events' columns (one hash for
// one event, else id and hash pairs).
func auditInsertSQL(d Dialect, n int) string {
	key := fmt.Sprintf("%s/%d", d, n)
	if q, ok := auditInserts.Load(key); ok {
		return q.(string)
	}
	q := "INSERT INTO audit_events (" + auditCols + ") VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ") + " RETURNING seq, id"
	if d == Postgres {
		// A data-modifying WITH runs to completion whether or not the
		// final SELECT reads it. Hashes go with their events by id.
		queue := "SELECT e.seq, CAST(? AS bytea) FROM e"
		if n > 1 {
			queue = "SELECT e.seq, h.hash FROM e JOIN (VALUES " +
				strings.TrimSuffix(strings.Repeat("(CAST(? AS uuid), CAST(? AS bytea)), ", n), ", ") +
				") AS h (id, hash) ON h.id = e.id"
		}
		q = rebindDollar("WITH e AS (" + q + "), q AS (INSERT INTO audit_unsealed (seq, hash) " + queue +
			") SELECT seq, CAST(id AS text) FROM e")
	}
	auditInserts.Store(key, q)
	return q
}

// numbered is an inserted row's number and id.
type numbered struct {
	seq int64
	id  string
}

// scanNumbered reads (number, id) rows.
func scanNumbered(rows *sql.Rows) ([]numbered, error) {
	var out []numbered
	for rows.Next() {
		var n numbered
		if err := rows.Scan(&n.seq, &n.id); err != nil {
			return nil, translate(err)
		}
		out = append(out, n)
	}
	return out, translate(rows.Err())
}

// int64sJSON is ns as a JSON array, for SQLite's json_each.
func int64sJSON(ns []int64) string {
	b, _ := json.Marshal(ns) // integers always marshal
	return string(b)
}

// Append implements domain.AuditStore: one INSERT on PostgreSQL (the
// event, and its number queued for the sealer), numbered by a sequence,
// so writers wait for nobody; the sealer seals the event once it is
// committed.
func (s *Audit) Append(ctx context.Context, e domain.AuditEvent) (domain.AuditEvent, error) {
	seqs, err := insertAudit(ctx, s.db, []domain.AuditEvent{e}, 1)
	if err != nil {
		return e, fmt.Errorf("append audit event: %w", err)
	}
	// As stored: numbered, the time in UTC at microsecond precision, an
	// absent snapshot nil.
	e.Seq, e.At = seqs[0], e.At.UTC().Truncate(time.Microsecond)
	if jsonArg(s.db.dialect, e.Before) == nil {
		e.Before = nil
	}
	if jsonArg(s.db.dialect, e.After) == nil {
		e.After = nil
	}
	return e, nil
}

// List implements domain.AuditStore: newest first, keyset on seq.
func (s *Audit) List(ctx context.Context, f domain.AuditFilter, p domain.PageRequest) (domain.Page[domain.AuditEvent], error) {
	var w where
	if f.Entity != "" {
		w.add("e.entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		w.add("e.entity_id = ?", f.EntityID)
	}
	if p.After != "" {
		after, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || after < 1 {
			return domain.Page[domain.AuditEvent]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		w.add("e.seq < ?", after)
	}
	var rows []auditRow
	q := auditSelect + w.sql() + " ORDER BY e.seq DESC LIMIT ?"
	if err := s.db.conn(ctx).Raw(q, append(w.args, p.Size()+1)...).Scan(&rows).Error; err != nil {
		return domain.Page[domain.AuditEvent]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r auditRow) string { return strconv.FormatInt(r.Seq, 10) }, auditRow.toDomain), nil
}

// Walk calls fn for every event in sequence order, streaming.
func (s *Audit) Walk(ctx context.Context, fn func(domain.AuditEvent) error) error {
	c := s.db.conn(ctx)
	rows, err := c.Raw(auditSelect + " ORDER BY e.seq").Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r auditRow
		if err := c.ScanRows(rows, &r); err != nil {
			return translate(err)
		}
		if err := fn(r.toDomain()); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}
