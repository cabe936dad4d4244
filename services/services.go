// Package services wires Vendorwatch's use cases: New builds every domain
// service on the stores it is given (repository.DB.Stores) and the
// program's settings, each with what it depends on. It is the one
// composition root of the services, used by the binary (cmd/vendorwatch,
// which chooses the database, calendar, policy and catalogue) and by the
// tests alike. It imports only domain packages.
package services

import (
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// Stores are the persistence every service runs on; repository.DB.Stores
// provides them all.
type Stores struct {
	Tx       domain.Transactor
	Vendors  register.VendorStore
	Handling register.DataHandlingStore
	// Dependencies are the supply chain's edges (fourth parties).
	Dependencies register.DependencyStore
	Keys         access.APIKeyStore
	Users        access.UserStore
	Sessions     access.SessionStore
	Audit        domain.AuditStore
	Contracts    contract.ContractStore
	Clauses      interface {
		contract.ClauseStore
		incident.ClauseCandidates
	}
	Attestations attestation.AttestationStore
	Reviews      review.ReviewStore
	Incidents    incident.IncidentStore
	Obligations  incident.ObligationStore
	Evidence     domain.EvidenceStore
	Idempotency  access.IdempotencyStore
	JobRuns      jobrun.JobRunStore
	Webhooks     webhook.WebhookStore
	Snapshots    register.RiskSnapshotStore
	Findings     finding.FindingStore
	Scan         finding.ScanStore
	Imports      importing.ImportStore
	// Dora keeps the DORA register's own facts and streams its templates.
	Dora interface {
		dora.Store
		dora.Source
	}
}

// Settings configure the services.
type Settings struct {
	Clock     domain.Clock            // default SystemClock
	Calendar  domain.BusinessCalendar // for business-day windows; default weekdays without holidays
	Policy    policy.Policy           // zero value: DefaultPolicy
	Profile   incident.OrgProfile     // which entity-type regimes bind us
	Catalogue *incident.Catalogue     // nil: DefaultCatalogue
	KeyPepper string                  // secret mixed into API-key hashes
	// Sessions are the console sessions' idle and absolute timeouts
	// (zero: access.DefaultSessionIdle and DefaultSessionMax).
	Sessions         access.SessionTimeouts
	MaxEvidenceBytes int64 // 0: DefaultMaxEvidenceBytes
	// Events receives domain events; nil: the webhook outbox (Services.Webhooks).
	Events domain.EventSink
	// Scan holds the windows of the compliance scan's rules; zero fields
	// take DefaultScanThresholds.
	Scan finding.ScanThresholds
}

// The incident service is what the contract service tells of clause changes.
var _ contract.IncidentClauses = (*incident.IncidentService)(nil)

// Services are the use cases of Vendorwatch, wired to their stores.
type Services struct {
	Vendors *register.VendorService
	// SupplyChain is the vendors' own providers: edges, the tree below a
	// vendor, provider concentration, merging duplicate providers.
	SupplyChain *register.SupplyChainService
	Keys        *access.KeyService
	// Users are the console's people: accounts, passwords, sessions.
	Users        *access.UserService
	Contracts    *contract.ContractService
	Attestations *attestation.AttestationService
	Reviews      *review.ReviewService
	Incidents    *incident.IncidentService
	// Audit reads the audit trail; writes go through the services.
	Audit domain.AuditStore
	// Idempotency remembers POSTs made with an Idempotency-Key.
	Idempotency access.IdempotencyStore
	Clock       domain.Clock
	// Jobs lists job runs and triggers jobs (Jobs.Runner is set by the
	// program once the scheduler exists).
	Jobs      *jobrun.JobService
	Webhooks  *webhook.WebhookService
	Snapshots *register.SnapshotService
	// Events is where services publish events (Settings.Events, or Webhooks).
	Events domain.EventSink
	// Scan runs the compliance scan; Findings reads and updates its findings.
	Scan     *finding.ScanService
	Findings *finding.FindingService
	// Imports validates and applies spreadsheet imports.
	Imports *importing.ImportService
	// Dora maintains the DORA register of information and checks it.
	Dora *dora.Service
}

// New wires every service to the stores: the one place that does, for the
// binary and the tests alike. Each service receives what it depends on
// when it is built; the scheduler (Jobs.Runner) is the one part the
// program sets afterwards, because it is built from these services.
func New(st Stores, set Settings) *Services {
	if set.Clock == nil {
		set.Clock = domain.SystemClock{}
	}
	if set.Calendar == nil {
		set.Calendar = domain.WeekdaysOnlyCalendar{}
	}
	if set.Policy.Clauses.StandardWindows == nil {
		set.Policy = policy.DefaultPolicy()
	}
	catalogue := incident.DefaultCatalogue()
	if set.Catalogue != nil {
		catalogue = *set.Catalogue
	}
	auditor := domain.Auditor{Store: st.Audit, Clock: set.Clock}
	// Events go to the webhook outbox unless the settings say otherwise.
	webhooks := &webhook.WebhookService{Tx: st.Tx, Webhooks: st.Webhooks, Audit: auditor, Clock: set.Clock}
	events := set.Events
	if events == nil {
		events = webhooks
	}
	vendors := &register.VendorService{Tx: st.Tx, Vendors: st.Vendors, Handling: st.Handling, Audit: auditor,
		Clock: set.Clock}
	incidents := &incident.IncidentService{Tx: st.Tx, Incidents: st.Incidents, Vendors: st.Vendors,
		Handling: st.Handling, Clauses: st.Clauses, Audit: auditor, Clock: set.Clock, Calendar: set.Calendar,
		Standards: set.Policy.Clauses.StandardWindows, Obligations: st.Obligations, Catalogue: catalogue,
		Profile: set.Profile, Contracts: st.Contracts, Evidence: st.Evidence, MaxEvidenceBytes: set.MaxEvidenceBytes,
		Working: set.Policy.WorkingDeadlines, Dependents: st.Dependencies}
	// A change to a vendor's clauses re-locates the clause of the vendor's
	// incidents.
	contracts := &contract.ContractService{Tx: st.Tx, Contracts: st.Contracts, Clauses: st.Clauses,
		Vendors: st.Vendors, Handling: st.Handling, Audit: auditor, Clock: set.Clock, Policy: set.Policy.Clauses,
		Incidents: incidents}
	attestations := &attestation.AttestationService{Tx: st.Tx, Attestations: st.Attestations, Vendors: st.Vendors,
		Handling: st.Handling, Evidence: st.Evidence, Audit: auditor, Clock: set.Clock,
		Requirements: set.Policy.AttestationRequirements, MaxEvidenceBytes: set.MaxEvidenceBytes}
	supplyChain := &register.SupplyChainService{Tx: st.Tx, Vendors: st.Vendors, Handling: st.Handling,
		Dependencies: st.Dependencies, Audit: auditor, Clock: set.Clock}
	return &Services{
		Vendors: vendors,
		Dora: &dora.Service{Tx: st.Tx, Store: st.Dora, Source: st.Dora, Vendors: st.Vendors, Contracts: st.Contracts,
			Audit: auditor, Clock: set.Clock},
		SupplyChain: supplyChain,
		Keys: &access.KeyService{Tx: st.Tx, Keys: st.Keys, Audit: auditor, Clock: set.Clock,
			Hasher: access.NewKeyHasher(set.KeyPepper)},
		Users: &access.UserService{Tx: st.Tx, Users: st.Users, Sessions: st.Sessions, Audit: auditor,
			Clock: set.Clock, Timeouts: set.Sessions},
		Contracts:    contracts,
		Attestations: attestations,
		Reviews: &review.ReviewService{Tx: st.Tx, Reviews: st.Reviews, Vendors: st.Vendors, Audit: auditor,
			Clock: set.Clock, Cadence: set.Policy.ReviewCadence},
		Incidents:   incidents,
		Audit:       st.Audit,
		Idempotency: st.Idempotency,
		Clock:       set.Clock,
		Jobs:        &jobrun.JobService{Runs: st.JobRuns},
		Webhooks:    webhooks,
		Snapshots:   &register.SnapshotService{Store: st.Snapshots, Vendors: st.Vendors, Clock: set.Clock},
		Events:      events,
		Scan: &finding.ScanService{Store: st.Scan, Clock: set.Clock, Events: events, Thresholds: scanThresholds(set),
			Cadence: set.Policy.ReviewCadence, Clauses: set.Policy.Clauses,
			Requirements: set.Policy.AttestationRequirements, Residual: set.Policy.ResidualRisk},
		Findings: &finding.FindingService{Tx: st.Tx, Findings: st.Findings, Audit: auditor, Clock: set.Clock},
		Imports: &importing.ImportService{Tx: st.Tx, Imports: st.Imports, Vendors: vendors, Contracts: contracts,
			Attestations: attestations, SupplyChain: supplyChain, Audit: auditor, Clock: set.Clock},
	}
}

// scanThresholds are the settings' own thresholds when given, else the
// policy's (a policy file's scan_thresholds), with defaults for the rest.
func scanThresholds(set Settings) finding.ScanThresholds {
	if set.Scan != (finding.ScanThresholds{}) {
		return set.Scan.WithDefaults()
	}
	return set.Policy.ScanThresholds.WithDefaults()
}
