package incident

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// assessOptions are the engine's options for this service, with done.
func (s *IncidentService) assessOptions(done map[string]time.Time) AssessOptions {
	return AssessOptions{Profile: s.Profile, Calendar: s.Calendar, Done: done, Working: s.Working}
}

// storeRegimeChecks writes the regimes not applied when they changed.
func (s *IncidentService) storeRegimeChecks(ctx context.Context, id string, checks []RegimeCheck) error {
	stored, err := s.Incidents.RegimeChecks(ctx, id)
	if err != nil {
		return err
	}
	if reflect.DeepEqual(stored, checks) {
		return nil
	}
	if err := s.Incidents.SetRegimeChecks(ctx, id, checks); err != nil {
		return fmt.Errorf("store regimes not applied: %w", err)
	}
	return nil
}

// closingReason is what the engine writes when it closes an open
// obligation that no longer applies: the reason the assessment gives for
// its duty, or the version of the law that now applies instead.
func (c Catalogue) closingReason(regimeID string, a Assessment) string {
	duty := regimeID
	if r, ok := c.Regime(regimeID); ok {
		duty = r.Duty
	}
	for _, s := range a.Obligations {
		if s.Regime.Duty == duty {
			return fmt.Sprintf("no longer applies: the law in force when its clock starts is %s (%s, %s)",
				s.RegimeID, s.Regime.Citation, s.Regime.Period())
		}
	}
	for _, ch := range a.NotApplied {
		if slices.Contains(ch.RegimeIDs, regimeID) || slices.Contains(ch.RegimeIDs, duty) {
			return "no longer applies (" + ch.Reason + "): " + ch.Detail
		}
	}
	return reasonNoLongerApplies
}

// explain completes a single incident's view: why its clause governs, the
// vendor's duties by law, and the regimes not applied.
func (s *IncidentService) explain(ctx context.Context, v *IncidentView) error {
	cands, err := s.Clauses.ByVendor(ctx, v.VendorID)
	if err != nil {
		return err
	}
	ex := ExplainNotice(v.VendorDiscoveredAt, cands, s.Standards, s.Calendar)
	v.Notice.NoticeExplanation = &ex
	v.Notice.StatutoryDuties = s.Catalogue.VendorDuties(v.facts(), s.assessOptions(nil), s.Clock.Now())
	v.RegimesNotApplied, err = s.Incidents.RegimeChecks(ctx, v.ID)
	return err
}

// RegimesNotApplied returns the regimes the engine checked for an incident
// and did not apply, with why.
func (s *IncidentService) RegimesNotApplied(ctx context.Context, incidentID string) ([]RegimeCheck, error) {
	if !domain.ValidID(incidentID) {
		return nil, fmt.Errorf("incident %q: %w", incidentID, domain.ErrNotFound)
	}
	return s.Incidents.RegimeChecks(ctx, incidentID)
}

// noteClockRerun writes on the incident's timeline that a change to the
// vendor's clauses re-ran its notice clock: the clause, due instant and
// status before and after.
func (s *IncidentService) noteClockRerun(ctx context.Context, before, after Incident) error {
	now := s.Clock.Now()
	state := func(inc Incident) string {
		if inc.NoticeDueAt == nil {
			return "no clause in force at discovery"
		}
		st, _ := JudgeNotice(*inc.NoticeDueAt, inc.VendorNotifiedUsAt, now)
		return fmt.Sprintf("due %s (%s)", inc.NoticeDueAt.UTC().Format(time.RFC3339), st)
	}
	cands, err := s.Clauses.ByVendor(ctx, after.VendorID)
	if err != nil {
		return err
	}
	ex := ExplainNotice(after.VendorDiscoveredAt, cands, s.Standards, s.Calendar)
	_, err = s.Incidents.AppendTimeline(ctx, TimelineEntry{IncidentID: after.ID, At: now, Actor: domain.ActorFrom(ctx).Name,
		Action: "notice clock re-run",
		Text: fmt.Sprintf("A change to the vendor's clauses re-ran the notice clock. Before: %s. After: %s. %s",
			state(before), state(after), ex.Sentence),
		RecordedBy: domain.ActorFrom(ctx).ID, RecordedAt: now})
	return err
}
