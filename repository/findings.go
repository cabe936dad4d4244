package repository

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
)

// Findings is the GORM store of findings and the fact queries of the
// compliance scan. Every fact query is one set-based statement, streamed and
// handed to the rules in batches; no query runs per vendor and no table is loaded whole.
type Findings struct{ db *DB }

var (
	_ finding.FindingStore = (*Findings)(nil)
	_ finding.ScanStore    = (*Findings)(nil)
)

// NewFindings returns the finding store on db.
func NewFindings(db *DB) *Findings { return &Findings{db: db} }

type findingRow struct {
	ID             string
	RuleID         string
	Severity       string
	VendorID       string
	SubjectType    string
	SubjectID      string
	Facts          string // JSON object
	Status         string
	FirstSeenAt    time.Time
	LastSeenAt     time.Time
	LastSeenRun    string
	ResolvedAt     *time.Time
	AcceptedReason string
	AcceptedUntil  dateCol
	AcceptedBy     string
	Version        int64
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	// RuleSeenAt and RuleLastRun are the scan_rules row of the finding's
	// rule, when read (see lastSeen).
	RuleSeenAt  sql.NullTime   `gorm:"-"`
	RuleLastRun sql.NullString `gorm:"-"`
}

func (findingRow) TableName() string { return "findings" }

// findingCols are a finding's stored columns, in findingRow.dests' order.
const findingCols = "id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at, last_seen_at, " +
	"last_seen_run, resolved_at, accepted_reason, accepted_until, accepted_by, version, updated_at"

// findingSelect reads findings (aliased f) with their rule's scan_rules
// row, in scanFindingSeen's order: a live finding's last sighting is the
// later of its stored one and its rule's last complete judgement (see
// lastSeen). Conditions name columns as f.column.
const findingSelect = "SELECT f.id, f.rule_id, f.severity, f.vendor_id, f.subject_type, f.subject_id, f.facts, f.status, " +
	"f.first_seen_at, f.last_seen_at, f.last_seen_run, f.resolved_at, f.accepted_reason, f.accepted_until, f.accepted_by, " +
	"f.version, f.updated_at, sr.seen_at, sr.last_run FROM findings f LEFT JOIN scan_rules sr ON sr.rule_id = f.rule_id"

// seenSet is the SET clause that writes a live finding's last sighting
// into its row (lastSeen, in SQL): used when a statement rewrites the row
// anyway, so that what it returns, and what stays after it resolves, is
// the true last sighting.
const seenSet = `last_seen_run = COALESCE((SELECT sr.last_run FROM scan_rules sr
		WHERE sr.rule_id = findings.rule_id AND sr.seen_at > findings.last_seen_at), last_seen_run),
	last_seen_at = COALESCE((SELECT sr.seen_at FROM scan_rules sr
		WHERE sr.rule_id = findings.rule_id AND sr.seen_at > findings.last_seen_at), last_seen_at)`

// lastSeen is when and by which run a finding was last seen. The scan
// writes a live finding only when it is new or changed, and at the end of
// each rule family records the run in scan_rules; a finding still live
// after that was seen by the run (otherwise the run would have resolved
// it), so for live findings the rule's run counts when it is later.
func (r findingRow) lastSeen() (time.Time, string) {
	if r.Status != string(finding.FindingResolved) && r.RuleSeenAt.Valid && r.RuleSeenAt.Time.After(r.LastSeenAt) {
		return r.RuleSeenAt.Time.UTC(), r.RuleLastRun.String
	}
	return r.LastSeenAt.UTC(), r.LastSeenRun
}

func (r findingRow) toDomain() finding.Finding {
	seenAt, seenRun := r.lastSeen()
	f := finding.Finding{ID: r.ID, RuleID: r.RuleID, Severity: finding.Severity(r.Severity), VendorID: r.VendorID,
		SubjectType: r.SubjectType, SubjectID: r.SubjectID, Facts: decodeFacts(r.Facts), Status: finding.FindingStatus(r.Status),
		FirstSeenAt: r.FirstSeenAt.UTC(), LastSeenAt: seenAt, LastSeenRun: seenRun,
		ResolvedAt: utcPtr(r.ResolvedAt), AcceptedReason: r.AcceptedReason, AcceptedBy: r.AcceptedBy,
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
	if !r.AcceptedUntil.IsZero() {
		d := r.AcceptedUntil.Date
		f.AcceptedUntil = &d
	}
	return f
}

// decodeFacts reads a finding's facts (a JSON object written by
// finding.Finding.Encode) into the map encoding/json would produce, with
// github.com/goccy/go-json, in about 60 % of encoding/json's time
// (BenchmarkDecodeFacts). Facts that go-json rejects (none the product
// writes) are read by encoding/json, so the result is always encoding/json's
// (facts_test.go compares the two and fuzzes them).
func decodeFacts(s string) map[string]any {
	m := map[string]any{}
	if err := gojson.Unmarshal([]byte(s), &m); err != nil {
		m = map[string]any{}
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

// dests are the scan destinations of findingCols, with room for extra
// ones.
func (r *findingRow) dests(extra ...any) []any {
	return append([]any{&r.ID, &r.RuleID, &r.Severity, &r.VendorID, &r.SubjectType, &r.SubjectID, &r.Facts, &r.Status,
		&r.FirstSeenAt, &r.LastSeenAt, &r.LastSeenRun, &r.ResolvedAt, &r.AcceptedReason, &r.AcceptedUntil,
		&r.AcceptedBy, &r.Version, &r.UpdatedAt}, extra...)
}

// scanFindingSeen reads one row of findingSelect: findingCols, then the
// rule's scan_rules row.
func scanFindingSeen(rows rowScanner, r *findingRow) error {
	return rows.Scan(r.dests(&r.RuleSeenAt, &r.RuleLastRun)...)
}

// Get implements finding.FindingStore.
func (s *Findings) Get(ctx context.Context, id string) (finding.Finding, error) {
	row, err := queryOne(ctx, s.db, scanFindingSeen, findingSelect+" WHERE f.id = ?", id)
	if err != nil {
		return finding.Finding{}, fmt.Errorf("finding %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// CountOpen implements finding.FindingStore.
func (s *Findings) CountOpen(ctx context.Context) (map[finding.Severity]int64, error) {
	var rows []struct {
		Severity string
		N        int64
	}
	err := s.db.conn(ctx).Raw("SELECT f.severity, count(*) AS n FROM findings f WHERE " + findingOpenSQL +
		" GROUP BY f.severity").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[finding.Severity]int64, len(rows))
	for _, r := range rows {
		out[finding.Severity(r.Severity)] = r.N
	}
	return out, nil
}

// List implements finding.FindingStore: newest first, keyset on the id
// (UUIDv7 ids sort by creation time).
func (s *Findings) List(ctx context.Context, f finding.FindingFilter, p domain.PageRequest) (domain.Page[finding.Finding], error) {
	var w where
	if f.RuleID != "" {
		w.add("f.rule_id = ?", f.RuleID)
	}
	if f.Severity != "" {
		w.add("f.severity = ?", string(f.Severity))
	}
	if f.Status != "" {
		w.add("f.status = ?", string(f.Status))
	}
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			args[i] = string(st)
		}
		w.add("f.status IN "+placeholders(len(args)), args...)
	}
	if f.VendorID != "" {
		w.add("f.vendor_id = ?", f.VendorID)
	}
	if !f.OpenedAfter.IsZero() {
		w.add("f.first_seen_at > ?", f.OpenedAfter.UTC())
	}
	if f.SubjectID != "" {
		w.add("f.subject_id = ?", f.SubjectID)
	}
	if len(f.SubjectTypes) > 0 {
		args := make([]any, len(f.SubjectTypes))
		for i, t := range f.SubjectTypes {
			args[i] = t
		}
		w.add("f.subject_type IN "+placeholders(len(args)), args...)
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[finding.Finding]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		w.add("f.id < ?", p.After)
	}
	rows, err := queryRows(ctx, s.db, p.Size()+1, scanFindingSeen,
		findingSelect+w.sql()+" ORDER BY f.id DESC LIMIT "+strconv.Itoa(p.Size()+1), w.args...)
	if err != nil {
		return domain.Page[finding.Finding]{}, err
	}
	return pageOf(rows, p.Size(), func(r findingRow) string { return r.ID }, findingRow.toDomain), nil
}

// Update implements finding.FindingStore.
func (s *Findings) Update(ctx context.Context, f finding.Finding, expectedVersion int64) error {
	var until any
	if f.AcceptedUntil != nil {
		until = sqlDate(*f.AcceptedUntil)
	}
	res := s.db.conn(ctx).Exec(`UPDATE findings SET status = ?, accepted_reason = ?, accepted_until = ?, accepted_by = ?,
		version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		string(f.Status), f.AcceptedReason, until, f.AcceptedBy, expectedVersion+1, f.UpdatedAt.UTC(), f.ID, expectedVersion)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &findingRow{}, "finding", f.ID)
	}
	return nil
}

// BeginRun implements finding.ScanStore. The partial unique index on
// running scan_runs rows admits one running scan. On SQLite it first
// refreshes the planner's statistics (PostgreSQL's autovacuum does that
// there): without any, SQLite planned the attestation facts about four
// times slower.
func (s *Findings) BeginRun(ctx context.Context, id string, at, staleBefore time.Time) error {
	if s.db.dialect == SQLite {
		if err := s.sqliteStatistics(ctx); err != nil {
			return err
		}
	}
	return s.db.WithinTx(ctx, func(ctx context.Context) error {
		c := s.db.conn(ctx)
		if err := c.Exec(`UPDATE scan_runs SET status = 'abandoned', finished_at = ?, error = 'did not finish'
			WHERE status = 'running' AND started_at < ?`, at.UTC(), staleBefore.UTC()).Error; err != nil {
			return translate(err)
		}
		return translate(c.Exec(`INSERT INTO scan_runs (id, status, started_at, summary) VALUES (?, 'running', ?, '{}')`,
			id, at.UTC()).Error)
	})
}

// sqliteStatistics runs ANALYZE when the database has no statistics yet,
// and PRAGMA optimize (which re-analyzes what changed a lot) otherwise.
func (s *Findings) sqliteStatistics(ctx context.Context) error {
	var n int64
	c := s.db.conn(ctx)
	if err := c.Raw("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n).Error; err != nil {
		return translate(err)
	}
	stmt := "PRAGMA optimize"
	if n == 0 {
		stmt = "ANALYZE"
	}
	if err := c.Exec(stmt).Error; err != nil {
		return fmt.Errorf("%s: %w", stmt, translate(err))
	}
	return nil
}

// FinishRun implements finding.ScanStore.
func (s *Findings) FinishRun(ctx context.Context, id string, at time.Time, summary finding.ScanResult, runErr error) error {
	status, msg := "done", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	js, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	return translate(s.db.conn(ctx).Exec(`UPDATE scan_runs SET status = ?, finished_at = ?, summary = ?, error = ? WHERE id = ?`,
		status, at.UTC(), string(js), msg, id).Error)
}

// ReopenExpired implements finding.ScanStore with one UPDATE ... RETURNING.
func (s *Findings) ReopenExpired(ctx context.Context, today domain.Date, at time.Time) ([]finding.Finding, error) {
	var rows []findingRow
	err := s.db.conn(ctx).Raw(`UPDATE findings SET status = 'open', version = version + 1, updated_at = ?, `+seenSet+`
		WHERE status = 'risk_accepted' AND accepted_until < ? RETURNING `+findingCols, at.UTC(), sqlDate(today)).Scan(&rows).Error
	return findingsOf(rows), translate(err)
}

// LiveFindings implements finding.ScanStore: one statement streamed over
// the live-finding index.
func (s *Findings) LiveFindings(ctx context.Context, rules []string, fn func(finding.FindingKey, finding.LiveFinding) error) error {
	if len(rules) == 0 {
		return nil
	}
	q := "SELECT rule_id, subject_type, subject_id, id, fingerprint FROM findings WHERE status <> 'resolved' AND rule_id IN " +
		placeholders(len(rules))
	args := make([]any, len(rules))
	for i, r := range rules {
		args[i] = r
	}
	return each(ctx, s.db, q, args, func(r rowScanner) error {
		var k finding.FindingKey
		var id string
		var fp sql.RawBytes
		if err := r.Scan(&k.RuleID, &k.SubjectType, &k.SubjectID, &id, &fp); err != nil {
			return err
		}
		var l finding.LiveFinding
		var err error
		if l.ID, err = uuid.Parse(id); err != nil {
			return fmt.Errorf("finding id %q: %w", id, err)
		}
		if len(fp) == len(l.Fingerprint) {
			copy(l.Fingerprint[:], fp)
		}
		return fn(k, l)
	})
}

// ResolveFindings implements finding.ScanStore: the ids in chunks of 1000,
// then the rules' scan_rules rows, in one transaction.
func (s *Findings) ResolveFindings(ctx context.Context, runID string, rules []string, ids []uuid.UUID, at time.Time) ([]finding.Finding, error) {
	var resolved []finding.Finding
	err := s.db.WithinTx(ctx, func(ctx context.Context) error {
		c := s.db.conn(ctx)
		for start := 0; start < len(ids); start += 1000 {
			chunk := ids[start:min(start+1000, len(ids))]
			strs := make([]string, len(chunk))
			for i, id := range chunk {
				strs[i] = id.String()
			}
			var rows []findingRow
			err := c.Raw(`UPDATE findings SET status = 'resolved', resolved_at = ?, updated_at = ?, version = version + 1, `+seenSet+`
				WHERE id IN ? AND status <> 'resolved' RETURNING `+findingCols,
				at.UTC(), at.UTC(), strs).Scan(&rows).Error
			if err != nil {
				return translate(err)
			}
			resolved = append(resolved, findingsOf(rows)...)
		}
		for _, rule := range rules {
			if err := c.Exec(`INSERT INTO scan_rules (rule_id, last_run, seen_at) VALUES (?, ?, ?)
				ON CONFLICT (rule_id) DO UPDATE SET last_run = excluded.last_run, seen_at = excluded.seen_at`,
				rule, runID, at.UTC()).Error; err != nil {
				return translate(err)
			}
		}
		return nil
	})
	return resolved, err
}

func findingsOf(rows []findingRow) []finding.Finding {
	out := make([]finding.Finding, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// liveCols are the columns the scan needs of a live finding.
const liveCols = "id, rule_id, severity, vendor_id, subject_type, subject_id, status, first_seen_at, last_seen_at, " +
	"last_seen_run, accepted_reason, accepted_until, accepted_by, version, updated_at"

// scanLive decodes a row of liveCols.
func scanLive(sc rowScanner) (finding.Finding, error) {
	var r findingRow
	err := sc.Scan(&r.ID, &r.RuleID, &r.Severity, &r.VendorID, &r.SubjectType, &r.SubjectID, &r.Status, &r.FirstSeenAt,
		&r.LastSeenAt, &r.LastSeenRun, &r.AcceptedReason, &r.AcceptedUntil, &r.AcceptedBy, &r.Version, &r.UpdatedAt)
	r.Facts = "{}"
	return r.toDomain(), err
}

// upsertConflict is the conflict clause of the finding insert: the
// live-finding partial index, with its predicate, as the target. A live
// finding keeps its id, status, first_seen_at and version.
const upsertConflict = ` ON CONFLICT (rule_id, subject_type, subject_id) WHERE status <> 'resolved' DO UPDATE SET
	severity = excluded.severity, facts = excluded.facts, vendor_id = excluded.vendor_id,
	last_seen_at = excluded.last_seen_at, last_seen_run = excluded.last_seen_run, fingerprint = excluded.fingerprint`

// writeFindingsPG is the whole batch write on PostgreSQL, one statement:
// old reads the live findings with the batch's keys from the snapshot
// before the writes (every part of a WITH sees the same snapshot) and
// tells whether each is unchanged; ins inserts the batch's new findings;
// upd rewrites the live findings whose severity, vendor or facts changed.
// An unchanged live finding is not written at all: its rule's scan_rules
// row, set when its family ends, stands for its last sighting (see
// findingRow.lastSeen). The rows come as ten array parameters (unnest),
// which bind and plan far faster than thousands of scalar parameters.
const writeFindingsPG = `WITH u AS (
		SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
			$13::text[])
		AS u(id, rule_id, severity, vendor_id, subject_type, subject_id, facts, first_seen_at, version, fingerprint)),
	old AS (SELECT f.id, f.rule_id, f.severity, f.vendor_id, f.subject_type, f.subject_id, f.status, f.first_seen_at,
		f.last_seen_at, f.last_seen_run, f.accepted_reason, f.accepted_until, f.accepted_by, f.version, f.updated_at,
		COALESCE(f.fingerprint = decode(u.fingerprint, 'hex'), false) AS same
		FROM findings f JOIN u ON f.rule_id = u.rule_id AND f.subject_type = u.subject_type AND f.subject_id = u.subject_id
		WHERE f.status <> 'resolved'),
	ins AS (INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status,
			first_seen_at, last_seen_at, last_seen_run, version, updated_at, fingerprint)
		SELECT u.id::uuid, u.rule_id, u.severity, u.vendor_id::uuid, u.subject_type, u.subject_id, u.facts::jsonb, 'open',
			u.first_seen_at::timestamptz, $1, $2, u.version::bigint, $3, decode(u.fingerprint, 'hex') FROM u
		WHERE NOT EXISTS (SELECT 1 FROM old o
			WHERE o.rule_id = u.rule_id AND o.subject_type = u.subject_type AND o.subject_id = u.subject_id)` + upsertConflict + `),
	upd AS (UPDATE findings f SET severity = u.severity, facts = u.facts::jsonb, vendor_id = u.vendor_id::uuid,
			last_seen_at = $1, last_seen_run = $2, fingerprint = decode(u.fingerprint, 'hex')
		FROM old o JOIN u ON o.rule_id = u.rule_id AND o.subject_type = u.subject_type AND o.subject_id = u.subject_id
		WHERE f.id = o.id AND NOT o.same)
	SELECT ` + liveCols + ` FROM old`

// changedOnlySQLite limits the SQLite upsert's update to live findings
// whose fingerprint (severity, vendor and facts) changed.
const changedOnlySQLite = ` WHERE findings.fingerprint IS NOT excluded.fingerprint`

// WriteFindings implements finding.ScanStore: one statement per batch on
// PostgreSQL (see writeFindingsPG); on SQLite, in one transaction, a read
// of the live findings and a multi-row INSERT ... ON CONFLICT that
// updates changed findings only.
func (s *Findings) WriteFindings(ctx context.Context, runID string, fs []finding.EncodedFinding) (map[finding.FindingKey]finding.Finding, error) {
	live := make(map[finding.FindingKey]finding.Finding, len(fs))
	if len(fs) == 0 {
		return live, nil
	}
	first := func(f finding.Finding) time.Time {
		if f.FirstSeenAt.IsZero() {
			return f.LastSeenAt.UTC()
		}
		return f.FirstSeenAt.UTC()
	}
	seen := fs[0].LastSeenAt.UTC()
	keep := func(sc rowScanner) error {
		f, err := scanLive(sc)
		live[f.Key()] = f
		return err
	}
	if s.db.dialect == Postgres {
		args := []any{seen, runID, seen}
		cols := make([][]string, 10)
		for _, e := range fs {
			f := e.Finding
			for j, v := range []string{f.ID, f.RuleID, string(f.Severity), f.VendorID, f.SubjectType, f.SubjectID, e.FactsJSON,
				first(f).Format(time.RFC3339Nano), strconv.FormatInt(max(f.Version, 1), 10), hex.EncodeToString(e.Fingerprint[:])} {
				cols[j] = append(cols[j], v)
			}
		}
		for _, c := range cols {
			args = append(args, c)
		}
		// Findings are recomputed by every scan, so the scan's writes need
		// not wait for the WAL flush: a crash loses at most the last
		// batches, which the next scan writes again.
		return live, s.db.WithinTx(ctx, func(ctx context.Context) error {
			if err := s.db.rawExec(ctx, "SET LOCAL synchronous_commit TO OFF", nil); err != nil {
				return err
			}
			return each(ctx, s.db, writeFindingsPG, args, keep)
		})
	}
	err := s.db.WithinTx(ctx, func(ctx context.Context) error {
		rules, subjects := map[string]bool{}, map[string]bool{}
		for _, e := range fs {
			rules[e.RuleID], subjects[e.SubjectID] = true, true
		}
		err := each(ctx, s.db, "SELECT "+liveCols+" FROM findings WHERE status <> 'resolved' AND rule_id IN ? AND subject_id IN ?",
			[]any{setKeys(rules), setKeys(subjects)}, keep)
		if err != nil {
			return err
		}
		const perRow = 14
		for start := 0; start < len(fs); start += 1000 {
			chunk := fs[start:min(start+1000, len(fs))]
			var sb strings.Builder
			args := make([]any, 0, len(chunk)*perRow)
			sb.WriteString(`INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status,
				first_seen_at, last_seen_at, last_seen_run, version, updated_at, fingerprint) VALUES `)
			for i, e := range chunk {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)")
				f := e.Finding
				args = append(args, f.ID, f.RuleID, string(f.Severity), f.VendorID, f.SubjectType, f.SubjectID, e.FactsJSON,
					first(f), seen, runID, max(f.Version, 1), seen, e.Fingerprint[:])
			}
			sb.WriteString(upsertConflict + changedOnlySQLite)
			if err := s.db.rawExec(ctx, sb.String(), args); err != nil {
				return err
			}
		}
		return nil
	})
	// The SQLite read matched rules and subjects separately: keep only
	// the batch's own keys.
	want := make(map[finding.FindingKey]bool, len(fs))
	for _, e := range fs {
		want[e.Key()] = true
	}
	for k := range live {
		if !want[k] {
			delete(live, k)
		}
	}
	return live, err
}

func setKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
