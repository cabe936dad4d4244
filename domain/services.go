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
	Clock Clock
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
			Profile: set.Profile, Contracts: st.Contracts, Evidence: st.Evidence, MaxEvidenceBytes: set.MaxEvidenceBytes},
		Audit: st.Audit,
		Clock: set.Clock,
	}
	s.Contracts.AfterClauseChange = s.Incidents.RefreshVendor
	return s
}
