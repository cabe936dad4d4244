package repository

import (
	"github.com/vendorwatch/vendorwatch/services"
)

// Stores returns every store on db, with evidence files kept under
// evidenceDir.
func (db *DB) Stores(evidenceDir string) services.Stores {
	return services.Stores{
		Tx:           db,
		Vendors:      NewVendors(db),
		Handling:     NewDataHandling(db),
		Dependencies: NewDependencies(db),
		Keys:         NewAPIKeys(db),
		Users:        NewUsers(db),
		Sessions:     NewSessions(db),
		Audit:        NewAudit(db),
		Contracts:    NewContracts(db),
		Clauses:      NewClauses(db),
		Attestations: NewAttestations(db),
		Reviews:      NewReviews(db),
		Incidents:    NewIncidents(db),
		Obligations:  NewObligations(db),
		Evidence:     NewBlobs(evidenceDir),
		JobRuns:      NewJobRuns(db),
		Webhooks:     NewWebhooks(db),
		Snapshots:    NewRiskSnapshots(db),
		Idempotency:  NewIdempotency(db),
		Findings:     NewFindings(db),
		Scan:         NewFindings(db),
		Imports:      NewImports(db),
		Dora:         NewDora(db),
	}
}
