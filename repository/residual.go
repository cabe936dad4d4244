package repository

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// The residual risk's facts: the policy family's statements (handling,
// active contracts with the clause in force, attestations of the required
// kinds) beside two of its own, each ordered by vendor id and merged vendor
// by vendor as VendorPolicyFacts does. One pass over each table, whatever
// the portfolio's size.

// findingOpenSQL is "the finding counts as open" for findings aliased f:
// open or acknowledged; accepted risks and resolved findings do not count.
// The daily snapshot's open counts and the residual risk's open findings
// both use it.
const findingOpenSQL = "f.status IN ('open', 'acknowledged')"

// residualStreams is how many statements ResidualFacts reads at once.
const residualStreams = 5

var (
	// residualVendorsSQL: the vendors in service with the inherent risk's
	// inputs, the effective tier, the last review's outcome (the latest
	// recorded on the last review date), the stored residual, and their
	// open findings by severity (but risk.above_appetite, which the
	// residual risk raises).
	residualVendorsSQL = `SELECT v.id, v.name, v.tier, v.criticality, v.max_sensitivity, v.max_records, v.last_review_on,
		v.residual_score, v.residual_tier, v.residual_computed_at, v.residual_config,
		(SELECT r.outcome FROM reviews r WHERE r.vendor_id = v.id AND r.performed_on = v.last_review_on
			ORDER BY r.created_at DESC, r.id DESC LIMIT 1),
		COALESCE(o.critical, 0), COALESCE(o.high, 0), COALESCE(o.medium, 0), COALESCE(o.low, 0)
		FROM vendors v LEFT JOIN (
			SELECT f.vendor_id,
				SUM(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END) AS critical,
				SUM(CASE WHEN f.severity = 'high' THEN 1 ELSE 0 END) AS high,
				SUM(CASE WHEN f.severity = 'medium' THEN 1 ELSE 0 END) AS medium,
				SUM(CASE WHEN f.severity = 'low' THEN 1 ELSE 0 END) AS low
			FROM findings f WHERE ` + findingOpenSQL + ` AND f.rule_id <> '` + finding.RuleRiskAboveAppetite + `'
			GROUP BY f.vendor_id) o ON o.vendor_id = v.id
		WHERE ` + inServiceSQL + ` ORDER BY v.id`
	// residualNoticesSQL: the incidents discovered since the argument
	// whose vendor notice broke a deadline at as-of (noticeBrokenSQL).
	residualNoticesSQL = `SELECT i.vendor_id, i.notice_due_at, i.law_notice_due_at, i.vendor_notified_us_at
		FROM incidents i JOIN vendors v ON v.id = i.vendor_id
		WHERE ` + inServiceSQL + ` AND i.vendor_discovered_at >= ? AND ` + noticeBrokenSQL + ` ORDER BY i.vendor_id`
)

// forVendor restricts one of the statements above (each ends in ORDER BY)
// to one vendor.
func forVendor(query string, args []any, vendorID string) (string, []any) {
	if vendorID == "" {
		return query, args
	}
	i := strings.LastIndex(query, " ORDER BY ")
	return query[:i] + " AND v.id = ?" + query[i:], append(append([]any{}, args...), vendorID)
}

// residualStatements are the five statements of ResidualFacts with their
// arguments, in the order vendors, handling, contracts, attestations,
// notices.
func residualStatements(q finding.ScanQuery) [residualStreams]struct {
	query string
	args  []any
} {
	at := q.AsOf.UTC()
	attQuery, attArgs := policyAttestations(q.PolicyKinds)
	var out [residualStreams]struct {
		query string
		args  []any
	}
	for i, st := range []struct {
		query string
		args  []any
	}{
		{residualVendorsSQL, nil},
		{policyHandlingSQL, nil},
		{policyContractsSQL, []any{at, at}},
		{attQuery, attArgs},
		{residualNoticesSQL, append([]any{q.NoticesSince.UTC()}, noticeBrokenArgs(q.AsOf)...)},
	} {
		out[i].query, out[i].args = forVendor(st.query, st.args, q.VendorID)
	}
	return out
}

// ResidualFacts implements finding.ScanStore. For the whole portfolio the
// five statements (two with q.WithoutPolicyFacts: vendors and notices) are
// read at once, each on its own connection, and merged vendor by vendor
// into batches (one pass over each table); for one vendor (q.VendorID, the
// risk endpoint and the scan's vendors that came into scope after its
// policy family) they run one after the other on one connection at a
// time.
func (s *Findings) ResidualFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ResidualFact) error) error {
	st := residualStatements(q)
	if q.VendorID != "" {
		return s.residualFactsOf(ctx, q, st, fn)
	}
	n := batchSize(q)
	return ahead(ctx, func(ctx context.Context, emit func([]finding.ResidualFact) error) (err error) {
		vendors, err := openSorted(ctx, s.db, st[0].query, st[0].args, scanResidualVendor,
			func(f finding.ResidualFact) string { return f.Vendor.ID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, vendors.close()) }()
		notices, err := openSorted(ctx, s.db, st[4].query, st[4].args, scanResidualNotice(q.AsOf),
			func(n vendorNotice) string { return n.vendorID })
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, notices.close()) }()
		// Without the policy facts, the three streams stay empty.
		var handling *sortedStream[register.DataHandling]
		var contracts *sortedStream[finding.ContractClause]
		var attestations *sortedStream[attestation.Attestation]
		if !q.WithoutPolicyFacts {
			if handling, err = openSorted(ctx, s.db, st[1].query, st[1].args, scanPolicyHandling,
				func(h register.DataHandling) string { return h.VendorID }); err != nil {
				return err
			}
			defer func() { err = errors.Join(err, handling.close()) }()
			if contracts, err = openSorted(ctx, s.db, st[2].query, st[2].args, scanPolicyContract,
				func(c finding.ContractClause) string { return c.Contract.VendorID }); err != nil {
				return err
			}
			defer func() { err = errors.Join(err, contracts.close()) }()
			if attestations, err = openSorted(ctx, s.db, st[3].query, st[3].args, scanPolicyAttestation,
				func(a attestation.Attestation) string { return a.VendorID }); err != nil {
				return err
			}
			defer func() { err = errors.Join(err, attestations.close()) }()
		}

		for vendors.ok {
			batch := make([]finding.ResidualFact, 0, n)
			var ns []vendorNotice
			for ; vendors.ok && len(batch) < n; vendors.next() {
				f := vendors.head
				// Fresh slices per vendor: a batch is small beside the
				// scan's other memory, and the rules keep none of them.
				if !q.WithoutPolicyFacts {
					f.Handling = handling.take(f.Vendor.ID, nil)
					f.Contracts = contracts.take(f.Vendor.ID, nil)
					f.Attestations = attestations.take(f.Vendor.ID, nil)
				}
				ns = notices.take(f.Vendor.ID, ns[:0])
				f.Notices = noticeFacts(ns)
				batch = append(batch, f)
			}
			errs := []error{vendors.err, notices.err}
			if !q.WithoutPolicyFacts {
				errs = append(errs, handling.err, contracts.err, attestations.err)
			}
			for _, e := range errs {
				if e != nil {
					return translate(e)
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

// residualFactsOf reads one vendor's facts, one statement after another.
func (s *Findings) residualFactsOf(ctx context.Context, q finding.ScanQuery, st [residualStreams]struct {
	query string
	args  []any
}, fn func([]finding.ResidualFact) error) error {
	var fs []finding.ResidualFact
	if err := each(ctx, s.db, st[0].query, st[0].args, func(r rowScanner) error {
		f, err := scanResidualVendor(r)
		fs = append(fs, f)
		return err
	}); err != nil || len(fs) == 0 {
		return err
	}
	f := &fs[0]
	steps := []func(rowScanner) error{
		func(r rowScanner) error {
			h, err := scanPolicyHandling(r)
			f.Handling = append(f.Handling, h)
			return err
		},
		func(r rowScanner) error {
			c, err := scanPolicyContract(r)
			f.Contracts = append(f.Contracts, c)
			return err
		},
		func(r rowScanner) error {
			a, err := scanPolicyAttestation(r)
			f.Attestations = append(f.Attestations, a)
			return err
		},
	}
	if q.WithoutPolicyFacts {
		steps = nil
	}
	for i, step := range steps {
		if err := each(ctx, s.db, st[i+1].query, st[i+1].args, step); err != nil {
			return err
		}
	}
	var ns []vendorNotice
	scan := scanResidualNotice(q.AsOf)
	if err := each(ctx, s.db, st[4].query, st[4].args, func(r rowScanner) error {
		n, err := scan(r)
		ns = append(ns, n)
		return err
	}); err != nil {
		return err
	}
	f.Notices = noticeFacts(ns)
	return fn(fs[:1])
}

func scanResidualVendor(r rowScanner) (finding.ResidualFact, error) {
	var f finding.ResidualFact
	v := &f.Vendor
	var last dateCol
	var score sql.NullInt64
	var tier, config, outcome sql.NullString
	var at sql.NullTime
	err := r.Scan(&v.ID, &v.Name, &v.TierOverride, &v.Criticality, &v.MaxSensitivity, &v.MaxRecords, &last,
		&score, &tier, &at, &config, &outcome, &f.Open.Critical, &f.Open.High, &f.Open.Medium, &f.Open.Low)
	// The effective tier, as scanPolicyVendor reads it: Tier() returns it.
	v.Risk.Tier, v.LastReviewOn = v.TierOverride, last.Date
	if score.Valid {
		v.Residual = &register.StoredResidual{Score: int(score.Int64), Tier: register.Tier(tier.String),
			ComputedAt: at.Time.UTC(), Config: config.String}
	}
	f.ReviewOutcome = review.ReviewOutcome(outcome.String)
	return f, err
}

// vendorNotice is one row of residualNoticesSQL.
type vendorNotice struct {
	vendorID string
	notice   finding.NoticeFact
}

// scanResidualNotice reads a notice row; a notice after as-of counts as
// not given, as IncidentFacts reads it.
func scanResidualNotice(asOf time.Time) func(rowScanner) (vendorNotice, error) {
	return func(r rowScanner) (vendorNotice, error) {
		var n vendorNotice
		var due, lawDue, notified sql.NullTime
		err := r.Scan(&n.vendorID, &due, &lawDue, &notified)
		n.notice.DueAt, n.notice.LawDueAt = nullTime(due), nullTime(lawDue)
		if notified.Valid && !notified.Time.After(asOf) {
			t := notified.Time.UTC()
			n.notice.NotifiedAt = &t
		}
		return n, err
	}
}

func noticeFacts(ns []vendorNotice) []finding.NoticeFact {
	if len(ns) == 0 {
		return nil
	}
	out := make([]finding.NoticeFact, len(ns))
	for i, n := range ns {
		out[i] = n.notice
	}
	return out
}

// WriteResidual implements finding.ScanStore: one UPDATE ... FROM (VALUES
// ...) per thousand vendors. Neither version nor updated_at moves: the
// residual risk is the scan's judgement, not an edit of the vendor.
func (s *Findings) WriteResidual(ctx context.Context, rs []finding.VendorResidual) error {
	const chunk = 1000
	for i := 0; i < len(rs); i += chunk {
		part := rs[i:min(i+chunk, len(rs))]
		var sb strings.Builder
		args := make([]any, 0, 5*len(part))
		row := "(?, ?, ?, ?, ?)"
		if s.db.dialect == Postgres {
			row = "(CAST(? AS uuid), CAST(? AS integer), ?, CAST(? AS timestamptz), ?)"
		}
		for j, r := range part {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(row)
			args = append(args, r.VendorID, r.Score, string(r.Tier), r.ComputedAt.UTC(), r.Config)
		}
		var q string
		if s.db.dialect == Postgres {
			q = `UPDATE vendors SET residual_score = u.score, residual_tier = u.tier, residual_computed_at = u.at,
				residual_config = u.config FROM (VALUES ` + sb.String() + `) AS u (id, score, tier, at, config)
				WHERE vendors.id = u.id`
		} else {
			q = `UPDATE vendors SET residual_score = u.column2, residual_tier = u.column3, residual_computed_at = u.column4,
				residual_config = u.column5 FROM (VALUES ` + sb.String() + `) AS u WHERE vendors.id = u.column1`
		}
		if err := s.db.rawExec(ctx, q, args); err != nil {
			return err
		}
	}
	return nil
}

// ClearResidual implements finding.ScanStore.
func (s *Findings) ClearResidual(ctx context.Context) error {
	return s.db.rawExec(ctx, `UPDATE vendors SET residual_score = NULL, residual_tier = NULL, residual_computed_at = NULL,
		residual_config = NULL WHERE id IN (SELECT v.id FROM vendors v WHERE v.residual_score IS NOT NULL AND NOT `+
		inServiceSQL+`)`, nil)
}
