// Package repository implements the domain stores with GORM on PostgreSQL
// (production) and on an embedded pure-Go SQLite file (the default). Both
// dialects run their own embedded SQL migrations and the same tests.
package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names a supported database.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Options tunes the connection.
type Options struct {
	// MaxOpenConns bounds the pool (PostgreSQL). Size it to at least the
	// expected request concurrency: database/sql hands freed connections to
	// a random waiter, so an undersized pool inflates tail latency.
	MaxOpenConns int
	// Logger receives slow-query and error logs; nil discards them.
	Logger *slog.Logger
	// Secrets seal the webhook secrets at rest; nil: a random key that
	// lives as long as the process (tests), see EphemeralSecretKeys.
	Secrets *SecretKeys
}

// DB is an open database with its dialect.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	reads   *readBudget // see budget.go
	secrets *SecretKeys // seal webhook secrets
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying pool (for migrations and metrics).
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return translate(err)
	}
	return nil
}

// ParseURL tells the dialect of a database URL and returns the driver DSN:
// "postgres://..." or "postgresql://..." for PostgreSQL; "sqlite:PATH" or a
// plain file path for SQLite.
//
// PostgreSQL sessions run with jit=off unless the URL sets jit: the JIT
// compiler starts on statements whose estimated cost passes jit_above_cost,
// which the scan's fact queries do at 100k vendors, and compiling takes
// longer than it saves (382 of 872 ms for the contract facts; see
// BENCHMARKS.md).
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		// Appended as text: url.Parse refuses pgx's multi-host URLs.
		_, query, hasQuery := strings.Cut(raw, "?")
		if q, err := url.ParseQuery(query); err != nil {
			return "", "", fmt.Errorf("postgres URL parameters: %w", err)
		} else if !q.Has("jit") {
			sep := "?"
			if hasQuery {
				sep = "&"
			}
			raw += sep + "jit=off"
		}
		return Postgres, raw, nil
	case raw == "":
		return "", "", fmt.Errorf("empty database URL")
	}
	path := strings.TrimPrefix(raw, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return "", "", fmt.Errorf("sqlite URL %q has no file path", raw)
	}
	// WAL lets readers run beside the writer; the busy timeout lets the CLI
	// work next to a running server. Times are written in SQLite's own
	// format (UTC, "+00:00"), which its date functions read. Transactions
	// take the write lock at BEGIN (WithinTx, beginImmediate): the driver
	// ignores _txlock next to _time_format.
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	return SQLite, "file:" + path + "?" + q.Encode(), nil
}

// Open connects to the database named by rawURL. For SQLite it creates the
// file's directory.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var dialector gorm.Dialector
	switch dialect {
	case Postgres:
		dialector = postgres.Open(dsn)
	case SQLite:
		path := strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		dialector = sqlite.Open(dsn)
	}
	gl := logger.Discard
	if opts.Logger != nil {
		gl = warnOnly{logger.NewSlogLogger(opts.Logger, logger.Config{
			SlowThreshold: slowStatement, LogLevel: logger.Warn,
			IgnoreRecordNotFoundError: true, ParameterizedQueries: true,
		})}
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 gl,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		// Errors are translated in translate(), which keeps the constraint
		// name on both drivers (glebarez's own translator drops it).
		TranslateError: false,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, translate(err))
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	maxConns := opts.MaxOpenConns
	if maxConns <= 0 {
		maxConns = 32
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	secrets := opts.Secrets
	if secrets == nil {
		secrets = EphemeralSecretKeys()
	}
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect, reads: newReadBudget(maxConns), secrets: secrets}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s: %w", dialect, err)
	}
	return db, nil
}

// slowStatement is how long a statement runs before it is logged.
const slowStatement = 500 * time.Millisecond

// warnOnly passes GORM's statement traces on only when they will be
// logged (an error, or a slow statement): GORM's slog logger renders the
// SQL of every statement before it decides, which cost 8 % of the CPU of
// a request creating a vendor.
type warnOnly struct{ logger.Interface }

// LogMode implements logger.Interface.
func (w warnOnly) LogMode(l logger.LogLevel) logger.Interface {
	return warnOnly{w.Interface.LogMode(l)}
}

// Trace implements logger.Interface.
func (w warnOnly) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if (err != nil && !errors.Is(err, gorm.ErrRecordNotFound)) || time.Since(begin) > slowStatement {
		w.Interface.Trace(ctx, begin, fc, err)
	}
}
