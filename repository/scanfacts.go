package repository

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The fact queries of the compliance scan. Each family is one set-based
// statement streamed in batches (the policy family adds three statements
// per batch of vendors). Rows are read with database/sql's Scan into typed
// destinations: GORM's reflective Scan cost more than the queries
// themselves at 100k vendors.

// batchSize is q.BatchSize with a default.
func batchSize(q finding.ScanQuery) int {
	if q.BatchSize <= 0 {
		return 1000
	}
	return q.BatchSize
}

// rawRows runs a query bypassing GORM's statement building on
// PostgreSQL: ? placeholders become $n, and []string arguments go to pgx,
// which sends them as binary arrays (a driver.Valuer's text literal, pgx
// parsed back before sending it, at about the cost of the query). SQLite
// goes through GORM, which expands the placeholders. Inside WithinTx the
// query runs in the transaction.
func (db *DB) rawRows(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	if db.dialect != Postgres {
		return db.conn(ctx).Raw(query, args...).Rows()
	}
	return db.conn(ctx).Statement.ConnPool.QueryContext(ctx, rebindDollar(query), args...)
}

// rawExec is rawRows for statements without rows.
func (db *DB) rawExec(ctx context.Context, query string, args []any) error {
	if db.dialect != Postgres {
		return translate(db.conn(ctx).Exec(query, args...).Error)
	}
	_, err := db.conn(ctx).Statement.ConnPool.ExecContext(ctx, rebindDollar(query), args...)
	return translate(err)
}

// walk streams one set-based query and hands its rows, decoded by scan
// (which may drop a row by returning false), to fn in batches of
// q.BatchSize. The query runs once: a keyset loop would make the server
// re-evaluate the filter (and its anti-join) over every remaining row for
// each batch. Rows are read one batch ahead of fn, on their own
// connection while fn writes on others, so walk must not run inside a
// transaction.
func walk[R any](ctx context.Context, db *DB, q finding.ScanQuery, query string, args []any,
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

// ReviewFacts implements finding.ScanStore: vendors in service
// (finding.FamilyScope) never reviewed or whose last review is before their
// tier's cut-off.
func (s *Findings) ReviewFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ReviewFact) error) error {
	where, args := reviewOverdueWhere(&register.ReviewOverdueFilter{Overdue: true, Cutoffs: q.ReviewCutoffs})
	query := `SELECT v.id, v.name, v.tier, v.last_review_on FROM vendors v WHERE ` + inServiceSQL + `
		AND (last_review_on IS NULL OR ` + where + `)`
	return walk(ctx, s.db, q, query, args, func(r rowScanner) (finding.ReviewFact, bool, error) {
		var f finding.ReviewFact
		var last dateCol
		err := r.Scan(&f.VendorID, &f.VendorName, &f.Tier, &last)
		f.LastReviewOn = last.Date
		return f, true, err
	}, fn)
}

// attestationFactsSQL selects, for vendors in service, the unrejected
// attestations that expire by the horizon or carry a qualified or adverse
// opinion not yet decided, each marked latest when no unrejected
// attestation of the same kind from the vendor expires later (the expiry
// rules judge only the latest one of each kind: latestAttestationSQL). The
// reader drops rows that are neither latest nor undecided: filtering on
// latest in SQL made PostgreSQL evaluate the anti-join twice.
var attestationFactsSQL = `SELECT a.id, a.vendor_id, v.name, a.kind, a.expires_on, a.opinion, a.review_status,
		` + latestNow + `
	FROM attestations a JOIN vendors v ON v.id = a.vendor_id
	WHERE ` + inServiceSQL + ` AND a.review_status <> 'rejected'
	AND (` + attestationExpiresBySQL("a.expires_on") + ` OR (a.opinion IN ('qualified', 'adverse') AND a.review_status IN ('received', 'under_review')))`

// latestNow is latestAttestationSQL at the present.
var latestNow, _ = latestAttestationSQL(nil)

// AttestationFacts implements finding.ScanStore.
func (s *Findings) AttestationFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.AttestationFact) error) error {
	return walk(ctx, s.db, q, attestationFactsSQL, []any{sqlDate(q.AttestationHorizon)},
		func(r rowScanner) (finding.AttestationFact, bool, error) {
			var f finding.AttestationFact
			var expires dateCol
			var opinion sql.NullString
			err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Kind, &expires, &opinion, &f.ReviewStatus, &f.Latest)
			f.ExpiresOn, f.Opinion = expires.Date, attestation.AttestationOpinion(opinion.String)
			undecided := (f.Opinion == attestation.OpinionQualified || f.Opinion == attestation.OpinionAdverse) &&
				(f.ReviewStatus == attestation.AttestationReceived || f.ReviewStatus == attestation.AttestationUnderReview)
			return f, f.Latest || undecided, err
		}, fn)
}

// ContractFacts implements finding.ScanStore: contracts of vendors in service
// that are past their end date (active and not auto-renewing, or the
// latest expired one of a vendor with no active contract), or whose
// renewal-notice deadline falls between today and the horizon.
func (s *Findings) ContractFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ContractFact) error) error {
	deadline := "(c.expires_on - c.renewal_notice_days)"
	if s.db.dialect == SQLite {
		deadline = "date(c.expires_on, '-' || c.renewal_notice_days || ' days')"
	}
	today := sqlDate(q.Today)
	query := `SELECT c.id, c.vendor_id, v.name, c.title, c.status, c.expires_on, c.auto_renew, c.renewal_notice_days
		FROM contracts c JOIN vendors v ON v.id = c.vendor_id
		WHERE ` + inServiceSQL + ` AND c.expires_on IS NOT NULL AND (
			(c.status = 'active' AND c.auto_renew = ? AND c.expires_on < ?)
			OR (c.status = 'expired' AND c.expires_on < ?
				AND NOT EXISTS (SELECT 1 FROM contracts o WHERE o.vendor_id = c.vendor_id AND (o.status = 'active'
					OR (o.status = 'expired' AND (o.expires_on > c.expires_on OR (o.expires_on = c.expires_on AND o.id > c.id))))))
			OR (c.status = 'active' AND c.renewal_notice_days > 0 AND ` + deadline + ` >= ? AND ` + deadline + ` <= ?))`
	args := []any{false, today, today, today, sqlDate(q.RenewalHorizon)}
	return walk(ctx, s.db, q, query, args, func(r rowScanner) (finding.ContractFact, bool, error) {
		var f finding.ContractFact
		var expires dateCol
		err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Title, &f.Status, &expires, &f.AutoRenew, &f.RenewalNoticeDays)
		f.ExpiresOn = expires.Date
		return f, true, err
	}, fn)
}

// incidentFactsSQL selects incidents whose vendor notice came after a
// deadline it had to meet (the contract's or the law's), or has not come
// and one has passed: incident.NoticeBreach's late and overdue, as of the
// argument (noticeBrokenSQL).
var incidentFactsSQL = `SELECT i.id, i.vendor_id, v.name, i.title, i.vendor_discovered_at,
	i.vendor_notified_us_at, i.notice_due_at, i.learned_via, cv.window_value, cv.window_unit, cv.standard,
	i.law_notice_due_at, i.law_notice_regime_id
	FROM incidents i JOIN vendors v ON v.id = i.vendor_id LEFT JOIN clause_versions cv ON cv.id = i.notice_clause_id
	WHERE ` + noticeBrokenSQL

// IncidentFacts implements finding.ScanStore.
func (s *Findings) IncidentFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.IncidentFact) error) error {
	return walk(ctx, s.db, q, incidentFactsSQL, noticeBrokenArgs(q.AsOf), func(r rowScanner) (finding.IncidentFact, bool, error) {
		var f finding.IncidentFact
		var notified, due, lawDue sql.NullTime
		var value sql.NullInt64
		var unit, standard sql.NullString
		err := r.Scan(&f.ID, &f.VendorID, &f.VendorName, &f.Title, &f.DiscoveredAt, &notified, &due, &f.LearnedVia,
			&value, &unit, &standard, &lawDue, &f.LawRegimeID)
		f.DiscoveredAt, f.DueAt, f.LawDueAt = f.DiscoveredAt.UTC(), nullTime(due), nullTime(lawDue)
		if notified.Valid && !notified.Time.After(q.AsOf) { // a notice after as-of counts as not given
			t := notified.Time.UTC()
			f.NotifiedAt = &t
		}
		f.Terms.Standard = contract.NotificationStandard(standard.String)
		if value.Valid && unit.Valid {
			f.Terms.Window = &domain.Window{Value: int(value.Int64), Unit: domain.WindowUnit(unit.String)}
		}
		return f, true, err
	}, fn)
}

// ObligationFacts implements finding.ScanStore: open obligations due by the
// horizon.
func (s *Findings) ObligationFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ObligationFact) error) error {
	query := `SELECT o.id, o.incident_id, i.vendor_id, v.name, o.regime, o.recipient, o.due_at
		FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
		WHERE o.status = 'open' AND o.due_at IS NOT NULL AND o.due_at <= ?`
	return walk(ctx, s.db, q, query, []any{q.ObligationHorizon.UTC()}, func(r rowScanner) (finding.ObligationFact, bool, error) {
		var f finding.ObligationFact
		err := r.Scan(&f.ID, &f.IncidentID, &f.VendorID, &f.VendorName, &f.Regime, &f.Recipient, &f.DueAt)
		f.DueAt = f.DueAt.UTC()
		return f, true, err
	}, fn)
}

// sortedStream reads one statement whose rows are ordered by vendor id,
// one row ahead, so that the policy family can merge several such
// streams vendor by vendor.
type sortedStream[T any] struct {
	rows *sql.Rows
	scan func(rowScanner) (T, error)
	key  func(T) string // the row's vendor id
	head T
	ok   bool
	err  error
}

func openSorted[T any](ctx context.Context, db *DB, query string, args []any, scan func(rowScanner) (T, error),
	key func(T) string) (*sortedStream[T], error) {
	rows, err := db.rawRows(ctx, query, args)
	if err != nil {
		return nil, translate(err)
	}
	st := &sortedStream[T]{rows: rows, scan: scan, key: key}
	st.next()
	return st, nil
}

func (st *sortedStream[T]) next() {
	if st.err != nil {
		st.ok = false
		return
	}
	if st.ok = st.rows.Next(); st.ok {
		if st.head, st.err = st.scan(st.rows); st.err != nil {
			st.ok = false
		}
		return
	}
	st.err = st.rows.Err()
}

// take appends the rows of vendor id to dst and returns it, skipping rows
// of vendors ordered before id (vendors that left the active set between
// the statements' snapshots).
func (st *sortedStream[T]) take(id string, dst []T) []T {
	for st.ok && st.key(st.head) < id {
		st.next()
	}
	for st.ok && st.key(st.head) == id {
		dst = append(dst, st.head)
		st.next()
	}
	return dst
}

func (st *sortedStream[T]) close() error {
	err := st.rows.Close()
	if st.err != nil {
		return translate(st.err)
	}
	return translate(err)
}

// Statements of the policy family, each ordered by vendor id (uuid order
// on PostgreSQL and text order on SQLite both match Go's string order of
// the lower-case ids). Narrow columns: only what the policy conditions and
// evaluation read.
var (
	policyVendorsSQL  = `SELECT v.id, v.name, v.tier FROM vendors v WHERE ` + inServiceSQL + ` ORDER BY v.id`
	policyHandlingSQL = `SELECT h.vendor_id, h.category, h.jurisdictions FROM data_handling h
		JOIN vendors v ON v.id = h.vendor_id WHERE ` + inServiceSQL + ` ORDER BY h.vendor_id`
	// One row per active contract with the clause version in force (a left
	// join: versions of one contract do not overlap).
	policyContractsSQL = `SELECT c.id, c.vendor_id, c.status, c.security_standard, c.right_to_audit, c.subprocessor_approval,
		c.data_return_or_destruction, c.dpa, c.baa, cv.id, cv.effective_from, cv.effective_to, cv.window_value, cv.window_unit,
		cv.standard, cv.trigger, cv.notify, cv.required_content, cv.update_every_hours
		FROM contracts c JOIN vendors v ON v.id = c.vendor_id
		LEFT JOIN clause_versions cv ON cv.contract_id = c.id
			AND cv.effective_from <= ? AND (cv.effective_to IS NULL OR cv.effective_to > ?)
		WHERE ` + inServiceSQL + ` AND c.status = 'active' ORDER BY c.vendor_id, c.id`
	// Only the kinds some requirement accepts (the IN list is appended):
	// the others cannot satisfy one.
	policyAttestationsSQL = `SELECT a.id, a.vendor_id, a.kind, a.issued_on, a.expires_on, a.review_status
		FROM attestations a JOIN vendors v ON v.id = a.vendor_id
		WHERE ` + inServiceSQL + ` AND a.review_status <> 'rejected' AND a.kind IN `
)

// policyAttestations is policyAttestationsSQL for kinds, with its
// arguments.
func policyAttestations(kinds []attestation.AttestationKind) (string, []any) {
	if len(kinds) == 0 {
		return policyAttestationsSQL + "(NULL) ORDER BY a.vendor_id", nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = string(k)
	}
	return policyAttestationsSQL + placeholders(len(kinds)) + " ORDER BY a.vendor_id", args
}

// policyStreams is how many statements VendorPolicyFacts reads at once.
const policyStreams = 4

// ReserveReads implements finding.ScanStore: families families read at
// once, one statement each, but the policy family reads four (budget.go);
// the risk family, alone after the others, reads two (three while it reads
// a vendor that came into scope after the policy family), and the risk
// endpoint reads one vendor's five one after another.
func (s *Findings) ReserveReads(ctx context.Context, families int) (release func(), err error) {
	return s.db.reserveReads(ctx, max(families-1+policyStreams, residualStreams))
}

// VendorPolicyFacts implements finding.ScanStore: four statements, each
// read once in vendor order on its own connection (vendors in service, their
// data handling, active contracts with the clause in force, unrejected
// attestations of the kinds the requirements accept), merged vendor by
// vendor into batches. One pass over each table: joining per batch of
// vendor ids would cost a plan and a round trip per statement and batch.
// Assembling a batch overlaps judging and writing the previous one.
func (s *Findings) VendorPolicyFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.VendorPolicyFact) error) error {
	at := q.AsOf.UTC()
	n := batchSize(q)
	return ahead(ctx, func(ctx context.Context, emit func([]finding.VendorPolicyFact) error) (err error) {
		vendors, err := openSorted(ctx, s.db, policyVendorsSQL, nil, scanPolicyVendor,
			func(v register.Vendor) string { return v.ID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, vendors.close()) }()
		handling, err := openSorted(ctx, s.db, policyHandlingSQL, nil, scanPolicyHandling,
			func(h register.DataHandling) string { return h.VendorID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, handling.close()) }()
		contracts, err := openSorted(ctx, s.db, policyContractsSQL, []any{at, at}, scanPolicyContract,
			func(c finding.ContractClause) string { return c.Contract.VendorID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, contracts.close()) }()
		attQuery, attArgs := policyAttestations(q.PolicyKinds)
		attestations, err := openSorted(ctx, s.db, attQuery, attArgs, scanPolicyAttestation,
			func(a attestation.Attestation) string { return a.VendorID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, attestations.close()) }()

		for vendors.ok {
			// Each vendor's rows are a capped sub-slice of the batch's
			// slices, so appending to one cannot overwrite the next.
			batch := make([]finding.VendorPolicyFact, 0, n)
			hs := make([]register.DataHandling, 0, 2*n)
			cs := make([]finding.ContractClause, 0, 2*n)
			as := make([]attestation.Attestation, 0, 5*n)
			for ; vendors.ok && len(batch) < n; vendors.next() {
				v := vendors.head
				f := finding.VendorPolicyFact{Vendor: v}
				start := len(hs)
				hs = handling.take(v.ID, hs)
				f.Handling = hs[start:len(hs):len(hs)]
				start = len(cs)
				cs = contracts.take(v.ID, cs)
				f.Contracts = cs[start:len(cs):len(cs)]
				start = len(as)
				as = attestations.take(v.ID, as)
				f.Attestations = as[start:len(as):len(as)]
				batch = append(batch, f)
			}
			for _, st := range []error{vendors.err, handling.err, contracts.err, attestations.err} {
				if st != nil {
					return translate(st)
				}
			}
			if len(batch) > 0 {
				if err := emit(batch); err != nil {
					return err
				}
			}
		}
		return nil
	}, fn)
}

func scanPolicyVendor(r rowScanner) (register.Vendor, error) {
	var v register.Vendor
	err := r.Scan(&v.ID, &v.Name, &v.TierOverride)
	v.Risk.Tier = v.TierOverride
	return v, err
}

func scanPolicyHandling(r rowScanner) (register.DataHandling, error) {
	var h handlingRow
	err := r.Scan(&h.VendorID, &h.Category, &h.Jurisdictions)
	return h.toDomain(), err
}

func scanPolicyContract(r rowScanner) (finding.ContractClause, error) {
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
		return finding.ContractClause{}, err
	}
	cc := finding.ContractClause{Contract: k.toDomain()}
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
	return cc, nil
}

func scanPolicyAttestation(r rowScanner) (attestation.Attestation, error) {
	var a attestation.Attestation
	var issued, expires dateCol
	err := r.Scan(&a.ID, &a.VendorID, &a.Kind, &issued, &expires, &a.ReviewStatus)
	a.IssuedOn, a.ExpiresOn = issued.Date, expires.Date
	return a, err
}
