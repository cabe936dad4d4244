package repository

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The SQL of the figures the scan shares with the dashboard, the audit
// workbook and the executive report. The scan's fact queries and the
// report queries build their conditions from these fragments, which state
// the domain's definitions on the stored rows, so that each figure has
// one definition: the vendor scope (finding.VendorScope: scopeSQL), the
// notice verdict (incident.JudgeNotice and NoticeBreach: noticeBrokenSQL,
// noticeNotGivenSQL), review overdue (review.ReviewOverdue:
// reviewOverdueTerms, in reviews.go), attestation expiry
// (attestation.Expired and ExpiresWithin: attestationExpiredSQL,
// attestationExpiresBySQL) and the latest attestation of each kind
// (latestAttestationSQL). TestVerdictsAgreeAtTheBoundaries runs each
// predicate and its Go verdict on the same rows at the boundary instants.

// scopeSQL is the vendor scope as a condition on vendors aliased v: the
// statuses always judged, or a status judged once the vendor holds data
// (a data handling row, recorded by asOf when given).
//
// With asOf (the reports), the data-handling test is probed per vendor row
// through the table's key: its LIMIT 1 OFFSET 0 keeps PostgreSQL from
// turning the EXISTS into a hash of the whole of data_handling, which it
// prices against every row of the statement rather than the LIMIT of a
// keyset batch, and so rebuilt for each batch of the audit workbook's
// Attestations sheet (124 ms of a 179 ms batch at 100k vendors, 31 s a
// workbook). Probed, the test runs only on the rows of the statuses that
// need it. The scan (asOf nil) judges in single statements and keeps the
// hash.
func scopeSQL(s finding.VendorScope, asOf *time.Time) (string, []any) {
	if len(s.Always) == len(register.VendorStatuses) {
		return "1 = 1", nil
	}
	cond := "v.status IN (" + quotedStatuses(s.Always) + ")"
	if len(s.HoldingData) == 0 {
		return cond, nil
	}
	holds := "EXISTS (SELECT 1 FROM data_handling sh WHERE sh.vendor_id = v.id"
	var args []any
	if asOf != nil {
		holds += " AND sh.created_at <= ? LIMIT 1 OFFSET 0"
		args = append(args, asOf.UTC())
	}
	return "(" + cond + " OR (v.status IN (" + quotedStatuses(s.HoldingData) + ") AND " + holds + ")))", args
}

// quotedStatuses renders statuses as SQL string literals (they are the
// domain's constants, never input).
func quotedStatuses(ss []register.VendorStatus) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = "'" + strings.ReplaceAll(string(s), "'", "''") + "'"
	}
	return strings.Join(parts, ", ")
}

// inServiceSQL is scopeSQL for finding.ScopeInService at the present (the
// scan) as a plain condition.
var inServiceSQL, _ = scopeSQL(finding.ScopeInService, nil)

// latestAttestationSQL is "no unrejected attestation of the same kind from
// the vendor expires later" for attestations aliased a (ties broken by
// id): the attestation the expiry rules judge. With asOf, only
// attestations recorded by then count.
func latestAttestationSQL(asOf *time.Time) (string, []any) {
	q := `NOT EXISTS (SELECT 1 FROM attestations b WHERE b.vendor_id = a.vendor_id AND b.kind = a.kind
			AND b.review_status <> 'rejected' AND (b.expires_on > a.expires_on OR (b.expires_on = a.expires_on AND b.id > a.id))`
	if asOf == nil {
		return q + ")", nil
	}
	return q + " AND b.created_at <= ?)", []any{asOf.UTC()}
}

// expiredAttestationSQL is the figure "attestations expired" on
// attestations aliased a of vendors aliased v, as of asOf (today its
// date): the vendor is in service, the attestation is not rejected,
// expired before today, and the latest of its kind: what raises
// attestation.expired.
func expiredAttestationSQL(today domain.Date, asOf time.Time) (string, []any) {
	scope, sargs := scopeSQL(finding.FamilyScope(finding.FamilyAttestation), &asOf)
	latest, largs := latestAttestationSQL(&asOf)
	return "(a.review_status <> 'rejected' AND " + attestationExpiredSQL("a.expires_on") + " AND " + scope + " AND " + latest + ")",
		concat([]any{sqlDate(today)}, sargs, largs)
}

// expiredKindsSQL is the count side of expiredAttestationSQL, for the
// executive figures: a derived table ek of (vendor_id, kinds), per vendor
// the number of kinds whose latest unrejected attestation recorded by
// asOf expired before today (the argument), vendor scope left to the
// caller. The latest of a kind expired exactly when no unrejected
// attestation of the kind expires today or later, that is when the kind's
// greatest expiry is before today; so one grouped pass over the
// attestations replaces a probe for a later attestation per expired one
// (1.9x faster at 100k vendors; TestExpiredCountAtTheBoundaries holds the
// two to the same answers).
func expiredKindsSQL(today domain.Date, asOf time.Time) (string, []any) {
	return `(SELECT k.vendor_id, COUNT(*) AS kinds FROM (SELECT a.vendor_id FROM attestations a
		WHERE a.review_status <> 'rejected' AND a.created_at <= ? GROUP BY a.vendor_id, a.kind
		HAVING ` + attestationExpiredSQL("MAX(a.expires_on)") + `) k GROUP BY k.vendor_id) ek`,
		[]any{asOf.UTC(), sqlDate(today)}
}

// attestationExpiredSQL is attestation.Expired on the column col (an
// expires_on date), as of its argument (today's date): the attestation
// expired before today.
func attestationExpiredSQL(col string) string { return col + " < ?" }

// attestationExpiresBySQL is attestation.ExpiresWithin on the column col
// (an expires_on date), its argument being the horizon (today plus the
// window in days): the attestation expires on or before the horizon.
func attestationExpiresBySQL(col string) string { return col + " <= ?" }

// noticeBrokenSQL is incident.NoticeBreach's "late or overdue" on the stored
// instants of incidents aliased i, as of its arguments (noticeBrokenArgs:
// the same instant four times): the notice came after a deadline, or has not come by as-of
// and a deadline passed before it. A notice given after as-of counts as
// not given.
const noticeBrokenSQL = `((i.vendor_notified_us_at IS NOT NULL AND i.vendor_notified_us_at <= ?
		AND (i.vendor_notified_us_at > i.notice_due_at OR i.vendor_notified_us_at > i.law_notice_due_at))
	OR (` + noticeNotGivenSQL + ` AND (i.notice_due_at < ? OR i.law_notice_due_at < ?)))`

// noticeNotGivenSQL is "the vendor's notice has not been given by as-of"
// (its argument) for incidents aliased i: JudgeNotice's nil notified. A
// broken notice that is not given is overdue.
const noticeNotGivenSQL = `(i.vendor_notified_us_at IS NULL OR i.vendor_notified_us_at > ?)`

// noticeBrokenArgs are noticeBrokenSQL's arguments for as-of.
func noticeBrokenArgs(asOf time.Time) []any {
	asOf = asOf.UTC()
	return []any{asOf, asOf, asOf, asOf}
}
