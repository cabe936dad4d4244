package finding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// ScanService runs the compliance scan: per rule family, the family's
// live findings are loaded (key, id and fingerprint), then one set-based
// fact query is streamed in batches; the rules (pure functions) turn
// facts into findings. A finding whose fingerprint (severity, vendor,
// facts) is unchanged is counted and not written; new and changed ones are
// written in batches keyed by (rule, subject) and stamped with the run.
// The live findings the run did not see are resolved, and the run is
// recorded as the family's rules' last complete judgement (the last
// sighting of their unchanged live findings).
// Runs are serialised by the store (a second concurrent Run fails with
// ErrConflict and changes nothing).
type ScanService struct {
	Store        ScanStore
	Clock        domain.Clock
	Events       domain.EventSink
	Thresholds   ScanThresholds
	Cadence      review.ReviewCadence
	Clauses      contract.ClausePolicy
	Requirements []attestation.AttestationRequirement
	// Residual weighs the residual risk and holds the risk appetite (zero:
	// register.DefaultResidualConfig).
	Residual register.ResidualConfig
	// BatchSize is the rows per fact batch and findings per upsert
	// (default 500 and 1000).
	BatchSize int
	// Parallel is how many rule families run at once (default 3).
	Parallel int
	// StaleAfter is how long a run may hold the scan before another run
	// may take over (default one hour).
	StaleAfter time.Duration
}

// RuleCounts are a run's counts for one rule.
type RuleCounts struct {
	Opened    int `json:"opened"`
	StillOpen int `json:"still_open"`
	Resolved  int `json:"resolved"`
	Reopened  int `json:"reopened"` // risk acceptance expired
	Escalated int `json:"escalated"`
}

// ScanResult is what a run did.
type ScanResult struct {
	RunID      string                `json:"run_id"`
	StartedAt  time.Time             `json:"started_at"`
	FinishedAt time.Time             `json:"finished_at"`
	Opened     int                   `json:"opened"`
	StillOpen  int                   `json:"still_open"`
	Resolved   int                   `json:"resolved"`
	Reopened   int                   `json:"reopened"`
	Escalated  int                   `json:"escalated"`
	ByRule     map[string]RuleCounts `json:"by_rule"`
	// EventsFailed counts events the sink refused; publishing never fails
	// a scan.
	EventsFailed int `json:"events_failed"`
}

// ScanProgress reports a family's progress during a run.
type ScanProgress struct {
	Family   string
	Facts    int // facts judged so far in the family
	Findings int // findings judged so far in the family (new, changed or unchanged)
	Done     bool
	// Elapsed is the family's wall time, set when Done.
	Elapsed time.Duration
}

// ErrScanRunning is returned by Run when another run holds the scan.
var ErrScanRunning = &domain.ConflictError{Field: "scan", Message: "another scan is running"}

// Run runs the scan once.
func (s *ScanService) Run(ctx context.Context) (ScanResult, error) {
	return s.RunWithProgress(ctx, nil)
}

// RunWithProgress runs the scan once, calling progress (when not nil)
// after each batch and at the end of each family. Families run
// concurrently; progress is never called concurrently.
func (s *ScanService) RunWithProgress(ctx context.Context, progress func(ScanProgress)) (res ScanResult, err error) {
	now := s.Clock.Now().UTC()
	res = ScanResult{RunID: domain.NewID(), StartedAt: now, ByRule: map[string]RuleCounts{}}
	stale := s.StaleAfter
	if stale <= 0 {
		stale = time.Hour
	}
	if err := s.Store.BeginRun(ctx, res.RunID, now, now.Add(-stale)); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return res, ErrScanRunning
		}
		return res, fmt.Errorf("begin scan: %w", err)
	}
	defer func() {
		res.FinishedAt = s.Clock.Now().UTC()
		if ferr := s.Store.FinishRun(context.WithoutCancel(ctx), res.RunID, res.FinishedAt, res, err); ferr != nil && err == nil {
			err = fmt.Errorf("finish scan: %w", ferr)
		}
	}()

	q, rc := s.query(now, s.BatchSize)

	reopened, err := s.Store.ReopenExpired(ctx, q.Today, now)
	if err != nil {
		return res, fmt.Errorf("reopen expired risk acceptances: %w", err)
	}
	for _, f := range reopened {
		c := res.ByRule[f.RuleID]
		c.Reopened++
		res.ByRule[f.RuleID] = c
		res.Reopened++
	}

	var controls controlsIndex
	families := []struct {
		name string
		walk func(ctx context.Context, w *findingWriter) error
	}{
		// The slowest first, so that the others fill in beside it.
		// The policy family also computes each vendor's residual
		// controls from its facts, for the risk family below.
		{FamilyPolicy, func(ctx context.Context, w *findingWriter) error {
			return s.Store.VendorPolicyFacts(ctx, q, func(b []VendorPolicyFact) error {
				return judge(w, b, func(f VendorPolicyFact) []Finding {
					out, c := rc.policyJudgement(f, true)
					controls.add(f.Vendor.ID, c)
					return out
				})
			})
		}},
		{FamilyAttestation, func(ctx context.Context, w *findingWriter) error {
			return s.Store.AttestationFacts(ctx, q, func(b []AttestationFact) error { return judge(w, b, rc.AttestationRules) })
		}},
		{FamilyContract, func(ctx context.Context, w *findingWriter) error {
			return s.Store.ContractFacts(ctx, q, func(b []ContractFact) error { return judge(w, b, rc.ContractRules) })
		}},
		{FamilyReview, func(ctx context.Context, w *findingWriter) error {
			return s.Store.ReviewFacts(ctx, q, func(b []ReviewFact) error { return judge(w, b, rc.ReviewRules) })
		}},
		{FamilyObligation, func(ctx context.Context, w *findingWriter) error {
			return s.Store.ObligationFacts(ctx, q, func(b []ObligationFact) error { return judge(w, b, rc.ObligationRules) })
		}},
		{FamilyIncident, func(ctx context.Context, w *findingWriter) error {
			return s.Store.IncidentFacts(ctx, q, func(b []IncidentFact) error { return judge(w, b, rc.IncidentRules) })
		}},
		{FamilySupplyChain, func(ctx context.Context, w *findingWriter) error {
			if err := s.Store.ConcentrationFacts(ctx, q, func(b []ConcentrationFact) error {
				return judge(w, b, rc.ConcentrationRules)
			}); err != nil {
				return err
			}
			return s.Store.SubprocessorFacts(ctx, q, func(b []SubprocessorFact) error { return judge(w, b, rc.SubprocessorRules) })
		}},
	}

	// Families judge disjoint rules, so they run side by side (up to
	// Parallel at once), each on its own connections, with a result of its
	// own merged into res when it ends. mu serialises the merge, progress
	// and the event sink.
	var mu sync.Mutex
	report := func(p ScanProgress) {
		if progress != nil {
			mu.Lock()
			progress(p)
			mu.Unlock()
		}
	}
	release, err := s.Store.ReserveReads(ctx, s.parallel())
	if err != nil {
		return res, fmt.Errorf("scan: %w", err)
	}
	defer release()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, s.parallel())
	var wg sync.WaitGroup
	for _, fam := range families {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			fr, err := s.runFamily(ctx, res.RunID, now, fam.name, fam.walk, report, &mu)
			mu.Lock()
			res.merge(fr)
			mu.Unlock()
			if err != nil {
				cancel(fmt.Errorf("scan %s: %w", fam.name, err))
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	// The risk family reads the findings the other families have just
	// written (open findings move the residual risk), so it runs after
	// them. It takes the vendors' controls from the policy family.
	controls.sort()
	rq := q
	rq.WithoutPolicyFacts = true
	fr, err := s.runFamily(ctx, res.RunID, now, FamilyRisk, func(ctx context.Context, w *findingWriter) error {
		if err := s.Store.ResidualFacts(ctx, rq, func(b []ResidualFact) error {
			return s.judgeResidual(ctx, w, rc, q, &controls, b)
		}); err != nil {
			return err
		}
		if err := s.Store.ClearResidual(ctx); err != nil {
			return fmt.Errorf("clear residual risk out of scope: %w", err)
		}
		return nil
	}, report, &mu)
	res.merge(fr)
	if err != nil {
		return res, fmt.Errorf("scan %s: %w", FamilyRisk, err)
	}
	return res, nil
}

// query builds the fact queries' cut-offs and the rules' context for a
// run at now.
func (s *ScanService) query(now time.Time, batch int) (ScanQuery, RuleContext) {
	th := s.Thresholds.WithDefaults()
	if batch <= 0 {
		batch = 500
	}
	residual := s.ResidualConfig()
	today := domain.DateOf(now)
	q := ScanQuery{AsOf: now, Today: today, BatchSize: batch, ReviewCutoffs: map[register.Tier]domain.Date{},
		AttestationHorizon: today.AddDays(th.AttestationExpiringDays),
		RenewalHorizon:     today.AddDays(th.RenewalNoticeDays),
		ObligationHorizon:  now.Add(time.Duration(th.ObligationDueSoonHours) * time.Hour),
		NoticesSince:       NoticesSince(now, residual),
		ConcentrationMin:   th.ProviderConcentrationCritical}
	for _, r := range s.Requirements {
		for _, k := range r.AnyOf {
			if !slices.Contains(q.PolicyKinds, k) {
				q.PolicyKinds = append(q.PolicyKinds, k)
			}
		}
	}
	// A review is a candidate when its next due date is at most
	// ReviewDueSoonDays away: next < today + days + 1.
	for _, t := range register.Tiers {
		if m := s.Cadence.Months[t]; m > 0 {
			q.ReviewCutoffs[t] = review.ReviewOverdueCutoff(today.AddDays(th.ReviewDueSoonDays+1), m)
		}
	}
	rc := RuleContext{AsOf: now, Today: today, Thresholds: th, Cadence: s.Cadence, Policy: s.Clauses, Attest: s.Requirements,
		Residual: residual}
	return q, rc
}

// parallel is s.Parallel with its default.
func (s *ScanService) parallel() int {
	if s.Parallel <= 0 {
		return 3
	}
	return s.Parallel
}

// runFamily judges one family's facts, writes its findings and resolves
// its live findings that the run did not see. The result holds the
// family's counts only.
func (s *ScanService) runFamily(ctx context.Context, runID string, now time.Time, family string,
	walk func(context.Context, *findingWriter) error, report func(ScanProgress), mu *sync.Mutex) (ScanResult, error) {
	started := time.Now() // wall time for Elapsed, not the scan's clock
	res := ScanResult{ByRule: map[string]RuleCounts{}}
	publish := func(events []domain.Event) {
		mu.Lock()
		defer mu.Unlock()
		res.EventsFailed += s.publish(ctx, events)
	}
	rules := RulesOf(family)
	var live liveIndex
	if err := s.Store.LiveFindings(ctx, rules, func(k FindingKey, l LiveFinding) error {
		live.add(k, l)
		return nil
	}); err != nil {
		return res, fmt.Errorf("live findings: %w", err)
	}
	live.sort()
	w := &findingWriter{ctx: ctx, store: s.Store, run: runID, now: now, res: &res, live: live,
		limit: 1000, family: family, progress: report, publish: publish}
	if err := walk(ctx, w); err != nil {
		return res, err
	}
	if err := w.flush(); err != nil {
		return res, err
	}
	resolved, err := s.Store.ResolveFindings(ctx, runID, rules, live.unseen(), now)
	if err != nil {
		return res, fmt.Errorf("resolve: %w", err)
	}
	events := make([]domain.Event, 0, len(resolved))
	for _, f := range resolved {
		c := res.ByRule[f.RuleID]
		c.Resolved++
		res.ByRule[f.RuleID] = c
		res.Resolved++
		events = append(events, domain.Event{ID: domain.NewID(), Type: domain.EventFindingResolved, At: now, Data: f})
	}
	publish(events)
	report(ScanProgress{Family: family, Facts: w.facts, Findings: w.judged, Done: true, Elapsed: time.Since(started)})
	return res, nil
}

// merge adds a family's counts to r.
func (r *ScanResult) merge(f ScanResult) {
	r.Opened += f.Opened
	r.StillOpen += f.StillOpen
	r.Resolved += f.Resolved
	r.Reopened += f.Reopened
	r.Escalated += f.Escalated
	r.EventsFailed += f.EventsFailed
	for rule, c := range f.ByRule {
		t := r.ByRule[rule]
		t.Opened += c.Opened
		t.StillOpen += c.StillOpen
		t.Resolved += c.Resolved
		t.Reopened += c.Reopened
		t.Escalated += c.Escalated
		r.ByRule[rule] = t
	}
}

// publish sends the events in chunks; failures are counted, not returned.
func (s *ScanService) publish(ctx context.Context, events []domain.Event) int {
	if s.Events == nil || len(events) == 0 {
		return 0
	}
	failed := 0
	for i := 0; i < len(events); i += 500 {
		chunk := events[i:min(i+500, len(events))]
		if err := s.Events.Publish(ctx, chunk...); err != nil {
			failed += len(chunk)
		}
	}
	return failed
}

// judge applies a rule function to a batch of facts.
func judge[T any](w *findingWriter, batch []T, rule func(T) []Finding) error {
	for _, f := range batch {
		for _, fd := range rule(f) {
			if err := w.add(fd); err != nil {
				return err
			}
		}
	}
	w.facts += len(batch)
	if w.progress != nil {
		w.progress(ScanProgress{Family: w.family, Facts: w.facts, Findings: w.judged})
	}
	return nil
}

// findingWriter judges a family's findings against the family's live
// findings (loaded before its facts are read): a finding whose
// fingerprint is unchanged is counted as still open and not written;
// the others are written in batches, one store call per batch, which
// returns the live findings as they were (to tell new from still open,
// and to see severity rises). The batch's events are published once it is
// written, so memory stays flat but for the live index. The entries of
// live not marked seen at the end, the run did not see.
type findingWriter struct {
	ctx      context.Context
	store    ScanStore
	run      string
	now      time.Time
	res      *ScanResult
	events   []domain.Event
	publish  func([]domain.Event)
	live     liveIndex
	pending  []EncodedFinding
	limit    int
	family   string
	facts    int
	judged   int
	progress func(ScanProgress)
}

func (w *findingWriter) add(f Finding) error {
	e, err := f.Encode()
	if err != nil {
		return fmt.Errorf("facts of %s %s: %w", f.RuleID, f.SubjectID, err)
	}
	w.judged++
	if old := w.live.find(f.Key()); old != nil && !old.seen && old.fp == e.Fingerprint {
		old.seen = true
		c := w.res.ByRule[f.RuleID]
		c.StillOpen++
		w.res.ByRule[f.RuleID] = c
		w.res.StillOpen++
		return nil
	}
	w.pending = append(w.pending, e)
	if len(w.pending) >= w.limit {
		return w.flush()
	}
	return nil
}

func (w *findingWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	// The same key twice in one statement would make the upsert touch a
	// row twice; the first one wins.
	seen := make(map[FindingKey]bool, len(w.pending))
	batch := w.pending[:0:0]
	for _, e := range w.pending {
		if k := e.Key(); !seen[k] {
			seen[k] = true
			batch = append(batch, e)
		}
	}
	for i := range batch {
		f := &batch[i].Finding
		f.LastSeenAt, f.LastSeenRun, f.UpdatedAt = w.now, w.run, w.now
		f.ID, f.FirstSeenAt, f.Status, f.Version = domain.NewID(), w.now, FindingOpen, 1
	}
	live, err := w.store.WriteFindings(w.ctx, w.run, batch)
	if err != nil {
		return err
	}
	for i := range batch {
		f := &batch[i].Finding
		c := w.res.ByRule[f.RuleID]
		if old, ok := live[f.Key()]; ok {
			if e := w.live.find(f.Key()); e != nil {
				e.seen = true
			}
			f.ID, f.FirstSeenAt, f.Status, f.Version = old.ID, old.FirstSeenAt, old.Status, old.Version
			f.AcceptedReason, f.AcceptedUntil, f.AcceptedBy = old.AcceptedReason, old.AcceptedUntil, old.AcceptedBy
			c.StillOpen++
			w.res.StillOpen++
			if f.Severity.rank() > old.Severity.rank() {
				c.Escalated++
				w.res.Escalated++
				w.events = append(w.events, domain.Event{ID: domain.NewID(), Type: domain.EventFindingEscalated, At: w.now,
					Data: FindingEscalation{Finding: *f, From: old.Severity}})
			}
		} else {
			c.Opened++
			w.res.Opened++
			w.events = append(w.events, domain.Event{ID: domain.NewID(), Type: domain.EventFindingOpened, At: w.now, Data: *f})
			switch f.RuleID {
			case RuleIncidentNoticeLate:
				w.events = append(w.events, domain.Event{ID: domain.NewID(), Type: domain.EventNoticeLate, At: w.now, Data: *f})
			case RuleObligationDueSoon:
				w.events = append(w.events, domain.Event{ID: domain.NewID(), Type: domain.EventObligationDueSoon, At: w.now, Data: *f})
			}
		}
		w.res.ByRule[f.RuleID] = c
	}
	w.publish(w.events)
	w.events = nil // the sink may keep the slice
	w.pending = w.pending[:0]
	return nil
}

// FindingEscalation is the data of a finding.escalated event.
type FindingEscalation struct {
	Finding
	From Severity `json:"previous_severity"`
}
