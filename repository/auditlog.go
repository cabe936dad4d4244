package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
)

// AuditLog is the store of the audit log's Merkle tree: the leaf index of
// each sealed event (audit_events.leaf), the tree's stored hashes
// (audit_tree_hashes) and the head (audit_log).
type AuditLog struct{ db *DB }

var _ auditlog.Store = (*AuditLog)(nil)

// NewAuditLog returns the audit log store on db.
func NewAuditLog(db *DB) *AuditLog { return &AuditLog{db: db} }

type auditHeadRow struct {
	Size       int64
	Root       []byte
	Checkpoint string
	SealedAt   *time.Time
}

func (r auditHeadRow) toHead() (auditlog.Head, error) {
	h := auditlog.Head{Size: r.Size, Note: r.Checkpoint}
	if len(r.Root) != tlog.HashSize {
		return h, fmt.Errorf("audit log head: root of %d bytes", len(r.Root))
	}
	copy(h.Root[:], r.Root)
	if r.SealedAt != nil {
		h.SealedAt = r.SealedAt.UTC()
	}
	return h, nil
}

func (s *AuditLog) head(ctx context.Context, lock string) (auditlog.Head, error) {
	var row auditHeadRow
	err := s.db.conn(ctx).Raw("SELECT size, root, checkpoint, sealed_at FROM audit_log WHERE id = 1" + lock).Scan(&row).Error
	if err != nil {
		return auditlog.Head{}, translate(err)
	}
	return row.toHead()
}

// LockHead implements auditlog.Store. On PostgreSQL the head's row lock
// makes sealers take turns (writers never touch the row); a SQLite
// transaction holds the database's write lock already.
func (s *AuditLog) LockHead(ctx context.Context) (auditlog.Head, error) {
	if s.db.dialect == Postgres {
		return s.head(ctx, " FOR UPDATE")
	}
	return s.head(ctx, "")
}

// Head implements auditlog.Store.
func (s *AuditLog) Head(ctx context.Context) (auditlog.Head, error) { return s.head(ctx, "") }

// Unsealed implements auditlog.Store. The partial index on unsealed events
// keeps it cheap however long the log.
func (s *AuditLog) Unsealed(ctx context.Context, limit int) ([]domain.AuditEvent, error) {
	var rows []auditRow
	if err := s.db.conn(ctx).Where("leaf IS NULL").Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return auditEvents(rows), nil
}

// Sealed implements auditlog.Store.
func (s *AuditLog) Sealed(ctx context.Context, from int64, limit int) ([]domain.AuditEvent, error) {
	var rows []auditRow
	if err := s.db.conn(ctx).Where("leaf >= ?", from).Order("leaf").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return auditEvents(rows), nil
}

func auditEvents(rows []auditRow) []domain.AuditEvent {
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// Event implements auditlog.Store.
func (s *AuditLog) Event(ctx context.Context, id string) (domain.AuditEvent, error) {
	if !domain.ValidID(id) {
		return domain.AuditEvent{}, fmt.Errorf("audit event %s: %w", id, domain.ErrNotFound)
	}
	var row auditRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.AuditEvent{}, fmt.Errorf("audit event %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Pending implements auditlog.Store.
func (s *AuditLog) Pending(ctx context.Context) (int64, time.Time, error) {
	var n int64
	c := s.db.conn(ctx)
	if err := c.Model(&auditRow{}).Where("leaf IS NULL").Count(&n).Error; err != nil || n == 0 {
		return 0, time.Time{}, translate(err)
	}
	var oldest auditRow
	if err := c.Where("leaf IS NULL").Order("seq").Take(&oldest).Error; err != nil {
		return n, time.Time{}, translate(err)
	}
	return n, oldest.At.UTC(), nil
}

type treeHashRow struct {
	Idx  int64
	Hash []byte
}

func (treeHashRow) TableName() string { return "audit_tree_hashes" }

func (r treeHashRow) hash() (tlog.Hash, error) {
	var h tlog.Hash
	if len(r.Hash) != tlog.HashSize {
		return h, fmt.Errorf("stored tree hash %d has %d bytes", r.Idx, len(r.Hash))
	}
	copy(h[:], r.Hash)
	return h, nil
}

// ReadHashes implements auditlog.Store (tlog asks for a few dozen at a
// time).
func (s *AuditLog) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	var rows []treeHashRow
	if err := s.db.conn(ctx).Where("idx IN ?", indexes).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	byIdx := make(map[int64]tlog.Hash, len(rows))
	for _, r := range rows {
		h, err := r.hash()
		if err != nil {
			return nil, err
		}
		byIdx[r.Idx] = h
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := byIdx[idx]
		if !ok {
			return nil, fmt.Errorf("stored tree hash %d is missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

// Hashes implements auditlog.Store.
func (s *AuditLog) Hashes(ctx context.Context, lo, hi int64) ([]auditlog.IndexedHash, error) {
	var rows []treeHashRow
	if err := s.db.conn(ctx).Where("idx >= ? AND idx < ?", lo, hi).Order("idx").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auditlog.IndexedHash, len(rows))
	for i, r := range rows {
		h, err := r.hash()
		if err != nil {
			return nil, err
		}
		out[i] = auditlog.IndexedHash{Index: r.Idx, Hash: h}
	}
	return out, nil
}

// hashChunk is how many tree hashes one SQLite INSERT carries (two
// parameters each: the driver binds parameters in time quadratic in
// their number).
const hashChunk = 128

// Seal implements auditlog.Store: three statements on PostgreSQL (the
// leaves and the hashes as array parameters), and on SQLite a JSON
// parameter for the leaves and multi-row INSERTs for the hashes. An event
// that has a leaf already fails the whole seal.
func (s *AuditLog) Seal(ctx context.Context, seqs []int64, first int64, hashes []tlog.Hash, head auditlog.Head) error {
	leaves := make([]int64, len(seqs))
	for i := range seqs {
		leaves[i] = first + int64(i)
	}
	idxs := make([]int64, len(hashes))
	blobs := make([][]byte, len(hashes))
	base := tlog.StoredHashCount(first)
	for i := range hashes {
		idxs[i], blobs[i] = base+int64(i), hashes[i][:]
	}
	var n int64
	var err error
	if s.db.dialect == Postgres {
		n, err = s.exec(ctx, `UPDATE audit_events AS e SET leaf = v.leaf FROM unnest(?::bigint[], ?::bigint[]) AS v(seq, leaf)
			WHERE e.seq = v.seq AND e.leaf IS NULL`, seqs, leaves)
		if err == nil {
			_, err = s.exec(ctx, "INSERT INTO audit_tree_hashes (idx, hash) SELECT * FROM unnest(?::bigint[], ?::bytea[])", idxs, blobs)
		}
	} else {
		pairs := make([][2]int64, len(seqs))
		for i := range seqs {
			pairs[i] = [2]int64{seqs[i], leaves[i]}
		}
		js, _ := json.Marshal(pairs) // integers always marshal
		n, err = s.exec(ctx, `UPDATE audit_events SET leaf = v.leaf
			FROM (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS leaf FROM json_each(?)) AS v
			WHERE audit_events.seq = v.seq AND audit_events.leaf IS NULL`, string(js))
		for start := 0; err == nil && start < len(idxs); start += hashChunk {
			end := min(start+hashChunk, len(idxs))
			args := make([]any, 0, 2*(end-start))
			for i := start; i < end; i++ {
				args = append(args, idxs[i], blobs[i])
			}
			_, err = s.exec(ctx, "INSERT INTO audit_tree_hashes (idx, hash) VALUES "+
				strings.TrimSuffix(strings.Repeat("(?, ?), ", end-start), ", "), args...)
		}
	}
	if err != nil {
		return err
	}
	if n != int64(len(seqs)) {
		return fmt.Errorf("sealed %d of %d events: some were sealed already or are gone", n, len(seqs))
	}
	_, err = s.exec(ctx, "UPDATE audit_log SET size = ?, root = ?, checkpoint = ?, sealed_at = ? WHERE id = 1",
		head.Size, head.Root[:], head.Note, head.SealedAt.UTC())
	return err
}

// exec runs a statement written with ? placeholders on the connection of
// ctx and returns the rows it affected. On PostgreSQL the arguments go
// to pgx as they are (arrays included).
func (s *AuditLog) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if s.db.dialect == Postgres {
		res, err := s.db.conn(ctx).Statement.ConnPool.ExecContext(ctx, rebindDollar(q), args...)
		if err != nil {
			return 0, translate(err)
		}
		n, err := res.RowsAffected()
		return n, translate(err)
	}
	res := s.db.conn(ctx).Exec(q, args...)
	return res.RowsAffected, translate(res.Error)
}
