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
		return h, fmt.Errorf("audit log head: root of %s", domain.Count(len(r.Root), "byte", "bytes"))
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

// Unsealed implements auditlog.Store: the committed events queued in
// audit_unsealed, oldest number first, with the leaf hashes their writers
// queued; for events queued without one (by the migration that made the
// log) it hashes the event.
func (s *AuditLog) Unsealed(ctx context.Context, limit int) ([]auditlog.Queued, error) {
	var rows []struct {
		Seq  int64
		Hash []byte
	}
	if err := s.db.conn(ctx).Raw("SELECT seq, hash FROM audit_unsealed ORDER BY seq LIMIT ?", limit).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auditlog.Queued, len(rows))
	var missing []any
	at := map[int64]int{}
	for i, r := range rows {
		out[i].Seq = r.Seq
		if len(r.Hash) == tlog.HashSize {
			out[i].Hash = tlog.Hash(r.Hash)
			continue
		}
		missing, at[r.Seq] = append(missing, r.Seq), i
	}
	if len(missing) == 0 {
		return out, nil
	}
	events, err := s.events(ctx, auditSelect+" WHERE e.seq IN "+placeholders(len(missing)), missing...)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		out[at[e.Seq]].Hash = auditlog.LeafHash(e)
	}
	if len(events) != len(missing) {
		return nil, fmt.Errorf("%s for sealing without a leaf hash gone", domain.Count(len(missing)-len(events), "event queued", "events queued"))
	}
	return out, nil
}

// Sealed implements auditlog.Store. An event deleted from audit_events
// leaves a gap in the leaves it returns.
func (s *AuditLog) Sealed(ctx context.Context, from int64, limit int) ([]domain.AuditEvent, error) {
	return s.events(ctx, `SELECT e.seq, e.id, e.at, e.actor_id, e.actor_name, e.action, e.entity, e.entity_id, e.request_id,
		e.before, e.after, l.leaf FROM audit_leaves l JOIN audit_events e ON e.seq = l.seq WHERE l.leaf >= ? ORDER BY l.leaf LIMIT ?`,
		from, limit)
}

// Event implements auditlog.Store.
func (s *AuditLog) Event(ctx context.Context, id string) (domain.AuditEvent, error) {
	if !domain.ValidID(id) {
		return domain.AuditEvent{}, fmt.Errorf("audit event %s: %w", id, domain.ErrNotFound)
	}
	es, err := s.events(ctx, auditSelect+" WHERE e.id = ?", id)
	if err == nil && len(es) == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		return domain.AuditEvent{}, fmt.Errorf("audit event %s: %w", id, err)
	}
	return es[0], nil
}

func (s *AuditLog) events(ctx context.Context, q string, args ...any) ([]domain.AuditEvent, error) {
	var rows []auditRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Pending implements auditlog.Store.
func (s *AuditLog) Pending(ctx context.Context) (int64, time.Time, error) {
	var p struct {
		N      int64
		Oldest *time.Time
	}
	// The oldest by number; min(at) would need the time type back from
	// an aggregate, which SQLite does not keep.
	err := s.db.conn(ctx).Raw(`SELECT (SELECT count(*) FROM audit_unsealed u JOIN audit_events e ON e.seq = u.seq) AS n,
		(SELECT e.at FROM audit_unsealed u JOIN audit_events e ON e.seq = u.seq ORDER BY u.seq LIMIT 1) AS oldest`).Scan(&p).Error
	if err != nil || p.Oldest == nil {
		return p.N, time.Time{}, translate(err)
	}
	return p.N, p.Oldest.UTC(), nil
}

// ReadHashes implements auditlog.Store: each hash is cut out of the block
// that holds it, in the database (tlog asks for a few dozen at a time).
func (s *AuditLog) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	parts := make([]string, len(indexes))
	args := make([]any, 0, 3*len(indexes))
	for i, idx := range indexes {
		parts[i] = `SELECT CAST(? AS bigint) AS idx, (SELECT substr(hashes, CAST((? - first) * 32 + 1 AS integer), 32)
			FROM audit_tree_hashes WHERE first <= ? ORDER BY first DESC LIMIT 1) AS hash`
		args = append(args, idx, idx, idx)
	}
	var rows []treeHashRow
	if err := s.db.conn(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&rows).Error; err != nil {
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

type treeHashRow struct {
	Idx  int64
	Hash []byte
}

func (r treeHashRow) hash() (tlog.Hash, error) {
	var h tlog.Hash
	if len(r.Hash) != tlog.HashSize {
		return h, fmt.Errorf("stored tree hash %d is missing", r.Idx)
	}
	copy(h[:], r.Hash)
	return h, nil
}

// Hashes implements auditlog.Store: the blocks that overlap [lo, hi), cut
// to it.
func (s *AuditLog) Hashes(ctx context.Context, lo, hi int64) ([]auditlog.IndexedHash, error) {
	var blocks []struct {
		First  int64
		Hashes []byte
	}
	err := s.db.conn(ctx).Raw(`SELECT first, hashes FROM audit_tree_hashes
		WHERE first < ? AND first >= COALESCE((SELECT max(first) FROM audit_tree_hashes WHERE first <= ?), 0) ORDER BY first`,
		hi, lo).Scan(&blocks).Error
	if err != nil {
		return nil, translate(err)
	}
	var out []auditlog.IndexedHash
	for _, b := range blocks {
		for i := 0; i+tlog.HashSize <= len(b.Hashes); i += tlog.HashSize {
			idx := b.First + int64(i/tlog.HashSize)
			if idx >= lo && idx < hi {
				out = append(out, auditlog.IndexedHash{Index: idx, Hash: tlog.Hash(b.Hashes[i : i+tlog.HashSize])})
			}
		}
	}
	return out, nil
}

// Seal implements auditlog.Store: it takes the events off audit_unsealed
// (all of them, or it fails: another sealer got there first), records
// their leaves and stores the round's tree hashes as one block. Every
// write is to narrow rows: the events themselves are not rewritten.
func (s *AuditLog) Seal(ctx context.Context, seqs []int64, first int64, hashes []tlog.Hash, head auditlog.Head) error {
	leaves := make([]int64, len(seqs))
	for i := range seqs {
		leaves[i] = first + int64(i)
	}
	block := make([]byte, 0, len(hashes)*tlog.HashSize)
	for _, h := range hashes {
		block = append(block, h[:]...)
	}
	var n int64
	var err error
	if s.db.dialect == Postgres {
		n, err = s.exec(ctx, "DELETE FROM audit_unsealed WHERE seq = ANY(?::bigint[])", seqs)
		if err == nil {
			_, err = s.exec(ctx, "INSERT INTO audit_leaves (leaf, seq) SELECT * FROM unnest(?::bigint[], ?::bigint[])", leaves, seqs)
		}
	} else {
		n, err = s.exec(ctx, "DELETE FROM audit_unsealed WHERE seq IN (SELECT value FROM json_each(?))", int64sJSON(seqs))
		if err == nil {
			pairs := make([][2]int64, len(seqs))
			for i := range seqs {
				pairs[i] = [2]int64{leaves[i], seqs[i]}
			}
			js, _ := json.Marshal(pairs) // integers always marshal
			_, err = s.exec(ctx, `INSERT INTO audit_leaves (leaf, seq)
				SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`, string(js))
		}
	}
	if err != nil {
		return err
	}
	if n != int64(len(seqs)) {
		return fmt.Errorf("sealed %d of %s: the others were sealed already", n, domain.Count(len(seqs), "event", "events"))
	}
	if _, err := s.exec(ctx, "INSERT INTO audit_tree_hashes (first, hashes) VALUES (?, ?)", tlog.StoredHashCount(first), block); err != nil {
		return err
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
