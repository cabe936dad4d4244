package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/services"
)

// app is the wired program: the database and the domain services on it.
type app struct {
	db  *repository.DB
	svc *services.Services
}

// openApp opens and (optionally) migrates the database and wires the
// services.
func openApp(ctx context.Context, cfg config, logger *slog.Logger, migrate bool) (*app, error) {
	profile, err := cfg.orgProfile()
	if err != nil {
		return nil, err
	}
	policy, err := cfg.policy()
	if err != nil {
		return nil, err
	}
	db, err := repository.Open(ctx, cfg.databaseURL(), repository.Options{MaxOpenConns: cfg.DBMaxConns, Logger: logger,
		Secrets: cfg.secretKeys()})
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
	svc := services.New(db.Stores(cfg.evidenceDir()), services.Settings{
		Calendar: calendar.USFederal(), Policy: policy, Profile: profile,
		KeyPepper: cfg.APIKeyPepper, MaxEvidenceBytes: cfg.EvidenceMaxBytes,
		Sessions: access.SessionTimeouts{Idle: cfg.SessionIdle, Max: cfg.SessionMax},
	})
	return &app{db: db, svc: svc}, nil
}

func (a *app) Close() error { return a.db.Close() }
