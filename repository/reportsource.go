package repository

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// ReportSource streams the rows of the reports: set-based queries (joins
// in SQL) read in keyset batches of reporting.BatchSize through
// database/sql, the next batch read while the previous one is written.
type ReportSource struct{ db *DB }

var _ reporting.Source = (*ReportSource)(nil)

// NewReportSource returns the report source on db.
func NewReportSource(db *DB) *ReportSource { return &ReportSource{db: db} }

// query runs q (written with ? placeholders) and calls scan per row.
func (s *ReportSource) query(ctx context.Context, q string, args []any, scan func(rowScanner) error) error {
	return each(ctx, s.db, q, args, scan)
}

// vendorWhere is the filter on the vendors table aliased v: the vendor
// filter and vendors created by as-of.
func vendorWhere(f reporting.Filter) (string, []any) {
	where := []string{"v.created_at <= ?"}
	args := []any{f.AsOf.UTC()}
	if len(f.VendorIDs) > 0 {
		where = append(where, "v.id IN "+placeholders(len(f.VendorIDs)))
		for _, id := range f.VendorIDs {
			args = append(args, id)
		}
	}
	if f.Tier != "" {
		where = append(where, "v.tier = ?")
		args = append(args, string(f.Tier))
	}
	if f.Owner != "" {
		where = append(where, "v.owner_email = ?")
		args = append(args, f.Owner)
	}
	return strings.Join(where, " AND "), args
}

// pipeline reads batches in a goroutine, one batch ahead of fn: fetch gets
// the last row of the previous batch (nil first) and returns the next
// batch, short when it is the last. At most three batches (one read, one
// queued, one written) are in memory.
func pipeline[T any](ctx context.Context, fetch func(ctx context.Context, last *T) ([]T, error), fn func(T) error) error {
	return ahead(ctx, func(ctx context.Context, emit func([]T) error) error {
		var last *T
		for {
			rows, err := fetch(ctx, last)
			if err != nil {
				return err
			}
			if err := emit(rows); err != nil {
				return err
			}
			if len(rows) < reporting.BatchSize {
				return nil
			}
			last = &rows[len(rows)-1]
		}
	}, func(rows []T) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// vendorAgg is what a batch's data handling adds to its vendors.
type vendorAgg struct {
	categories, jurisdictions []string
	records                   int64
	personal                  bool
}

// add counts one data handling row of the vendor.
func (a *vendorAgg) add(category string, records int64, jurisdictions string) {
	a.categories = append(a.categories, category)
	a.records += records
	a.jurisdictions = append(a.jurisdictions, parseList(jurisdictions)...)
	if c, ok := register.LookupCategory(category); ok && c.Personal {
		a.personal = true
	}
}

// finish sorts the categories and the distinct jurisdictions.
func (a *vendorAgg) finish() {
	slices.Sort(a.categories)
	slices.Sort(a.jurisdictions)
	a.jurisdictions = slices.Compact(a.jurisdictions)
}

// aggHandling aggregates data handling rows (vendor_id, category,
// record_count, jurisdictions) selected by q per vendor; a vendor's
// category seen twice (a vendor with two contracts in a batch) counts once.
func (s *ReportSource) aggHandling(ctx context.Context, q string, args []any) (map[string]*vendorAgg, error) {
	out := map[string]*vendorAgg{}
	seen := map[[2]string]bool{}
	err := s.query(ctx, q, args, func(rows rowScanner) error {
		var id, cat, jur string
		var n int64
		if err := rows.Scan(&id, &cat, &n, &jur); err != nil {
			return err
		}
		if seen[[2]string{id, cat}] {
			return nil
		}
		seen[[2]string{id, cat}] = true
		a := out[id]
		if a == nil {
			a = &vendorAgg{}
			out[id] = a
		}
		a.add(cat, n, jur)
		return nil
	})
	for _, a := range out {
		a.finish()
	}
	return out, err
}

type vendorKeyed struct {
	reporting.VendorRow
	key string
}

// vendorStreams is how many statements EachVendor reads at once: the
// vendors' keyset batches and the three related statements.
const vendorStreams = 4

// ReserveReads implements reporting.Source: sheets sheets read at once, one
// statement each, but the Vendors sheet reads four (budget.go).
func (s *ReportSource) ReserveReads(ctx context.Context, sheets int) (release func(), err error) {
	return s.db.reserveReads(ctx, sheets-1+vendorStreams)
}

// EachVendor implements reporting.Source: vendors in keyset batches on the
// unique name_key, each batch completed from three statements that run
// once for the whole sheet, ordered by name_key like the vendors, and are
// merged vendor by vendor (data handling, reviews, open findings). Per
// batch of vendor ids, PostgreSQL would hash a full scan of each related
// table (or, in small chunks, pay a plan and a round trip per chunk); one
// pass over each costs one hash join and one sort. name_key sorts bytewise on
// both databases (COLLATE "C" on PostgreSQL), as Go compares strings.
func (s *ReportSource) EachVendor(ctx context.Context, f reporting.Filter, fn func(reporting.VendorRow) error) (err error) {
	where, wargs := vendorWhere(f)
	asOf, today := f.AsOf.UTC(), sqlDate(domain.DateOf(f.AsOf))
	related, err := s.openVendorRelated(ctx, where, wargs, asOf, today)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, related.close()) }()
	fetch := func(ctx context.Context, last *vendorKeyed) ([]vendorKeyed, error) {
		args := append([]any{}, wargs...)
		q := `SELECT v.id, v.name, v.name_key, v.status, v.criticality, v.tier, COALESCE(v.tier_override, ''),
			v.tier_override_reason, v.risk_score, v.max_sensitivity, v.max_records, v.owner_email, v.country, v.created_at,
			v.residual_score, COALESCE(v.residual_tier, '')
			FROM vendors v WHERE ` + where
		if last != nil {
			q += " AND v.name_key > ?"
			args = append(args, last.key)
		}
		q += " ORDER BY v.name_key LIMIT ?"
		args = append(args, reporting.BatchSize)
		out := make([]vendorKeyed, 0, reporting.BatchSize)
		err := s.query(ctx, q, args, func(rows rowScanner) error {
			var r vendorKeyed
			var status, crit, tier, override, residualTier string
			var residual sql.NullInt64
			if err := rows.Scan(&r.ID, &r.Name, &r.key, &status, &crit, &tier, &override, &r.TierOverrideReason,
				&r.RiskScore, &r.MaxSensitivity, &r.MaxRecords, &r.Owner, &r.Country, &r.CreatedAt, &residual,
				&residualTier); err != nil {
				return err
			}
			if residual.Valid {
				n := int(residual.Int64)
				r.ResidualScore = &n
			}
			r.ResidualTier = register.Tier(residualTier)
			r.Status, r.Criticality, r.Tier = register.VendorStatus(status), register.Criticality(crit), register.Tier(tier)
			r.TierOverride, r.CreatedAt = register.Tier(override), r.CreatedAt.UTC()
			out = append(out, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i := range out {
			related.fill(&out[i])
		}
		return out, related.err()
	}
	return pipeline(ctx, fetch, func(r vendorKeyed) error { return fn(r.VendorRow) })
}

// Rows of the vendor sheet's related streams, each with its vendor's
// name_key.
type (
	handlingKeyed struct {
		key, category, jurisdictions string
		records                      int64
	}
	reviewKeyed struct {
		key, residual string
		on            domain.Date
	}
	findingCount struct {
		key string
		n   int64
	}
)

// vendorRelated holds the vendor sheet's related streams and a buffer
// reused for each vendor's handling rows.
type vendorRelated struct {
	handling *sortedStream[handlingKeyed]
	reviews  *sortedStream[reviewKeyed]
	findings *sortedStream[findingCount]
	rows     []handlingKeyed
}

// openVendorRelated starts the three statements side by side (each
// sorts before its first row): data handling, reviews performed by as-of,
// and findings open at as-of counted per vendor.
func (s *ReportSource) openVendorRelated(ctx context.Context, where string, wargs []any, asOf time.Time,
	today dateCol) (*vendorRelated, error) {
	with := func(extra ...any) []any { return append(append([]any{}, wargs...), extra...) }
	r := &vendorRelated{}
	var errH, errR, errF error
	var wg sync.WaitGroup
	wg.Go(func() {
		r.handling, errH = openSorted(ctx, s.db, `SELECT v.name_key, dh.category, dh.record_count, dh.jurisdictions
			FROM data_handling dh JOIN vendors v ON v.id = dh.vendor_id WHERE `+where+` AND dh.created_at <= ?
			ORDER BY v.name_key`, with(asOf), func(rs rowScanner) (h handlingKeyed, err error) {
			err = rs.Scan(&h.key, &h.category, &h.records, &h.jurisdictions)
			return h, err
		}, func(h handlingKeyed) string { return h.key })
	})
	wg.Go(func() {
		r.reviews, errR = openSorted(ctx, s.db, `SELECT v.name_key, r.performed_on, r.residual_risk
			FROM reviews r JOIN vendors v ON v.id = r.vendor_id WHERE `+where+` AND r.created_at <= ? AND r.performed_on <= ?
			ORDER BY v.name_key`, with(asOf, today), func(rs rowScanner) (rv reviewKeyed, err error) {
			var on dateCol
			err = rs.Scan(&rv.key, &on, &rv.residual)
			rv.on = on.Date
			return rv, err
		}, func(rv reviewKeyed) string { return rv.key })
	})
	wg.Go(func() {
		r.findings, errF = openSorted(ctx, s.db, `SELECT v.name_key, COUNT(*)
			FROM findings fd JOIN vendors v ON v.id = fd.vendor_id WHERE `+where+`
			AND fd.first_seen_at <= ? AND (fd.resolved_at IS NULL OR fd.resolved_at > ?)
			GROUP BY v.name_key ORDER BY v.name_key`, with(asOf, asOf), func(rs rowScanner) (c findingCount, err error) {
			err = rs.Scan(&c.key, &c.n)
			return c, err
		}, func(c findingCount) string { return c.key })
	})
	wg.Wait()
	if err := errors.Join(errH, errR, errF); err != nil {
		return nil, errors.Join(err, r.close())
	}
	return r, nil
}

// fill adds the vendor's related rows to v. Vendors come in name_key
// order, so each stream is read once.
func (r *vendorRelated) fill(v *vendorKeyed) {
	r.rows = r.handling.take(v.key, r.rows[:0])
	if len(r.rows) > 0 {
		var a vendorAgg
		for _, h := range r.rows {
			a.add(h.category, h.records, h.jurisdictions)
		}
		a.finish()
		v.Categories, v.Jurisdictions, v.RecordCount = a.categories, a.jurisdictions, a.records
	}
	for _, rv := range r.reviews.take(v.key, nil) {
		if v.LastReviewOn.IsZero() || v.LastReviewOn.Before(rv.on) {
			v.LastReviewOn, v.LatestResidual = rv.on, register.Tier(rv.residual)
		}
	}
	if c := r.findings.take(v.key, nil); len(c) > 0 {
		v.OpenFindings = c[0].n
	}
}

// err is the first error any stream met.
func (r *vendorRelated) err() error {
	for _, e := range []error{r.handling.err, r.reviews.err, r.findings.err} {
		if e != nil {
			return translate(e)
		}
	}
	return nil
}

func (r *vendorRelated) close() error {
	var errs []error
	if r.handling != nil {
		errs = append(errs, r.handling.close())
	}
	if r.reviews != nil {
		errs = append(errs, r.reviews.close())
	}
	if r.findings != nil {
		errs = append(errs, r.findings.close())
	}
	return errors.Join(errs...)
}

// EachHandling implements reporting.Source, keyed on the primary key
// (vendor_id, category), so a vendor's categories are together.
func (s *ReportSource) EachHandling(ctx context.Context, f reporting.Filter, fn func(reporting.HandlingRow) error) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	fetch := func(ctx context.Context, last *reporting.HandlingRow) ([]reporting.HandlingRow, error) {
		args := append([]any{}, wargs...)
		q := `SELECT dh.vendor_id, v.name, dh.category, dh.stores, dh.processes, dh.transmits, dh.record_count,
			dh.jurisdictions, dh.systems, dh.notes, dh.created_at, dh.updated_at
			FROM data_handling dh JOIN vendors v ON v.id = dh.vendor_id
			WHERE ` + where + " AND dh.created_at <= ?"
		args = append(args, asOf)
		if last != nil {
			// v.id repeats the bound on the join key: without it
			// PostgreSQL merge-joins vendors from their first row on
			// every batch.
			q += " AND (dh.vendor_id, dh.category) > (?, ?) AND v.id >= ?"
			args = append(args, last.VendorID, last.Category, last.VendorID)
		}
		q += " ORDER BY dh.vendor_id, dh.category LIMIT ?"
		args = append(args, reporting.BatchSize)
		out := make([]reporting.HandlingRow, 0, reporting.BatchSize)
		err := s.query(ctx, q, args, func(rows rowScanner) error {
			var r reporting.HandlingRow
			var jur, sys string
			if err := rows.Scan(&r.VendorID, &r.VendorName, &r.Category, &r.Stores, &r.Processes, &r.Transmits,
				&r.RecordCount, &jur, &sys, &r.Notes, &r.CreatedAt, &r.UpdatedAt); err != nil {
				return err
			}
			r.Jurisdictions, r.Systems = parseList(jur), parseList(sys)
			r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
			out = append(out, r)
			return nil
		})
		return out, err
	}
	return pipeline(ctx, fetch, fn)
}

// EachContract implements reporting.Source: contracts with the clause
// version in force at as-of (a left join) and their vendors' facts.
func (s *ReportSource) EachContract(ctx context.Context, f reporting.Filter, fn func(reporting.ContractRow) error) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	fetch := func(ctx context.Context, last *reporting.ContractRow) ([]reporting.ContractRow, error) {
		// The keyset bound repeats on cv.contract_id: without it
		// PostgreSQL merge-joins the clause versions from their first row
		// on every batch (quadratic in the contracts).
		after, cvAfter := "", ""
		var lastID any
		if last != nil {
			lastID = last.Contract.ID
			after, cvAfter = " AND c.id > ?", " AND cv.contract_id > ?"
		}
		args := []any{asOf, asOf}
		if last != nil {
			args = append(args, lastID)
		}
		args = append(args, wargs...)
		args = append(args, asOf)
		q := `SELECT c.id, c.vendor_id, c.title, c.reference, c.status, c.effective_on, c.expires_on, c.auto_renew,
			c.renewal_notice_days, c.governing_law, c.annual_value_minor, c.annual_value_currency, c.right_to_audit,
			c.subprocessor_approval, c.data_return_or_destruction, c.security_standard, c.dpa, c.baa,
			c.cyber_insurance_min_minor, c.cyber_insurance_currency, c.created_at, c.updated_at, v.name, v.tier,
			cv.id, cv.effective_from, cv.effective_to, cv.window_value, cv.window_unit, cv.standard, cv.trigger
			FROM contracts c JOIN vendors v ON v.id = c.vendor_id
			LEFT JOIN clause_versions cv ON cv.contract_id = c.id AND cv.effective_from <= ?
				AND (cv.effective_to IS NULL OR cv.effective_to > ?)` + cvAfter + `
			WHERE ` + where + " AND c.created_at <= ?" + after
		if last != nil {
			args = append(args, lastID)
		}
		q += " ORDER BY c.id LIMIT ?"
		args = append(args, reporting.BatchSize)
		out := make([]reporting.ContractRow, 0, reporting.BatchSize)
		tiers := map[string]register.Tier{}
		err := s.query(ctx, q, args, func(rows rowScanner) error {
			var r contractRow
			var name, tier string
			var cvID, wUnit, std, trig sql.NullString
			var cvFrom, cvTo sql.NullTime
			var wVal sql.NullInt64
			if err := rows.Scan(&r.ID, &r.VendorID, &r.Title, &r.Reference, &r.Status, &r.EffectiveOn, &r.ExpiresOn,
				&r.AutoRenew, &r.RenewalNoticeDays, &r.GoverningLaw, &r.AnnualValueMinor, &r.AnnualValueCurrency,
				&r.RightToAudit, &r.SubprocessorApproval, &r.DataReturnOrDestruction, &r.SecurityStandard, &r.DPA,
				&r.BAA, &r.CyberInsuranceMinMinor, &r.CyberInsuranceCurrency, &r.CreatedAt, &r.UpdatedAt, &name, &tier,
				&cvID, &cvFrom, &cvTo, &wVal, &wUnit, &std, &trig); err != nil {
				return err
			}
			row := reporting.ContractRow{Contract: r.toDomain(), VendorName: name}
			if cvID.Valid {
				cv := &contract.ClauseVersion{ID: cvID.String, ContractID: r.ID, EffectiveFrom: cvFrom.Time.UTC(),
					EffectiveTo: nullTime(cvTo), Terms: contract.ClauseTerms{
						Standard: contract.NotificationStandard(std.String), Trigger: contract.ClauseTrigger(trig.String)}}
				if wVal.Valid && wUnit.Valid {
					cv.Terms.Window = &domain.Window{Value: int(wVal.Int64), Unit: domain.WindowUnit(wUnit.String)}
				}
				row.Clause = cv
			}
			tiers[r.VendorID] = register.Tier(tier)
			out = append(out, row)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return out, nil
		}
		aggs, err := s.aggHandling(ctx, `SELECT dh.vendor_id, dh.category, dh.record_count, dh.jurisdictions
			FROM contracts c JOIN vendors v ON v.id = c.vendor_id JOIN data_handling dh ON dh.vendor_id = c.vendor_id
			WHERE `+where+" AND c.created_at <= ? AND c.id >= ? AND c.id <= ? AND dh.created_at <= ?",
			append(append([]any{}, wargs...), asOf, out[0].Contract.ID, out[len(out)-1].Contract.ID, asOf))
		if err != nil {
			return nil, err
		}
		for i := range out {
			vid := out[i].Contract.VendorID
			facts := register.VendorFacts{Tier: tiers[vid]}
			if a := aggs[vid]; a != nil {
				facts.Categories, facts.Jurisdictions, facts.Personal = a.categories, a.jurisdictions, a.personal
			}
			out[i].Facts = facts
		}
		return out, nil
	}
	return pipeline(ctx, fetch, fn)
}

// EachAttestation implements reporting.Source; ExpiredCounted is the
// figure's definition (expiredAttestationSQL), evaluated in SQL.
func (s *ReportSource) EachAttestation(ctx context.Context, f reporting.Filter, fn func(reporting.AttestationRow) error) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	expired, eargs := expiredAttestationSQL(domain.DateOf(asOf), asOf)
	q := `SELECT CASE WHEN ` + expired + ` THEN 1 ELSE 0 END, ` + attestationSheetColumns + where + " AND a.created_at <= ?"
	scan := func(rows rowScanner) (reporting.AttestationRow, error) {
		var counted int64
		r, err := scanAttestationInto(rows, &counted)
		r.ExpiredCounted = counted == 1
		return r, err
	}
	return byID(ctx, s, q, concat(eargs, wargs, []any{asOf}), "a.id", scan,
		func(r reporting.AttestationRow) string { return r.ID }, fn)
}

// byID reads a sheet in keyset batches on the id column col: query is the
// statement up to and including its conditions, args their arguments.
func byID[T any](ctx context.Context, s *ReportSource, query string, args []any, col string,
	scan func(rowScanner) (T, error), id func(T) string, fn func(T) error) error {
	fetch := func(ctx context.Context, last *T) ([]T, error) {
		q, a := query, append([]any{}, args...)
		if last != nil {
			q += " AND " + col + " > ?"
			a = append(a, id(*last))
		}
		q += " ORDER BY " + col + " LIMIT ?"
		a = append(a, reporting.BatchSize)
		out := make([]T, 0, reporting.BatchSize)
		err := s.query(ctx, q, a, appendTo(&out, scan))
		return out, err
	}
	return pipeline(ctx, fetch, fn)
}

// attestationSelect reads what scanAttestation scans, up to WHERE.
const attestationSelect = `SELECT ` + attestationSheetColumns

// attestationSheetColumns are scanAttestation's columns, up to WHERE.
const attestationSheetColumns = `a.id, v.name, a.kind, a.issuer, a.period_start, a.period_end, a.issued_on, a.expires_on,
	COALESCE(a.opinion, ''), a.exceptions_count, a.review_status, COALESCE(a.evidence_sha256, ''), a.created_at
	FROM attestations a JOIN vendors v ON v.id = a.vendor_id WHERE `

func scanAttestation(rows rowScanner) (reporting.AttestationRow, error) {
	return scanAttestationInto(rows)
}

// scanAttestationInto scans the leading destinations lead, then the
// attestation's columns.
func scanAttestationInto(rows rowScanner, lead ...any) (reporting.AttestationRow, error) {
	var r reporting.AttestationRow
	var ps, pe, iss, exp dateCol
	if err := rows.Scan(append(lead, &r.ID, &r.VendorName, &r.Kind, &r.Issuer, &ps, &pe, &iss, &exp, &r.Opinion,
		&r.Exceptions, &r.ReviewStatus, &r.EvidenceSHA256, &r.CreatedAt)...); err != nil {
		return r, err
	}
	r.PeriodStart, r.PeriodEnd, r.IssuedOn, r.ExpiresOn = ps.Date, pe.Date, iss.Date, exp.Date
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// appendTo appends each row scan returns to out.
func appendTo[T any](out *[]T, scan func(rowScanner) (T, error)) func(rowScanner) error {
	return func(rows rowScanner) error {
		r, err := scan(rows)
		if err != nil {
			return err
		}
		*out = append(*out, r)
		return nil
	}
}

// EachReview implements reporting.Source; Latest is computed in SQL.
func (s *ReportSource) EachReview(ctx context.Context, f reporting.Filter, fn func(reporting.ReviewRow) error) error {
	where, wargs := vendorWhere(f)
	asOf, today := f.AsOf.UTC(), sqlDate(domain.DateOf(f.AsOf))
	args := append(append([]any{asOf, today}, wargs...), asOf, today)
	q := `SELECT r.id, v.name, v.tier, r.performed_on, r.reviewer, r.outcome, r.residual_risk, r.notes,
		CASE WHEN r.performed_on = (SELECT MAX(r2.performed_on) FROM reviews r2 WHERE r2.vendor_id = r.vendor_id
			AND r2.created_at <= ? AND r2.performed_on <= ?) THEN 1 ELSE 0 END
		FROM reviews r JOIN vendors v ON v.id = r.vendor_id
		WHERE ` + where + " AND r.created_at <= ? AND r.performed_on <= ?"
	return byID(ctx, s, q, args, "r.id", scanReview, func(r reporting.ReviewRow) string { return r.ID }, fn)
}

func scanReview(rows rowScanner) (reporting.ReviewRow, error) {
	var r reporting.ReviewRow
	var tier string
	var on dateCol
	var latest int64
	err := rows.Scan(&r.ID, &r.VendorName, &tier, &on, &r.Reviewer, &r.Outcome, &r.ResidualRisk, &r.Notes, &latest)
	r.VendorTier, r.PerformedOn, r.Latest = register.Tier(tier), on.Date, latest == 1
	return r, err
}

// EachFinding implements reporting.Source in two passes: open at as-of, then
// resolved in [since, as-of].
func (s *ReportSource) EachFinding(ctx context.Context, f reporting.Filter, since time.Time, fn func(reporting.FindingRow) error) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	pass := func(open bool) error {
		q := `SELECT fd.id, v.name, fd.rule_id, fd.severity, fd.subject_type, fd.subject_id, fd.status,
			fd.first_seen_at, fd.last_seen_at, fd.resolved_at, fd.accepted_until, sr.seen_at
			FROM findings fd JOIN vendors v ON v.id = fd.vendor_id LEFT JOIN scan_rules sr ON sr.rule_id = fd.rule_id
			WHERE ` + where
		args := append([]any{}, wargs...)
		if open {
			q += " AND fd.first_seen_at <= ? AND (fd.resolved_at IS NULL OR fd.resolved_at > ?)"
			args = append(args, asOf, asOf)
		} else {
			q += " AND fd.resolved_at IS NOT NULL AND fd.resolved_at >= ? AND fd.resolved_at <= ?"
			args = append(args, since.UTC(), asOf)
		}
		scan := func(rows rowScanner) (reporting.FindingRow, error) {
			var r reporting.FindingRow
			var seen findingRow
			var until dateCol
			err := rows.Scan(&r.ID, &r.VendorName, &r.RuleID, &r.Severity, &r.SubjectType, &r.SubjectID,
				&seen.Status, &r.FirstSeenAt, &seen.LastSeenAt, &seen.ResolvedAt, &until, &seen.RuleSeenAt)
			r.Status = seen.Status
			r.LastSeenAt, _ = seen.lastSeen()
			r.FirstSeenAt, r.ResolvedAt, r.AcceptedUntil = r.FirstSeenAt.UTC(), utcPtr(seen.ResolvedAt), until.Date
			r.OpenAtAsOf = open
			return r, err
		}
		return byID(ctx, s, q, args, "fd.id", scan, func(r reporting.FindingRow) string { return r.ID }, fn)
	}
	if err := pass(true); err != nil {
		return err
	}
	return pass(false)
}

// EachIncident implements reporting.Source, with the stored notice clause.
func (s *ReportSource) EachIncident(ctx context.Context, f reporting.Filter, fn func(reporting.IncidentRow) error) error {
	where, wargs := vendorWhere(f)
	q := incidentSelect + `LEFT JOIN clause_versions cv ON cv.id = i.notice_clause_id
		WHERE ` + where + " AND i.created_at <= ?"
	return byID(ctx, s, q, append(wargs, f.AsOf.UTC()), "i.id", scanIncident,
		func(r reporting.IncidentRow) string { return r.Incident.ID }, fn)
}

// incidentSelect reads what scanIncident scans, up to the join of the
// notice clause (cv), which the caller adds.
const incidentSelect = `SELECT i.id, i.vendor_id, i.title, i.status, i.exposure_start, i.exposure_end, i.vendor_discovered_at,
	i.vendor_notified_us_at, i.we_learned_at, i.learned_via, i.records_affected, i.notice_contract_id,
	i.notice_clause_id, i.notice_due_at, i.law_notice_due_at, i.law_notice_regime_id, i.created_at, v.name,
	cv.effective_from, cv.effective_to, cv.window_value, cv.window_unit, cv.standard, cv.trigger
	FROM incidents i JOIN vendors v ON v.id = i.vendor_id `

func scanIncident(rows rowScanner) (reporting.IncidentRow, error) {
	var r incidentRow
	var name string
	var wUnit, std, trig sql.NullString
	var cvFrom, cvTo sql.NullTime
	var wVal sql.NullInt64
	if err := rows.Scan(&r.ID, &r.VendorID, &r.Title, &r.Status, &r.ExposureStart, &r.ExposureEnd,
		&r.VendorDiscoveredAt, &r.VendorNotifiedUsAt, &r.WeLearnedAt, &r.LearnedVia, &r.RecordsAffected,
		&r.NoticeContractID, &r.NoticeClauseID, &r.NoticeDueAt, &r.LawNoticeDueAt, &r.LawNoticeRegimeID, &r.CreatedAt, &name,
		&cvFrom, &cvTo, &wVal, &wUnit, &std, &trig); err != nil {
		return reporting.IncidentRow{}, err
	}
	r.Categories, r.Jurisdictions, r.Residents = "[]", "[]", "{}"
	row := reporting.IncidentRow{Incident: r.toDomain(), VendorName: name}
	if r.NoticeClauseID != nil && cvFrom.Valid {
		cv := &contract.ClauseVersion{ID: *r.NoticeClauseID, ContractID: deref(r.NoticeContractID),
			EffectiveFrom: cvFrom.Time.UTC(), EffectiveTo: nullTime(cvTo), Terms: contract.ClauseTerms{
				Standard: contract.NotificationStandard(std.String), Trigger: contract.ClauseTrigger(trig.String)}}
		if wVal.Valid && wUnit.Valid {
			cv.Terms.Window = &domain.Window{Value: int(wVal.Int64), Unit: domain.WindowUnit(wUnit.String)}
		}
		row.Clause = cv
	}
	return row, nil
}

// EachObligation implements reporting.Source.
func (s *ReportSource) EachObligation(ctx context.Context, f reporting.Filter, fn func(reporting.ObligationRow) error) error {
	where, wargs := vendorWhere(f)
	return byID(ctx, s, obligationSelect+where+" AND o.created_at <= ?", append(wargs, f.AsOf.UTC()), "o.id",
		scanObligation, func(r reporting.ObligationRow) string { return r.ID }, fn)
}

// obligationSelect reads what scanObligation scans, up to WHERE.
const obligationSelect = `SELECT o.id, o.incident_id, i.title, v.name, o.regime_id, o.regime, o.citation, o.source_status,
	o.recipient, o.due_at, o.deadline_text, o.status, o.done_at, o.title, o.working_due_at, o.working_deadline_text
	FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
	WHERE `

func scanObligation(rows rowScanner) (reporting.ObligationRow, error) {
	var r reporting.ObligationRow
	var due, done, working sql.NullTime
	if err := rows.Scan(&r.ID, &r.IncidentID, &r.IncidentTitle, &r.VendorName, &r.RegimeID, &r.Regime,
		&r.Citation, &r.SourceStatus, &r.Recipient, &due, &r.DeadlineText, &r.Status, &done, &r.Title, &working,
		&r.WorkingText); err != nil {
		return r, err
	}
	r.DueAt, r.DoneAt, r.WorkingDueAt = nullTime(due), nullTime(done), nullTime(working)
	return r, nil
}

// EachRegimeCheck implements reporting.Source: incidents in keyset batches,
// each expanded into its stored regimes not applied.
func (s *ReportSource) EachRegimeCheck(ctx context.Context, f reporting.Filter, fn func(reporting.IncidentChecks) error) error {
	where, wargs := vendorWhere(f)
	q := `SELECT i.id, i.title, v.name, i.regime_checks FROM incidents i JOIN vendors v ON v.id = i.vendor_id
		WHERE ` + where + " AND i.created_at <= ?"
	scan := func(rows rowScanner) (reporting.IncidentChecks, error) {
		var r reporting.IncidentChecks
		var raw string
		err := rows.Scan(&r.IncidentID, &r.IncidentTitle, &r.VendorName, &raw)
		r.Checks = parseRegimeChecks(raw)
		return r, err
	}
	return byID(ctx, s, q, append(wargs, f.AsOf.UTC()), "i.id", scan, func(r reporting.IncidentChecks) string { return r.IncidentID }, fn)
}

// Trend implements reporting.Source from the daily risk snapshots: one
// grouped query.
func (s *ReportSource) Trend(ctx context.Context, f reporting.Filter, from, to domain.Date) ([]reporting.TrendPoint, error) {
	where, args := vendorWhere(reporting.Filter{VendorIDs: f.VendorIDs, Owner: f.Owner, AsOf: f.AsOf})
	q := `SELECT s.taken_on, s.tier, COALESCE(s.residual_tier, ''), COUNT(*) FROM risk_snapshots s
		JOIN vendors v ON v.id = s.vendor_id WHERE ` + where + " AND s.taken_on >= ? AND s.taken_on <= ?"
	args = append(args, sqlDate(from), sqlDate(to))
	if f.Tier != "" {
		q += " AND s.tier = ?"
		args = append(args, string(f.Tier))
	}
	q += " GROUP BY s.taken_on, s.tier, s.residual_tier ORDER BY s.taken_on"
	var out []reporting.TrendPoint
	err := s.query(ctx, q, args, func(rows rowScanner) error {
		var on dateCol
		var tier, residual string
		var n int64
		if err := rows.Scan(&on, &tier, &residual, &n); err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].Date.String() != on.String() {
			out = append(out, reporting.TrendPoint{Date: on.Date})
		}
		p := &out[len(out)-1]
		for _, c := range []struct {
			tier                          register.Tier
			critical, high, moderate, low *int64
		}{
			{register.Tier(tier), &p.Critical, &p.High, &p.Moderate, &p.Low},
			{register.Tier(residual), &p.ResidualCritical, &p.ResidualHigh, &p.ResidualModerate, &p.ResidualLow},
		} {
			switch c.tier {
			case register.TierCritical:
				*c.critical += n
			case register.TierHigh:
				*c.high += n
			case register.TierModerate:
				*c.moderate += n
			case register.TierLow:
				*c.low += n
			}
		}
		return nil
	})
	return out, err
}

// jsonText renders v for a JSON column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
