package repository

import (
	"context"
	"database/sql"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// ExecutiveFigures implements reporting.Source: the counts are grouped and
// filtered in SQL and the lists are ORDER BY ... LIMIT queries, so a call
// reads a few dozen rows whatever the size of the portfolio.
func (s *ReportSource) ExecutiveFigures(ctx context.Context, f reporting.Filter, q reporting.ExecutiveQuery) (reporting.ExecutiveFigures, error) {
	fig := reporting.ExecutiveFigures{Tiers: map[register.Tier]int64{}}
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	// Each vendor's latest review by as-of.
	lastReview := `(SELECT r.vendor_id, MAX(r.performed_on) AS last_on FROM reviews r
		WHERE r.created_at <= ? AND r.performed_on <= ? GROUP BY r.vendor_id) lr`
	lrArgs := []any{asOf, sqlDate(q.Today)}
	overdue, oargs := reviewOverdueTerms(q.ReviewCutoffs, "v.tier", "lr.last_on")
	// Never reviewed and overdue count the vendors the review rules judge
	// (finding.FamilyScope), as the scan does.
	scope, sargs := scopeSQL(finding.FamilyScope(finding.FamilyReview), &asOf)
	err := s.query(ctx, `SELECT v.tier, COUNT(*), COUNT(*) FILTER (WHERE lr.last_on IS NULL AND `+scope+`),
		COUNT(*) FILTER (WHERE `+overdue+` AND `+scope+`)
		FROM vendors v LEFT JOIN `+lastReview+` ON lr.vendor_id = v.id WHERE `+where+` GROUP BY v.tier`,
		concat(sargs, oargs, sargs, lrArgs, wargs), func(rows rowScanner) error {
			var tier string
			var n, never, late int64
			if err := rows.Scan(&tier, &n, &never, &late); err != nil {
				return err
			}
			fig.Vendors += n
			fig.Tiers[register.Tier(tier)] += n
			fig.Overdue.NeverReviewed += never
			fig.Overdue.Reviews += late
			return nil
		})
	if err != nil {
		return fig, err
	}
	// The residual tiers the scan last stored.
	fig.ResidualTiers = map[register.Tier]int64{}
	err = s.query(ctx, `SELECT v.residual_tier, COUNT(*) FROM vendors v WHERE `+where+` AND v.residual_tier IS NOT NULL
		GROUP BY v.residual_tier`, wargs, func(rows rowScanner) error {
		var tier string
		var n int64
		if err := rows.Scan(&tier, &n); err != nil {
			return err
		}
		fig.ResidualTiers[register.Tier(tier)] = n
		return nil
	})
	if err != nil {
		return fig, err
	}
	if fig.TopVendors, err = s.topVendors(ctx, f, q.TopVendors); err != nil {
		return fig, err
	}
	// The longest overdue reviews of each tier: the order of days overdue
	// is the order of the last review within a tier.
	for _, t := range register.Tiers {
		cut, ok := q.ReviewCutoffs[t]
		if !ok {
			continue
		}
		tierOverdue, targs := reviewOverdueTerms(map[register.Tier]domain.Date{t: cut}, "v.tier", "lr.last_on")
		err := s.query(ctx, `SELECT v.id, v.name, lr.last_on FROM vendors v JOIN `+lastReview+` ON lr.vendor_id = v.id
			WHERE `+where+` AND `+scope+` AND `+tierOverdue+` ORDER BY lr.last_on, v.id LIMIT ?`,
			concat(lrArgs, wargs, sargs, targs, []any{q.OverdueItems}), func(rows rowScanner) error {
				r := reporting.VendorRow{Tier: t}
				var on dateCol
				if err := rows.Scan(&r.ID, &r.Name, &on); err != nil {
					return err
				}
				r.LastReviewOn = on.Date
				fig.OverdueReviews = append(fig.OverdueReviews, r)
				return nil
			})
		if err != nil {
			return fig, err
		}
	}
	// Attestations expired at as-of: the latest unrejected one of its kind
	// of a vendor in service (expiredAttestationSQL), as the scan judges.
	expired, eargs := expiredAttestationSQL(q.Today, asOf)
	cond := where + " AND a.created_at <= ? AND " + expired
	cargs := concat(wargs, []any{asOf}, eargs)
	if err := s.count(ctx, "FROM attestations a JOIN vendors v ON v.id = a.vendor_id WHERE "+cond, cargs,
		&fig.Overdue.Attestations); err != nil {
		return fig, err
	}
	if err := s.query(ctx, attestationSelect+cond+" ORDER BY a.expires_on, a.id LIMIT ?",
		concat(cargs, []any{q.OverdueItems}), appendTo(&fig.ExpiredAttestations, scanAttestation)); err != nil {
		return fig, err
	}
	// Obligations open at as-of and past due (done after as-of counts as
	// open).
	cond = where + ` AND o.created_at <= ? AND o.due_at IS NOT NULL AND o.due_at < ?
		AND (o.status = 'open' OR (o.done_at IS NOT NULL AND o.done_at > ?))`
	cargs = concat(wargs, []any{asOf, asOf, asOf})
	if err := s.count(ctx, `FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
		WHERE `+cond, cargs, &fig.Overdue.Obligations); err != nil {
		return fig, err
	}
	if err := s.query(ctx, obligationSelect+cond+" ORDER BY o.due_at, o.id LIMIT ?",
		concat(cargs, []any{q.OverdueItems}), appendTo(&fig.OverdueObligations, scanObligation)); err != nil {
		return fig, err
	}
	if !q.DueBy.IsZero() {
		// Obligations open at as-of and due from as-of until DueBy.
		cond = where + ` AND o.created_at <= ? AND o.due_at IS NOT NULL AND o.due_at >= ? AND o.due_at < ?
			AND (o.status = 'open' OR (o.done_at IS NOT NULL AND o.done_at > ?))`
		cargs = concat(wargs, []any{asOf, asOf, q.DueBy.UTC(), asOf})
		if err := s.count(ctx, `FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
			WHERE `+cond, cargs, &fig.DueSoon); err != nil {
			return fig, err
		}
		if err := s.query(ctx, obligationSelect+cond+" ORDER BY o.due_at, o.id LIMIT ?",
			concat(cargs, []any{q.OverdueItems}), appendTo(&fig.DueSoonObligations, scanObligation)); err != nil {
			return fig, err
		}
	}
	return fig, s.lateNotices(ctx, f, q, &fig)
}

// topVendors returns the n vendors with the highest risk score (then by
// name in byte order, as Go compares strings) with their findings open at
// as-of, counted for those n only.
func (s *ReportSource) topVendors(ctx context.Context, f reporting.Filter, n int) ([]reporting.VendorRow, error) {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	bytes := `COLLATE "C"`
	if s.db.dialect == SQLite {
		bytes = "COLLATE BINARY"
	}
	out := make([]reporting.VendorRow, 0, n)
	err := s.query(ctx, `SELECT t.id, t.name, t.status, t.criticality, t.tier, t.tier_override, t.tier_override_reason,
		t.risk_score, t.max_sensitivity, t.max_records, t.residual_score, t.residual_tier,
		(SELECT COUNT(*) FROM findings fd WHERE fd.vendor_id = t.id
			AND fd.first_seen_at <= ? AND (fd.resolved_at IS NULL OR fd.resolved_at > ?))
		FROM (SELECT v.id, v.name, v.status, v.criticality, v.tier, COALESCE(v.tier_override, '') AS tier_override,
			v.tier_override_reason, v.risk_score, v.max_sensitivity, v.max_records, v.residual_score,
			COALESCE(v.residual_tier, '') AS residual_tier FROM vendors v
			WHERE `+where+` ORDER BY COALESCE(v.residual_score, v.risk_score) DESC, v.name `+bytes+` LIMIT ?) t
		ORDER BY COALESCE(t.residual_score, t.risk_score) DESC, t.name `+bytes,
		concat([]any{asOf, asOf}, wargs, []any{n}), func(rows rowScanner) error {
			var r reporting.VendorRow
			var status, crit, tier, override, residualTier string
			var residual sql.NullInt64
			if err := rows.Scan(&r.ID, &r.Name, &status, &crit, &tier, &override, &r.TierOverrideReason, &r.RiskScore,
				&r.MaxSensitivity, &r.MaxRecords, &residual, &residualTier, &r.OpenFindings); err != nil {
				return err
			}
			r.Status, r.Criticality, r.Tier = register.VendorStatus(status), register.Criticality(crit), register.Tier(tier)
			r.TierOverride, r.ResidualTier = register.Tier(override), register.Tier(residualTier)
			if residual.Valid {
				score := int(residual.Int64)
				r.ResidualScore = &score
			}
			out = append(out, r)
			return nil
		})
	return out, err
}

// lateNotices counts and lists the incidents whose vendor notice broke a
// deadline at as-of (noticeBrokenSQL: incident.NoticeBreach against the
// contract's due instant and the law's), as the scan's incident rules do:
// late (given by as-of after a deadline) or overdue (not given by as-of,
// a deadline before it; counted apart, as the overdue notices).
func (s *ReportSource) lateNotices(ctx context.Context, f reporting.Filter, q reporting.ExecutiveQuery, fig *reporting.ExecutiveFigures) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	from := `LEFT JOIN clause_versions cv ON cv.id = i.notice_clause_id
		WHERE ` + where + " AND i.created_at <= ? AND " + noticeBrokenSQL
	fargs := concat(wargs, []any{asOf}, noticeBrokenArgs(asOf))
	overdue := noticeNotGivenSQL // broken and not given: overdue
	err := s.query(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE `+overdue+`)
		FROM incidents i JOIN vendors v ON v.id = i.vendor_id `+from,
		concat([]any{asOf}, fargs), func(rows rowScanner) error {
			return rows.Scan(&fig.LateTotal, &fig.Overdue.VendorNotices)
		})
	if err != nil {
		return err
	}
	err = s.query(ctx, incidentSelect+from+" ORDER BY i.vendor_discovered_at DESC, i.id LIMIT ?",
		concat(fargs, []any{q.LateNotices}), appendTo(&fig.LateNotices, scanIncident))
	if err != nil {
		return err
	}
	return s.query(ctx, incidentSelect+from+" AND "+overdue+" ORDER BY "+earliestDueSQL+", i.id LIMIT ?",
		concat(fargs, []any{asOf, q.OverdueItems}), appendTo(&fig.OverdueNotices, scanIncident))
}

// earliestDueSQL is the earlier of an incident's contract and law
// deadlines (either may be NULL).
const earliestDueSQL = `COALESCE(CASE WHEN i.law_notice_due_at < i.notice_due_at THEN i.law_notice_due_at END,
	i.notice_due_at, i.law_notice_due_at)`

// count runs SELECT COUNT(*) over from (FROM ... WHERE ...) into n.
func (s *ReportSource) count(ctx context.Context, from string, args []any, n *int64) error {
	return s.query(ctx, "SELECT COUNT(*) "+from, args, func(rows rowScanner) error { return rows.Scan(n) })
}

// concat joins argument lists into a new one.
func concat(lists ...[]any) []any {
	var out []any
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
