package register

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// RiskSnapshot is one vendor's risk on one day, kept for trends.
type RiskSnapshot struct {
	TakenOn   domain.Date `json:"taken_on"`
	VendorID  string      `json:"vendor_id"`
	RiskScore int         `json:"risk_score"`     // inherent score, 0-100
	RiskTier  Tier        `json:"risk_tier"`      // inherent tier
	Tier      Tier        `json:"tier"`           // effective tier (after any override)
	Residual  *int        `json:"residual_score"` // residual score the scan last stored, nil when none
	// ResidualTier is the residual tier the scan last stored ("" when none).
	ResidualTier Tier         `json:"residual_tier,omitempty"`
	Open         OpenFindings `json:"open_findings"`
	TakenAt      time.Time    `json:"taken_at"`
}

// OpenFindings counts open findings by severity.
type OpenFindings struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
}

// RiskSnapshotStore keeps the daily risk snapshots.
type RiskSnapshotStore interface {
	// Take stores every vendor's current risk as the snapshot of day, in
	// one set-based statement, replacing an earlier snapshot of the same
	// day; it returns how many vendors it stored.
	Take(ctx context.Context, day domain.Date, at time.Time) (int64, error)
	// History returns a vendor's snapshots from..to (inclusive), oldest
	// first.
	History(ctx context.Context, vendorID string, from, to domain.Date) ([]RiskSnapshot, error)
}

// SnapshotService takes the daily risk snapshot.
type SnapshotService struct {
	Store   RiskSnapshotStore
	Vendors VendorStore
	Clock   domain.Clock
}

// Take snapshots every vendor for today (UTC) and returns counts for the
// job run.
func (s *SnapshotService) Take(ctx context.Context) (map[string]int, error) {
	now := s.Clock.Now()
	n, err := s.Store.Take(ctx, domain.DateOf(now), now)
	if err != nil {
		return nil, fmt.Errorf("risk snapshot: %w", err)
	}
	return map[string]int{"vendors": int(n)}, nil
}

// History returns a vendor's daily snapshots from..to (inclusive), oldest
// first; zero dates mean the 90 days up to today.
func (s *SnapshotService) History(ctx context.Context, vendorID string, from, to domain.Date) ([]RiskSnapshot, error) {
	if !domain.ValidID(vendorID) {
		return nil, fmt.Errorf("vendor %s: %w", vendorID, domain.ErrNotFound)
	}
	if to.IsZero() {
		to = domain.DateOf(s.Clock.Now())
	}
	if from.IsZero() {
		from = to.AddDays(-90)
	}
	if to.Before(from) {
		return nil, domain.Invalid("to", "must not be before from")
	}
	if _, err := s.Vendors.Get(ctx, vendorID); err != nil {
		return nil, err
	}
	return s.Store.History(ctx, vendorID, from, to)
}
