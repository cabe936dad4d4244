package repository

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/vendorwatch/vendorwatch/domain"
)

// rowSource is what both *sql.Rows and pgx.Rows offer for reading.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// rowScanner reads the current row into typed destinations.
type rowScanner interface{ Scan(dest ...any) error }

// queryRows runs q (written with ? placeholders) and reads every row with
// scan into a slice of capacity n. The hot reads (a vendor, a page of
// vendors or findings) use it with explicit columns scanned into typed
// values: GORM's statement processing and reflective scanning cost more
// than the database round trip under load (BENCHMARKS.md, "HTTP API under
// load"). Writes stay on GORM. Inside a transaction it runs on the
// transaction; otherwise on PostgreSQL through pgx itself (queryPgx), on
// SQLite through rawRows.
func queryRows[R any](ctx context.Context, db *DB, n int, scan func(rowScanner, *R) error, q string, args ...any) ([]R, error) {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); db.dialect == Postgres && !inTx {
		return queryPgx(ctx, db, n, scan, rebindDollar(q), args)
	}
	rows, err := db.rawRows(ctx, q, args)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	return collect(rows, n, scan)
}

// queryPgx runs q on a pooled connection through pgx's own interface, which
// scans into the typed destinations directly instead of converting every
// value to a driver.Value and back as database/sql does. A connection that
// pgx finds broken reports itself invalid, so the pool discards it.
func queryPgx[R any](ctx context.Context, db *DB, n int, scan func(rowScanner, *R) error, q string, args []any) ([]R, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = conn.Close() }()
	var out []R
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres connection is a %T, not pgx", dc)
		}
		rows, err := sc.Conn().Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = collect(rows, n, scan)
		return err
	})
	return out, translate(err)
}

// collect reads every row with scan into a slice of capacity n.
func collect[R any](rows rowSource, n int, scan func(rowScanner, *R) error) ([]R, error) {
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

// queryOne runs q, which selects at most one row, and scans it. Returns
// domain.ErrNotFound when there is none.
func queryOne[R any](ctx context.Context, db *DB, scan func(rowScanner, *R) error, q string, args ...any) (R, error) {
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

// rebindDollar turns ? placeholders into $1, $2, ... for PostgreSQL (the
// repository's queries have no ? inside literals).
func rebindDollar(q string) string {
	var b strings.Builder
	n := 0
	for i := range len(q) {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders is "(?, ?, ...)" with n placeholders, for an IN list.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
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
