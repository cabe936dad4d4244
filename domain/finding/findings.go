package finding

import (
	"context"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
)

// FindingService reads findings and records people's decisions on them:
// acknowledge, accept the risk until a date, reopen. Only the scan opens
// and resolves findings.
type FindingService struct {
	Tx       domain.Transactor
	Findings FindingStore
	Audit    domain.Auditor
	Clock    domain.Clock
}

// MaxAcceptanceReason bounds a risk-acceptance reason.
const MaxAcceptanceReason = 2000

// FindingChange is a decision on a finding. Status is acknowledged,
// risk_accepted (Reason and AcceptedUntil required) or open (reopen).
type FindingChange struct {
	Status        FindingStatus
	Reason        string
	AcceptedUntil domain.Date
}

// Get returns ErrNotFound for an unknown id.
func (s *FindingService) Get(ctx context.Context, id string) (Finding, error) {
	return domain.Lookup(ctx, "finding", id, s.Findings.Get)
}

// List returns findings newest first.
func (s *FindingService) List(ctx context.Context, f FindingFilter, p domain.PageRequest) (domain.Page[Finding], error) {
	return s.Findings.List(ctx, f, p)
}

// SeverityCount is how many findings have a severity.
type SeverityCount struct {
	Severity Severity
	Count    int64
}

// OpenBySeverity counts the open findings (open or acknowledged: not
// risk-accepted, not resolved) of each severity, most severe first, every
// severity listed.
func (s *FindingService) OpenBySeverity(ctx context.Context) ([]SeverityCount, error) {
	m, err := s.Findings.CountOpen(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SeverityCount, 0, len(Severities))
	for _, sev := range Severities {
		out = append(out, SeverityCount{Severity: sev, Count: m[sev]})
	}
	return out, nil
}

// Apply checks a change against the finding and today's date and applies
// it; the acting key becomes the accepter of a risk acceptance.
func (c FindingChange) Apply(f *Finding, today domain.Date, actor domain.Actor) error {
	var fe domain.FieldErrors
	if f.Status == FindingResolved {
		fe.Add("status", "a resolved finding cannot change; the scan opens a new one if the condition returns")
		return fe.Err()
	}
	switch c.Status {
	case FindingAcknowledged, FindingOpen:
		if strings.TrimSpace(c.Reason) != "" || !c.AcceptedUntil.IsZero() {
			fe.Add("status", "reason and accepted_until go with status risk_accepted only")
		}
		f.Status = c.Status
	case FindingRiskAccepted:
		reason := strings.TrimSpace(c.Reason)
		switch {
		case reason == "":
			fe.Add("reason", "is required to accept a risk")
		case len(reason) > MaxAcceptanceReason:
			fe.Add("reason", "must be at most %s", domain.Count(MaxAcceptanceReason, "character", "characters"))
		}
		switch {
		case c.AcceptedUntil.IsZero():
			fe.Add("accepted_until", "is required to accept a risk")
		case !c.AcceptedUntil.After(today):
			fe.Add("accepted_until", "must be after today (%s, UTC)", today)
		case c.AcceptedUntil.After(today.AddMonths(36)):
			fe.Add("accepted_until", "must be at most three years away")
		}
		until := c.AcceptedUntil
		f.Status, f.AcceptedReason, f.AcceptedUntil, f.AcceptedBy = c.Status, reason, &until, actor.ID
	case FindingResolved:
		fe.Add("status", "findings resolve themselves when the scan no longer sees their condition")
	case "":
		fe.Add("status", "is required")
	default:
		fe.Add("status", "must be one of acknowledged, risk_accepted, open")
	}
	return fe.Err()
}

// Change applies a decision. expectedVersion 0 skips the version check.
func (s *FindingService) Change(ctx context.Context, id string, c FindingChange, expectedVersion int64) (Finding, error) {
	var out Finding
	err := domain.Edit(ctx, s.Tx, "finding", id, expectedVersion, s.Findings.Get, func(ctx context.Context, f Finding) error {
		before := f
		now := s.Clock.Now()
		if err := c.Apply(&f, domain.DateOf(now), domain.ActorFrom(ctx)); err != nil {
			return err
		}
		f.UpdatedAt = now
		if err := s.Findings.Update(ctx, f, f.Version); err != nil {
			return err
		}
		f.Version++
		out = f
		return s.Audit.Record(ctx, "finding.update", "finding", id, before, f)
	})
	return out, err
}
