package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/vendorwatch/vendorwatch/domain"
)

type txKey struct{}

// WithinTx runs fn in a transaction carried by the context; store methods
// called with that context join it. A nested call joins the outer
// transaction rather than opening a savepoint: one unit of work.
func (db *DB) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if db.dialect == SQLite {
			if err := beginImmediate(tx); err != nil {
				return err
			}
		}
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return translate(err)
}

// beginImmediate turns the SQLite transaction just begun into BEGIN
// IMMEDIATE, which takes the write lock at once, waiting up to the busy
// timeout. The DSN asks for that with _txlock=immediate, but
// glebarez/go-sqlite v1.23.0 stops reading parameters after _time_format
// (applyQueryParams returns early), so BEGIN is deferred: a transaction
// that reads before it writes then fails at its first write with
// SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT, without waiting, whenever another
// writer is active. The deferred BEGIN has done nothing yet, so ending it
// and beginning again on the same connection loses nothing; database/sql
// commits or rolls back the new transaction.
func beginImmediate(tx *gorm.DB) error {
	if err := tx.Exec("ROLLBACK").Error; err != nil {
		return err
	}
	return tx.Exec("BEGIN IMMEDIATE").Error
}

// conn returns the transaction in ctx, or the pool bound to ctx.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

var _ domain.Transactor = (*DB)(nil)
