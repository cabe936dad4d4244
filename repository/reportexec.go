package repository

import (
	"context"
	"database/sql"

	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// ExecutiveFigures implements reporting.Source: the counts are grouped and
// filtered in SQL and the lists are ORDER BY ... LIMIT queries (none when
// its limit is 0), so a call reads a few dozen rows whatever the size of
// the portfolio.
func (s *ReportSource) ExecutiveFigures(ctx context.Context, f reporting.Filter, q reporting.ExecutiveQuery) (reporting.ExecutiveFigures, error) {
	fig := reporting.ExecutiveFigures{Tiers: map[register.Tier]int64{}}
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	if err := s.vendorFigures(ctx, f, q, &fig); err != nil {
		return fig, err
	}
	if q.TopVendors > 0 {
		top, err := s.topVendors(ctx, f, q.TopVendors)
		if err != nil {
			return fig, err
		}
		fig.TopVendors = top
	}
	// Attestations expired at as-of (counted in vendorFigures): the
	// first to expire, the latest unrejected one of its kind of a vendor in
	// service (expiredAttestationSQL), as the scan judges.
	if q.OverdueItems > 0 {
		expired, eargs := expiredAttestationSQL(q.Today, asOf)
		cond := where + " AND a.created_at <= ? AND " + expired
		if err := s.query(ctx, attestationSelect+cond+" ORDER BY a.expires_on, a.id LIMIT ?",
			concat(wargs, []any{asOf}, eargs, []any{q.OverdueItems}), appendTo(&fig.ExpiredAttestations, scanAttestation)); err != nil {
			return fig, err
		}
	}
	if err := s.obligationFigures(ctx, f, q, &fig); err != nil {
		return fig, err
	}
	return fig, s.lateNotices(ctx, f, q, &fig)
}

// vendorFigures counts the vendors by tier and by the residual tier the
// scan last stored; of those the review rules judge (finding.FamilyScope,
// as the scan does), the vendors never reviewed and those whose review is
// overdue; of those the attestation rules judge, the attestations expired
// (expiredKindsSQL). It lists, of each tier with a cut-off, the
// q.OverdueItems longest overdue reviews (the oldest last review, then by
// id), tier by tier in register.Tiers order. One statement reads the
// vendors with their latest review by as-of and whether each rule family
// judges them once (the CTE lv); its parts group them, add up their
// expired attestations and rank the overdue within their tier.
func (s *ReportSource) vendorFigures(ctx context.Context, f reporting.Filter, q reporting.ExecutiveQuery, fig *reporting.ExecutiveFigures) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	scope, sargs := scopeSQL(finding.FamilyScope(finding.FamilyReview), &asOf)
	attScope, aargs := scopeSQL(finding.FamilyScope(finding.FamilyAttestation), &asOf)
	overdue, oargs := reviewOverdueTerms(q.ReviewCutoffs, "lv.tier", "lv.last_on")
	kinds, kargs := expiredKindsSQL(q.Today, asOf)
	query := `WITH lv AS MATERIALIZED (SELECT v.id, v.name, v.tier, v.residual_tier, lr.last_on, ` + scope + ` AS judged,
				` + attScope + ` AS attestations_judged
			FROM vendors v LEFT JOIN (SELECT r.vendor_id, MAX(r.performed_on) AS last_on FROM reviews r
				WHERE r.created_at <= ? AND r.performed_on <= ? GROUP BY r.vendor_id) lr ON lr.vendor_id = v.id
			WHERE ` + where + `)
		SELECT 'count' AS part, lv.tier, lv.residual_tier, COUNT(*), COUNT(*) FILTER (WHERE lv.last_on IS NULL AND lv.judged),
			COUNT(*) FILTER (WHERE lv.judged AND ` + overdue + `), NULL AS id, NULL AS name, NULL AS last_on
		FROM lv GROUP BY lv.tier, lv.residual_tier`
	args := concat(sargs, aargs, []any{asOf, sqlDate(q.Today)}, wargs, oargs)
	if q.OverdueItems > 0 {
		query += `
		UNION ALL
		SELECT 'overdue', ranked.tier, NULL, ranked.rank_in_tier, 0, 0, ranked.id, ranked.name, ranked.last_on
		FROM (SELECT lv.id, lv.name, lv.tier, lv.last_on,
				ROW_NUMBER() OVER (PARTITION BY lv.tier ORDER BY lv.last_on, lv.id) AS rank_in_tier
			FROM lv WHERE lv.judged AND ` + overdue + `) ranked
		WHERE ranked.rank_in_tier <= ?`
		args = concat(args, oargs, []any{q.OverdueItems})
	}
	// Last: PostgreSQL types the union's columns from the left, and two
	// NULL branches before the ranked vendors would make their ids and
	// dates text.
	query += `
		UNION ALL
		SELECT 'expired', '', NULL, CAST(COALESCE(SUM(ek.kinds), 0) AS BIGINT), 0, 0, NULL, NULL, NULL
		FROM ` + kinds + ` JOIN lv ON lv.id = ek.vendor_id WHERE lv.attestations_judged
		ORDER BY 1, 2, 4`
	args = concat(args, kargs)
	fig.ResidualTiers = map[register.Tier]int64{}
	byTier := map[register.Tier][]reporting.VendorRow{}
	err := s.query(ctx, query, args, func(rows rowScanner) error {
		var part, tier string
		var residual, id, name sql.NullString
		var n, never, late int64
		var on dateCol
		if err := rows.Scan(&part, &tier, &residual, &n, &never, &late, &id, &name, &on); err != nil {
			return err
		}
		switch part {
		case "overdue":
			t := register.Tier(tier)
			byTier[t] = append(byTier[t], reporting.VendorRow{ID: id.String, Name: name.String, Tier: t, LastReviewOn: on.Date})
			return nil
		case "expired":
			fig.Overdue.Attestations = n
			return nil
		}
		fig.Vendors += n
		fig.Tiers[register.Tier(tier)] += n
		if residual.Valid {
			fig.ResidualTiers[register.Tier(residual.String)] += n
		}
		fig.Overdue.NeverReviewed += never
		fig.Overdue.Reviews += late
		return nil
	})
	for _, t := range register.Tiers {
		fig.OverdueReviews = append(fig.OverdueReviews, byTier[t]...)
	}
	return err
}

// obligationFigures counts the obligations open at as-of (done after
// as-of counts as open) and past due, and those due from as-of until
// q.DueBy, in one pass, and lists the earliest due of each.
func (s *ReportSource) obligationFigures(ctx context.Context, f reporting.Filter, q reporting.ExecutiveQuery, fig *reporting.ExecutiveFigures) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	open := where + ` AND o.created_at <= ? AND o.due_at IS NOT NULL
		AND (o.status = 'open' OR (o.done_at IS NOT NULL AND o.done_at > ?))`
	oargs := concat(wargs, []any{asOf, asOf})
	dueBy := asOf
	if !q.DueBy.IsZero() && q.DueBy.After(asOf) {
		dueBy = q.DueBy.UTC()
	}
	var dueSoon int64
	if err := s.query(ctx, `SELECT COUNT(*) FILTER (WHERE o.due_at < ?), COUNT(*) FILTER (WHERE o.due_at >= ?)
		FROM obligations o JOIN incidents i ON i.id = o.incident_id JOIN vendors v ON v.id = i.vendor_id
		WHERE `+open+` AND o.due_at < ?`, concat([]any{asOf, asOf}, oargs, []any{dueBy}), func(rows rowScanner) error {
		return rows.Scan(&fig.Overdue.Obligations, &dueSoon)
	}); err != nil {
		return err
	}
	if !q.DueBy.IsZero() {
		fig.DueSoon = dueSoon
	}
	if q.OverdueItems == 0 {
		return nil
	}
	if err := s.query(ctx, obligationSelect+open+" AND o.due_at < ? ORDER BY o.due_at, o.id LIMIT ?",
		concat(oargs, []any{asOf, q.OverdueItems}), appendTo(&fig.OverdueObligations, scanObligation)); err != nil {
		return err
	}
	if q.DueBy.IsZero() || dueSoon == 0 {
		return nil
	}
	return s.query(ctx, obligationSelect+open+" AND o.due_at >= ? AND o.due_at < ? ORDER BY o.due_at, o.id LIMIT ?",
		concat(oargs, []any{asOf, dueBy, q.OverdueItems}), appendTo(&fig.DueSoonObligations, scanObligation))
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
	if q.LateNotices > 0 {
		err = s.query(ctx, incidentSelect+from+" ORDER BY i.vendor_discovered_at DESC, i.id LIMIT ?",
			concat(fargs, []any{q.LateNotices}), appendTo(&fig.LateNotices, scanIncident))
		if err != nil {
			return err
		}
	}
	if q.OverdueItems == 0 {
		return nil
	}
	return s.query(ctx, incidentSelect+from+" AND "+overdue+" ORDER BY "+earliestDueSQL+", i.id LIMIT ?",
		concat(fargs, []any{asOf, q.OverdueItems}), appendTo(&fig.OverdueNotices, scanIncident))
}

// earliestDueSQL is the earlier of an incident's contract and law
// deadlines (either may be NULL).
const earliestDueSQL = `COALESCE(CASE WHEN i.law_notice_due_at < i.notice_due_at THEN i.law_notice_due_at END,
	i.notice_due_at, i.law_notice_due_at)`

// concat joins argument lists into a new one.
func concat(lists ...[]any) []any {
	var out []any
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
