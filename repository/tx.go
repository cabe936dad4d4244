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
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return translate(err)
}

// conn returns the transaction in ctx, or the pool bound to ctx.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

var _ domain.Transactor = (*DB)(nil)
