package repository

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// The fact queries of the compliance scan. Each family is one set-based
// statement streamed in batches (the policy family adds three statements
// per batch of vendors). Rows are read with database/sql's Scan into typed
// destinations: GORM's reflective Scan cost more than the queries
// themselves at 100k vendors.

// batchSize is q.BatchSize with a default.
func batchSize(q domain.ScanQuery) int {
	if q.BatchSize <= 0 {
		return 1000
	}
	return q.BatchSize
}

// rawRows runs a query bypassing GORM's statement building on
// PostgreSQL: ? placeholders become $n and pgArray arguments go to pgx as
// []string, which it sends as binary arrays (as a driver.Valuer's text
// literal, pgx parsed every array back before sending it, at about the
// cost of the query). SQLite goes through GORM, which expands the
// placeholders. Inside WithinTx the query runs in the transaction.
func (db *DB) rawRows(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	if db.dialect != Postgres {
		return db.conn(ctx).Raw(query, args...).Rows()
	}
	query, args = pgNative(query, args)
	return db.conn(ctx).Statement.ConnPool.QueryContext(ctx, query, args...)
}

// rawExec is rawRows for statements without rows.
func (db *DB) rawExec(ctx context.Context, query string, args []any) error {
	if db.dialect != Postgres {
		return translate(db.conn(ctx).Exec(query, args...).Error)
	}
	query, args = pgNative(query, args)
	_, err := db.conn(ctx).Statement.ConnPool.ExecContext(ctx, query, args...)
	return translate(err)
}

// pgNative numbers query's ? placeholders ($1, $2, ...) and unwraps
// pgArray arguments. The queries it is given contain no other ?.
func pgNative(query string, args []any) (string, []any) {
	out := make([]any, len(args))
	for i, a := range args {
		if arr, ok := a.(pgArray); ok {
			a = []string(arr)
		}
		out[i] = a
	}
	return rebindDollar(query), out
}

// walk streams one set-based query and hands its rows, decoded by scan
// (which may drop a row by returning false), to fn in batches of
// q.BatchSize. The query runs once: a keyset loop would make the server
// re-evaluate the filter (and its anti-join) over every remaining row for
// each batch. Rows are read one batch ahead of fn, on their own
// connection while fn writes on others, so walk must not run inside a
// transaction.
func walk[R any](ctx context.Context, db *DB, q domain.ScanQuery, query string, args []any,
	scan func(rowScanner) (R, bool, error), fn func([]R) error) error {
	n := batchSize(q)
	return ahead(ctx, func(ctx context.Context, emit func([]R) error) error {
		rows, err := db.rawRows(ctx, query, args)
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		batch := make([]R, 0, n)
		for rows.Next() {
			r, keep, err := scan(rows)
			if err != nil {
				return translate(err)
			}
			if !keep {
				continue
			}
			if batch = append(batch, r); len(batch) == n {
				if err := emit(batch); err != nil {
					return err
				}
				batch = make([]R, 0, n)
			}
		}
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		if len(batch) > 0 {
			return emit(batch)
		}
		return nil
	}, fn)
}

// ahead runs produce in a goroutine of its own and hands what it emits to
// consume through a channel of one, so that producing the next value
// overlaps consuming this one. When consume fails, produce's context is
// cancelled; the first error wins.
func ahead[T any](ctx context.Context, produce func(context.Context, func(T) error) error, consume func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan T, 1)
	produced := make(chan error, 1)
	go func() {
		defer close(ch)
		produced <- produce(ctx, func(v T) error {
			select {
			case ch <- v:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var err error
	for v := range ch {
		if err == nil {
			if err = consume(v); err != nil {
				cancel()
			}
		}
	}
	if perr := <-produced; err == nil {
		err = perr
	}
	return err
}

// each runs query and calls row for every row.
func each(ctx context.Context, db *DB, query string, args []any, row func(rowScanner) error) error {
	rows, err := db.rawRows(ctx, query, args)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return translate(err)
		}
	}
	return translate(rows.Err())
}

// ReviewFacts implements domain.ScanStore: active vendors never reviewed or
// whose last review is before their tier's cut-off.
func (s *Findings) ReviewFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.ReviewFact) error) error {
	where, args := reviewOverdueWhere(&domain.ReviewOverdueFilter{Overdue: true, Cutoffs: q.ReviewCutoffs})
	query := `SELECT id, name, tier, last_review_on FROM vendors WHERE status = 'active'
		AND (last_review_on IS NULL OR ` + where + `)`
	return walk(ctx, s.db, q, query, args, func(r rowScanner) (domain.ReviewFact, bool, error) {
		var f domain.ReviewFact
		var last dateCol
		err := r.Scan(&f.VendorID, &f.VendorName, &f.Tier, &last)
		f.LastReviewOn = last.Date
		return f, true, err
	}, fn)
}

// attestationFactsSQL selects, for active vendors, the unrejected
// attestations that expire by the horizon or carry a qualified or adverse
// opinion not yet decided, each marked latest when no unrejected
// attestation of the same kind from the vendor expires later (the expiry
// rules judge only the latest one of each kind). The reader drops rows
// that are neither latest nor undecided: filtering on latest in SQL made
// PostgreSQL evaluate the anti-join twice.
const attestationFactsSQL = `SELECT a.id, a.vendor_id, v.name, a.kind, a.expires_on, a.opinion, a.review_status,
		NOT EXISTS (SELECT 1 FROM attestations b WHERE b.vendor_id = a.vendor_id AND b.kind = a.kind
			AND b.review_status <> 'rejected' AND (b.expires_on > a.expires_on OR (b.expires_on = a.expires_on AND b.id > a.id)))
	FROM attestations a JOIN vendors v ON v.id = a.vendor_id
	WHERE v.status = 'active' AND a.review_status <> 'rejected'
	AND (a.expires_on <= ? OR (a.opinion IN ('qualified', 'adverse') AND a.review_status IN ('received', 'under_review')))`

// AttestationFacts implements domain.ScanStore.
func (s *Findings) AttestationFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.AttestationFact) error) error {
	return walk(ctx, s.db, q, attestationFactsSQL, []any{sqlDate(q.AttestationHorizon)},
		func(r rowScanner) (domain.AttestationFact, bool, error) {
			var f domain.AttestationFact
			var expires dateCol
			var opinion sql.NullString
			err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Kind, &expires, &opinion, &f.ReviewStatus, &f.Latest)
			f.ExpiresOn, f.Opinion = expires.Date, domain.AttestationOpinion(opinion.String)
			undecided := (f.Opinion == domain.OpinionQualified || f.Opinion == domain.OpinionAdverse) &&
				(f.ReviewStatus == domain.AttestationReceived || f.ReviewStatus == domain.AttestationUnderReview)
			return f, f.Latest || undecided, err
		}, fn)
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
	query := `SELECT c.id, c.vendor_id, v.name, c.title, c.status, c.expires_on, c.auto_renew, c.renewal_notice_days
		FROM contracts c JOIN vendors v ON v.id = c.vendor_id
		WHERE v.status = 'active' AND c.expires_on IS NOT NULL AND (
			(c.status = 'active' AND c.auto_renew = ? AND c.expires_on < ?)
			OR (c.status = 'expired' AND c.expires_on < ?
				AND NOT EXISTS (SELECT 1 FROM contracts o WHERE o.vendor_id = c.vendor_id AND (o.status = 'active'
					OR (o.status = 'expired' AND (o.expires_on > c.expires_on OR (o.expires_on = c.expires_on AND o.id > c.id))))))
			OR (c.status = 'active' AND c.renewal_notice_days > 0 AND ` + deadline + ` >= ? AND ` + deadline + ` <= ?))`
	args := []any{false, today, today, today, sqlDate(q.RenewalHorizon)}
	return walk(ctx, s.db, q, query, args, func(r rowScanner) (domain.ContractFact, bool, error) {
		var f domain.ContractFact
		var expires dateCol
		err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Title, &f.Status, &expires, &f.AutoRenew, &f.RenewalNoticeDays)
		f.ExpiresOn = expires.Date
		return f, true, err
	}, fn)
}

// incidentFactsSQL selects incidents whose vendor notice came after the
// due instant, or has not come and the due instant has passed.
const incidentFactsSQL = `SELECT i.id, i.vendor_id, v.name, i.title, i.vendor_discovered_at,
	i.vendor_notified_us_at, i.notice_due_at, i.learned_via, cv.window_value, cv.window_unit, cv.standard
	FROM incidents i JOIN vendors v ON v.id = i.vendor_id LEFT JOIN clause_versions cv ON cv.id = i.notice_clause_id
	WHERE i.notice_due_at IS NOT NULL
	AND (i.vendor_notified_us_at > i.notice_due_at OR (i.vendor_notified_us_at IS NULL AND i.notice_due_at < ?))`

// IncidentFacts implements domain.ScanStore.
func (s *Findings) IncidentFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.IncidentFact) error) error {
	return walk(ctx, s.db, q, incidentFactsSQL, []any{q.AsOf.UTC()}, func(r rowScanner) (domain.IncidentFact, bool, error) {
		var f domain.IncidentFact
		var notified sql.NullTime
		var value sql.NullInt64
		var unit, standard sql.NullString
		err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Title, &f.DiscoveredAt, &notified, &f.DueAt, &f.LearnedVia,
			&value, &unit, &standard)
		f.DiscoveredAt, f.DueAt = f.DiscoveredAt.UTC(), f.DueAt.UTC()
		if notified.Valid {
			t := notified.Time.UTC()
			f.NotifiedAt = &t
		}
		f.Terms.Standard = domain.NotificationStandard(standard.String)
		if value.Valid && unit.Valid {
			f.Terms.Window = &domain.Window{Value: int(value.Int64), Unit: domain.WindowUnit(unit.String)}
		}
		return f, true, err
	}, fn)
}

// ObligationFacts implements domain.ScanStore: open obligations due by the
// horizon.
func (s *Findings) ObligationFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.ObligationFact) error) error {
	query := `SELECT o.id, o.incident_id, i.vendor_id, v.name, o.regime, o.recipient, o.due_at
		FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
		WHERE o.status = 'open' AND o.due_at IS NOT NULL AND o.due_at <= ?`
	return walk(ctx, s.db, q, query, []any{q.ObligationHorizon.UTC()}, func(r rowScanner) (domain.ObligationFact, bool, error) {
		var f domain.ObligationFact
		err := r.Scan(&f.ID, &f.IncidentID, &f.VendorID, &f.VendorName, &f.Regime, &f.Recipient, &f.DueAt)
		f.DueAt = f.DueAt.UTC()
		return f, true, err
	}, fn)
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

// policyBatch is one batch of the policy family being assembled: the
// facts in stream order and each vendor's index.
type policyBatch struct {
	out []domain.VendorPolicyFact
	idx map[string]int
}

func (b *policyBatch) at(vendorID string) *domain.VendorPolicyFact { return &b.out[b.idx[vendorID]] }

// VendorPolicyFacts implements domain.ScanStore: active vendors streamed in
// batches; for each batch, three statements joined to the batch's ids,
// run concurrently, fetch their data handling, active contracts with the
// clause in force, and unrejected attestations (narrow columns: only what
// the policy conditions and evaluation read).
func (s *Findings) VendorPolicyFacts(ctx context.Context, q domain.ScanQuery, fn func([]domain.VendorPolicyFact) error) error {
	at := q.AsOf.UTC()
	// Assembling a batch (three statements) overlaps judging and writing
	// the previous one.
	return ahead(ctx, func(ctx context.Context, emit func([]domain.VendorPolicyFact) error) error {
		return s.policyBatches(ctx, q, at, emit)
	}, fn)
}

// policyBatches assembles the policy facts batch by batch.
func (s *Findings) policyBatches(ctx context.Context, q domain.ScanQuery, at time.Time, fn func([]domain.VendorPolicyFact) error) error {
	return walk(ctx, s.db, q, `SELECT id, name, tier FROM vendors WHERE status = 'active'`, nil,
		func(r rowScanner) (domain.Vendor, bool, error) {
			var v domain.Vendor
			err := r.Scan(&v.ID, &v.Name, &v.TierOverride)
			v.Risk.Tier = v.TierOverride
			return v, true, err
		},
		func(vs []domain.Vendor) error {
			b := policyBatch{out: make([]domain.VendorPolicyFact, len(vs)), idx: make(map[string]int, len(vs))}
			ids := make([]string, len(vs))
			for i, v := range vs {
				ids[i], b.idx[v.ID], b.out[i].Vendor = v.ID, i, v
			}
			// Each statement fills its own field of the facts, so they
			// may run at once on their own connections.
			var mu sync.Mutex
			err := concurrently(
				func() error { return s.policyHandling(ctx, ids, &b, &mu) },
				func() error { return s.policyContracts(ctx, ids, at, &b, &mu) },
				func() error { return s.policyAttestations(ctx, ids, &b, &mu) },
			)
			if err != nil {
				return err
			}
			return fn(b.out)
		})
}

func (s *Findings) policyHandling(ctx context.Context, ids []string, b *policyBatch, mu *sync.Mutex) error {
	join, arg := s.forVendors("h", ids)
	hs := make([]domain.DataHandling, 0, 2*len(ids))
	err := each(ctx, s.db, "SELECT h.vendor_id, h.category, h.jurisdictions FROM data_handling h"+join+" ORDER BY h.vendor_id",
		[]any{arg}, func(r rowScanner) error {
			var h handlingRow
			if err := r.Scan(&h.VendorID, &h.Category, &h.Jurisdictions); err != nil {
				return err
			}
			hs = append(hs, h.toDomain())
			return nil
		})
	mu.Lock()
	defer mu.Unlock()
	for vendor, run := range runs(hs, func(h domain.DataHandling) string { return h.VendorID }) {
		b.at(vendor).Handling = run
	}
	return err
}

// policyContracts reads the active contracts in id order, each with the
// clause version in force at at (a left join: one row per contract, as
// clause versions of one contract do not overlap).
func (s *Findings) policyContracts(ctx context.Context, ids []string, at time.Time, b *policyBatch, mu *sync.Mutex) error {
	join, arg := s.forVendors("c", ids)
	query := `SELECT c.id, c.vendor_id, c.status, c.security_standard, c.right_to_audit, c.subprocessor_approval,
		c.data_return_or_destruction, c.dpa, c.baa, cv.id, cv.effective_from, cv.effective_to, cv.window_value, cv.window_unit,
		cv.standard, cv.trigger, cv.notify, cv.required_content, cv.update_every_hours
		FROM contracts c` + join + ` LEFT JOIN clause_versions cv ON cv.contract_id = c.id
			AND cv.effective_from <= ? AND (cv.effective_to IS NULL OR cv.effective_to > ?)
		WHERE c.status = ? ORDER BY c.vendor_id, c.id`
	ccs := make([]domain.ContractClause, 0, 2*len(ids))
	err := each(ctx, s.db, query, []any{arg, at, at, string(domain.ContractActive)}, func(r rowScanner) error {
		var k contractRow
		var cl struct {
			id, trigger, notify, content sql.NullString
			from, to                     sql.NullTime
			value, every                 sql.NullInt64
			unit, standard               sql.NullString
		}
		if err := r.Scan(&k.ID, &k.VendorID, &k.Status, &k.SecurityStandard, &k.RightToAudit, &k.SubprocessorApproval,
			&k.DataReturnOrDestruction, &k.DPA, &k.BAA, &cl.id, &cl.from, &cl.to, &cl.value, &cl.unit,
			&cl.standard, &cl.trigger, &cl.notify, &cl.content, &cl.every); err != nil {
			return err
		}
		cc := domain.ContractClause{Contract: k.toDomain()}
		if cl.id.Valid {
			row := clauseRow{ID: cl.id.String, ContractID: k.ID, EffectiveFrom: cl.from.Time, Trigger: cl.trigger.String,
				Notify: cl.notify.String, RequiredContent: cl.content.String, UpdateEveryHours: int(cl.every.Int64)}
			if cl.to.Valid {
				row.EffectiveTo = &cl.to.Time
			}
			if cl.value.Valid && cl.unit.Valid {
				v := int(cl.value.Int64)
				row.WindowValue, row.WindowUnit = &v, &cl.unit.String
			}
			if cl.standard.Valid {
				row.Standard = &cl.standard.String
			}
			v := row.toDomain()
			cc.Clause = &v
		}
		ccs = append(ccs, cc)
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for vendor, run := range runs(ccs, func(c domain.ContractClause) string { return c.Contract.VendorID }) {
		b.at(vendor).Contracts = run
	}
	return err
}

func (s *Findings) policyAttestations(ctx context.Context, ids []string, b *policyBatch, mu *sync.Mutex) error {
	join, arg := s.forVendors("a", ids)
	as := make([]domain.Attestation, 0, 5*len(ids))
	err := each(ctx, s.db, `SELECT a.id, a.vendor_id, a.kind, a.issued_on, a.expires_on, a.review_status FROM attestations a`+join+`
		WHERE a.review_status <> ? ORDER BY a.vendor_id`, []any{arg, string(domain.AttestationRejected)}, func(r rowScanner) error {
		var a domain.Attestation
		var issued, expires dateCol
		if err := r.Scan(&a.ID, &a.VendorID, &a.Kind, &issued, &expires, &a.ReviewStatus); err != nil {
			return err
		}
		a.IssuedOn, a.ExpiresOn = issued.Date, expires.Date
		as = append(as, a)
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for vendor, run := range runs(as, func(a domain.Attestation) string { return a.VendorID }) {
		b.at(vendor).Attestations = run
	}
	return err
}

// runs yields the runs of consecutive elements of s with the same key,
// each capped to its length so that appending to one cannot overwrite the
// next. The policy readers sort by vendor, so each vendor's rows are one
// sub-slice of the batch's slice rather than a slice grown per vendor.
func runs[T any](s []T, key func(T) string) iter.Seq2[string, []T] {
	return func(yield func(string, []T) bool) {
		for start := 0; start < len(s); {
			k := key(s[start])
			end := start + 1
			for end < len(s) && key(s[end]) == k {
				end++
			}
			if !yield(k, s[start:end:end]) {
				return
			}
			start = end
		}
	}
}

// concurrently runs fns at once and returns the first error.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("policy facts: %w", err)
		}
	}
	return nil
}
