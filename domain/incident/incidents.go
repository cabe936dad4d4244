package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// IncidentService records vendor incidents, runs their notification clock
// and keeps their timelines.
type IncidentService struct {
	Tx        domain.Transactor
	Incidents IncidentStore
	Vendors   register.VendorStore
	Handling  register.DataHandlingStore
	Clauses   ClauseCandidates
	Audit     domain.Auditor
	Clock     domain.Clock
	Calendar  domain.BusinessCalendar
	Standards map[contract.NotificationStandard]contract.StandardWindow
	// Obligations are the deadlines the incident starts for us, generated
	// from Catalogue for an organisation like Profile.
	Obligations ObligationStore
	Catalogue   Catalogue
	Profile     OrgProfile
	// Contracts lists the vendor's contracts for the blast radius.
	Contracts contract.ContractStore
	// Evidence keeps the proof of vendors' notices, up to MaxEvidenceBytes
	// (0: DefaultMaxEvidenceBytes).
	Evidence         domain.EvidenceStore
	MaxEvidenceBytes int64
	// Working are the working deadlines of duties whose law sets no
	// number of days (policy, not law); zero: DefaultWorkingDeadlines.
	Working WorkingDeadlines
	// Dependents finds the vendors of ours above a provider, for provider
	// incidents and the blast radius up the chain.
	Dependents ProviderDependents
}

// ProviderDependents answers which vendors of ours depend on a provider
// (register.DependencyStore implements it).
type ProviderDependents interface {
	// Upstream returns the vendors of ours above the provider, down to
	// register.MaxRank, by name.
	Upstream(ctx context.Context, providerID string) ([]register.UpstreamVendor, error)
}

// IncidentView is an incident with its notification clock as of now.
type IncidentView struct {
	Incident
	Clause *contract.ClauseVersion
	Notice NoticeClock
	// Obligations is filled for single incidents, not for lists.
	Obligations *ObligationSummary
	// RegimesNotApplied are the regimes the engine checked and did not
	// apply, with why (single incidents only).
	RegimesNotApplied []RegimeCheck
}

// Create records an incident. Affected categories, jurisdictions and the
// record count default to what the vendor handles.
func (s *IncidentService) Create(ctx context.Context, in IncidentInput) (IncidentView, error) {
	now := s.Clock.Now()
	inc := Incident{ID: domain.NewID(), Status: IncidentOpen, LearnedVia: ViaVendorNotice, Version: 1,
		CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: now, UpdatedAt: now}
	if in.LearnedVia == nil && in.VendorNotifiedUsAt == nil {
		other := ViaOther
		in.LearnedVia = &other
	}
	if err := inc.Apply(in, now); err != nil {
		return IncidentView{}, err
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.fillDefaults(ctx, &inc, in); err != nil {
			return err
		}
		if err := s.locateClause(ctx, &inc); err != nil {
			return err
		}
		if err := s.Incidents.Create(ctx, inc); err != nil {
			return fmt.Errorf("create incident: %w", err)
		}
		if err := s.Audit.Record(ctx, "incident.create", "incident", inc.ID, nil, inc); err != nil {
			return err
		}
		if err := s.regenerate(ctx, inc); err != nil {
			return err
		}
		_, err := s.Incidents.AppendTimeline(ctx, TimelineEntry{IncidentID: inc.ID, At: now, Actor: domain.ActorFrom(ctx).Name,
			Action: "incident recorded", Text: "Recorded in Vendorwatch (learned via " + string(inc.LearnedVia) + ").",
			RecordedBy: domain.ActorFrom(ctx).ID, RecordedAt: now})
		return err
	})
	if err != nil {
		return IncidentView{}, err
	}
	return s.Get(ctx, inc.ID)
}

// fillDefaults checks the vendor and completes what the input left out
// from the vendor's data handling.
func (s *IncidentService) fillDefaults(ctx context.Context, inc *Incident, in IncidentInput) error {
	if _, err := s.Vendors.Get(ctx, inc.VendorID); errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("vendor_id", "no vendor with id %s", inc.VendorID)
	} else if err != nil {
		return err
	}
	if inc.ReportedByVendorID != "" {
		return s.fillProviderDefaults(ctx, inc, in)
	}
	hs, err := s.Handling.ListByVendor(ctx, inc.VendorID)
	if err != nil {
		return err
	}
	if in.Categories == nil {
		inc.Categories = []string{}
		for _, h := range hs {
			inc.Categories = append(inc.Categories, h.Category)
		}
	}
	var jur []string
	var records int64
	for _, h := range hs {
		if slices.Contains(inc.Categories, h.Category) {
			jur = append(jur, h.Jurisdictions...)
			records = max(records, h.RecordCount)
		}
	}
	if in.Jurisdictions == nil {
		slices.Sort(jur)
		inc.Jurisdictions = slices.Compact(jur)
	}
	if in.RecordsAffected == nil {
		inc.RecordsAffected, inc.RecordsEstimated = records, true
	}
	if inc.Jurisdictions == nil {
		inc.Jurisdictions = []string{}
	}
	return nil
}

// fillProviderDefaults checks that the reporting vendor depends on the
// provider (down its chain) and completes what the input left out from
// what of ours reaches the provider through that vendor: the categories,
// the jurisdictions of their data subjects and the record count of the
// reporting vendor's data handling.
func (s *IncidentService) fillProviderDefaults(ctx context.Context, inc *Incident, in IncidentInput) error {
	if s.Dependents == nil {
		return domain.Invalid("reported_by_vendor_id", "provider incidents are not available")
	}
	ups, err := s.Dependents.Upstream(ctx, inc.VendorID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ups, func(u register.UpstreamVendor) bool { return u.VendorID == inc.ReportedByVendorID })
	if i < 0 {
		return domain.Invalid("reported_by_vendor_id", "is not a vendor of ours that depends on this provider (no dependency edge down its chain)")
	}
	up := ups[i]
	if in.Categories == nil {
		inc.Categories = slices.Clone(up.DataCategories)
	}
	if in.Jurisdictions == nil {
		inc.Jurisdictions = slices.Clone(up.Jurisdictions)
	}
	if in.RecordsAffected == nil {
		inc.RecordsAffected, inc.RecordsEstimated = up.Records, true
	}
	if inc.Categories == nil {
		inc.Categories = []string{}
	}
	if inc.Jurisdictions == nil {
		inc.Jurisdictions = []string{}
	}
	return nil
}

// locateClause stores with the incident the clause in force at the
// vendor's discovery and the instant its notice is due: the clauses of
// the vendor whose notice is judged (NoticeVendorID).
func (s *IncidentService) locateClause(ctx context.Context, inc *Incident) error {
	cands, err := s.Clauses.ByVendor(ctx, inc.NoticeVendorID())
	if err != nil {
		return err
	}
	inc.LawNoticeRegimeID, inc.LawNoticeDueAt = LawNoticeDue(s.Catalogue.VendorDuties(inc.facts(), s.assessOptions(nil), s.Clock.Now()))
	best, due, ok := NoticeDue(inc.VendorDiscoveredAt, cands, s.Standards, s.Calendar)
	if !ok {
		inc.NoticeContractID, inc.NoticeClauseID, inc.NoticeDueAt = "", "", nil
		return nil
	}
	inc.NoticeContractID, inc.NoticeClauseID, inc.NoticeDueAt = best.ContractID, best.Clause.ID, &due
	return nil
}

// Get returns an incident with its notification clock as of now.
func (s *IncidentService) Get(ctx context.Context, id string) (IncidentView, error) {
	inc, err := domain.Lookup(ctx, "incident", id, s.Incidents.Get)
	if err != nil {
		return IncidentView{}, err
	}
	v, err := s.view(ctx, inc)
	if err != nil {
		return IncidentView{}, err
	}
	os, err := s.Obligations.ListByIncident(ctx, id)
	if err != nil {
		return IncidentView{}, err
	}
	sum := Summarize(os, s.Clock.Now())
	v.Obligations = &sum
	if err := s.explain(ctx, &v); err != nil {
		return IncidentView{}, err
	}
	return v, nil
}

func (s *IncidentService) view(ctx context.Context, inc Incident) (IncidentView, error) {
	vs, err := s.views(ctx, []Incident{inc})
	if err != nil {
		return IncidentView{}, err
	}
	return vs[0], nil
}

// views computes the clocks of incidents, reading their clause versions
// in one query.
func (s *IncidentService) views(ctx context.Context, incs []Incident) ([]IncidentView, error) {
	var ids []string
	for _, inc := range incs {
		if inc.NoticeClauseID != "" {
			ids = append(ids, inc.NoticeClauseID)
		}
	}
	clauses := map[string]contract.ClauseVersion{}
	if len(ids) > 0 {
		var err error
		if clauses, err = s.Clauses.ByIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	now := s.Clock.Now()
	out := make([]IncidentView, len(incs))
	for i, inc := range incs {
		out[i] = IncidentView{Incident: inc}
		if c, ok := clauses[inc.NoticeClauseID]; ok {
			out[i].Clause = &c
		}
		out[i].Notice = ComputeNoticeClock(inc, out[i].Clause, s.Standards, now)
	}
	return out, nil
}

// List returns a page of incidents with their clocks.
func (s *IncidentService) List(ctx context.Context, f IncidentFilter, p domain.PageRequest) (domain.Page[IncidentView], error) {
	page, err := s.Incidents.List(ctx, f, p)
	if err != nil {
		return domain.Page[IncidentView]{}, err
	}
	items, err := s.views(ctx, page.Items)
	if err != nil {
		return domain.Page[IncidentView]{}, err
	}
	return domain.Page[IncidentView]{Items: items, Next: page.Next}, nil
}

// Update applies a partial update and re-runs the clock.
func (s *IncidentService) Update(ctx context.Context, id string, in IncidentInput, expectedVersion int64) (IncidentView, error) {
	if in.VendorID != nil {
		return IncidentView{}, domain.Invalid("vendor_id", "cannot be changed; record the incident against the other vendor")
	}
	if in.ReportedByVendorID != nil {
		return IncidentView{}, domain.Invalid("reported_by_vendor_id", "cannot be changed; record the incident again")
	}
	err := domain.Edit(ctx, s.Tx, "incident", id, expectedVersion, s.Incidents.Get, func(ctx context.Context, before Incident) error {
		inc := before
		now := s.Clock.Now()
		if err := inc.Apply(in, now); err != nil {
			return err
		}
		if in.Categories != nil && (in.Jurisdictions == nil || in.RecordsAffected == nil) {
			// Re-derive what depends on the categories, unless given too.
			keep := IncidentInput{Categories: in.Categories, Jurisdictions: in.Jurisdictions, RecordsAffected: in.RecordsAffected}
			if err := s.fillDefaults(ctx, &inc, keep); err != nil {
				return err
			}
		}
		if err := s.locateClause(ctx, &inc); err != nil {
			return err
		}
		inc.UpdatedAt = now
		if err := s.Incidents.Update(ctx, inc, before.Version); err != nil {
			return fmt.Errorf("update incident: %w", err)
		}
		inc.Version = before.Version + 1
		if err := s.Audit.Record(ctx, "incident.update", "incident", id, before, inc); err != nil {
			return err
		}
		if err := s.regenerate(ctx, inc); err != nil {
			return err
		}
		if before.VendorNotifiedUsAt == nil && inc.VendorNotifiedUsAt != nil {
			_, err := s.Incidents.AppendTimeline(ctx, TimelineEntry{IncidentID: id, At: *inc.VendorNotifiedUsAt,
				Actor: domain.ActorFrom(ctx).Name, Action: "vendor notice recorded",
				Text: "The vendor's notice was received at this time.", RecordedBy: domain.ActorFrom(ctx).ID, RecordedAt: now})
			return err
		}
		return nil
	})
	if err != nil {
		return IncidentView{}, err
	}
	return s.Get(ctx, id)
}

// RefreshVendor re-locates the clause of every incident of a vendor after
// its contracts' clauses changed (an amendment may govern a past
// discovery).
func (s *IncidentService) RefreshVendor(ctx context.Context, vendorID string) error {
	incs, err := s.Incidents.ListByVendor(ctx, vendorID)
	if err != nil {
		return err
	}
	for _, inc := range incs {
		before := inc
		if err := s.locateClause(ctx, &inc); err != nil {
			return err
		}
		if inc.NoticeClauseID == before.NoticeClauseID && sameInstant(inc.NoticeDueAt, before.NoticeDueAt) {
			continue
		}
		if err := s.Incidents.SetNotice(ctx, inc.ID, inc.NoticeContractID, inc.NoticeClauseID, inc.NoticeDueAt); err != nil {
			return err
		}
		if err := s.noteClockRerun(ctx, before, inc); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "incident.clock_refreshed", "incident", inc.ID,
			map[string]any{"clause_id": before.NoticeClauseID, "due_at": before.NoticeDueAt},
			map[string]any{"clause_id": inc.NoticeClauseID, "due_at": inc.NoticeDueAt}); err != nil {
			return err
		}
	}
	return nil
}

func sameInstant(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

// TimelineInput is a new timeline entry.
type TimelineInput struct {
	At     *time.Time // default now
	Actor  string     // default the API key's name
	Action string
	Text   string
}

// AddTimeline appends an entry to an incident's timeline.
func (s *IncidentService) AddTimeline(ctx context.Context, id string, in TimelineInput) (TimelineEntry, error) {
	now := s.Clock.Now()
	var fe domain.FieldErrors
	e := TimelineEntry{IncidentID: id, At: now, Actor: domain.ActorFrom(ctx).Name, RecordedBy: domain.ActorFrom(ctx).ID, RecordedAt: now}
	if in.At != nil {
		e.At = in.At.UTC().Truncate(time.Microsecond)
		if e.At.After(now.Add(FutureTolerance)) {
			fe.Add("at", "must not be more than %s in the future (now is %s)", FutureTolerance, now.Format(time.RFC3339))
		}
	}
	if in.Actor != "" {
		e.Actor = domain.CheckText(&fe, "actor", in.Actor, true, 200)
	}
	e.Action = domain.CheckText(&fe, "action", in.Action, true, 200)
	e.Text = domain.CheckText(&fe, "text", in.Text, false, 10000)
	if err := fe.Err(); err != nil {
		return TimelineEntry{}, err
	}
	var out TimelineEntry
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
		var err error
		if out, err = s.Incidents.AppendTimeline(ctx, e); err != nil {
			return fmt.Errorf("append timeline: %w", err)
		}
		return s.Audit.Record(ctx, "incident.timeline_append", "incident", id, nil, out)
	})
	return out, err
}

// Timeline returns an incident's entries in order.
func (s *IncidentService) Timeline(ctx context.Context, id string) ([]TimelineEntry, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.Incidents.Timeline(ctx, id)
}

// NotificationHistory is a vendor's record of telling us about incidents.
type NotificationHistory struct {
	VendorID  string          `json:"vendor_id"`
	Incidents []IncidentView  `json:"-"`
	Stats     TimelinessStats `json:"stats"`
}

// History returns the vendor's incidents with their clocks and stats.
func (s *IncidentService) History(ctx context.Context, vendorID string) (NotificationHistory, error) {
	if !domain.ValidID(vendorID) {
		return NotificationHistory{}, fmt.Errorf("vendor %q: %w", vendorID, domain.ErrNotFound)
	}
	if _, err := s.Vendors.Get(ctx, vendorID); err != nil {
		return NotificationHistory{}, err
	}
	incs, err := s.Incidents.ListByVendor(ctx, vendorID)
	if err != nil {
		return NotificationHistory{}, err
	}
	h := NotificationHistory{VendorID: vendorID}
	if h.Incidents, err = s.views(ctx, incs); err != nil {
		return NotificationHistory{}, err
	}
	h.Stats, err = s.Incidents.Timeliness(ctx, vendorID, s.Clock.Now())
	return h, err
}

// Timeliness returns the portfolio's notification statistics.
func (s *IncidentService) Timeliness(ctx context.Context) (TimelinessStats, error) {
	return s.Incidents.Timeliness(ctx, "", s.Clock.Now())
}
