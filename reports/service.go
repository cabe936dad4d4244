package reports

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/policy"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// Service generates reports: directly (the CLI) or as background runs
// whose files are stored under Dir (the API).
type Service struct {
	Source reporting.Source
	Runs   reporting.RunStore
	Tx     domain.Transactor
	Audit  domain.AuditStore
	Clock  domain.Clock
	Policy policy.Policy
	Dir    string // where run files are stored, e.g. $VW_DATA_DIR/reports
	Logger *slog.Logger
	// Workers is how many runs are generated at once (default
	// DefaultWorkers); the others wait, queued, each for the next free one.
	// An audit workbook of 100k vendors holds about 400 MiB and up to six
	// database connections while it is written.
	Workers int
	// Checkpoint returns the audit log's latest signed checkpoint, verified
	// with the log's public key, for the Summary sheet of audit workbooks;
	// nil leaves it out.
	Checkpoint func(ctx context.Context) (auditlog.Signed, error)
	// DoraCheck runs the DORA register's pre-flight check as of a date, for
	// the audit workbook's "DORA check" sheet; nil leaves the sheet saying
	// the register was not checked.
	DoraCheck func(ctx context.Context, on domain.Date) (*dora.Report, error)

	once  sync.Once
	stop  chan struct{}
	slots chan struct{} // a run generates while it holds one
	wg    sync.WaitGroup
}

// DefaultWorkers is Service.Workers's default.
const DefaultWorkers = 2

func (s *Service) init() {
	s.once.Do(func() {
		s.stop = make(chan struct{})
		s.slots = make(chan struct{}, cmp.Or(max(s.Workers, 0), DefaultWorkers))
		if s.Clock == nil {
			s.Clock = domain.SystemClock{}
		}
		if s.Logger == nil {
			s.Logger = slog.Default()
		}
		if s.Policy.Clauses.StandardWindows == nil {
			s.Policy = policy.DefaultPolicy()
		}
	})
}

// CheckFilter validates a filter and defaults its as-of to now; an as-of
// in the future is refused.
func (s *Service) CheckFilter(f reporting.Filter) (reporting.Filter, error) {
	s.init()
	now := s.Clock.Now()
	var fe domain.FieldErrors
	for i, id := range f.VendorIDs {
		if !domain.ValidID(id) {
			fe.Add(fmt.Sprintf("vendor_ids[%d]", i), "must be a vendor id (UUID)")
		}
	}
	if f.Tier != "" && !f.Tier.Valid() {
		fe.Add("tier", "must be one of critical, high, moderate, low")
	}
	f.Owner = strings.TrimSpace(f.Owner)
	if f.AsOf.IsZero() {
		f.AsOf = now
	} else if f.AsOf.After(now.Add(time.Minute)) {
		fe.Add("as_of", "must not be in the future")
	}
	f.AsOf = f.AsOf.UTC()
	return f, fe.Err()
}

// Generate writes a report of kind for f to w (the CLI path).
func (s *Service) Generate(ctx context.Context, kind reporting.Kind, f reporting.Filter, opt Options, w io.Writer) (Stats, error) {
	s.init()
	f, err := s.CheckFilter(f)
	if err != nil {
		return Stats{}, err
	}
	opt.Policy = s.Policy
	if opt.GeneratedAt.IsZero() {
		opt.GeneratedAt = s.Clock.Now()
	}
	switch kind {
	case reporting.KindAudit:
		if opt.Checkpoint == nil && s.Checkpoint != nil {
			signed, err := s.Checkpoint(ctx)
			opt.Checkpoint = &Checkpoint{Signed: signed, Err: err}
		}
		if opt.Dora == nil && s.DoraCheck != nil {
			r, err := s.DoraCheck(ctx, domain.DateOf(f.AsOf))
			opt.Dora = &DoraCheck{Report: r, Err: err}
		}
		return WriteAudit(ctx, s.Source, f, opt, w)
	case reporting.KindExecutive:
		ex, err := BuildExecutive(ctx, s.Source, f, s.Policy)
		if err != nil {
			return Stats{}, err
		}
		if err := AddChanges(ctx, s.Source, &ex, s.Policy); err != nil {
			return Stats{}, err
		}
		ex.GeneratedBy, ex.GeneratedAt = opt.GeneratedBy, opt.GeneratedAt.UTC()
		return Stats{Rows: map[string]int64{SheetExecutive: int64(len(ex.TopVendors))}}, WriteExecutive(ex, opt, w)
	}
	return Stats{}, domain.Invalid("kind", "must be audit or executive")
}

// Dashboard is the executive report's data.
func (s *Service) Dashboard(ctx context.Context, f reporting.Filter) (Executive, error) {
	s.init()
	f, err := s.CheckFilter(f)
	if err != nil {
		return Executive{}, err
	}
	ex, err := BuildExecutive(ctx, s.Source, f, s.Policy)
	if err != nil {
		return Executive{}, err
	}
	a := domain.ActorFrom(ctx)
	ex.GeneratedBy, ex.GeneratedAt = actorName(a), s.Clock.Now()
	return ex, nil
}

func actorName(a domain.Actor) string {
	if a.Name == "" {
		return a.ID
	}
	if a.ID == "" || a.ID == a.Name {
		return a.Name
	}
	return a.Name + " (" + a.ID + ")"
}

// Start records a queued run and generates it in the background, on a
// context of its own (it outlives the request); Close stops it.
func (s *Service) Start(ctx context.Context, kind reporting.Kind, f reporting.Filter) (reporting.Run, error) {
	s.init()
	if !kind.Valid() {
		return reporting.Run{}, domain.Invalid("kind", "must be audit or executive")
	}
	f, err := s.CheckFilter(f)
	if err != nil {
		return reporting.Run{}, err
	}
	now := s.Clock.Now()
	r := reporting.Run{ID: domain.NewID(), Kind: kind, Filter: f, AsOf: f.AsOf, Status: reporting.RunQueued,
		RequestedBy: actorName(domain.ActorFrom(ctx)), CreatedAt: now,
		FileName: fmt.Sprintf("vendorwatch-%s-%s.xlsx", kind, f.AsOf.Format("20060102T150405Z"))}
	if err := s.Runs.Create(ctx, r); err != nil {
		return reporting.Run{}, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-done:
			}
		}()
		s.execute(runCtx, r)
	}()
	return r, nil
}

// Run records a run and generates it before returning (the scheduled
// weekly audit report); the returned run is done or failed.
func (s *Service) Run(ctx context.Context, kind reporting.Kind, f reporting.Filter) (reporting.Run, error) {
	s.init()
	f, err := s.CheckFilter(f)
	if err != nil {
		return reporting.Run{}, err
	}
	r := reporting.Run{ID: domain.NewID(), Kind: kind, Filter: f, AsOf: f.AsOf, Status: reporting.RunQueued,
		RequestedBy: actorName(domain.ActorFrom(ctx)), CreatedAt: s.Clock.Now(),
		FileName: fmt.Sprintf("vendorwatch-%s-%s.xlsx", kind, f.AsOf.Format("20060102T150405Z"))}
	if err := s.Runs.Create(ctx, r); err != nil {
		return reporting.Run{}, err
	}
	s.execute(ctx, r)
	return s.Runs.Get(context.WithoutCancel(ctx), r.ID)
}

// WeeklyAudit is the body of the scheduled weekly audit report (a
// jobs.Func): the audit workbook of all vendors as of now, stored as a run.
func (s *Service) WeeklyAudit(ctx context.Context) (map[string]int, error) {
	ctx = domain.WithActor(ctx, domain.Actor{ID: "system", Name: "scheduler", Role: domain.RoleAdmin})
	r, err := s.Run(ctx, reporting.KindAudit, reporting.Filter{})
	if err != nil {
		return nil, err
	}
	if r.Status != reporting.RunDone {
		return map[string]int{"failed": 1}, fmt.Errorf("weekly audit report %s: %s", r.ID, r.Error)
	}
	return map[string]int{"bytes": int(r.Size)}, nil
}

// execute waits, queued, for a worker slot, generates the run's file and
// records the outcome.
func (s *Service) execute(ctx context.Context, r reporting.Run) {
	var (
		sum    string
		size   int64
		genErr error
	)
	select {
	case s.slots <- struct{}{}:
		started := s.Clock.Now()
		r.Status, r.StartedAt = reporting.RunRunning, &started
		if err := s.Runs.Update(ctx, r); err != nil {
			s.Logger.Error("report run", "id", r.ID, "err", err)
		}
		sum, size, genErr = s.writeFile(ctx, r)
		<-s.slots
	case <-ctx.Done():
		genErr = fmt.Errorf("stopped while queued: %w", ctx.Err())
	}
	finished := s.Clock.Now()
	r.FinishedAt = &finished
	if genErr != nil {
		r.Status, r.Error = reporting.RunFailed, genErr.Error()
		s.Logger.Error("report run failed", "id", r.ID, "kind", r.Kind, "err", genErr)
	} else {
		r.Status, r.SHA256, r.Size = reporting.RunDone, sum, size
	}
	// The outcome is recorded even when the run was stopped.
	ctx = context.WithoutCancel(ctx)
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Runs.Update(ctx, r); err != nil {
			return err
		}
		return domain.Auditor{Store: s.Audit, Clock: s.Clock}.Record(ctx, "report.generate", "report", r.ID, nil, r)
	})
	if err != nil {
		s.Logger.Error("report run: record outcome", "id", r.ID, "err", err)
	}
}

// Path is where a run's file is stored.
func (s *Service) Path(id string) string { return filepath.Join(s.Dir, id+".xlsx") }

func (s *Service) writeFile(ctx context.Context, r reporting.Run) (sum string, size int64, err error) {
	if s.Dir == "" {
		return "", 0, errors.New("no report directory configured")
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(s.Dir, r.ID+"-*.tmp")
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	actor := domain.ActorFrom(ctx)
	opt := Options{GeneratedBy: actorName(actor)}
	if _, err = s.Generate(ctx, r.Kind, r.Filter, opt, cw); err != nil {
		return "", 0, err
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, err
	}
	if err = tmp.Close(); err != nil {
		return "", 0, err
	}
	if err = os.Rename(tmp.Name(), s.Path(r.ID)); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), cw.n, nil
}

// countWriter counts the bytes written through it to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Get returns one run.
func (s *Service) Get(ctx context.Context, id string) (reporting.Run, error) {
	if !domain.ValidID(id) {
		return reporting.Run{}, fmt.Errorf("report %s: %w", id, domain.ErrNotFound)
	}
	return s.Runs.Get(ctx, id)
}

// List returns runs newest first.
func (s *Service) List(ctx context.Context, p domain.PageRequest) (domain.Page[reporting.Run], error) {
	return s.Runs.List(ctx, p)
}

// ErrNotReady is returned for the file of a run that is not done.
var ErrNotReady = errors.New("the report is not ready")

// Open returns a done run and its stored file; the caller closes it.
func (s *Service) Open(ctx context.Context, id string) (reporting.Run, *os.File, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return reporting.Run{}, nil, err
	}
	if r.Status != reporting.RunDone {
		return r, nil, fmt.Errorf("report %s is %s: %w", id, r.Status, ErrNotReady)
	}
	fh, err := os.Open(s.Path(id))
	if err != nil {
		return r, nil, fmt.Errorf("report %s file: %w", id, err)
	}
	return r, fh, nil
}

// Recover marks runs left queued or running by a previous process failed.
func (s *Service) Recover(ctx context.Context) (int64, error) {
	s.init()
	return s.Runs.FailUnfinished(ctx, s.Clock.Now(), "interrupted: the server stopped before the report was finished")
}

// Close stops the runs in progress and waits for them to record their
// outcome.
func (s *Service) Close() {
	s.init()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
}

// Wait waits for the background runs (tests).
func (s *Service) Wait() { s.wg.Wait() }

// Scope says what AsOf covers; the Summary sheet and the API repeat it.
const Scope = "As of: rows created after the as-of instant are excluded (vendors, data handling, contracts, " +
	"attestations, reviews, findings first seen, incidents, obligations); computed fields are evaluated at it " +
	"(days left, expired/expiring, last review and next due, review overdue, breach-notification clause in force, " +
	"the notice clock, obligation overdue, findings open at as-of: resolved later counts as open); an incident " +
	"notified after as-of counts as not yet notified. Other stored fields (names, status, tier, risk inputs, " +
	"review status of attestations, obligation status) are their current values: the database keeps no history of them."

// ResidualBasis labels the risk figures of the executive report.
const ResidualBasis = "distribution and trend: inherent tier; residual_distribution: the residual tier the last " +
	"compliance scan stored; top_vendors: ranked by the residual score the last scan stored (the inherent score where " +
	"it has not scored a vendor), with the inherent score and tier, and the residual score and residual tier beside them"
