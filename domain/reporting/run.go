package reporting

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Kind is which report a run produces.
type Kind string

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindAudit || k == KindExecutive }

// RunStatus is where a report run is.
type RunStatus string

// Run is one generation of a report, stored file included.
type Run struct {
	ID          string     `json:"id"`
	Kind        Kind       `json:"kind"`
	Filter      Filter     `json:"filters"`
	AsOf        time.Time  `json:"as_of"`
	Status      RunStatus  `json:"status"`
	SHA256      string     `json:"sha256,omitempty"`
	Size        int64      `json:"size"`
	FileName    string     `json:"file_name,omitempty"`
	Error       string     `json:"error,omitempty"`
	RequestedBy string     `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

// RunStore persists report runs (the report_runs table).
type RunStore interface {
	Create(ctx context.Context, r Run) error
	// Update writes status, sha256, size, file name, error and the
	// started and finished instants. Returns domain.ErrNotFound.
	Update(ctx context.Context, r Run) error
	// Get returns domain.ErrNotFound when there is no such run.
	Get(ctx context.Context, id string) (Run, error)
	// List returns runs newest first.
	List(ctx context.Context, p domain.PageRequest) (domain.Page[Run], error)
	// FailUnfinished marks every queued or running run failed at now with
	// reason (after a restart nothing is generating them any more).
	FailUnfinished(ctx context.Context, now time.Time, reason string) (int64, error)
}

// Report kinds.
const (
	KindAudit     Kind = "audit"
	KindExecutive Kind = "executive"
)

// Run statuses.
const (
	RunQueued  RunStatus = "queued"
	RunRunning RunStatus = "running"
	RunDone    RunStatus = "done"
	RunFailed  RunStatus = "failed"
)
