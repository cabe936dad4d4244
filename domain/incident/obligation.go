package incident

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// ObligationStatus is where one of our regulatory deadlines stands.
type ObligationStatus string

// Obligation statuses.
const (
	ObligationOpen          ObligationStatus = "open"
	ObligationDone          ObligationStatus = "done"
	ObligationNotApplicable ObligationStatus = "not_applicable"
)

// Valid reports whether s is a known status.
func (s ObligationStatus) Valid() bool {
	return s == ObligationOpen || s == ObligationDone || s == ObligationNotApplicable
}

// SetBySystem marks an obligation whose status only the engine has set.
const SetBySystem = "system"

// Obligation is a deadline that runs for us because of an incident,
// generated from the regulatory catalogue. The engine owns the computed
// fields; a person owns the status once they set it.
type Obligation struct {
	ID           string     `json:"id"`
	IncidentID   string     `json:"incident_id"`
	RegimeID     string     `json:"regime_id"`
	Regime       string     `json:"regime"`
	Citation     string     `json:"citation"`
	Recipient    string     `json:"recipient"`
	SourceStatus string     `json:"source_status"` // V, P or U: how well the catalogue row is verified
	Anchor       string     `json:"anchor"`
	AnchorAt     *time.Time `json:"anchor_at"`
	DueAt        *time.Time `json:"due_at"`
	DeadlineText string     `json:"deadline_text"`
	// Title says what is required: "Give Visa the compromised account
	// numbers within 10 business days".
	Title string `json:"title"`
	// WorkingDueAt is the working deadline of a duty whose law sets no
	// number (DueAt nil): policy, not law; never overdue in law by itself.
	WorkingDueAt        *time.Time       `json:"working_due_at"`
	WorkingDeadlineText string           `json:"working_deadline_text"`
	Notes               []string         `json:"notes"`
	Status              ObligationStatus `json:"status"`
	Reason              string           `json:"reason"` // why not applicable
	DoneAt              *time.Time       `json:"done_at"`
	Evidence            string           `json:"evidence"` // what proves it was done (reference, link, hash)
	SetBy               string           `json:"set_by"`   // SetBySystem, or the API key that set the status
	Version             int64            `json:"version"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Obligation a domain.Versioned.
func (o Obligation) EntityID() string { return o.ID }

// StoredVersion is the version it was read at.
func (o Obligation) StoredVersion() int64 { return o.Version }

// ObligationStore persists obligations.
type ObligationStore interface {
	// ListByIncident returns an incident's obligations.
	ListByIncident(ctx context.Context, incidentID string) ([]Obligation, error)
	// Get returns one obligation. Returns ErrNotFound.
	Get(ctx context.Context, id string) (Obligation, error)
	// Insert stores a new obligation. Returns ErrConflict when the incident
	// already has one for the regime.
	Insert(ctx context.Context, o Obligation) error
	// Update writes o if the stored version is expectedVersion, bumping it.
	// Returns ErrNotFound or ErrPrecondition.
	Update(ctx context.Context, o Obligation, expectedVersion int64) error
}

// facts extracts what the deadline engine needs.
func (i Incident) facts() IncidentFacts {
	return IncidentFacts{VendorDiscoveredAt: i.VendorDiscoveredAt, VendorNotifiedUsAt: i.VendorNotifiedUsAt,
		WeLearnedAt: i.WeLearnedAt, MaterialityDeterminedAt: i.MaterialityDeterminedAt, VendorIsAgent: i.VendorIsAgent,
		Categories: i.Categories, Jurisdictions: i.Jurisdictions, RecordsAffected: i.RecordsAffected, Residents: i.Residents}
}

// sameComputed reports whether o already carries spec's computed fields.
func (o Obligation) sameComputed(spec ObligationSpec) bool {
	return o.Anchor == spec.Anchor && sameInstant(o.AnchorAt, spec.AnchorAt) && sameInstant(o.DueAt, spec.DueAt) &&
		o.DeadlineText == spec.DeadlineText && o.Recipient == spec.Recipient && slices.Equal(o.Notes, spec.Notes) &&
		o.Title == spec.Title && sameInstant(o.WorkingDueAt, spec.WorkingDueAt) && o.WorkingDeadlineText == spec.WorkingDeadlineText
}

func (o *Obligation) setComputed(spec ObligationSpec) {
	o.Regime, o.Citation, o.SourceStatus = spec.Regime.Regime, spec.Regime.Citation, spec.Regime.Status
	o.Recipient, o.Anchor, o.AnchorAt, o.DueAt = spec.Recipient, spec.Anchor, spec.AnchorAt, spec.DueAt
	o.DeadlineText, o.Notes = spec.DeadlineText, nonNilStrings(spec.Notes)
	o.Title, o.WorkingDueAt, o.WorkingDeadlineText = spec.Title, spec.WorkingDueAt, spec.WorkingDeadlineText
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// reasonNoLongerApplies is what the engine writes when an incident update
// takes an open obligation out of scope.
const reasonNoLongerApplies = "no longer applies after the incident changed (its data, jurisdictions, counts or dates)"

// regenerate brings an incident's obligations in line with the catalogue.
// It is idempotent, and never overrides a status a person set: it only
// adds obligations, updates computed fields of open ones, closes open ones
// that no longer apply, and reopens ones it had itself closed.
func (s *IncidentService) regenerate(ctx context.Context, inc Incident) error {
	existing, err := s.Obligations.ListByIncident(ctx, inc.ID)
	if err != nil {
		return err
	}
	done := map[string]time.Time{}
	byRegime := map[string]Obligation{}
	for _, o := range existing {
		byRegime[o.RegimeID] = o
		if o.Status == ObligationDone && o.DoneAt != nil {
			done[o.RegimeID] = *o.DoneAt
		}
	}
	now := s.Clock.Now()
	assessment := s.Catalogue.Assess(inc.facts(), s.assessOptions(done))
	specs := assessment.Obligations
	if err := s.storeRegimeChecks(ctx, inc.ID, assessment.NotApplied); err != nil {
		return err
	}
	wanted := map[string]bool{}
	var changes []string
	for _, spec := range specs {
		wanted[spec.RegimeID] = true
		o, ok := byRegime[spec.RegimeID]
		if !ok {
			o = Obligation{ID: domain.NewID(), IncidentID: inc.ID, RegimeID: spec.RegimeID, Status: ObligationOpen,
				SetBy: SetBySystem, Version: 1, CreatedAt: now, UpdatedAt: now}
			o.setComputed(spec)
			if err := s.Obligations.Insert(ctx, o); err != nil {
				return fmt.Errorf("add obligation %s: %w", spec.RegimeID, err)
			}
			changes = append(changes, "added "+spec.RegimeID)
			continue
		}
		reopen := o.Status == ObligationNotApplicable && o.SetBy == SetBySystem
		if o.sameComputed(spec) && !reopen {
			continue
		}
		before := o.Version
		o.setComputed(spec)
		if reopen {
			o.Status, o.Reason = ObligationOpen, ""
			changes = append(changes, "reopened "+spec.RegimeID)
		} else {
			changes = append(changes, "recomputed "+spec.RegimeID)
		}
		o.UpdatedAt = now
		if err := s.Obligations.Update(ctx, o, before); err != nil {
			return fmt.Errorf("update obligation %s: %w", spec.RegimeID, err)
		}
	}
	for _, o := range existing {
		if wanted[o.RegimeID] || o.Status != ObligationOpen {
			continue
		}
		before := o.Version
		o.Status, o.Reason, o.SetBy, o.UpdatedAt = ObligationNotApplicable, s.Catalogue.closingReason(o.RegimeID, assessment), SetBySystem, now
		if err := s.Obligations.Update(ctx, o, before); err != nil {
			return fmt.Errorf("close obligation %s: %w", o.RegimeID, err)
		}
		changes = append(changes, "closed "+o.RegimeID)
	}
	if len(changes) == 0 {
		return nil
	}
	return s.Audit.Record(ctx, "incident.obligations_regenerated", "incident", inc.ID, nil, map[string]any{"changes": changes})
}

// ListObligations returns an incident's obligations, soonest due first.
func (s *IncidentService) ListObligations(ctx context.Context, incidentID string) ([]Obligation, error) {
	if _, err := s.Get(ctx, incidentID); err != nil {
		return nil, err
	}
	os, err := s.Obligations.ListByIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	sortObligations(os)
	return os, nil
}

// sortObligations orders by due instant (none last), then regime id.
func sortObligations(os []Obligation) {
	slices.SortStableFunc(os, func(a, b Obligation) int {
		switch {
		case a.DueAt != nil && b.DueAt != nil && !a.DueAt.Equal(*b.DueAt):
			return a.DueAt.Compare(*b.DueAt)
		case a.DueAt != nil && b.DueAt == nil:
			return -1
		case a.DueAt == nil && b.DueAt != nil:
			return 1
		}
		if a.RegimeID < b.RegimeID {
			return -1
		}
		return 1
	})
}

// ObligationChange is a person's update of an obligation's status.
type ObligationChange struct {
	Status   ObligationStatus
	Reason   string
	DoneAt   *time.Time // default now, for done
	Evidence string
}

// SetObligation records a person's decision on an obligation, then lets the
// engine start any deadline chained to it.
func (s *IncidentService) SetObligation(ctx context.Context, id string, ch ObligationChange, expectedVersion int64) (Obligation, error) {
	now := s.Clock.Now()
	var fe domain.FieldErrors
	if !ch.Status.Valid() {
		fe.Add("status", "must be one of open, done, not_applicable")
	}
	ch.Reason = domain.CheckText(&fe, "reason", ch.Reason, ch.Status == ObligationNotApplicable, 2000)
	ch.Evidence = domain.CheckText(&fe, "evidence", ch.Evidence, false, 2000)
	if ch.DoneAt != nil && ch.Status != ObligationDone {
		fe.Add("done_at", "is only for status done")
	}
	if ch.DoneAt != nil && ch.DoneAt.After(now.Add(FutureTolerance)) {
		fe.Add("done_at", "must not be in the future")
	}
	if err := fe.Err(); err != nil {
		return Obligation{}, err
	}
	var out Obligation
	err := domain.Edit(ctx, s.Tx, "obligation", id, expectedVersion, s.Obligations.Get, func(ctx context.Context, before Obligation) error {
		o := before
		o.Status, o.Reason, o.Evidence, o.DoneAt = ch.Status, ch.Reason, ch.Evidence, nil
		if ch.Status == ObligationDone {
			done := now
			if ch.DoneAt != nil {
				done = ch.DoneAt.UTC().Truncate(time.Microsecond)
			}
			o.DoneAt = &done
		}
		o.SetBy, o.UpdatedAt = domain.ActorFrom(ctx).ID, now
		if err := s.Obligations.Update(ctx, o, before.Version); err != nil {
			return fmt.Errorf("update obligation: %w", err)
		}
		o.Version = before.Version + 1
		if err := s.Audit.Record(ctx, "obligation.update", "obligation", id, before, o); err != nil {
			return err
		}
		inc, err := s.Incidents.Get(ctx, o.IncidentID)
		if err != nil {
			return err
		}
		if err := s.regenerate(ctx, inc); err != nil {
			return err
		}
		out, err = s.Obligations.Get(ctx, id)
		return err
	})
	return out, err
}

// ObligationSummary counts an incident's obligations as of now.
type ObligationSummary struct {
	Total         int        `json:"total"`
	Open          int        `json:"open"`
	Done          int        `json:"done"`
	NotApplicable int        `json:"not_applicable"`
	Overdue       int        `json:"overdue"`
	NextDueAt     *time.Time `json:"next_due_at"`
}

// Summarize counts obligations as of now.
func Summarize(os []Obligation, now time.Time) ObligationSummary {
	var s ObligationSummary
	for _, o := range os {
		s.Total++
		switch o.Status {
		case ObligationOpen:
			s.Open++
			if o.DueAt != nil && o.DueAt.Before(now) {
				s.Overdue++
			}
			if o.DueAt != nil && !o.DueAt.Before(now) && (s.NextDueAt == nil || o.DueAt.Before(*s.NextDueAt)) {
				s.NextDueAt = o.DueAt
			}
		case ObligationDone:
			s.Done++
		case ObligationNotApplicable:
			s.NotApplicable++
		}
	}
	return s
}
