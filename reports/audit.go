package reports

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// Sheet names of the audit workbook, in order.
const (
	SheetSummary      = "Summary"
	SheetVendors      = "Vendors"
	SheetInventory    = "Data inventory"
	SheetContracts    = "Contracts"
	SheetAttestations = "Attestations"
	SheetReviews      = "Reviews"
	SheetFindings     = "Findings"
	SheetIncidents    = "Incidents"
	SheetObligations  = "Obligations"
)

// AuditSheets lists the sheets of the audit workbook in order.
var AuditSheets = []string{SheetSummary, SheetVendors, SheetInventory, SheetContracts, SheetAttestations,
	SheetReviews, SheetFindings, SheetIncidents, SheetObligations}

// RecentlyResolvedDays is how far back the Findings sheet lists resolved
// findings, after the open ones.
const RecentlyResolvedDays = 90

// lagChartIncidents bounds the incidents of the notification-lag chart:
// those with the largest lag.
const lagChartIncidents = 20

// lagCapDays caps the bars of the notification-lag chart.
const lagCapDays = 60.0

// Stats are what a written workbook holds.
type Stats struct {
	Rows map[string]int64 `json:"rows"` // data rows per sheet
}

// TotalRows is the number of data rows over all sheets.
func (s Stats) TotalRows() int64 {
	var n int64
	for _, r := range s.Rows {
		n += r
	}
	return n
}

// lagEntry is one bar of the notification-lag chart.
type lagEntry struct {
	title, vendor    string
	lagDays, winDays float64
	status           incident.NoticeStatus
	discovered       time.Time
	incidentID       string
}

// summary accumulates the headline figures while the sheets stream: fixed
// counters and a bounded list, whatever the number of rows.
type summary struct {
	tiers                            map[register.Tier]int64
	statuses                         map[register.VendorStatus]int64
	severities                       map[string]int64
	vendors                          int64
	reviewsOverdue, neverReviewed    int64
	attExpired, attExpiring          int64
	incidentsLate, noticesOverdue    int64
	obligationsDue7, obligationsLate int64
	clauseGaps                       int64
	lags                             []lagEntry // the lagChartIncidents largest lags
}

func newSummary() *summary {
	return &summary{tiers: map[register.Tier]int64{}, statuses: map[register.VendorStatus]int64{},
		severities: map[string]int64{}}
}

func (s *summary) addLag(e lagEntry) {
	if len(s.lags) < lagChartIncidents {
		s.lags = append(s.lags, e)
		return
	}
	i := slices.IndexFunc(s.lags, func(x lagEntry) bool { return x.lagDays < e.lagDays })
	if i < 0 {
		return
	}
	// replace the smallest
	minI := 0
	for j, x := range s.lags {
		if x.lagDays < s.lags[minI].lagDays {
			minI = j
		}
	}
	s.lags[minI] = e
}

// auditWriter holds one workbook being written. Two sheets are written at
// once: each sheet's rows go to its own StreamWriter, and mu serialises
// everything else that touches the workbook (creating and finishing
// sheets, Stats). Each sheet adds to its own fields of sum.
type auditWriter struct {
	filter reporting.Filter
	opt    Options
	f      *excelize.File
	st     *styles
	asOf   time.Time
	today  domain.Date
	sum    *summary
	mu     sync.Mutex
	stats  Stats
}

// start creates a sheet's stream writer and header.
func (a *auditWriter) start(name string, cols []column) (*sheet, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return startSheet(a.f, a.st, name, cols, a.opt.Progress)
}

// WriteAudit writes the audit workbook for filter to w. Rows are streamed
// from src sheet by sheet; what the writer keeps besides excelize's own
// buffers is a fixed set of counters.
func WriteAudit(ctx context.Context, src reporting.Source, filter reporting.Filter, opt Options, w io.Writer) (Stats, error) {
	if filter.AsOf.IsZero() {
		filter.AsOf = time.Now().UTC()
	}
	filter.AsOf = filter.AsOf.UTC()
	opt.defaults(filter.AsOf)
	release, err := src.ReserveReads(ctx, sheetsReading)
	if err != nil {
		return Stats{}, err
	}
	defer release()
	f, st, err := newBook()
	if err != nil {
		return Stats{}, err
	}
	defer func() { _ = f.Close() }()
	if progress := opt.Progress; progress != nil {
		var mu sync.Mutex // two sheets report at once
		opt.Progress = func(sheet string, rows int64) {
			mu.Lock()
			defer mu.Unlock()
			progress(sheet, rows)
		}
	}
	a := &auditWriter{filter: filter, opt: opt, f: f, st: st, asOf: filter.AsOf,
		today: domain.DateOf(filter.AsOf), sum: newSummary(), stats: Stats{Rows: map[string]int64{}}}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return Stats{}, err
	}
	// The sheets exist from the start, in the workbook's order, so that
	// they can be written in another: two at a time, largest first, with
	// the Vendors sheet fourth, so that its statements (three sorts, on new
	// connections; 0.15-0.3 s to the first row at 10k vendors) run while
	// the writers are busy.
	for _, name := range AuditSheets[1:] {
		if _, err := f.NewSheet(name); err != nil {
			return Stats{}, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	since := a.asOf.AddDate(0, 0, -RecentlyResolvedDays)
	findings := func(ctx context.Context, f reporting.Filter, fn func(reporting.FindingRow) error) error {
		return src.EachFinding(ctx, f, since, fn)
	}
	steps := []func() pendingSheet{
		sheetStep(ctx, filter, src.EachAttestation, a.attestations),
		sheetStep(ctx, filter, src.EachHandling, a.inventory),
		sheetStep(ctx, filter, src.EachContract, a.contracts),
		sheetStep(ctx, filter, src.EachVendor, a.vendors),
		sheetStep(ctx, filter, findings, a.findings),
		sheetStep(ctx, filter, src.EachReview, a.reviews),
		sheetStep(ctx, filter, src.EachIncident, a.incidents),
		sheetStep(ctx, filter, obligationsAndChecks(src), a.obligations),
	}
	if err := writeSheets(steps, sheetWriters, cancel); err != nil {
		return Stats{}, err
	}
	release() // the rest reads nothing
	if err := a.summarySheet(); err != nil {
		return Stats{}, err
	}
	// Summary (Sheet1) is the active sheet already; SetActiveSheet would
	// parse every streamed sheet back into memory.
	if err := f.SetDocProps(&excelize.DocProperties{Title: "Vendorwatch audit workbook", Creator: "Vendorwatch",
		Description: "As of " + filter.AsOf.Format(time.RFC3339), Created: opt.GeneratedAt.UTC().Format(time.RFC3339)}); err != nil {
		return Stats{}, err
	}
	// Saving reads back every sheet's XML (excelize keeps up to 16 MiB of
	// each in memory) while it deflates: start it from a collected heap
	// with the free pages handed back, so what the sheets left behind does
	// not add to it. SaveBook writes the zip straight to w.
	debug.FreeOSMemory()
	if err := SaveBook(f, w, opt.Compression); err != nil {
		return Stats{}, err
	}
	return a.stats, nil
}

// sheetWriters is how many sheets are written at once. On two cores a
// single writing goroutine is the workbook's critical path (excelize's
// SetRow), with the readers and PostgreSQL beside it.
const sheetWriters = 2

// sheetsReading is how many sheets are read at once: each writer's, and
// the next one (see writeSheets).
const sheetsReading = sheetWriters + 1

// writeSheets writes the sheets with workers goroutines, each taking the
// next sheet in order. A sheet's rows are read in their own goroutine
// through a bounded channel, starting one sheet ahead: when a sheet is
// taken, the one after it starts reading. The first error stops the
// others (cancel ends the readers' context) and is returned.
func writeSheets(steps []func() pendingSheet, workers int, cancel context.CancelFunc) error {
	var (
		mu      sync.Mutex // guards started, next and failed
		started []pendingSheet
		next    int
		failed  error
	)
	take := func() (pendingSheet, bool) {
		mu.Lock()
		defer mu.Unlock()
		if failed != nil || next == len(steps) {
			return pendingSheet{}, false
		}
		for len(started) < min(next+2, len(steps)) {
			started = append(started, steps[len(started)]())
		}
		next++
		return started[next-1], true
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				p, ok := take()
				if !ok {
					return
				}
				if err := p.write(); err != nil {
					mu.Lock()
					if failed == nil {
						failed = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range started {
		p.stop()
	}
	return failed
}

// pendingSheet is a sheet whose rows are being read: write writes it,
// stop ends the reading (after write, or when the workbook fails).
type pendingSheet struct {
	write func() error
	stop  func()
}

// obligationsAndChecks reads the Obligations sheet's rows: the
// obligations, then the regimes checked and not applied.
func obligationsAndChecks(src reporting.Source) func(context.Context, reporting.Filter, func(reporting.ObligationRow) error) error {
	return func(ctx context.Context, f reporting.Filter, fn func(reporting.ObligationRow) error) error {
		if err := src.EachObligation(ctx, f, fn); err != nil {
			return err
		}
		return src.EachRegimeCheck(ctx, f, func(c reporting.IncidentChecks) error {
			for _, r := range checkObligationRows(c) {
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// sheetStep returns the starter of a sheet: it begins reading the rows
// with read, ahead of write.
func sheetStep[T any](ctx context.Context, f reporting.Filter, read func(context.Context, reporting.Filter, func(T) error) error,
	write func(*rowFeed[T]) error) func() pendingSheet {
	return func() pendingSheet {
		rows := readAhead(ctx, func(ctx context.Context, fn func(T) error) error { return read(ctx, f, fn) })
		return pendingSheet{write: func() error { return write(rows) }, stop: rows.stop}
	}
}

func (a *auditWriter) done(s *sheet, marks []mark, table string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Rows[s.name] = s.rows
	return s.finish(marks, table)
}

var vendorCols = []column{
	{"Vendor", 30}, {"Vendor ID", 38}, {"Status", 12}, {"Criticality", 12}, {"Tier", 10},
	{"Tier override reason", 24}, {"Inherent score", 10}, {"Sensitivity points", 11}, {"Volume points", 10},
	{"Criticality points", 11}, {"Owner", 26}, {"Country", 8}, {"Data categories", 30}, {"Records", 14},
	{"Jurisdictions", 20}, {"Last review", 12}, {"Next review due", 12}, {"Review state", 14},
	{"Open findings", 10}, {"Residual risk (latest review)", 14}, {"Residual score (scan)", 10},
	{"Residual tier (scan)", 12}, {"Created", 17},
}

func (a *auditWriter) vendors(rows *rowFeed[reporting.VendorRow]) error {
	s, err := a.start(SheetVendors, vendorCols)
	if err != nil {
		return err
	}
	cadence := a.opt.Policy.ReviewCadence
	err = rows.each(func(v reporting.VendorRow) error {
		risk := register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: v.MaxSensitivity,
			MaxRecords: v.MaxRecords, Criticality: v.Criticality})
		next := review.NextReviewDue(v.LastReviewOn, v.Tier, cadence)
		state := ReviewState(v, a.today, cadence)
		switch state {
		case ReviewStateNever:
			a.sum.neverReviewed++
		case ReviewStateOverdue:
			a.sum.reviewsOverdue++
		}
		a.sum.vendors++
		a.sum.tiers[v.Tier]++
		a.sum.statuses[v.Status]++
		return s.add(v.Name, v.ID, string(v.Status), string(v.Criticality), string(v.Tier),
			orNil(v.TierOverrideReason), int64(v.RiskScore), int64(risk.Factors[0].Points),
			int64(risk.Factors[1].Points), int64(risk.Factors[2].Points), orNil(v.Owner), orNil(v.Country),
			orNil(strings.Join(v.Categories, ", ")), a.st.n(v.RecordCount), orNil(strings.Join(v.Jurisdictions, ", ")),
			a.st.d(v.LastReviewOn), a.st.d(next), state, v.OpenFindings, orNil(string(v.LatestResidual)),
			residualScore(v.ResidualScore), orNil(string(v.ResidualTier)), a.st.t(v.CreatedAt))
	})
	if err != nil {
		return fmt.Errorf("vendors sheet: %w", err)
	}
	return a.done(s, []mark{{col: 18, values: []string{"overdue"}, red: true},
		{col: 18, values: []string{"never reviewed"}}}, "VendorsTable")
}

var inventoryCols = []column{
	{"Vendor", 30}, {"Vendor ID", 38}, {"Category", 18}, {"Category name", 26}, {"Personal data", 9},
	{"Sensitivity", 9}, {"Stores", 8}, {"Processes", 9}, {"Transmits", 9}, {"Records", 14},
	{"Jurisdictions", 20}, {"Systems", 24}, {"Notes", 30}, {"Created", 17}, {"Updated", 17}, {"Sensitivity level", 12},
}

func (a *auditWriter) inventory(rows *rowFeed[reporting.HandlingRow]) error {
	s, err := a.start(SheetInventory, inventoryCols)
	if err != nil {
		return err
	}
	err = rows.each(func(h reporting.HandlingRow) error {
		cat, _ := register.LookupCategory(h.Category)
		level := "standard"
		if cat.Sensitivity >= 4 {
			level = "highest"
		}
		return s.add(h.VendorName, h.VendorID, h.Category, orNil(cat.Name), yesNo(cat.Personal),
			int64(cat.Sensitivity), yesNo(h.Stores), yesNo(h.Processes), yesNo(h.Transmits), a.st.n(h.RecordCount),
			orNil(strings.Join(h.Jurisdictions, ", ")), orNil(strings.Join(h.Systems, ", ")), orNil(h.Notes),
			a.st.t(h.CreatedAt), a.st.t(h.UpdatedAt), level)
	})
	if err != nil {
		return fmt.Errorf("data inventory sheet: %w", err)
	}
	return a.done(s, []mark{{col: 16, values: []string{"highest"}}}, "DataInventoryTable")
}

func (a *auditWriter) contractCols() []column {
	cols := []column{
		{"Vendor", 30}, {"Contract ID", 38}, {"Title", 28}, {"Reference", 14}, {"Status", 11},
		{"Effective", 12}, {"Expires", 12}, {"Auto-renew", 9}, {"Renewal notice days", 10},
		{"Renewal notice deadline", 13}, {"State", 16}, {"Governing law", 12}, {"Annual value", 14},
		{"Currency", 8}, {"Breach-notification window", 30}, {"Window hours (max)", 10}, {"Trigger", 16},
		{"Clause in force from", 17}, {"Right to audit", 9}, {"Subprocessor approval", 11},
		{"Data return or destruction", 11}, {"Security standard", 16}, {"DPA", 7}, {"BAA", 7},
		{"Cyber insurance min", 14}, {"Clause audit", 12}, {"Clause audit gaps", 60},
	}
	for _, r := range a.opt.Policy.Clauses.Requirements {
		cols = append(cols, column{r.ID, 14})
	}
	return cols
}

// contractStateCol and contractAuditCol are the 1-based columns the
// conditional formats of the Contracts sheet test.
const (
	contractStateCol = 11
	contractAuditCol = 26
)

func (a *auditWriter) contracts(rows *rowFeed[reporting.ContractRow]) error {
	s, err := a.start(SheetContracts, a.contractCols())
	if err != nil {
		return err
	}
	pol := a.opt.Policy.Clauses
	vals := make([]any, len(s.cols))
	err = rows.each(func(r reporting.ContractRow) error {
		c := r.Contract
		deadline := c.RenewalNoticeDeadline()
		state := "ok"
		switch {
		case !c.ExpiresOn.IsZero() && c.ExpiresOn.Before(a.today):
			state = "expired"
		case c.Status == contract.ContractExpired || c.Status == contract.ContractTerminated:
			state = string(c.Status)
		case !deadline.IsZero() && deadline.Before(a.today):
			state = "notice passed"
		case !deadline.IsZero() && a.today.DaysUntil(deadline) <= a.opt.ExpiringDays:
			state = "notice due soon"
		}
		i := 0
		put := func(v any) { vals[i] = v; i++ }
		put(r.VendorName)
		put(c.ID)
		put(c.Title)
		put(orNil(c.Reference))
		put(string(c.Status))
		put(a.st.d(c.EffectiveOn))
		put(a.st.d(c.ExpiresOn))
		put(yesNo(c.AutoRenew))
		put(int64(c.RenewalNoticeDays))
		put(a.st.d(deadline))
		put(state)
		put(orNil(c.GoverningLaw))
		if c.AnnualValue != nil {
			put(a.st.f2(moneyFloat(*c.AnnualValue)))
			put(c.AnnualValue.Currency)
		} else {
			put(nil)
			put(nil)
		}
		if r.Clause != nil {
			w, _ := r.Clause.Terms.EffectiveWindow(pol.StandardWindows)
			put(r.Clause.Terms.Describe(pol.StandardWindows))
			put(int64(w.MaxHours()))
			put(string(r.Clause.Terms.Trigger))
			put(a.st.t(r.Clause.EffectiveFrom))
		} else {
			put("none in force")
			put(nil)
			put(nil)
			put(nil)
		}
		put(yesNo(c.RightToAudit))
		put(yesNo(c.SubprocessorApproval))
		put(yesNo(c.DataReturnOrDestruction))
		put(orNil(c.SecurityStandard))
		put(yesNo(c.DPA))
		put(yesNo(c.BAA))
		if c.CyberInsuranceMin != nil {
			put(fmt.Sprintf("%.2f %s", moneyFloat(*c.CyberInsuranceMin), c.CyberInsuranceMin.Currency))
		} else {
			put(nil)
		}
		overall, reasons := "n/a", []string{}
		verdicts := make([]any, 0, len(pol.Requirements))
		for _, req := range pol.Requirements {
			if !req.When.Matches(r.Facts) {
				verdicts = append(verdicts, "n/a")
				continue
			}
			fd := pol.EvaluateRequirement(req, c, r.Clause)
			verdicts = append(verdicts, string(fd.Status))
			if fd.Status != contract.AuditMet {
				reasons = append(reasons, req.ID+": "+fd.Reason)
			}
			if overall == "n/a" || verdictRank[fd.Status] < verdictRank[contract.AuditStatus(overall)] {
				overall = string(fd.Status)
			}
		}
		if overall == string(contract.AuditMissing) || overall == string(contract.AuditTooWeak) {
			a.sum.clauseGaps++
		}
		put(overall)
		put(orNil(strings.Join(reasons, "; ")))
		for _, v := range verdicts {
			put(v)
		}
		return s.add(vals...)
	})
	if err != nil {
		return fmt.Errorf("contracts sheet: %w", err)
	}
	return a.done(s, []mark{
		{col: contractStateCol, values: []string{"expired", "notice passed"}, red: true},
		{col: contractStateCol, values: []string{"notice due soon"}},
		{col: contractAuditCol, values: []string{"missing", "too_weak"}, red: true},
	}, "ContractsTable")
}

var verdictRank = map[contract.AuditStatus]int{contract.AuditMissing: 0, contract.AuditTooWeak: 1, contract.AuditMet: 2}

var attestationCols = []column{
	{"Vendor", 30}, {"Attestation ID", 38}, {"Kind", 16}, {"Issuer", 20}, {"Period start", 12},
	{"Period end", 12}, {"Issued", 12}, {"Expires", 12}, {"Days left", 9}, {"State", 11},
	{"Opinion", 12}, {"Exceptions", 9}, {"Review status", 13}, {"Evidence sha256", 66}, {"Created", 17},
}

func (a *auditWriter) attestations(rows *rowFeed[reporting.AttestationRow]) error {
	s, err := a.start(SheetAttestations, attestationCols)
	if err != nil {
		return err
	}
	err = rows.each(func(r reporting.AttestationRow) error {
		left := a.today.DaysUntil(r.ExpiresOn)
		state := "ok"
		switch {
		case attestation.Expired(r.ExpiresOn, a.today):
			state = "expired"
			if r.ExpiredCounted {
				a.sum.attExpired++
			}
		case attestation.ExpiresWithin(r.ExpiresOn, a.today, a.opt.ExpiringDays):
			state = "expiring"
			a.sum.attExpiring++
		}
		return s.add(r.VendorName, r.ID, r.Kind, orNil(r.Issuer), a.st.d(r.PeriodStart), a.st.d(r.PeriodEnd),
			a.st.d(r.IssuedOn), a.st.d(r.ExpiresOn), int64(left), state, orNil(r.Opinion), int64(r.Exceptions),
			r.ReviewStatus, orNil(r.EvidenceSHA256), a.st.t(r.CreatedAt))
	})
	if err != nil {
		return fmt.Errorf("attestations sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"expired"}, red: true}, {col: 10, values: []string{"expiring"}}},
		"AttestationsTable")
}

var reviewCols = []column{
	{"Vendor", 30}, {"Review ID", 38}, {"Vendor tier", 10}, {"Performed on", 12}, {"Reviewer", 22},
	{"Outcome", 20}, {"Residual risk", 12}, {"Next due", 12}, {"Latest", 8}, {"State", 10}, {"Notes", 50},
}

func (a *auditWriter) reviews(rows *rowFeed[reporting.ReviewRow]) error {
	s, err := a.start(SheetReviews, reviewCols)
	if err != nil {
		return err
	}
	cadence := a.opt.Policy.ReviewCadence
	err = rows.each(func(r reporting.ReviewRow) error {
		next := review.NextReviewDue(r.PerformedOn, r.VendorTier, cadence)
		state := "ok"
		switch {
		case !r.Latest:
			state = "superseded"
		case review.ReviewOverdue(next, a.today):
			state = "overdue"
		}
		return s.add(r.VendorName, r.ID, string(r.VendorTier), a.st.d(r.PerformedOn), r.Reviewer, r.Outcome,
			r.ResidualRisk, a.st.d(next), yesNo(r.Latest), state, orNil(r.Notes))
	})
	if err != nil {
		return fmt.Errorf("reviews sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"overdue"}, red: true}}, "ReviewsTable")
}

var findingCols = []column{
	{"Severity", 10}, {"State", 18}, {"Status (current)", 14}, {"Vendor", 30}, {"Rule", 28},
	{"Subject type", 14}, {"Subject ID", 38}, {"First seen", 17}, {"Last seen", 17}, {"Resolved", 17},
	{"Accepted until", 12}, {"Finding ID", 38},
}

func (a *auditWriter) findings(rows *rowFeed[reporting.FindingRow]) error {
	s, err := a.start(SheetFindings, findingCols)
	if err != nil {
		return err
	}
	err = rows.each(func(r reporting.FindingRow) error {
		state := "resolved"
		if r.OpenAtAsOf {
			state = "open"
			a.sum.severities[r.Severity]++
			if r.Status == "risk_accepted" && !r.AcceptedUntil.IsZero() && r.AcceptedUntil.Before(a.today) {
				state = "acceptance expired"
			}
		}
		resolved := r.ResolvedAt
		if resolved != nil && resolved.After(a.asOf) {
			resolved = nil
		}
		return s.add(r.Severity, state, r.Status, r.VendorName, r.RuleID, r.SubjectType, r.SubjectID,
			a.st.t(r.FirstSeenAt), a.st.t(r.LastSeenAt), a.st.tp(resolved), a.st.d(r.AcceptedUntil), r.ID)
	})
	if err != nil {
		return fmt.Errorf("findings sheet: %w", err)
	}
	return a.done(s, []mark{{col: 2, values: []string{"acceptance expired"}, red: true}, {col: 2, values: []string{"open"}}},
		"FindingsTable")
}

var incidentCols = []column{
	{"Vendor", 30}, {"Incident ID", 38}, {"Title", 30}, {"Status", 10}, {"Exposure start", 17},
	{"Exposure end", 17}, {"Vendor discovered", 17}, {"Vendor notified us", 17}, {"We learned", 17},
	{"Learned via", 14}, {"Lag days", 9}, {"Window", 28}, {"Window days", 9}, {"Notice due", 17},
	{"Late by days", 9}, {"Notice status", 11}, {"Records affected", 13}, {"Law deadline (vendor)", 17},
	{"Law basis", 30}, {"Broken", 10},
}

func (a *auditWriter) incidents(rows *rowFeed[reporting.IncidentRow]) error {
	s, err := a.start(SheetIncidents, incidentCols)
	if err != nil {
		return err
	}
	std := a.opt.Policy.Clauses.StandardWindows
	err = rows.each(func(r reporting.IncidentRow) error {
		clock, verdict := NoticeVerdictAt(r, std, a.asOf)
		inc := r.Incident
		var lag, late, win any
		var winDays float64
		if clock.Lag != nil {
			lag = a.st.f2(clock.Lag.Days)
		}
		if clock.LateBy != nil {
			late = a.st.f2(clock.LateBy.Days)
		}
		if clock.DueAt != nil {
			winDays = math.Round(clock.DueAt.Sub(inc.VendorDiscoveredAt).Hours()/24*100) / 100
			win = a.st.f2(winDays)
		}
		switch verdict.Status {
		case incident.NoticeLate:
			a.sum.incidentsLate++
		case incident.NoticeOverdue:
			a.sum.incidentsLate++
			a.sum.noticesOverdue++
		}
		var lawBasis any
		if reg, ok := incident.DefaultCatalogue().Regime(inc.LawNoticeRegimeID); ok && inc.LawNoticeDueAt != nil {
			lawBasis = reg.Citation + ": " + reg.DeadlineText()
		}
		if clock.Lag != nil && clock.DueAt != nil {
			a.sum.addLag(lagEntry{title: inc.Title, vendor: r.VendorName, lagDays: clock.Lag.Days, winDays: winDays,
				status: clock.Status, discovered: inc.VendorDiscoveredAt, incidentID: inc.ID})
		}
		return s.add(r.VendorName, inc.ID, inc.Title, string(inc.Status), a.st.tp(inc.ExposureStart),
			a.st.tp(inc.ExposureEnd), a.st.t(inc.VendorDiscoveredAt), a.st.tp(clock.NotifiedAt), a.st.t(inc.WeLearnedAt),
			string(inc.LearnedVia), lag, orNil(clock.WindowText), win, a.st.tp(clock.DueAt), late,
			string(clock.Status), a.st.n(inc.RecordsAffected), a.st.tp(inc.LawNoticeDueAt), lawBasis, orNil(verdict.Broken))
	})
	if err != nil {
		return fmt.Errorf("incidents sheet: %w", err)
	}
	return a.done(s, []mark{{col: 16, values: []string{"late", "overdue"}, red: true}, {col: 16, values: []string{"pending"}},
		{col: 20, values: []string{incident.BrokeContract, incident.BrokeLaw, incident.BrokeBoth}, red: true}}, "IncidentsTable")
}

// NoticeAt is the notice clock of an incident as of asOf: a notice given
// after asOf counts as not yet given.
func NoticeAt(r reporting.IncidentRow, std map[contract.NotificationStandard]contract.StandardWindow, asOf time.Time) incident.NoticeClock {
	inc := r.Incident
	if inc.VendorNotifiedUsAt != nil && inc.VendorNotifiedUsAt.After(asOf) {
		inc.VendorNotifiedUsAt = nil
	}
	return incident.ComputeNoticeClock(inc, r.Clause, std, asOf)
}

var obligationCols = []column{
	{"Vendor", 30}, {"Incident", 30}, {"Regime", 30}, {"Regime ID", 16}, {"Recipient", 24}, {"Due", 17},
	{"Deadline", 40}, {"Status", 13}, {"Done", 17}, {"State", 12}, {"Citation", 30}, {"Citation verification", 22},
	{"Incident ID", 38}, {"Obligation ID", 38}, {"What is required", 60}, {"Working due (policy, not law)", 17},
	{"Working deadline", 36}, {"Why not applied", 70},
}

var verification = map[string]string{"V": "V (verified)", "P": "P (partly verified)", "U": "U (unverified)"}

func (a *auditWriter) obligations(rows *rowFeed[reporting.ObligationRow]) error {
	s, err := a.start(SheetObligations, obligationCols)
	if err != nil {
		return err
	}
	week := a.asOf.Add(7 * 24 * time.Hour)
	err = rows.each(func(r reporting.ObligationRow) error {
		status, done := r.Status, r.DoneAt
		if done != nil && done.After(a.asOf) {
			status, done = string(incident.ObligationOpen), nil
		}
		state := "ok"
		switch {
		case r.NotAppliedReason != "":
			state = StatusNotApplied
		case status == string(incident.ObligationOpen) && r.DueAt != nil:
			switch {
			case r.DueAt.Before(a.asOf):
				state = "overdue"
				a.sum.obligationsLate++
			case !r.DueAt.After(week):
				state = "due in 7 days"
				a.sum.obligationsDue7++
			}
		case status == string(incident.ObligationOpen) && r.WorkingDueAt != nil && r.WorkingDueAt.Before(a.asOf):
			state = "past working deadline"
		}
		ver := verification[r.SourceStatus]
		if ver == "" {
			ver = r.SourceStatus
		}
		return s.add(r.VendorName, r.IncidentTitle, r.Regime, r.RegimeID, orNil(r.Recipient), a.st.tp(r.DueAt),
			orNil(r.DeadlineText), status, a.st.tp(done), state, r.Citation, orNil(ver), r.IncidentID, orNil(r.ID),
			orNil(r.Title), a.st.tp(r.WorkingDueAt), orNil(r.WorkingText), orNil(r.NotAppliedReason))
	})
	if err != nil {
		return fmt.Errorf("obligations sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"overdue"}, red: true},
		{col: 10, values: []string{"due in 7 days", "past working deadline"}}}, "ObligationsTable")
}

// summarySheet fills the first sheet in normal mode (it is small): the
// as-of, who generated it, the headline figures, links to the sheets and
// the charts, which reference the figures' cells.
func (a *auditWriter) summarySheet() error {
	f, st, sh := a.f, a.st, SheetSummary
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			return err
		}
		if style > 0 {
			return f.SetCellStyle(sh, cell, cell, style)
		}
		return nil
	}
	type kv struct {
		cell  string
		v     any
		style int
	}
	cells := []kv{
		{"A1", "Vendorwatch audit workbook", st.title},
		{"A2", "As of (UTC)", st.bold}, {"B2", a.asOf, st.datetime},
		{"A3", "Generated at (UTC)", st.bold}, {"B3", a.opt.GeneratedAt.UTC(), st.datetime},
		{"A4", "Generated by", st.bold}, {"B4", a.opt.GeneratedBy, 0},
		{"A5", "Filters", st.bold}, {"B5", describeFilter(a.filter), 0},
		{"A6", "What as-of covers", st.boldTop}, {"B6", Scope, st.wrap},
	}
	for _, c := range cells {
		if err := set(c.cell, c.v, c.style); err != nil {
			return err
		}
	}
	if err := f.MergeCell(sh, "B6", "F6"); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 6, 120); err != nil {
		return err
	}
	if err := a.checkpointRow(7); err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 44, "B": 18, "C": 14, "D": 14, "E": 12, "F": 12} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	// Links to the sheets, with their row counts.
	row := 8
	if err := set("A8", "Sheet", st.header); err != nil {
		return err
	}
	if err := set("B8", "Rows", st.header); err != nil {
		return err
	}
	for _, name := range AuditSheets[1:] {
		row++
		cell := fmt.Sprintf("A%d", row)
		if err := set(cell, name, st.link); err != nil {
			return err
		}
		if err := f.SetCellHyperLink(sh, cell, fmt.Sprintf("'%s'!A1", name), "Location"); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), a.stats.Rows[name], st.int); err != nil {
			return err
		}
	}
	// Headline figures.
	row += 2
	head := row
	figures := []struct {
		label string
		v     int64
	}{
		{"Vendors", a.sum.vendors},
		{"Attestations expired", a.sum.attExpired},
		{"Attestations expiring within " + domain.Count(a.opt.ExpiringDays, "day", "days"), a.sum.attExpiring},
		{"Reviews overdue", a.sum.reviewsOverdue},
		{"Vendors never reviewed", a.sum.neverReviewed},
		{"Incidents with late notices (late or overdue)", a.sum.incidentsLate},
		{"Vendor notices overdue now", a.sum.noticesOverdue},
		{"Obligations due in the next 7 days", a.sum.obligationsDue7},
		{"Obligations overdue", a.sum.obligationsLate},
		{"Contracts with clause-audit gaps", a.sum.clauseGaps},
	}
	if err := set(fmt.Sprintf("A%d", row), "Headline figure", st.header); err != nil {
		return err
	}
	if err := set(fmt.Sprintf("B%d", row), "Value", st.header); err != nil {
		return err
	}
	for _, fg := range figures {
		row++
		if err := set(fmt.Sprintf("A%d", row), fg.label, 0); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), fg.v, st.int); err != nil {
			return err
		}
	}
	_ = head
	// Vendors by tier.
	row += 2
	tierHead := row
	if err := set(fmt.Sprintf("A%d", row), "Vendors by tier", st.header); err != nil {
		return err
	}
	if err := set(fmt.Sprintf("B%d", row), "Vendors", st.header); err != nil {
		return err
	}
	for _, t := range register.Tiers {
		row++
		if err := set(fmt.Sprintf("A%d", row), string(t), 0); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), a.sum.tiers[t], st.int); err != nil {
			return err
		}
	}
	tierLast := row
	// Vendors by status.
	row += 2
	if err := set(fmt.Sprintf("A%d", row), "Vendors by status", st.header); err != nil {
		return err
	}
	if err := set(fmt.Sprintf("B%d", row), "Vendors", st.header); err != nil {
		return err
	}
	for _, s := range register.VendorStatuses {
		row++
		if err := set(fmt.Sprintf("A%d", row), string(s), 0); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), a.sum.statuses[s], st.int); err != nil {
			return err
		}
	}
	// Open findings by severity.
	row += 2
	sevHead := row
	if err := set(fmt.Sprintf("A%d", row), "Open findings by severity", st.header); err != nil {
		return err
	}
	if err := set(fmt.Sprintf("B%d", row), "Findings", st.header); err != nil {
		return err
	}
	for _, s := range []string{"critical", "high", "medium", "low"} {
		row++
		if err := set(fmt.Sprintf("A%d", row), s, 0); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), a.sum.severities[s], st.int); err != nil {
			return err
		}
	}
	sevLast := row
	// Notification lag per incident.
	row += 2
	lagHead := row
	if err := f.SetRowHeight(sh, row, 30); err != nil { // the wrapped headers
		return err
	}
	hdr := []string{fmt.Sprintf("Notification lag (largest %d)", lagChartIncidents), "Lag days",
		fmt.Sprintf("Lag, days (capped at %.0f)", lagCapDays), "Contractual window, days", "Notice status", "Vendor"}
	for i, h := range hdr {
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := set(cell, h, st.header); err != nil {
			return err
		}
	}
	lags := slices.Clone(a.sum.lags)
	slices.SortFunc(lags, func(x, y lagEntry) int { return x.discovered.Compare(y.discovered) })
	for _, l := range lags {
		row++
		vals := []any{l.title, l.lagDays, math.Min(l.lagDays, lagCapDays), math.Min(l.winDays, lagCapDays),
			string(l.status), l.vendor}
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			style := 0
			if i >= 1 && i <= 3 {
				style = st.num2
			}
			if err := set(cell, v, style); err != nil {
				return err
			}
		}
	}
	lagLast := row
	if len(lags) == 0 {
		row++
		if err := set(fmt.Sprintf("A%d", row), "No incident has both a notice and a contractual window.", 0); err != nil {
			return err
		}
	}
	if err := set(fmt.Sprintf("A%d", row+2), "Findings come from the compliance scanner (findings table): open at as-of, then resolved in the last 90 days.", 0); err != nil {
		return err
	}
	if err := printOnOnePage(f, sh); err != nil {
		return err
	}
	return a.charts(tierHead, tierLast, sevHead, sevLast, lagHead, lagLast)
}

// checkpointRow states the audit log's checkpoint on one row of the
// Summary sheet: size and root, and the signed note in a cell of its own,
// to be copied into a file for vendorwatch audit verify --checkpoint.
func (a *auditWriter) checkpointRow(row int) error {
	f, st, sh := a.f, a.st, SheetSummary
	cell := func(col string) string { return fmt.Sprintf("%s%d", col, row) }
	if err := f.SetCellValue(sh, cell("A"), "Audit log checkpoint (size, root, signed note)"); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, cell("A"), cell("A"), st.boldTop); err != nil {
		return err
	}
	cp := a.opt.Checkpoint
	var msg string
	switch {
	case cp == nil:
		msg = "not available: this workbook was written without the audit log"
	case cp.Err != nil:
		msg = "not available: " + cp.Err.Error()
	case cp.Signed.Size == 0:
		msg = "none yet: no audit event has been sealed"
	}
	if msg != "" {
		return f.SetCellValue(sh, cell("B"), msg)
	}
	s := cp.Signed
	vals := []struct {
		col string
		v   any
	}{{"B", s.Size}, {"C", base64.StdEncoding.EncodeToString(s.Root[:])}, {"D", s.Note}}
	for _, v := range vals {
		if err := f.SetCellValue(sh, cell(v.col), v.v); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, cell("B"), cell("B"), st.int); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, cell("C"), cell("D"), st.wrap); err != nil {
		return err
	}
	if err := f.MergeCell(sh, cell("D"), cell("F")); err != nil {
		return err
	}
	return f.SetRowHeight(sh, row, 75)
}

// printOnOnePage sets a small sheet to print landscape, one page wide and
// tall, so its charts print beside its figures.
func printOnOnePage(f *excelize.File, sheet string) error { return printFit(f, sheet, 1) }

// printFit sets a sheet to print landscape, one page wide and tall pages
// high (0: as many as the rows need). A streamed sheet must call it before
// its stream writer starts (the fit flag is written first).
func printFit(f *excelize.File, sheet string, tall int) error {
	landscape, one := "landscape", 1
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	return f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &tall})
}

func (a *auditWriter) charts(tierHead, tierLast, sevHead, sevLast, lagHead, lagLast int) error {
	sh := "'" + SheetSummary + "'"
	title := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s}}}
	}
	noLegend := excelize.ChartLegend{Position: "none"}
	err := a.f.AddChart(SheetSummary, "H2", &excelize.Chart{
		Type: excelize.Col, Title: title("Vendors by tier"), Legend: noLegend,
		Series: []excelize.ChartSeries{{Name: "Vendors",
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, tierHead+1, tierLast),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", sh, tierHead+1, tierLast)}},
		Dimension: excelize.ChartDimension{Width: 480, Height: 260},
	})
	if err != nil {
		return err
	}
	err = a.f.AddChart(SheetSummary, "H16", &excelize.Chart{
		Type: excelize.Col, Title: title("Open findings by severity"), Legend: noLegend,
		Series: []excelize.ChartSeries{{Name: "Findings",
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, sevHead+1, sevLast),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", sh, sevHead+1, sevLast)}},
		Dimension: excelize.ChartDimension{Width: 480, Height: 260},
	})
	if err != nil {
		return err
	}
	if lagLast <= lagHead {
		return nil
	}
	cats := fmt.Sprintf("%s!$A$%d:$A$%d", sh, lagHead+1, lagLast)
	return a.f.AddChart(SheetSummary, "H34", &excelize.Chart{
		Type:  excelize.Col,
		Title: title(fmt.Sprintf("Notification lag per incident vs contractual window (days, capped at %.0f)", lagCapDays)),
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$C$%d", sh, lagHead), Categories: cats,
			Values: fmt.Sprintf("%s!$C$%d:$C$%d", sh, lagHead+1, lagLast)}},
		YAxis:     excelize.ChartAxis{Title: title("days"), MajorGridLines: true},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 320},
	}, &excelize.Chart{
		Type: excelize.Line,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$D$%d", sh, lagHead), Categories: cats,
			Values: fmt.Sprintf("%s!$D$%d:$D$%d", sh, lagHead+1, lagLast),
			Line:   excelize.LineOptions{Width: 2.5}}},
	})
}

func describeFilter(f reporting.Filter) string {
	var parts []string
	if len(f.VendorIDs) > 0 {
		parts = append(parts, "vendors "+strings.Join(f.VendorIDs, ", "))
	}
	if f.Tier != "" {
		parts = append(parts, "tier "+string(f.Tier))
	}
	if f.Owner != "" {
		parts = append(parts, "owner "+f.Owner)
	}
	if len(parts) == 0 {
		return "all vendors"
	}
	return strings.Join(parts, "; ")
}

// moneyFloat converts minor units to a float at the reports edge only,
// with the currency's ISO 4217 exponent.
func moneyFloat(m domain.Money) float64 {
	exp := 2
	switch m.Currency {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XOF", "XAF", "PYG", "UGX":
		exp = 0
	case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD":
		exp = 3
	}
	return float64(m.AmountMinor) / math.Pow10(exp)
}

// residualScore is a stored residual score as a cell, empty when none.
func residualScore(score *int) any {
	if score == nil {
		return nil
	}
	return int64(*score)
}
