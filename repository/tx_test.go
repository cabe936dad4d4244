package repository_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestWithinTx(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		vendors := repository.NewVendors(db)
		exists := func(t *testing.T, id string) bool {
			t.Helper()
			_, err := vendors.Get(t.Context(), id)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		t.Run("commit", func(t *testing.T) {
			v := newVendor("Committed")
			err := db.WithinTx(t.Context(), func(ctx context.Context) error { return vendors.Create(ctx, v) })
			if err != nil {
				t.Fatal(err)
			}
			if !exists(t, v.ID) {
				t.Error("vendor created in a committed transaction is missing")
			}
		})

		t.Run("error rolls back", func(t *testing.T) {
			v := newVendor("Rolled Back")
			err := db.WithinTx(t.Context(), func(ctx context.Context) error {
				if err := vendors.Create(ctx, v); err != nil {
					return err
				}
				if _, err := vendors.Get(ctx, v.ID); err != nil {
					t.Errorf("the transaction does not see its own insert: %v", err)
				}
				return errBoom
			})
			checkErrIs(t, err, errBoom)
			if exists(t, v.ID) {
				t.Error("vendor survived the rollback")
			}
		})

		t.Run("store error rolls back earlier writes", func(t *testing.T) {
			a, dup := newVendor("Unique One"), newVendor("UNIQUE ONE")
			err := db.WithinTx(t.Context(), func(ctx context.Context) error {
				if err := vendors.Create(ctx, a); err != nil {
					return err
				}
				return vendors.Create(ctx, dup)
			})
			checkConflictField(t, err, "name")
			if exists(t, a.ID) {
				t.Error("first insert survived the failed transaction")
			}
		})

		t.Run("nested joins the outer transaction", func(t *testing.T) {
			inner, outer := newVendor("Inner"), newVendor("Outer")
			err := db.WithinTx(t.Context(), func(ctx context.Context) error {
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return vendors.Create(ctx, inner) }); err != nil {
					return err
				}
				if err := vendors.Create(ctx, outer); err != nil {
					return err
				}
				return errBoom
			})
			checkErrIs(t, err, errBoom)
			if exists(t, inner.ID) {
				t.Error("the nested transaction committed on its own; it should have joined the outer one")
			}
			if exists(t, outer.ID) {
				t.Error("outer insert survived the rollback")
			}
		})

		t.Run("nested error handled by the outer is no savepoint", func(t *testing.T) {
			// One unit of work: an inner error the outer function swallows
			// does not undo the inner writes.
			v := newVendor("Kept")
			err := db.WithinTx(t.Context(), func(ctx context.Context) error {
				innerErr := db.WithinTx(ctx, func(ctx context.Context) error {
					if err := vendors.Create(ctx, v); err != nil {
						return err
					}
					return errBoom
				})
				checkErrIs(t, innerErr, errBoom)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !exists(t, v.ID) {
				t.Error("inner write was undone although the outer transaction committed")
			}
		})
	})
}
