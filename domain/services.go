package domain

// Stores are the persistence every service runs on; repository.DB.Stores
// provides them all.
type Stores struct {
	Tx        Transactor
	Vendors   VendorStore
	Handling  DataHandlingStore
	Keys      APIKeyStore
	Audit     AuditStore
	Contracts ContractStore
	Clauses   interface {
		ClauseStore
		ClauseCandidates
	}
	Attestations AttestationStore
	Reviews      ReviewStore
	Incidents    IncidentStore
	Obligations  ObligationStore
	Evidence     EvidenceStore
	Idempotency  IdempotencyStore
	JobRuns      JobRunStore
	Webhooks     WebhookStore
	Snapshots    RiskSnapshotStore
	Findings     FindingStore
	Scan         ScanStore
	Imports      ImportStore
}

// Settings configure the services.
type Settings struct {
	Clock            Clock            // default SystemClock
	Calendar         BusinessCalendar // for business-day windows; default weekdays without holidays
	Policy           Policy           // zero value: DefaultPolicy
	Profile          OrgProfile       // which entity-type regimes bind us
	Catalogue        *Catalogue       // nil: DefaultCatalogue
	KeyPepper        string           // secret mixed into API-key hashes
	MaxEvidenceBytes int64            // 0: DefaultMaxEvidenceBytes
	// Events receives domain events; nil: the webhook outbox (Services.Webhooks).
	Events EventSink
	// Scan holds the windows of the compliance scan's rules; zero fields
	// take DefaultScanThresholds.
	Scan ScanThresholds
}

// Services are the use cases of Vendorwatch, wired to their stores.
type Services struct {
	Vendors      *VendorService
	Keys         *KeyService
	Contracts    *ContractService
	Attestations *AttestationService
	Reviews      *ReviewService
	Incidents    *IncidentService
	// Audit reads the audit trail; writes go through the services.
	Audit AuditStore
	// Idempotency remembers POSTs made with an Idempotency-Key.
	Idempotency IdempotencyStore
	Clock       Clock
	// Jobs lists job runs and triggers jobs (Jobs.Runner is set by the program).
	Jobs      *JobService
	Webhooks  *WebhookService
	Snapshots *SnapshotService
	// Events is where services publish events (Settings.Events, or Webhooks).
	Events EventSink
	// Scan runs the compliance scan; Findings reads and updates its findings.
	Scan     *ScanService
	Findings *FindingService
	// Imports validates and applies spreadsheet imports.
	Imports *ImportService
}

// NewServices wires every service to the stores: the one place that does,
// for the binary and the tests alike.
func NewServices(st Stores, set Settings) *Services {
	if set.Clock == nil {
		set.Clock = SystemClock{}
	}
	if set.Calendar == nil {
		set.Calendar = weekdaysOnlyCalendar{}
	}
	if set.Policy.Clauses.StandardWindows == nil {
		set.Policy = DefaultPolicy()
	}
	catalogue := DefaultCatalogue()
	if set.Catalogue != nil {
		catalogue = *set.Catalogue
	}
	auditor := Auditor{Store: st.Audit, Clock: set.Clock}
	// Events go to the webhook outbox unless the settings say otherwise.
	webhooks := &WebhookService{Tx: st.Tx, Webhooks: st.Webhooks, Audit: auditor, Clock: set.Clock}
	events := set.Events
	if events == nil {
		events = webhooks
	}
	s := &Services{
		Vendors: &VendorService{Tx: st.Tx, Vendors: st.Vendors, Handling: st.Handling, Audit: auditor, Clock: set.Clock},
		Keys: &KeyService{Tx: st.Tx, Keys: st.Keys, Audit: auditor, Clock: set.Clock,
			Hasher: NewKeyHasher(set.KeyPepper)},
		Contracts: &ContractService{Tx: st.Tx, Contracts: st.Contracts, Clauses: st.Clauses, Vendors: st.Vendors,
			Handling: st.Handling, Audit: auditor, Clock: set.Clock, Policy: set.Policy.Clauses},
		Attestations: &AttestationService{Tx: st.Tx, Attestations: st.Attestations, Vendors: st.Vendors,
			Handling: st.Handling, Evidence: st.Evidence, Audit: auditor, Clock: set.Clock,
			Requirements: set.Policy.AttestationRequirements, MaxEvidenceBytes: set.MaxEvidenceBytes},
		Reviews: &ReviewService{Tx: st.Tx, Reviews: st.Reviews, Vendors: st.Vendors, Audit: auditor, Clock: set.Clock,
			Cadence: set.Policy.ReviewCadence},
		Incidents: &IncidentService{Tx: st.Tx, Incidents: st.Incidents, Vendors: st.Vendors, Handling: st.Handling,
			Clauses: st.Clauses, Audit: auditor, Clock: set.Clock, Calendar: set.Calendar,
			Standards: set.Policy.Clauses.StandardWindows, Obligations: st.Obligations, Catalogue: catalogue,
			Profile: set.Profile, Contracts: st.Contracts, Evidence: st.Evidence, MaxEvidenceBytes: set.MaxEvidenceBytes,
			Working: set.Policy.WorkingDeadlines},
		Audit:       st.Audit,
		Idempotency: st.Idempotency,
		Clock:       set.Clock,
	}
	s.Contracts.AfterClauseChange = s.Incidents.RefreshVendor
	s.Jobs = &JobService{Runs: st.JobRuns}
	s.Webhooks = webhooks
	s.Snapshots = &SnapshotService{Store: st.Snapshots, Vendors: st.Vendors, Clock: set.Clock}
	s.Events = events
	s.Scan = &ScanService{Store: st.Scan, Clock: set.Clock, Events: events, Thresholds: scanThresholds(set),
		Cadence: set.Policy.ReviewCadence, Clauses: set.Policy.Clauses, Requirements: set.Policy.AttestationRequirements}
	s.Findings = &FindingService{Tx: st.Tx, Findings: st.Findings, Audit: auditor, Clock: set.Clock}
	s.Imports = &ImportService{Tx: st.Tx, Imports: st.Imports, Vendors: s.Vendors, Contracts: s.Contracts,
		Attestations: s.Attestations, Audit: auditor, Clock: set.Clock}
	return s
}

// scanThresholds are the settings' own thresholds when given, else the
// policy's (a policy file's scan_thresholds), with defaults for the rest.
func scanThresholds(set Settings) ScanThresholds {
	if set.Scan != (ScanThresholds{}) {
		return set.Scan.withDefaults()
	}
	return set.Policy.ScanThresholds.withDefaults()
}
