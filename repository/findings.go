package repository

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Findings is the GORM store of findings and the fact queries of the
// compliance scan. Every fact query is one set-based statement, streamed and
// handed to the rules in batches; no query runs per vendor and no table is loaded whole.
type Findings struct{ db *DB }

var (
	_ domain.FindingStore = (*Findings)(nil)
	_ domain.ScanStore    = (*Findings)(nil)
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
}

func (findingRow) TableName() string { return "findings" }

const findingCols = "id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at, last_seen_at, " +
	"last_seen_run, resolved_at, accepted_reason, accepted_until, accepted_by, version, updated_at"

func (r findingRow) toDomain() domain.Finding {
	f := domain.Finding{ID: r.ID, RuleID: r.RuleID, Severity: domain.Severity(r.Severity), VendorID: r.VendorID,
		SubjectType: r.SubjectType, SubjectID: r.SubjectID, Facts: decodeFacts(r.Facts), Status: domain.FindingStatus(r.Status),
		FirstSeenAt: r.FirstSeenAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), LastSeenRun: r.LastSeenRun,
		ResolvedAt: utcPtr(r.ResolvedAt), AcceptedReason: r.AcceptedReason, AcceptedBy: r.AcceptedBy,
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
	if !r.AcceptedUntil.IsZero() {
		d := r.AcceptedUntil.Date
		f.AcceptedUntil = &d
	}
	return f
}

func factsJSON(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// scanFinding reads one row of findingCols.
func scanFinding(rows rowScanner, r *findingRow) error {
	return rows.Scan(&r.ID, &r.RuleID, &r.Severity, &r.VendorID, &r.SubjectType, &r.SubjectID, &r.Facts, &r.Status,
		&r.FirstSeenAt, &r.LastSeenAt, &r.LastSeenRun, &r.ResolvedAt, &r.AcceptedReason, &r.AcceptedUntil,
		&r.AcceptedBy, &r.Version, &r.UpdatedAt)
}

// Get implements domain.FindingStore.
func (s *Findings) Get(ctx context.Context, id string) (domain.Finding, error) {
	row, err := queryOne(ctx, s.db, scanFinding, "SELECT "+findingCols+" FROM findings WHERE id = ?", id)
	if err != nil {
		return domain.Finding{}, fmt.Errorf("finding %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// List implements domain.FindingStore: newest first, keyset on the id
// (UUIDv7 ids sort by creation time).
func (s *Findings) List(ctx context.Context, f domain.FindingFilter, p domain.PageRequest) (domain.Page[domain.Finding], error) {
	var w where
	if f.RuleID != "" {
		w.add("rule_id = ?", f.RuleID)
	}
	if f.Severity != "" {
		w.add("severity = ?", string(f.Severity))
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.VendorID != "" {
		w.add("vendor_id = ?", f.VendorID)
	}
	if !f.OpenedAfter.IsZero() {
		w.add("first_seen_at > ?", f.OpenedAfter.UTC())
	}
	if f.SubjectID != "" {
		w.add("subject_id = ?", f.SubjectID)
	}
	if len(f.SubjectTypes) > 0 {
		args := make([]any, len(f.SubjectTypes))
		for i, t := range f.SubjectTypes {
			args[i] = t
		}
		w.add("subject_type IN "+placeholders(len(args)), args...)
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[domain.Finding]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		w.add("id < ?", p.After)
	}
	rows, err := queryRows(ctx, s.db, p.Size()+1, scanFinding,
		"SELECT "+findingCols+" FROM findings"+w.sql()+" ORDER BY id DESC LIMIT "+strconv.Itoa(p.Size()+1), w.args...)
	if err != nil {
		return domain.Page[domain.Finding]{}, err
	}
	return pageOf(rows, p.Size(), func(r findingRow) string { return r.ID }, findingRow.toDomain), nil
}

// Update implements domain.FindingStore.
func (s *Findings) Update(ctx context.Context, f domain.Finding, expectedVersion int64) error {
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

// BeginRun implements domain.ScanStore. The partial unique index on
// running scan_runs rows admits one running scan.
func (s *Findings) BeginRun(ctx context.Context, id string, at, staleBefore time.Time) error {
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

// FinishRun implements domain.ScanStore.
func (s *Findings) FinishRun(ctx context.Context, id string, at time.Time, summary domain.ScanResult, runErr error) error {
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

// ReopenExpired implements domain.ScanStore with one UPDATE ... RETURNING.
func (s *Findings) ReopenExpired(ctx context.Context, today domain.Date, at time.Time) ([]domain.Finding, error) {
	var rows []findingRow
	err := s.db.conn(ctx).Raw(`UPDATE findings SET status = 'open', version = version + 1, updated_at = ?
		WHERE status = 'risk_accepted' AND accepted_until < ? RETURNING `+findingCols, at.UTC(), sqlDate(today)).Scan(&rows).Error
	return findingsOf(rows), translate(err)
}

// ResolveUnseen implements domain.ScanStore with one UPDATE ... RETURNING.
func (s *Findings) ResolveUnseen(ctx context.Context, runID string, rules []string, at time.Time) ([]domain.Finding, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	var rows []findingRow
	err := s.db.conn(ctx).Raw(`UPDATE findings SET status = 'resolved', resolved_at = ?, updated_at = ?, version = version + 1
		WHERE status <> 'resolved' AND rule_id IN ? AND last_seen_run <> ? RETURNING `+findingCols,
		at.UTC(), at.UTC(), rules, runID).Scan(&rows).Error
	return findingsOf(rows), translate(err)
}

func findingsOf(rows []findingRow) []domain.Finding {
	out := make([]domain.Finding, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// liveCols are the columns the scan needs of a live finding.
const liveCols = "id, rule_id, severity, vendor_id, subject_type, subject_id, status, first_seen_at, last_seen_at, " +
	"last_seen_run, accepted_reason, accepted_until, accepted_by, version, updated_at"

// LiveFindings implements domain.ScanStore with one query for the batch.
func (s *Findings) LiveFindings(ctx context.Context, keys []domain.FindingKey) (map[domain.FindingKey]domain.Finding, error) {
	out := make(map[domain.FindingKey]domain.Finding, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	want := make(map[domain.FindingKey]bool, len(keys))
	rules, subjects := map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		want[k], rules[k.RuleID], subjects[k.SubjectID] = true, true, true
	}
	var rows []findingRow
	var err error
	if s.db.dialect == Postgres {
		// A join on the unnested keys: the planner expects a few rows and
		// probes the live-finding index for each, whatever the table size.
		var rs, ts, ids pgArray
		for _, k := range keys {
			rs, ts, ids = append(rs, k.RuleID), append(ts, k.SubjectType), append(ids, k.SubjectID)
		}
		err = s.db.conn(ctx).Raw("SELECT f."+strings.ReplaceAll(liveCols, ", ", ", f.")+` FROM findings f
			JOIN unnest(?::text[], ?::text[], ?::text[]) AS k(rule_id, subject_type, subject_id)
			ON f.rule_id = k.rule_id AND f.subject_type = k.subject_type AND f.subject_id = k.subject_id
			WHERE f.status <> 'resolved'`, rs, ts, ids).Scan(&rows).Error
	} else {
		err = s.db.conn(ctx).Raw("SELECT "+liveCols+" FROM findings WHERE status <> 'resolved' AND rule_id IN ? AND subject_id IN ?",
			setKeys(rules), setKeys(subjects)).Scan(&rows).Error
	}
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		r.Facts = "{}"
		f := r.toDomain()
		if want[f.Key()] {
			out[f.Key()] = f
		}
	}
	return out, nil
}

func setKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// upsertConflict is the conflict clause of the finding upsert: the
// live-finding partial index, with its predicate, as the target.
const upsertConflict = ` ON CONFLICT (rule_id, subject_type, subject_id) WHERE status <> 'resolved' DO UPDATE SET
	severity = excluded.severity, facts = excluded.facts, vendor_id = excluded.vendor_id,
	last_seen_at = excluded.last_seen_at, last_seen_run = excluded.last_seen_run`

// UpsertFindings implements domain.ScanStore: one INSERT ... ON CONFLICT
// on the live-finding index per call. A live finding keeps its id, status,
// first_seen_at and version; the scan refreshes severity, facts and the
// last-seen stamp. PostgreSQL gets the rows as nine array parameters
// (unnest), which binds and plans far faster than thousands of scalar
// parameters; SQLite gets a multi-row VALUES list.
func (s *Findings) UpsertFindings(ctx context.Context, runID string, fs []domain.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	facts := make([]string, len(fs))
	for i, f := range fs {
		js, err := factsJSON(f.Facts)
		if err != nil {
			return fmt.Errorf("facts of %s %s: %w", f.RuleID, f.SubjectID, err)
		}
		facts[i] = js
	}
	first := func(f domain.Finding) time.Time {
		if f.FirstSeenAt.IsZero() {
			return f.LastSeenAt.UTC()
		}
		return f.FirstSeenAt.UTC()
	}
	seen := fs[0].LastSeenAt.UTC()
	if s.db.dialect == Postgres {
		cols := make([]pgArray, 9)
		for i, f := range fs {
			for j, v := range []string{f.ID, f.RuleID, string(f.Severity), f.VendorID, f.SubjectType, f.SubjectID, facts[i],
				first(f).Format(time.RFC3339Nano), fmt.Sprint(max(f.Version, 1))} {
				cols[j] = append(cols[j], v)
			}
		}
		sql := `INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status,
			first_seen_at, last_seen_at, last_seen_run, version, updated_at)
			SELECT u.id::uuid, u.rule_id, u.severity, u.vendor_id::uuid, u.subject_type, u.subject_id, u.facts::jsonb, 'open',
				u.first_seen_at::timestamptz, ?, ?, u.version::bigint, ?
			FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
				AS u(id, rule_id, severity, vendor_id, subject_type, subject_id, facts, first_seen_at, version)` + upsertConflict
		args := []any{seen, runID, seen}
		for _, c := range cols {
			args = append(args, c)
		}
		// Findings are recomputed by every scan, so the scan's writes need
		// not wait for the WAL flush: a crash loses at most the last
		// batches, which the next scan writes again.
		return s.db.WithinTx(ctx, func(ctx context.Context) error {
			c := s.db.conn(ctx)
			if err := c.Exec("SET LOCAL synchronous_commit TO OFF").Error; err != nil {
				return translate(err)
			}
			return translate(c.Exec(sql, args...).Error)
		})
	}
	const perRow = 13
	for start := 0; start < len(fs); start += 1000 {
		chunk := fs[start:min(start+1000, len(fs))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*perRow)
		sb.WriteString(`INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status,
			first_seen_at, last_seen_at, last_seen_run, version, updated_at) VALUES `)
		for i, f := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)")
			args = append(args, f.ID, f.RuleID, string(f.Severity), f.VendorID, f.SubjectType, f.SubjectID, facts[start+i],
				first(f), f.LastSeenAt.UTC(), runID, max(f.Version, 1), f.LastSeenAt.UTC())
		}
		sb.WriteString(upsertConflict)
		if err := s.db.conn(ctx).Exec(sb.String(), args...).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// pgArray is a text array parameter in PostgreSQL's literal form. Being a
// driver.Valuer, GORM passes it whole instead of expanding it into a list.
type pgArray []string

var pgArrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value implements driver.Valuer.
func (a pgArray) Value() (driver.Value, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(pgArrayEscaper.Replace(v))
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String(), nil
}

// batchSize is q.BatchSize with a default.
func batchSize(q domain.ScanQuery) int {
	if q.BatchSize <= 0 {
		return 1000
	}
	return q.BatchSize
}

// walk streams one set-based query and hands its rows to fn in batches
// of q.BatchSize. The query runs once: a keyset loop would make the
// server re-evaluate the filter (and its anti-join) over every remaining
// row for each batch. The rows are read on their own connection while fn
// writes on others, so walk must not run inside a transaction.
func walk[R any](ctx context.Context, db *DB, q domain.ScanQuery, sql string, args []any, fn func([]R) error) error {
	n := batchSize(q)
	g := db.conn(ctx)
	rows, err := g.Raw(sql, args...).Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	batch := make([]R, 0, n)
	for rows.Next() {
		var r R
		if err := g.ScanRows(rows, &r); err != nil {
			return translate(err)
		}
		if batch = append(batch, r); len(batch) == n {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]R, 0, n)
		}
	}
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

type reviewFactRow struct {
	ID           string
	Name         string
	Tier         string
	LastReviewOn dateCol
}

// ReviewFacts implements domain.ScanStore: active vendors never reviewed or
// whose last review is before their tier's cut-off.
func (s *Findings) ReviewFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.ReviewFact) error) error {
	where, args := reviewOverdueWhere(&domain.ReviewOverdueFilter{Overdue: true, Cutoffs: q.ReviewCutoffs})
	sql := `SELECT id, name, tier, last_review_on FROM vendors WHERE status = 'active'
		AND (last_review_on IS NULL OR ` + where + `)`
	return walk(ctx, s.db, q, sql, args, func(rows []reviewFactRow) error {
		out := make([]domain.ReviewFact, len(rows))
		for i, r := range rows {
			out[i] = domain.ReviewFact{VendorID: r.ID, VendorName: r.Name, Tier: domain.Tier(r.Tier), LastReviewOn: r.LastReviewOn.Date}
		}
		return fn(out)
	})
}

type attestationFactRow struct {
	ID           string
	VendorID     string
	VendorName   string
	Kind         string
	ExpiresOn    dateCol
	Opinion      *string
	ReviewStatus string
	Latest       int
}

// attestationFactsSQL selects, for active vendors, the unrejected
// attestations that expire by the horizon or carry a qualified or adverse
// opinion not yet decided, each marked latest when no unrejected
// attestation of the same kind from the vendor expires later (the expiry
// rules judge only the latest one of each kind).
const attestationFactsSQL = `SELECT * FROM (SELECT a.id, a.vendor_id, v.name AS vendor_name, a.kind, a.expires_on, a.opinion,
		a.review_status, CASE WHEN EXISTS (SELECT 1 FROM attestations b WHERE b.vendor_id = a.vendor_id AND b.kind = a.kind
			AND b.review_status <> 'rejected' AND (b.expires_on > a.expires_on OR (b.expires_on = a.expires_on AND b.id > a.id)))
			THEN 0 ELSE 1 END AS latest
	FROM attestations a JOIN vendors v ON v.id = a.vendor_id
	WHERE v.status = 'active' AND a.review_status <> 'rejected'
	AND (a.expires_on <= ? OR (a.opinion IN ('qualified', 'adverse') AND a.review_status IN ('received', 'under_review')))) x
	WHERE (x.latest = 1 OR (x.opinion IN ('qualified', 'adverse') AND x.review_status IN ('received', 'under_review')))`

// AttestationFacts implements domain.ScanStore.
func (s *Findings) AttestationFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.AttestationFact) error) error {
	sql := attestationFactsSQL
	return walk(ctx, s.db, q, sql, []any{sqlDate(q.AttestationHorizon)},
		func(rows []attestationFactRow) error {
			out := make([]domain.AttestationFact, len(rows))
			for i, r := range rows {
				out[i] = domain.AttestationFact{ID: r.ID, VendorID: r.VendorID, VendorName: r.VendorName,
					Kind: domain.AttestationKind(r.Kind), ExpiresOn: r.ExpiresOn.Date,
					Opinion: domain.AttestationOpinion(deref(r.Opinion)), ReviewStatus: domain.AttestationReviewStatus(r.ReviewStatus),
					Latest: r.Latest == 1}
			}
			return fn(out)
		})
}

type contractFactRow struct {
	ID                string
	VendorID          string
	VendorName        string
	Title             string
	Status            string
	ExpiresOn         dateCol
	AutoRenew         bool
	RenewalNoticeDays int
}

// ContractFacts implements domain.ScanStore: contracts of active vendors
// that are past their end date (active and not auto-renewing, or the
// latest expired one of a vendor with no active contract), or whose
// renewal-notice deadline falls between today and the horizon.
func (s *Findings) ContractFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.ContractFact) error) error {
	deadline := "(c.expires_on - c.renewal_notice_days)"
	if s.db.dialect == SQLite {
		deadline = "date(c.expires_on, '-' || c.renewal_notice_days || ' days')"
	}
	today := sqlDate(q.Today)
	sql := `SELECT c.id, c.vendor_id, v.name AS vendor_name, c.title, c.status, c.expires_on, c.auto_renew, c.renewal_notice_days
		FROM contracts c JOIN vendors v ON v.id = c.vendor_id
		WHERE v.status = 'active' AND c.expires_on IS NOT NULL AND (
			(c.status = 'active' AND c.auto_renew = ? AND c.expires_on < ?)
			OR (c.status = 'expired' AND c.expires_on < ?
				AND NOT EXISTS (SELECT 1 FROM contracts o WHERE o.vendor_id = c.vendor_id AND (o.status = 'active'
					OR (o.status = 'expired' AND (o.expires_on > c.expires_on OR (o.expires_on = c.expires_on AND o.id > c.id))))))
			OR (c.status = 'active' AND c.renewal_notice_days > 0 AND ` + deadline + ` >= ? AND ` + deadline + ` <= ?))`
	args := []any{false, today, today, today, sqlDate(q.RenewalHorizon)}
	return walk(ctx, s.db, q, sql, args, func(rows []contractFactRow) error {
		out := make([]domain.ContractFact, len(rows))
		for i, r := range rows {
			out[i] = domain.ContractFact{ID: r.ID, VendorID: r.VendorID, VendorName: r.VendorName, Title: r.Title,
				Status: domain.ContractStatus(r.Status), ExpiresOn: r.ExpiresOn.Date, AutoRenew: r.AutoRenew,
				RenewalNoticeDays: r.RenewalNoticeDays}
		}
		return fn(out)
	})
}

type incidentFactRow struct {
	ID                 string
	VendorID           string
	VendorName         string
	Title              string
	VendorDiscoveredAt time.Time
	VendorNotifiedUsAt *time.Time
	NoticeDueAt        time.Time
	LearnedVia         string
	WindowValue        *int
	WindowUnit         *string
	Standard           *string
}

// incidentFactsSQL selects incidents whose vendor notice came after the
// due instant, or has not come and the due instant has passed.
const incidentFactsSQL = `SELECT i.id, i.vendor_id, v.name AS vendor_name, i.title, i.vendor_discovered_at,
	i.vendor_notified_us_at, i.notice_due_at, i.learned_via, cv.window_value, cv.window_unit, cv.standard
	FROM incidents i JOIN vendors v ON v.id = i.vendor_id LEFT JOIN clause_versions cv ON cv.id = i.notice_clause_id
	WHERE i.notice_due_at IS NOT NULL
	AND (i.vendor_notified_us_at > i.notice_due_at OR (i.vendor_notified_us_at IS NULL AND i.notice_due_at < ?))`

// IncidentFacts implements domain.ScanStore.
func (s *Findings) IncidentFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.IncidentFact) error) error {
	sql := incidentFactsSQL
	return walk(ctx, s.db, q, sql, []any{q.AsOf.UTC()},
		func(rows []incidentFactRow) error {
			out := make([]domain.IncidentFact, len(rows))
			for i, r := range rows {
				f := domain.IncidentFact{ID: r.ID, VendorID: r.VendorID, VendorName: r.VendorName, Title: r.Title,
					DiscoveredAt: r.VendorDiscoveredAt.UTC(), NotifiedAt: utcPtr(r.VendorNotifiedUsAt), DueAt: r.NoticeDueAt.UTC(),
					LearnedVia: domain.LearnedVia(r.LearnedVia), Terms: domain.ClauseTerms{Standard: domain.NotificationStandard(deref(r.Standard))}}
				if r.WindowValue != nil && r.WindowUnit != nil {
					f.Terms.Window = &domain.Window{Value: *r.WindowValue, Unit: domain.WindowUnit(*r.WindowUnit)}
				}
				out[i] = f
			}
			return fn(out)
		})
}

type obligationFactRow struct {
	ID         string
	IncidentID string
	VendorID   string
	VendorName string
	Regime     string
	Recipient  string
	DueAt      time.Time
}

// ObligationFacts implements domain.ScanStore: open obligations due by the
// horizon.
func (s *Findings) ObligationFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.ObligationFact) error) error {
	sql := `SELECT o.id, o.incident_id, i.vendor_id, v.name AS vendor_name, o.regime, o.recipient, o.due_at
		FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
		WHERE o.status = 'open' AND o.due_at IS NOT NULL AND o.due_at <= ?`
	return walk(ctx, s.db, q, sql, []any{q.ObligationHorizon.UTC()},
		func(rows []obligationFactRow) error {
			out := make([]domain.ObligationFact, len(rows))
			for i, r := range rows {
				out[i] = domain.ObligationFact{ID: r.ID, IncidentID: r.IncidentID, VendorID: r.VendorID, VendorName: r.VendorName,
					Regime: r.Regime, Recipient: r.Recipient, DueAt: r.DueAt.UTC()}
			}
			return fn(out)
		})
}

// forVendors joins alias's vendor_id to a batch of vendor ids: an
// unnested uuid[] on PostgreSQL (the planner then probes the vendor_id
// index per vendor, where a long IN list or = ANY may turn into a full
// scan per batch), a json_each on SQLite.
func (s *Findings) forVendors(alias string, ids []string) (string, any) {
	if s.db.dialect == Postgres {
		return " JOIN unnest(?::uuid[]) AS vsel(id) ON " + alias + ".vendor_id = vsel.id", pgArray(ids)
	}
	js, _ := json.Marshal(ids) // strings always marshal
	return " JOIN (SELECT value AS id FROM json_each(?)) vsel ON " + alias + ".vendor_id = vsel.id", string(js)
}

type policyVendorRow struct {
	ID   string
	Name string
	Tier string
}

// VendorPolicyFacts implements domain.ScanStore: active vendors streamed in
// batches; for each batch, four queries joined to the batch's ids fetch
// their data handling, active contracts, clauses in force and attestations.
func (s *Findings) VendorPolicyFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.VendorPolicyFact) error) error {
	sql := `SELECT id, name, tier FROM vendors WHERE status = 'active'`
	at := q.AsOf.UTC()
	return walk(ctx, s.db, q, sql, nil, func(vs []policyVendorRow) error {
		ids := make([]string, len(vs))
		idx := make(map[string]int, len(vs))
		out := make([]domain.VendorPolicyFact, len(vs))
		for i, v := range vs {
			ids[i], idx[v.ID] = v.ID, i
			t := domain.Tier(v.Tier)
			out[i].Vendor = domain.Vendor{ID: v.ID, Name: v.Name, Risk: domain.InherentRisk{Tier: t}, TierOverride: t}
		}
		c := s.db.conn(ctx)
		// Narrow columns: only what policy conditions and evaluation read.
		var hs []handlingRow
		join, arg := s.forVendors("h", ids)
		if err := c.Raw("SELECT h.vendor_id, h.category, h.jurisdictions FROM data_handling h"+join, arg).Scan(&hs).Error; err != nil {
			return translate(err)
		}
		for _, h := range hs {
			i := idx[h.VendorID]
			out[i].Handling = append(out[i].Handling, h.toDomain())
		}
		var cs []contractRow
		join, arg = s.forVendors("c", ids)
		err := c.Raw(`SELECT c.id, c.vendor_id, c.status, c.security_standard, c.right_to_audit, c.subprocessor_approval,
			c.data_return_or_destruction, c.dpa, c.baa FROM contracts c`+join+` WHERE c.status = ? ORDER BY c.id`,
			arg, string(domain.ContractActive)).Scan(&cs).Error
		if err != nil {
			return translate(err)
		}
		var cls []clauseRow
		err = c.Raw(`SELECT cv.* FROM clause_versions cv JOIN contracts c ON c.id = cv.contract_id`+join+`
			WHERE c.status = ? AND cv.effective_from <= ? AND (cv.effective_to IS NULL OR cv.effective_to > ?)`,
			arg, string(domain.ContractActive), at, at).Scan(&cls).Error
		if err != nil {
			return translate(err)
		}
		clauses := make(map[string]domain.ClauseVersion, len(cls))
		for _, r := range cls {
			clauses[r.ContractID] = r.toDomain()
		}
		for _, r := range cs {
			cc := domain.ContractClause{Contract: r.toDomain()}
			if v, ok := clauses[r.ID]; ok {
				cc.Clause = &v
			}
			i := idx[r.VendorID]
			out[i].Contracts = append(out[i].Contracts, cc)
		}
		var as []attestationRow
		join, arg = s.forVendors("a", ids)
		err = c.Raw(`SELECT a.id, a.vendor_id, a.kind, a.issued_on, a.expires_on, a.review_status FROM attestations a`+join+`
			WHERE a.review_status <> ?`, arg, string(domain.AttestationRejected)).Scan(&as).Error
		if err != nil {
			return translate(err)
		}
		for _, a := range as {
			i := idx[a.VendorID]
			out[i].Attestations = append(out[i].Attestations, a.toDomain())
		}
		return fn(out)
	})
}
