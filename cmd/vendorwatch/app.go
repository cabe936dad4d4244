package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
)

// app is the wired program: the database and the domain services on it.
type app struct {
	db      *repository.DB
	vendors *domain.VendorService
	keys    *domain.KeyService
	audit   *repository.Audit
}

// openApp opens and (optionally) migrates the database and wires the
// services.
func openApp(ctx context.Context, cfg config, logger *slog.Logger, migrate bool) (*app, error) {
	db, err := repository.Open(ctx, cfg.databaseURL(), repository.Options{MaxOpenConns: cfg.DBMaxConns, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.redactedURL(), err)
	}
	if migrate {
		n, err := db.Migrate(ctx)
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		if n > 0 {
			logger.Info("migrations applied", "count", n, "dialect", string(db.Dialect()))
		}
	}
	clock := domain.SystemClock{}
	audit := repository.NewAudit(db)
	auditor := domain.Auditor{Store: audit, Clock: clock}
	return &app{
		db: db,
		vendors: &domain.VendorService{Tx: db, Vendors: repository.NewVendors(db), Handling: repository.NewDataHandling(db),
			Audit: auditor, Clock: clock},
		keys: &domain.KeyService{Tx: db, Keys: repository.NewAPIKeys(db), Audit: auditor, Clock: clock,
			Hasher: domain.NewKeyHasher(cfg.APIKeyPepper)},
		audit: audit,
	}, nil
}

func (a *app) Close() error { return a.db.Close() }
