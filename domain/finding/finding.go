package finding

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Severity ranks a finding.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Severities lists every severity, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s.rank() > 0 }

func (s Severity) rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// FindingStatus is where a finding stands.
type FindingStatus string

// Finding statuses. Open, acknowledged and risk-accepted findings are
// live; at most one live finding exists per (rule, subject).
const (
	FindingOpen         FindingStatus = "open"
	FindingAcknowledged FindingStatus = "acknowledged"
	FindingRiskAccepted FindingStatus = "risk_accepted"
	FindingResolved     FindingStatus = "resolved"
)

// Valid reports whether s is a known status.
func (s FindingStatus) Valid() bool {
	switch s {
	case FindingOpen, FindingAcknowledged, FindingRiskAccepted, FindingResolved:
		return true
	}
	return false
}

// Subject types of findings.
const (
	SubjectVendor      = "vendor"
	SubjectAttestation = "attestation"
	SubjectContract    = "contract"
	SubjectIncident    = "incident"
	SubjectObligation  = "obligation"
)

// Finding is a flag a rule raised about a subject (a vendor, an
// attestation, a contract, an incident or an obligation).
type Finding struct {
	ID          string         `json:"id"`
	RuleID      string         `json:"rule_id"`
	Severity    Severity       `json:"severity"`
	VendorID    string         `json:"vendor_id"`
	SubjectType string         `json:"subject_type"`
	SubjectID   string         `json:"subject_id"`
	Facts       map[string]any `json:"facts"` // what the rule saw (window, lag, late_by, expires_on...)
	Status      FindingStatus  `json:"status"`
	FirstSeenAt time.Time      `json:"first_seen_at"`
	LastSeenAt  time.Time      `json:"last_seen_at"`
	LastSeenRun string         `json:"last_seen_run"`
	ResolvedAt  *time.Time     `json:"resolved_at"`
	// Risk acceptance: why, until when, and the API key that accepted. Kept
	// after the acceptance ends, for the record.
	AcceptedReason string       `json:"accepted_reason"`
	AcceptedUntil  *domain.Date `json:"accepted_until"`
	AcceptedBy     string       `json:"accepted_by"`
	Version        int64        `json:"version"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Finding a domain.Versioned.
func (f Finding) EntityID() string { return f.ID }

// StoredVersion is the version it was read at.
func (f Finding) StoredVersion() int64 { return f.Version }

// Key is the finding's (rule, subject).
func (f Finding) Key() FindingKey {
	return FindingKey{RuleID: f.RuleID, SubjectType: f.SubjectType, SubjectID: f.SubjectID}
}

// Fingerprint identifies what a judgement says of a subject: its
// severity, vendor and facts. Equal fingerprints mean the stored finding
// would not change.
type Fingerprint [16]byte

// EncodedFinding is a finding with its facts encoded as stored (JSON) and
// its fingerprint.
type EncodedFinding struct {
	Finding
	FactsJSON   string
	Fingerprint Fingerprint
}

// Encode encodes f's facts and computes its fingerprint: the first 16
// bytes of the SHA-256 of severity, vendor id and the facts' JSON
// (encoding/json writes map keys sorted, so equal facts encode equally).
func (f Finding) Encode() (EncodedFinding, error) {
	js := []byte("{}")
	if f.Facts != nil {
		var err error
		if js, err = json.Marshal(f.Facts); err != nil {
			return EncodedFinding{}, err
		}
	}
	h := sha256.New()
	h.Write([]byte(f.Severity))
	h.Write([]byte{0})
	h.Write([]byte(f.VendorID))
	h.Write([]byte{0})
	h.Write(js)
	e := EncodedFinding{Finding: f, FactsJSON: string(js)}
	copy(e.Fingerprint[:], h.Sum(nil))
	return e, nil
}

// LiveFinding is what the scan keeps of a live finding while it judges
// the finding's rule: its id, and the fingerprint it was stored with (zero
// when it has none).
type LiveFinding struct {
	ID          uuid.UUID
	Fingerprint Fingerprint
}

// FindingKey identifies the live finding of a rule about a subject.
type FindingKey struct {
	RuleID      string
	SubjectType string
	SubjectID   string
}

// FindingFilter narrows a finding list; zero fields do not filter.
type FindingFilter struct {
	RuleID       string
	Severity     Severity
	Status       FindingStatus
	Statuses     []FindingStatus // any of these (with Status: and Status)
	VendorID     string
	OpenedAfter  time.Time // first_seen_at after this instant
	SubjectID    string
	SubjectTypes []string
}

// FindingStore persists findings for the API.
type FindingStore interface {
	// Get returns ErrNotFound if there is no finding with the id.
	Get(ctx context.Context, id string) (Finding, error)
	// List returns findings newest first, keyset-paginated.
	List(ctx context.Context, f FindingFilter, p domain.PageRequest) (domain.Page[Finding], error)
	// Update writes status and acceptance fields. Returns ErrNotFound or,
	// when the version moved on, ErrPrecondition.
	Update(ctx context.Context, f Finding, expectedVersion int64) error
	// CountOpen counts the open and acknowledged findings by severity
	// (one grouped statement); a severity without any is absent.
	CountOpen(ctx context.Context) (map[Severity]int64, error)
}

// ScanQuery carries the as-of instant and the thresholds to the fact
// queries of the scan, already turned into cut-offs.
type ScanQuery struct {
	AsOf  time.Time
	Today domain.Date
	// ReviewCutoffs: active vendors whose last review is before their
	// tier's cut-off are candidates (next due within the due-soon window).
	ReviewCutoffs map[register.Tier]domain.Date
	// AttestationHorizon: attestations expiring on or before it.
	AttestationHorizon domain.Date
	// RenewalHorizon: renewal-notice deadlines from Today to it.
	RenewalHorizon domain.Date
	// ObligationHorizon: open obligations due before or at it.
	ObligationHorizon time.Time
	// BatchSize is the rows handed to the rules per batch.
	BatchSize int
	// PolicyKinds are the attestation kinds the attestation requirements
	// accept (the union of their AnyOf): the policy family reads only
	// these.
	PolicyKinds []attestation.AttestationKind
	// NoticesSince: incidents discovered from then on count in the
	// residual risk's notification timeliness.
	NoticesSince time.Time
	// VendorID, when set, restricts ResidualFacts to that vendor (the
	// risk endpoint).
	VendorID string
	// WithoutPolicyFacts: ResidualFacts reads neither data handling,
	// contracts nor attestations (the scan has the controls they give
	// from its policy family).
	WithoutPolicyFacts bool
	// ConcentrationMin: providers with at least this many critical vendors
	// above them are candidates of provider.concentration.
	ConcentrationMin int
}

// Facts the scan gathers, one struct per rule family.
type (
	// ReviewFact is an active vendor's last review.
	ReviewFact struct {
		VendorID     string
		VendorName   string
		Tier         register.Tier
		LastReviewOn domain.Date // zero: never reviewed
	}
	// AttestationFact is the latest attestation of its kind for an active
	// vendor, or any attestation with an opinion still to review.
	AttestationFact struct {
		ID           string
		VendorID     string
		VendorName   string
		Kind         attestation.AttestationKind
		ExpiresOn    domain.Date
		Opinion      attestation.AttestationOpinion
		ReviewStatus attestation.AttestationReviewStatus
		// Latest: no unrejected attestation of the same kind from the
		// vendor expires later. Only the latest is judged for expiry.
		Latest bool
	}
	// ContractFact is a contract of an active vendor.
	ContractFact struct {
		ID                string
		VendorID          string
		VendorName        string
		Title             string
		Status            contract.ContractStatus
		ExpiresOn         domain.Date
		AutoRenew         bool
		RenewalNoticeDays int
	}
	// IncidentFact is an incident whose notice is late or may be overdue.
	IncidentFact struct {
		ID           string
		VendorID     string
		VendorName   string
		Title        string
		DiscoveredAt time.Time
		NotifiedAt   *time.Time
		DueAt        *time.Time // the contract's deadline; nil without a clause in force at discovery
		LearnedVia   incident.LearnedVia
		Terms        contract.ClauseTerms // the clause version judged (window and standard)
		LawDueAt     *time.Time           // the earliest deadline the law fixes for the vendor's notice; nil when none
		LawRegimeID  string               // the catalogue row that fixes LawDueAt
	}
	// ObligationFact is an open obligation of ours with its deadline.
	ObligationFact struct {
		ID         string
		IncidentID string
		VendorID   string
		VendorName string
		Regime     string
		Recipient  string
		DueAt      time.Time
	}
	// VendorPolicyFact is everything policy evaluation needs about one
	// active vendor: its data, active contracts with the clause in force at
	// the as-of instant, and its attestations that are not rejected.
	VendorPolicyFact struct {
		Vendor       register.Vendor
		Handling     []register.DataHandling
		Contracts    []ContractClause
		Attestations []attestation.Attestation
	}
	// ConcentrationFact is a provider and the critical vendors of ours in
	// service that depend on it, directly or down the chain (only
	// providers with at least ScanQuery.ConcentrationMin of them).
	ConcentrationFact struct {
		ProviderID      string
		ProviderName    string
		CriticalVendors []VendorRef
	}
	// SubprocessorFact is a vendor in service with dependency edges that
	// carry our data: its providers' names, the categories, and its active
	// contracts (how many, and how many have the subprocessor-approval
	// clause).
	SubprocessorFact struct {
		VendorID           string
		VendorName         string
		Providers          []string
		Categories         []string
		ActiveContracts    int
		ApprovingContracts int
	}
	// VendorRef names a vendor in a finding's facts.
	VendorRef struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	// ContractClause is a contract with its clause in force (nil: none).
	ContractClause struct {
		Contract contract.Contract
		Clause   *contract.ClauseVersion
	}
)

// ScanStore gathers facts with set-based queries, streamed in batches, and
// writes findings in batches. Fact methods call fn once per batch of at
// most q.BatchSize rows; an error from fn stops the walk and is returned.
type ScanStore interface {
	// BeginRun records a running scan. Returns ErrConflict when another
	// run started after staleBefore is still running (older ones are
	// marked abandoned).
	BeginRun(ctx context.Context, id string, at, staleBefore time.Time) error
	// FinishRun records the outcome of a run.
	FinishRun(ctx context.Context, id string, at time.Time, summary ScanResult, runErr error) error
	// ReopenExpired reopens risk-accepted findings whose acceptance ended
	// before today and returns them.
	ReopenExpired(ctx context.Context, today domain.Date, at time.Time) ([]Finding, error)
	// ReserveReads waits until the store can serve families rule families
	// reading at once, and reserves what they need until release is
	// called. A scan reserves before its first read, so that scans and
	// other long reads sharing a pool wait for each other's end instead
	// of holding part of it each.
	ReserveReads(ctx context.Context, families int) (release func(), err error)

	ReviewFacts(ctx context.Context, q ScanQuery, fn func([]ReviewFact) error) error
	AttestationFacts(ctx context.Context, q ScanQuery, fn func([]AttestationFact) error) error
	ContractFacts(ctx context.Context, q ScanQuery, fn func([]ContractFact) error) error
	IncidentFacts(ctx context.Context, q ScanQuery, fn func([]IncidentFact) error) error
	ObligationFacts(ctx context.Context, q ScanQuery, fn func([]ObligationFact) error) error
	VendorPolicyFacts(ctx context.Context, q ScanQuery, fn func([]VendorPolicyFact) error) error
	// ConcentrationFacts streams the providers with at least
	// q.ConcentrationMin critical vendors in service above them (to
	// register.MaxRank), with those vendors by name.
	ConcentrationFacts(ctx context.Context, q ScanQuery, fn func([]ConcentrationFact) error) error
	// SubprocessorFacts streams the vendors in service with an edge that
	// carries data categories and no active contract with the
	// subprocessor-approval clause.
	SubprocessorFacts(ctx context.Context, q ScanQuery, fn func([]SubprocessorFact) error) error
	// ResidualFacts streams vendors in service in id order with the state
	// of their controls (only q.VendorID's when set; without their policy
	// facts when q.WithoutPolicyFacts is set). Its vendors' open
	// findings are those of every rule but risk.above_appetite, open or
	// acknowledged; its notices are the incidents discovered since
	// q.NoticesSince whose vendor notice broke a deadline at q.AsOf.
	ResidualFacts(ctx context.Context, q ScanQuery, fn func([]ResidualFact) error) error
	// WriteResidual stores the residual risk of the vendors given, in bulk;
	// it neither moves their version nor their updated_at.
	WriteResidual(ctx context.Context, rs []VendorResidual) error
	// ClearResidual clears the stored residual risk of vendors outside
	// ScopeInService.
	ClearResidual(ctx context.Context) error

	// LiveFindings streams the live findings of rules (one row each: the
	// scan keeps them in memory while it judges the rules, so memory grows
	// with the findings, not with the facts).
	LiveFindings(ctx context.Context, rules []string, fn func(FindingKey, LiveFinding) error) error
	// WriteFindings inserts new findings and rewrites the live ones whose
	// fingerprint (severity, vendor or facts) changed, stamping
	// last_seen_at and last_seen_run, keyed by the live-finding index, and
	// returns the live findings with the batch's keys as they were before
	// the write. A new finding is stored with the id, first_seen_at and
	// version it carries; a live one keeps its own. An unchanged live
	// finding is not written.
	WriteFindings(ctx context.Context, runID string, fs []EncodedFinding) (map[FindingKey]Finding, error)
	// ResolveFindings resolves the findings of ids that are still live
	// (the rules' live findings the run did not see) and returns them. It then
	// records the run as the rules' last complete judgement, which reads
	// take as the last sighting of the live findings the run did not
	// rewrite.
	ResolveFindings(ctx context.Context, runID string, rules []string, ids []uuid.UUID, at time.Time) ([]Finding, error)
}
