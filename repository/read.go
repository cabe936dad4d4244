package repository

import (
	"context"
	"database/sql"
	"strings"

	"gorm.io/gorm"

	"github.com/vendorwatch/vendorwatch/domain"
)

// query runs q (written with ? placeholders) through database/sql on the
// transaction in ctx, or on the pool. The hot reads (a vendor, a page of
// vendors or findings) use it with explicit columns scanned into typed
// values: GORM's statement processing and reflective scanning cost more
// than the database round trip under load (BENCHMARKS.md, "HTTP API under
// load"). Writes stay on GORM.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.dialect == Postgres {
		q = rebindDollar(q)
	}
	var pool gorm.ConnPool = db.sql
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		pool = tx.Statement.ConnPool
	}
	rows, err := pool.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	return rows, nil
}

// scanRows reads every row of a query into a slice, capacity n, with scan
// filling one row, and closes rows.
func scanRows[R any](rows *sql.Rows, n int, scan func(*sql.Rows, *R) error) ([]R, error) {
	defer func() { _ = rows.Close() }()
	out := make([]R, 0, n)
	for rows.Next() {
		var r R
		if err := scan(rows, &r); err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// queryRows runs q and scans its rows (see query and scanRows).
func queryRows[R any](ctx context.Context, db *DB, n int, scan func(*sql.Rows, *R) error, q string, args ...any) ([]R, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanRows(rows, n, scan)
}

// queryOne runs q, which selects at most one row, and scans it. Returns
// domain.ErrNotFound when there is none.
func queryOne[R any](ctx context.Context, db *DB, scan func(*sql.Rows, *R) error, q string, args ...any) (R, error) {
	rows, err := queryRows(ctx, db, 1, scan, q, args...)
	if err == nil && len(rows) == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		var zero R
		return zero, err
	}
	return rows[0], nil
}

// where collects the conditions (with ? placeholders) of a read query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql is " WHERE c1 AND c2 ...", or "" without conditions.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
