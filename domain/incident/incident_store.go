package incident

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
)

// IncidentStore persists incidents and their timelines.
type IncidentStore interface {
	// Create inserts an incident.
	Create(ctx context.Context, i Incident) error
	// Get returns an incident. Returns ErrNotFound.
	Get(ctx context.Context, id string) (Incident, error)
	// Update writes i if the stored version is expectedVersion, bumping it.
	// Returns ErrNotFound or ErrPrecondition.
	Update(ctx context.Context, i Incident, expectedVersion int64) error
	// SetNotice stores the notification clock's inputs (derived data; the
	// version does not move).
	SetNotice(ctx context.Context, id, contractID, clauseID string, due *time.Time) error
	// SetRegimeChecks stores the regimes the engine checked and did not
	// apply (derived data; the version does not move).
	SetRegimeChecks(ctx context.Context, id string, checks []RegimeCheck) error
	// RegimeChecks returns them. Returns ErrNotFound.
	RegimeChecks(ctx context.Context, id string) ([]RegimeCheck, error)
	// List returns a page of incidents, newest first.
	List(ctx context.Context, f IncidentFilter, p domain.PageRequest) (domain.Page[Incident], error)
	// ListByVendor returns the vendor's incidents and the provider
	// incidents it reported, oldest discovery first.
	ListByVendor(ctx context.Context, vendorID string) ([]Incident, error)
	// AppendTimeline adds an entry and assigns its sequence number.
	AppendTimeline(ctx context.Context, e TimelineEntry) (TimelineEntry, error)
	// Timeline returns an incident's entries in order.
	Timeline(ctx context.Context, incidentID string) ([]TimelineEntry, error)
	// Timeliness aggregates the notification clocks of every incident (or
	// one vendor's, when vendorID is set) as of now, in one query.
	Timeliness(ctx context.Context, vendorID string, now time.Time) (TimelinessStats, error)
}

// TimelinessStats summarises how promptly vendors told us of incidents.
type TimelinessStats struct {
	Incidents   int64    `json:"incidents"`
	OnTime      int64    `json:"on_time"`
	Late        int64    `json:"late"`
	Overdue     int64    `json:"overdue"`
	Pending     int64    `json:"pending"`
	NoClause    int64    `json:"no_clause"`
	OnTimeRate  *float64 `json:"on_time_rate"`  // on_time / (on_time + late + overdue); nil when none is due yet
	WorstLag    *Span    `json:"worst_lag"`     // longest notified - discovered
	WorstLateBy *Span    `json:"worst_late_by"` // longest notified (or now) - due
}

// ClauseCandidates lists the clause versions of a vendor's binding
// (non-draft) contracts; declared here and implemented by the clause store.
type ClauseCandidates interface {
	// ByVendor returns every version of the vendor's non-draft contracts.
	ByVendor(ctx context.Context, vendorID string) ([]ClauseCandidate, error)
	// ByIDs returns the clause versions with the given ids, in one query;
	// unknown ids are absent from the map.
	ByIDs(ctx context.Context, ids []string) (map[string]contract.ClauseVersion, error)
}
