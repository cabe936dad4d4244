package repository

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The named SQL predicates, evaluated on every stored row for the tests
// that compare them with the Go verdicts.

// NoticePredicates returns, per incident id, whether noticeBrokenSQL and
// noticeNotGivenSQL hold as of asOf.
func NoticePredicates(ctx context.Context, db *DB, asOf time.Time) (broken, notGiven map[string]bool, err error) {
	query := `SELECT i.id, CASE WHEN ` + noticeBrokenSQL + ` THEN 1 ELSE 0 END,
		CASE WHEN ` + noticeNotGivenSQL + ` THEN 1 ELSE 0 END FROM incidents i`
	return holds(ctx, db, query, append(noticeBrokenArgs(asOf), asOf.UTC()))
}

// ReviewOverduePredicates returns, per vendor id, whether the review
// overdue filter (reviewOverdueWhere) holds for the given cut-offs, with
// overdue true and with overdue false.
func ReviewOverduePredicates(ctx context.Context, db *DB, cutoffs map[register.Tier]domain.Date) (overdue, notOverdue map[string]bool, err error) {
	yes, yargs := reviewOverdueWhere(&register.ReviewOverdueFilter{Overdue: true, Cutoffs: cutoffs})
	no, nargs := reviewOverdueWhere(&register.ReviewOverdueFilter{Overdue: false, Cutoffs: cutoffs})
	query := `SELECT id, CASE WHEN ` + yes + ` THEN 1 ELSE 0 END, CASE WHEN ` + no + ` THEN 1 ELSE 0 END FROM vendors`
	return holds(ctx, db, query, concat(yargs, nargs))
}

// SetLastReviewOn stores a vendor's last review date as the reviews store
// does.
func SetLastReviewOn(ctx context.Context, db *DB, vendorID string, on domain.Date) error {
	return db.rawExec(ctx, "UPDATE vendors SET last_review_on = ? WHERE id = ?", []any{sqlDate(on), vendorID})
}

// AttestationExpiryPredicates returns, per attestation id, whether
// attestationExpiredSQL holds today and attestationExpiresBySQL holds for
// the horizon today plus days.
func AttestationExpiryPredicates(ctx context.Context, db *DB, today domain.Date, days int) (expired, within map[string]bool, err error) {
	query := `SELECT a.id, CASE WHEN ` + attestationExpiredSQL("a.expires_on") + ` THEN 1 ELSE 0 END,
		CASE WHEN ` + attestationExpiresBySQL("a.expires_on") + ` THEN 1 ELSE 0 END FROM attestations a`
	return holds(ctx, db, query, []any{sqlDate(today), sqlDate(today.AddDays(days))})
}

// holds runs query, whose rows are an id and two predicates rendered as
// CASE WHEN ... THEN 1 ELSE 0 END, and returns each predicate per id.
func holds(ctx context.Context, db *DB, query string, args []any) (first, second map[string]bool, err error) {
	first, second = map[string]bool{}, map[string]bool{}
	err = each(ctx, db, query, args, func(r rowScanner) error {
		var id string
		var a, b int
		err := r.Scan(&id, &a, &b)
		first[id], second[id] = a == 1, b == 1
		return err
	})
	return first, second, err
}

// MigrateDownTo rolls the schema back to version (tests of data
// migrations).
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// SQLBind rewrites ? placeholders for the dialect.
func (db *DB) SQLBind(q string) string { return db.bind(q) }

// GoMigrationVersions are the versions of the migrations written in Go.
func GoMigrationVersions() []int64 {
	var out []int64
	for _, m := range (&DB{}).goMigrations() {
		out = append(out, m.Version)
	}
	return out
}
