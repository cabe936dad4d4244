package repository

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/vendorwatch/vendorwatch/domain"
)

// SQLite extended result codes (https://www.sqlite.org/rescode.html).
const (
	sqliteBusy              = 5
	sqliteLocked            = 6
	sqliteConstraintCheck   = 275
	sqliteConstraintFK      = 787
	sqliteConstraintNull    = 1299
	sqliteConstraintPK      = 1555
	sqliteConstraintTrigger = 1811
	sqliteConstraintUnique  = 2067
)

// constraintFields maps constraint names (PostgreSQL) and "table.column"
// (SQLite) to the API field they protect, so a conflict names the field.
var constraintFields = map[string]string{
	"vendors_name_key_uq":                  "name",
	"vendors.name_key":                     "name",
	"vendors_external_ref_uq":              "external_ref",
	"vendors.external_ref":                 "external_ref",
	"vendors_parent_vendor_id_fkey":        "parent_vendor_id",
	"vendors_lei_uq":                       "lei",
	"vendors.lei":                          "lei",
	"vendor_dependencies_edge_uq":          "provider_id",
	"vendor_dependencies.vendor_id":        "provider_id",
	"vendor_dependencies_provider_id_fkey": "provider_id",
	"api_keys_prefix_uq":                   "prefix",
	"api_keys.prefix":                      "prefix",
	"users_email_uq":                       "email",
	"users.email":                          "email",
	"reviews_vendor_id_fkey":               "vendor_id",
	"attestations_vendor_id_fkey":          "vendor_id",
	"attestations_period_ck":               "period_end",
	"attestations_expiry_ck":               "expires_on",
}

// translate turns driver and GORM errors into domain error kinds. It is the
// only place that knows pgconn, go-sqlite or GORM errors. Domain errors
// and nil pass through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	var liteErr *gosqlite.Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w", domain.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &pgErr):
		return translatePG(pgErr, err)
	case errors.As(err, &liteErr):
		return translateSQLite(liteErr, err)
	case isConnError(err), err.Error() == "sql: database is closed":
		return fmt.Errorf("%w: %v", domain.ErrUnavailable, err)
	}
	return err
}

func translatePG(pgErr *pgconn.PgError, err error) error {
	field := constraintFields[pgErr.ConstraintName]
	switch {
	case pgErr.Code == "23505":
		return &domain.ConflictError{Field: orDefault(field, "id"), Message: "is already taken"}
	case pgErr.Code == "23503" && strings.Contains(pgErr.Message, "update or delete"):
		return &domain.ConflictError{Field: "id", Message: "other records still refer to this one"}
	case pgErr.Code == "23503":
		return &domain.ConflictError{Field: orDefault(field, "id"), Message: "refers to a record that does not exist"}
	case pgErr.Code == "23514", pgErr.Code == "23502", pgErr.Code == "22001":
		// The domain validates first; a check failing here is a bug or a
		// race, reported as invalid input with the constraint named.
		return domain.Invalid(orDefault(field, pgErr.ColumnName), "violates constraint %s", pgErr.ConstraintName)
	case pgErr.Code == "22021", pgErr.Code == "22P05":
		// A NUL or text that is not UTF-8: the API refuses both before
		// they get here; this keeps any other path from answering 500.
		return domain.Invalid("body", "contains a character the database cannot store (NUL, or text that is not UTF-8)")
	case strings.HasPrefix(pgErr.Code, "08"), strings.HasPrefix(pgErr.Code, "57P"), pgErr.Code == "53300":
		// connection exceptions, admin shutdown, too many connections
		return fmt.Errorf("%w: %s", domain.ErrUnavailable, pgErr.Code)
	}
	return err
}

func translateSQLite(liteErr *gosqlite.Error, err error) error {
	msg := liteErr.Error()
	var field string
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		col := strings.TrimSpace(msg[i+len("failed: "):])
		col, _, _ = strings.Cut(col, ",")
		field = constraintFields[strings.Fields(col + " ")[0]]
	}
	switch liteErr.Code() {
	case sqliteConstraintUnique, sqliteConstraintPK:
		return &domain.ConflictError{Field: orDefault(field, "id"), Message: "is already taken"}
	case sqliteConstraintFK, sqliteConstraintTrigger:
		// SQLite does not say which key. ON DELETE RESTRICT reports as a
		// trigger constraint.
		if liteErr.Code() == sqliteConstraintTrigger && !strings.Contains(msg, "FOREIGN KEY") {
			return err
		}
		return &domain.ConflictError{Field: "id", Message: "a reference to or from this record is not satisfied"}
	case sqliteConstraintCheck, sqliteConstraintNull:
		return domain.Invalid(orDefault(field, "body"), "violates a database constraint")
	case sqliteBusy, sqliteLocked:
		return fmt.Errorf("%w: database is busy", domain.ErrUnavailable)
	}
	return err
}

func isConnError(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.As(err, &connErr) ||
		pgconn.SafeToRetry(err)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
