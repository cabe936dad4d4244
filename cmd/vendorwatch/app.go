package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/repository"
)

// app is the wired program: the database and the domain services on it.
type app struct {
	db        *repository.DB
	vendors   *domain.VendorService
	keys      *domain.KeyService
	contracts *domain.ContractService
	incidents *domain.IncidentService
	reviews   *domain.ReviewService
	audit     *repository.Audit

	attestations *domain.AttestationService
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
	profile, err := cfg.orgProfile()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	policy, err := cfg.policy()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	clock := domain.SystemClock{}
	audit := repository.NewAudit(db)
	auditor := domain.Auditor{Store: audit, Clock: clock}
	a := &app{
		db: db,
		vendors: &domain.VendorService{Tx: db, Vendors: repository.NewVendors(db), Handling: repository.NewDataHandling(db),
			Audit: auditor, Clock: clock},
		keys: &domain.KeyService{Tx: db, Keys: repository.NewAPIKeys(db), Audit: auditor, Clock: clock,
			Hasher: domain.NewKeyHasher(cfg.APIKeyPepper)},
		audit: audit,
		contracts: &domain.ContractService{Tx: db, Contracts: repository.NewContracts(db), Clauses: repository.NewClauses(db),
			Vendors: repository.NewVendors(db), Handling: repository.NewDataHandling(db), Audit: auditor, Clock: clock,
			Policy: policy.Clauses},
		reviews: &domain.ReviewService{Tx: db, Reviews: repository.NewReviews(db), Vendors: repository.NewVendors(db),
			Audit: auditor, Clock: clock, Cadence: policy.ReviewCadence},
		attestations: &domain.AttestationService{Tx: db, Attestations: repository.NewAttestations(db),
			Vendors: repository.NewVendors(db), Handling: repository.NewDataHandling(db),
			Evidence: repository.NewBlobs(cfg.evidenceDir()), Audit: auditor, Clock: clock,
			MaxEvidenceBytes: cfg.EvidenceMaxBytes, Requirements: policy.AttestationRequirements},
	}
	a.incidents = &domain.IncidentService{Tx: db, Incidents: repository.NewIncidents(db), Vendors: repository.NewVendors(db),
		Handling: repository.NewDataHandling(db), Clauses: repository.NewClauses(db), Audit: auditor, Clock: clock,
		Calendar: calendar.USFederal(), Standards: a.contracts.Policy.StandardWindows,
		Obligations: repository.NewObligations(db), Catalogue: domain.DefaultCatalogue(), Profile: profile,
		Contracts: repository.NewContracts(db), Evidence: repository.NewBlobs(cfg.evidenceDir()),
		MaxEvidenceBytes: cfg.EvidenceMaxBytes}
	a.contracts.AfterClauseChange = a.incidents.RefreshVendor
	return a, nil
}

func (a *app) Close() error { return a.db.Close() }
