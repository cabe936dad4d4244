package reporting

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Filter selects what a report covers. Every sheet is restricted to the
// vendors the filter selects (by id, by effective tier, by owner); AsOf is
// the instant the report describes (see Scope for exactly what it covers).
type Filter struct {
	VendorIDs []string      `json:"vendor_ids,omitempty"`
	Tier      register.Tier `json:"tier,omitempty"`
	Owner     string        `json:"owner,omitempty"` // owner_email, exact
	// AsOf is the instant the report describes: rows created after it are
	// left out and computed fields are evaluated at it. Never zero once a
	// report runs (the service sets it to now).
	AsOf time.Time `json:"as_of"`
}

// BatchSize is how many rows a source reads per keyset batch.
const BatchSize = 2000

// VendorRow is one vendor of the register, with what the Vendors sheet
// shows from other tables (aggregated in SQL per batch).
type VendorRow struct {
	ID                 string
	Name               string
	Status             register.VendorStatus
	Criticality        register.Criticality
	Tier               register.Tier // effective
	TierOverride       register.Tier
	TierOverrideReason string
	RiskScore          int
	MaxSensitivity     int
	MaxRecords         int64
	Owner              string
	Country            string
	CreatedAt          time.Time
	Categories         []string // data categories handled (created by as-of), sorted
	RecordCount        int64    // sum of record counts over the categories
	Jurisdictions      []string // union of the categories' jurisdictions, sorted
	LastReviewOn       domain.Date
	LatestResidual     register.Tier // residual risk of the latest review by as-of ("" if none)
	OpenFindings       int64         // findings open at as-of
	// ResidualScore and ResidualTier are the residual risk the scan last
	// stored (nil and "" when none): the present value, not the as-of one.
	ResidualScore *int
	ResidualTier  register.Tier
}

// HandlingRow is one vendor x data category.
type HandlingRow struct {
	VendorID      string
	VendorName    string
	Category      string
	Stores        bool
	Processes     bool
	Transmits     bool
	RecordCount   int64
	Jurisdictions []string
	Systems       []string
	Notes         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ContractRow is one contract with its clause in force at as-of and the
// facts of its vendor (for the clause-audit verdicts).
type ContractRow struct {
	Contract   contract.Contract
	VendorName string
	Clause     *contract.ClauseVersion // in force at as-of, nil when none
	Facts      register.VendorFacts
}

// AttestationRow is one attestation.
type AttestationRow struct {
	ID             string
	VendorName     string
	Kind           string
	Issuer         string
	PeriodStart    domain.Date
	PeriodEnd      domain.Date
	IssuedOn       domain.Date
	ExpiresOn      domain.Date
	Opinion        string
	Exceptions     int
	ReviewStatus   string
	EvidenceSHA256 string
	CreatedAt      time.Time
	// ExpiredCounted: the attestation counts in the figure "attestations
	// expired" (the latest unrejected one of its kind from a vendor in
	// service, expired at as-of), as it raises attestation.expired.
	ExpiredCounted bool
}

// ReviewRow is one review.
type ReviewRow struct {
	ID           string
	VendorName   string
	VendorTier   register.Tier
	PerformedOn  domain.Date
	Reviewer     string
	Outcome      string
	ResidualRisk string
	Notes        string
	Latest       bool // the vendor's latest review by as-of
}

// FindingRow is one finding of the scanner.
type FindingRow struct {
	ID            string
	VendorName    string
	RuleID        string
	Severity      string
	SubjectType   string
	SubjectID     string
	Status        string // current status
	OpenAtAsOf    bool
	FirstSeenAt   time.Time
	LastSeenAt    time.Time
	ResolvedAt    *time.Time
	AcceptedUntil domain.Date
}

// IncidentRow is one incident with the clause its notice clock uses.
type IncidentRow struct {
	Incident   incident.Incident
	VendorName string
	Clause     *contract.ClauseVersion // the stored notice clause, nil when none
}

// ObligationRow is one regulatory obligation of an incident.
type ObligationRow struct {
	ID            string
	IncidentID    string
	IncidentTitle string
	VendorName    string
	RegimeID      string
	Regime        string
	Citation      string
	SourceStatus  string
	Recipient     string
	DueAt         *time.Time
	DeadlineText  string
	Status        string
	DoneAt        *time.Time
	Title         string     // what is required, with the deadline
	WorkingDueAt  *time.Time // a words-only duty's working deadline: policy, not law
	WorkingText   string
	// NotAppliedReason is set on the rows of regimes checked and not
	// applied (Status StatusNotApplied): the reason and its detail.
	NotAppliedReason string
}

// DependencyRow is one edge of the supply chain: Vendor relies on Provider
// for Service. Rank is the edge's shallowest rank below the vendors the
// filter selects (1 when Vendor is one of them; 0 when none of them
// reaches it within register.MaxRank).
type DependencyRow struct {
	ID             string
	VendorName     string
	VendorStatus   register.VendorStatus
	ProviderName   string
	ProviderStatus register.VendorStatus
	Rank           int
	Service        register.ProvidedService
	DataCategories []string // sorted
	Countries      []string // sorted
	Source         register.DependencySource
	AsOf           domain.Date
	EvidenceRef    string
	CreatedAt      time.Time
}

// TrendPoint is the tier distribution of one daily risk snapshot: by
// effective tier, and by the residual tier the snapshot kept (vendors
// without one are not counted there).
type TrendPoint struct {
	Date             domain.Date `json:"date"`
	Critical         int64       `json:"critical"`
	High             int64       `json:"high"`
	Moderate         int64       `json:"moderate"`
	Low              int64       `json:"low"`
	ResidualCritical int64       `json:"residual_critical"`
	ResidualHigh     int64       `json:"residual_high"`
	ResidualModerate int64       `json:"residual_moderate"`
	ResidualLow      int64       `json:"residual_low"`
}

// Source streams the rows of the reports. Implementations read keyset
// batches (joins done in SQL, never one lookup per row, never a whole
// table at once) and call fn for each row in order; an error from fn stops
// the iteration and is returned.
type Source interface {
	// ReserveReads waits until the source can serve sheets sheets read
	// at once, and reserves what they need until release is called.
	// WriteAudit reserves before its first read, so that workbooks and
	// other long reads sharing a pool wait for each other's end instead
	// of holding part of it each.
	ReserveReads(ctx context.Context, sheets int) (release func(), err error)
	EachVendor(ctx context.Context, f Filter, fn func(VendorRow) error) error
	EachHandling(ctx context.Context, f Filter, fn func(HandlingRow) error) error
	EachContract(ctx context.Context, f Filter, fn func(ContractRow) error) error
	EachAttestation(ctx context.Context, f Filter, fn func(AttestationRow) error) error
	EachReview(ctx context.Context, f Filter, fn func(ReviewRow) error) error
	// EachFinding streams findings open at as-of, then those resolved in
	// [resolvedSince, as-of].
	EachFinding(ctx context.Context, f Filter, resolvedSince time.Time, fn func(FindingRow) error) error
	EachIncident(ctx context.Context, f Filter, fn func(IncidentRow) error) error
	EachObligation(ctx context.Context, f Filter, fn func(ObligationRow) error) error
	// EachRegimeCheck streams, incident by incident, the regimes the
	// engine checked and did not apply.
	EachRegimeCheck(ctx context.Context, f Filter, fn func(IncidentChecks) error) error
	// EachDependency streams the supply chain's edges created by as-of:
	// with a vendor filter, those reached from the vendors it selects
	// within register.MaxRank; without one, every edge.
	EachDependency(ctx context.Context, f Filter, fn func(DependencyRow) error) error
	// Concentration returns the top limit providers by the number of our
	// vendors (of the filter's tier) depending on them, directly or down
	// the chain (register.DependencyStore.Concentration).
	Concentration(ctx context.Context, f Filter, limit int) ([]register.ProviderConcentration, error)
	// Trend returns the tier distribution of the daily risk snapshots taken
	// on days in [from, to], oldest first.
	Trend(ctx context.Context, f Filter, from, to domain.Date) ([]TrendPoint, error)
	// ExecutiveFigures aggregates the executive report's counts and
	// bounded lists in the database (GROUP BY, ORDER BY ... LIMIT), never
	// streaming every row.
	ExecutiveFigures(ctx context.Context, f Filter, q ExecutiveQuery) (ExecutiveFigures, error)
}

// ExecutiveQuery is what the database needs to aggregate the executive
// figures: the as-of day, each tier's review cut-off and the list bounds.
type ExecutiveQuery struct {
	Today domain.Date
	// ReviewCutoffs holds, per tier with a cadence, the
	// review.ReviewOverdueCutoff: a vendor whose last review by as-of is
	// before it is overdue.
	ReviewCutoffs map[register.Tier]domain.Date
	TopVendors    int // how many vendors by risk score
	LateNotices   int // how many late or overdue notices, latest discovered first
	OverdueItems  int // how many overdue items of each kind, most overdue first
	// DueBy, when set, lists (up to OverdueItems) and counts the
	// obligations open at as-of and due in [as-of, DueBy).
	DueBy time.Time
}

// ExecutiveFigures are the executive report's figures aggregated in the
// database (counts grouped in SQL, lists bounded with ORDER BY ... LIMIT):
// what it reads does not grow with the portfolio.
type ExecutiveFigures struct {
	Vendors int64
	Tiers   map[register.Tier]int64
	// ResidualTiers counts the vendors by the residual tier the scan last
	// stored (vendors without one are not counted).
	ResidualTiers map[register.Tier]int64
	// Overdue counts reviews overdue, vendors never reviewed, attestations
	// expired, obligations overdue and vendor notices overdue at as-of.
	Overdue   OverdueCounts
	LateTotal int64 // incidents whose vendor notice is late or overdue
	// TopVendors by risk score, highest first, then by name (byte order);
	// OpenFindings is filled in.
	TopVendors []VendorRow
	// LateNotices are incidents with a late or overdue notice, latest
	// discovered first.
	LateNotices []IncidentRow
	// OverdueReviews are vendors whose review is overdue (ID, Name, Tier
	// and LastReviewOn filled in), the oldest last review first per tier.
	OverdueReviews      []VendorRow
	ExpiredAttestations []AttestationRow // expired first-expired first
	OverdueObligations  []ObligationRow  // open and past due, earliest due first
	OverdueNotices      []IncidentRow    // no notice by as-of and past due, earliest due first
	DueSoon             int64            // obligations open and due in [as-of, DueBy)
	DueSoonObligations  []ObligationRow  // those obligations, earliest due first
}

// OverdueCounts are the totals of what is overdue at as-of.
type OverdueCounts struct {
	Reviews       int64 `json:"reviews"`
	NeverReviewed int64 `json:"never_reviewed"`
	Attestations  int64 `json:"attestations_expired"`
	Obligations   int64 `json:"obligations"`
	VendorNotices int64 `json:"vendor_notices"`
}

// IncidentChecks are the regimes the engine checked for an incident and
// did not apply.
type IncidentChecks struct {
	IncidentID    string
	IncidentTitle string
	VendorName    string
	Checks        []incident.RegimeCheck
}
