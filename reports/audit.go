package reports

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
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
	SheetSupplyChain  = "Supply chain"
	SheetContracts    = "Contracts"
	SheetAttestations = "Attestations"
	SheetReviews      = "Reviews"
	SheetFindings     = "Findings"
	SheetIncidents    = "Incidents"
	SheetObligations  = "Obligations"
	SheetDora         = "DORA check"
)

// AuditSheets lists the sheets of the audit workbook in order.
var AuditSheets = []string{SheetSummary, SheetVendors, SheetInventory, SheetSupplyChain, SheetContracts, SheetAttestations,
	SheetReviews, SheetFindings, SheetIncidents, SheetObligations, SheetDora}

// RecentlyResolvedDays is how far back the Findings sheet lists resolved
// findings, after the open ones.
const RecentlyResolvedDays = 90

// lagChartIncidents bounds the incidents of the notification-lag chart:
// those with the largest lag.
const lagChartIncidents = 20

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
	// concentration is the Summary's concentration table: the providers
	// most of our vendors depend on.
	concentration []register.ProviderConcentration
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
		sheetStep(ctx, filter, src.EachDependency, a.supplyChain),
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
	if err := a.doraSheet(); err != nil {
		return Stats{}, err
	}
	if a.concentration, err = src.Concentration(ctx, filter, ConcentrationRows); err != nil {
		return Stats{}, fmt.Errorf("concentration: %w", err)
	}
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
	wrapCol("Vendor", 30), idCol("Vendor ID", 38), col("Status", 12), col("Criticality", 12), col("Tier", 10),
	wrapCol("Tier override reason", 24), col("Inherent score", 10), col("Sensitivity points", 11), col("Volume points", 10),
	col("Criticality points", 11), col("Owner", 26), col("Country", 8), wrapCol("Data categories", 30), col("Records", 14),
	wrapCol("Jurisdictions", 20), col("Last review", 12), col("Next review due", 12), col("Review state", 14),
	col("Open findings", 10), col("Residual risk (latest review)", 14), col("Residual score (scan)", 10),
	col("Residual tier (scan)", 12), col("Created", 17),
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
		return s.add(v.Name, v.ID, label(string(v.Status)), string(v.Criticality), a.st.severity(string(v.Tier)),
			orNil(v.TierOverrideReason), int64(v.RiskScore), int64(risk.Factors[0].Points),
			int64(risk.Factors[1].Points), int64(risk.Factors[2].Points), orNil(v.Owner), orNil(v.Country),
			orNil(categoryNames(v.Categories)), a.st.n(v.RecordCount), orNil(strings.Join(v.Jurisdictions, ", ")),
			a.st.d(v.LastReviewOn), a.st.d(next), state, v.OpenFindings, orNil(label(string(v.LatestResidual))),
			residualScore(v.ResidualScore), a.st.severity(string(v.ResidualTier)), a.st.t(v.CreatedAt))
	})
	if err != nil {
		return fmt.Errorf("vendors sheet: %w", err)
	}
	return a.done(s, []mark{{col: 18, values: []string{"overdue"}, red: true},
		{col: 18, values: []string{"never reviewed"}}}, "VendorsTable")
}

var inventoryCols = []column{
	wrapCol("Vendor", 30), idCol("Vendor ID", 38), col("Category", 18), wrapCol("Category name", 26), col("Personal data", 9),
	col("Sensitivity", 9), col("Stores", 8), col("Processes", 9), col("Transmits", 9), col("Records", 14),
	wrapCol("Jurisdictions", 20), wrapCol("Systems", 24), wrapCol("Notes", 30), col("Created", 17), col("Updated", 17),
	col("Sensitivity level", 12),
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

var supplyChainCols = []column{
	wrapCol("Vendor", 26), wrapCol("Provider", 26), col("Provider status", 12), col("Rank", 6), col("Service", 18),
	wrapCol("Data categories", 30), wrapCol("Countries", 12), col("Source", 16), col("As of", 12), wrapCol("Evidence", 24),
	idCol("Edge ID", 38),
}

// supplyChain writes the Supply chain sheet: one row per edge, its rank
// below the vendors the filter selects (blank when none reaches it).
func (a *auditWriter) supplyChain(rows *rowFeed[reporting.DependencyRow]) error {
	s, err := a.start(SheetSupplyChain, supplyChainCols)
	if err != nil {
		return err
	}
	err = rows.each(func(r reporting.DependencyRow) error {
		var rank any
		if r.Rank > 0 {
			rank = excelize.Cell{StyleID: a.st.center, Value: int64(r.Rank)}
		}
		return s.add(r.VendorName, r.ProviderName, label(string(r.ProviderStatus)), rank, label(string(r.Service)),
			orNil(categoryNames(r.DataCategories)), orNil(strings.Join(r.Countries, ", ")), label(string(r.Source)),
			a.st.d(r.AsOf), orNil(r.EvidenceRef), r.ID)
	})
	if err != nil {
		return fmt.Errorf("supply chain sheet: %w", err)
	}
	return a.done(s, nil, "SupplyChainTable")
}

func (a *auditWriter) contractCols() []column {
	cols := []column{
		wrapCol("Vendor", 30), idCol("Contract ID", 38), wrapCol("Title", 28), col("Reference", 14), col("Status", 11),
		col("Effective", 12), col("Expires", 12), col("Auto-renew", 9), col("Renewal notice days", 10),
		col("Renewal notice deadline", 13), col("State", 16), col("Governing law", 12), col("Annual value", 14),
		col("Currency", 8), wrapCol("Breach-notification window", 30), col("Window hours (max)", 10), col("Trigger", 16),
		col("Clause in force from", 17), col("Right to audit", 9), col("Subprocessor approval", 11),
		col("Data return or destruction", 11), col("Security standard", 16), col("DPA", 7), col("BAA", 7),
		col("Cyber insurance min", 14), col("Clause audit", 12), wrapCol("Clause audit gaps", 60),
	}
	for _, r := range a.opt.Policy.Clauses.Requirements {
		cols = append(cols, col(r.ID, 14))
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
		put(label(string(c.Status)))
		put(a.st.d(c.EffectiveOn))
		put(a.st.d(c.ExpiresOn))
		put(yesNo(c.AutoRenew))
		put(int64(c.RenewalNoticeDays))
		put(a.st.d(deadline))
		put(state)
		put(orNil(c.GoverningLaw))
		if c.AnnualValue != nil {
			put(a.st.money(moneyFloat(*c.AnnualValue)))
			put(c.AnnualValue.Currency)
		} else {
			put(nil)
			put(nil)
		}
		if r.Clause != nil {
			w, _ := r.Clause.Terms.EffectiveWindow(pol.StandardWindows)
			put(r.Clause.Terms.Describe(pol.StandardWindows))
			put(int64(w.MaxHours()))
			put(label(string(r.Clause.Terms.Trigger)))
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
			verdicts = append(verdicts, label(string(fd.Status)))
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
		put(label(overall))
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
		{col: contractAuditCol, values: []string{label(string(contract.AuditMissing)), label(string(contract.AuditTooWeak))}, red: true},
	}, "ContractsTable")
}

var verdictRank = map[contract.AuditStatus]int{contract.AuditMissing: 0, contract.AuditTooWeak: 1, contract.AuditMet: 2}

var attestationCols = []column{
	wrapCol("Vendor", 30), idCol("Attestation ID", 38), wrapCol("Kind", 18), wrapCol("Issuer", 20), col("Period start", 12),
	col("Period end", 12), col("Issued", 12), col("Expires", 12), col("Days left", 9), col("State", 11),
	col("Opinion", 12), col("Exceptions", 9), col("Review status", 13), idCol("Evidence sha256", 66), col("Created", 17),
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
		return s.add(r.VendorName, r.ID, label(r.Kind), orNil(r.Issuer), a.st.d(r.PeriodStart), a.st.d(r.PeriodEnd),
			a.st.d(r.IssuedOn), a.st.d(r.ExpiresOn), int64(left), state, orNil(r.Opinion), int64(r.Exceptions),
			label(r.ReviewStatus), orNil(r.EvidenceSHA256), a.st.t(r.CreatedAt))
	})
	if err != nil {
		return fmt.Errorf("attestations sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"expired"}, red: true}, {col: 10, values: []string{"expiring"}}},
		"AttestationsTable")
}

var reviewCols = []column{
	wrapCol("Vendor", 30), idCol("Review ID", 38), col("Vendor tier", 10), col("Performed on", 12), col("Reviewer", 22),
	wrapCol("Outcome", 20), col("Residual risk", 12), col("Next due", 12), col("Latest", 8), col("State", 10), wrapCol("Notes", 50),
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
		return s.add(r.VendorName, r.ID, a.st.severity(string(r.VendorTier)), a.st.d(r.PerformedOn), r.Reviewer, label(r.Outcome),
			label(r.ResidualRisk), a.st.d(next), yesNo(r.Latest), state, orNil(r.Notes))
	})
	if err != nil {
		return fmt.Errorf("reviews sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"overdue"}, red: true}}, "ReviewsTable")
}

var findingCols = []column{
	col("Severity", 10), col("State", 18), col("Status (current)", 14), wrapCol("Vendor", 30), col("Rule", 28),
	col("Subject type", 14), idCol("Subject ID", 38), col("First seen", 17), col("Last seen", 17), col("Resolved", 17),
	col("Accepted until", 12), idCol("Finding ID", 38),
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
		return s.add(a.st.severity(r.Severity), state, label(r.Status), r.VendorName, r.RuleID, label(r.SubjectType), r.SubjectID,
			a.st.t(r.FirstSeenAt), a.st.t(r.LastSeenAt), a.st.tp(resolved), a.st.d(r.AcceptedUntil), r.ID)
	})
	if err != nil {
		return fmt.Errorf("findings sheet: %w", err)
	}
	return a.done(s, []mark{{col: 2, values: []string{"acceptance expired"}, red: true}, {col: 2, values: []string{"open"}}},
		"FindingsTable")
}

var incidentCols = []column{
	wrapCol("Vendor", 30), idCol("Incident ID", 38), wrapCol("Title", 30), col("Status", 10), col("Exposure start", 17),
	col("Exposure end", 17), col("Vendor discovered", 17), col("Vendor notified us", 17), col("We learned", 17),
	col("Learned via", 15), col("Lag days", 9), wrapCol("Window", 28), col("Window days", 9), col("Notice due", 17),
	col("Late by days", 9), col("Notice status", 13), col("Records affected", 13), col("Law deadline (vendor)", 17),
	wrapCol("Law basis", 30), wrapCol("Broken", 16),
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
			lag = a.st.days1(clock.Lag.Days)
		}
		if clock.LateBy != nil {
			late = a.st.days1(clock.LateBy.Days)
		}
		if clock.DueAt != nil {
			winDays = clock.DueAt.Sub(inc.VendorDiscoveredAt).Hours() / 24
			win = a.st.days1(winDays)
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
		return s.add(r.VendorName, inc.ID, inc.Title, label(string(inc.Status)), a.st.tp(inc.ExposureStart),
			a.st.tp(inc.ExposureEnd), a.st.t(inc.VendorDiscoveredAt), a.st.tp(clock.NotifiedAt), a.st.t(inc.WeLearnedAt),
			label(string(inc.LearnedVia)), lag, orNil(clock.WindowText), win, a.st.tp(clock.DueAt), late,
			label(string(clock.Status)), a.st.n(inc.RecordsAffected), a.st.tp(inc.LawNoticeDueAt), lawBasis,
			orNil(brokenLabel(verdict.Broken)))
	})
	if err != nil {
		return fmt.Errorf("incidents sheet: %w", err)
	}
	return a.done(s, []mark{{col: 16, values: []string{label(string(incident.NoticeLate)), label(string(incident.NoticeOverdue))}, red: true},
		{col: 16, values: []string{label(string(incident.NoticePending))}},
		{col: 20, values: []string{brokenLabel(incident.BrokeContract), brokenLabel(incident.BrokeLaw), brokenLabel(incident.BrokeBoth)}, red: true}},
		"IncidentsTable")
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
	wrapCol("Vendor", 18), wrapCol("Incident", 20), wrapCol("Regime", 26), wrapCol("Regime ID", 18), wrapCol("Recipient", 16),
	col("Due", 16), wrapCol("Deadline", 24), col("Status", 11), col("Done", 16), wrapCol("State", 13), wrapCol("Citation", 30),
	wrapCol("Citation verification", 12), idCol("Incident ID", 38), idCol("Obligation ID", 38), wrapCol("What is required", 30),
	col("Working due (policy, not law)", 16), wrapCol("Working deadline", 24), wrapCol("Why not applied", 64),
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
		return s.add(r.VendorName, r.IncidentTitle, regimeLabel(r.Regime), r.RegimeID, orNil(label(r.Recipient)), a.st.tp(r.DueAt),
			orNil(r.DeadlineText), label(status), a.st.tp(done), state, r.Citation, orNil(ver), r.IncidentID, orNil(r.ID),
			orNil(r.Title), a.st.tp(r.WorkingDueAt), orNil(r.WorkingText), orNil(r.NotAppliedReason))
	})
	if err != nil {
		return fmt.Errorf("obligations sheet: %w", err)
	}
	return a.done(s, []mark{{col: 10, values: []string{"overdue"}, red: true},
		{col: 10, values: []string{"due in 7 days", "past working deadline"}}}, "ObligationsTable")
}

// summarySheet fills the first sheet in normal mode (it is small): who
// generated it and for what, links to the sheets, the headline figures,
// the tables the charts draw (each chart beside or below its table), and
// a closing notes block on what as-of covers.
func (a *auditWriter) summarySheet() error {
	f, st, sh := a.f, a.st, SheetSummary
	if err := setPrint(f, sh, printSpec{fitWidth: true}); err != nil {
		return err
	}
	g := newGrid(f, st, sh, 42, 13, 13, 15, 24, 14)
	g.set(1, 1, "Vendorwatch audit workbook", st.title)
	g.set(1, 2, "As of (UTC)", st.bold)
	g.setSpan(2, 2, 2, a.asOf, st.datetime)
	g.set(1, 3, "Generated at (UTC)", st.bold)
	g.setSpan(2, 3, 2, a.opt.GeneratedAt.UTC(), st.datetime)
	g.set(1, 4, "Generated by", st.bold)
	g.setSpan(2, 4, 4, a.opt.GeneratedBy, st.wrap)
	g.set(1, 5, "Filters", st.bold)
	g.setSpan(2, 5, 4, describeFilter(a.filter), st.wrap)
	a.checkpointRow(g, 6)
	// Links to the sheets, with their row counts.
	row := 8
	g.header(row, 1, "Sheet", "Rows")
	for _, name := range AuditSheets[1:] {
		row++
		g.set(1, row, name, st.link)
		cell, _ := excelize.CoordinatesToCellName(1, row)
		g.fail(f.SetCellHyperLink(sh, cell, fmt.Sprintf("'%s'!A1", name), "Location"))
		g.set(2, row, a.stats.Rows[name], st.int)
	}
	// Headline figures.
	row += 2
	g.header(row, 1, "Headline figure", "Value")
	for _, fg := range []struct {
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
	} {
		row++
		g.set(1, row, fg.label, 0)
		g.set(2, row, fg.v, st.int)
	}
	// Vendors by tier, its chart beside it.
	row += 2
	tierHead := row
	g.header(row, 1, "Vendors by tier (inherent risk)", "Vendors")
	for _, t := range register.Tiers {
		row++
		g.set(1, row, string(t), st.sev[string(t)])
		g.set(2, row, a.sum.tiers[t], st.int)
	}
	// Vendors by status.
	row += 2
	g.header(row, 1, "Vendors by status", "Vendors")
	for _, s := range register.VendorStatuses {
		row++
		g.set(1, row, label(string(s)), 0)
		g.set(2, row, a.sum.statuses[s], st.int)
	}
	// Open findings by severity, its chart beside it.
	row += 2
	sevHead := row
	g.header(row, 1, "Open findings by severity", "Findings")
	for _, s := range findingSeverities {
		row++
		g.set(1, row, s, st.sev[s])
		g.set(2, row, a.sum.severities[s], st.int)
	}
	row = max(row, sevHead+sideChartRows) // clear of the chart beside
	row = a.concentrationTable(g, row+2)
	// Notification lag per incident, the chart below it, from a new page.
	row += 2
	cell, _ := excelize.CoordinatesToCellName(1, row)
	g.fail(f.InsertPageBreak(sh, cell))
	g.set(1, row, "Notification lag: up to "+domain.Count(lagChartIncidents, "incident", "incidents")+", those with the largest lag, in order of discovery", st.section)
	row++
	lagHead := row
	g.header(row, 1, "Incident", "Lag (days)", "Contractual window (days)", "Notice status", "Vendor", "Chart #")
	lags := slices.Clone(a.sum.lags)
	slices.SortFunc(lags, func(x, y lagEntry) int { return x.discovered.Compare(y.discovered) })
	for i, l := range lags {
		row++
		g.set(1, row, l.title, st.wrap)
		g.set(2, row, math.Round(l.lagDays*10)/10, st.num1)
		g.set(3, row, math.Round(l.winDays*10)/10, st.num1)
		g.set(4, row, label(string(l.status)), st.center)
		g.set(5, row, l.vendor, st.wrap)
		g.set(6, row, strconv.Itoa(i+1), 0)
	}
	lagLast := row
	if len(lags) == 0 {
		row++
		g.setSpan(1, row, 6, "No incident has both a notice and a contractual window.", st.wrap)
	}
	lagChartRow := row + 2
	row = lagChartRow + lagChartRows
	// Notes.
	row += 2
	g.set(1, row, "Notes", st.section)
	for _, n := range auditNotes {
		row++
		g.setSpan(1, row, 6, n, st.note)
	}
	if err := g.done(); err != nil {
		return err
	}
	return a.charts(tierHead, sevHead, lagHead, lagLast, lagChartRow, lags)
}

// ConcentrationRows is how many providers the Summary's concentration
// table lists.
const ConcentrationRows = 10

// concentrationTable writes the Summary's concentration table from row,
// on a page of its own, and returns its last row.
func (a *auditWriter) concentrationTable(g *grid, row int) int {
	st := a.st
	cell, _ := excelize.CoordinatesToCellName(1, row)
	g.fail(a.f.InsertPageBreak(SheetSummary, cell))
	g.set(1, row, "Concentration: the "+domain.Count(ConcentrationRows, "provider", "providers")+
		" most of our vendors depend on, directly or down the chain", st.section)
	row++
	g.header(row, 1, "Provider", "Our vendors", "Critical vendors", "Countries")
	g.setSpan(5, row, 2, "Data categories of ours that reach it", st.header)
	for _, p := range a.concentration {
		row++
		g.set(1, row, providerLabel(p), st.wrap)
		g.set(2, row, int64(p.Vendors), st.int)
		g.set(3, row, int64(p.CriticalVendors), st.int)
		g.set(4, row, strings.Join(p.Countries, ", "), st.indent)
		g.setSpan(5, row, 2, categoryNames(p.DataCategories), st.wrap)
	}
	row++
	if len(a.concentration) == 0 {
		g.setSpan(1, row, 6, "No vendor of ours depends on a provider recorded in the register.", st.wrap)
		row++
	}
	scope := "all our vendors (fourth parties are not counted as ours)"
	if a.filter.Tier != "" {
		scope = "our vendors of tier " + string(a.filter.Tier)
	}
	g.setSpan(1, row, 6, "Counted over "+scope+", from the edges recorded today (the Supply chain sheet lists those "+
		"recorded by as-of). Rank 1 is a vendor's direct provider, 2 that provider's provider, down to rank "+
		strconv.Itoa(register.MaxRank)+"; \"from rank 2\" marks a provider none of our vendors uses directly.", st.note)
	return row
}

// providerLabel is a provider's name in the concentration table, with
// what sets it apart: a fourth party (known to us only through a vendor),
// reached only below a vendor's direct providers.
func providerLabel(p register.ProviderConcentration) string {
	var notes []string
	if p.ProviderStatus == register.StatusFourthParty {
		notes = append(notes, "fourth party")
	}
	if p.MinRank > 1 {
		notes = append(notes, "from rank "+strconv.Itoa(p.MinRank))
	}
	if len(notes) == 0 {
		return p.ProviderName
	}
	return p.ProviderName + " (" + strings.Join(notes, ", ") + ")"
}

// checkpointRow states the audit log's checkpoint on one row of the
// Summary sheet: size and root, and the signed note in a cell of its own,
// to be copied into a file for vendorwatch audit verify --checkpoint.
func (a *auditWriter) checkpointRow(g *grid, row int) {
	st := a.st
	g.set(1, row, "Audit log checkpoint (size, root, note)", st.bold)
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
		g.setSpan(2, row, 5, msg, st.wrap)
		return
	}
	s := cp.Signed
	g.set(2, row, s.Size, st.int)
	g.set(3, row, base64.StdEncoding.EncodeToString(s.Root[:]), st.wrap)
	g.setSpan(4, row, 3, s.Note, st.wrap)
}

// findingSeverities are the severities of findings, most severe first.
var findingSeverities = []string{"critical", "high", "medium", "low"}

// auditNotes close the Summary sheet: what as-of means, in plain words.
var auditNotes = []string{
	"What \"as of\" means. The workbook shows the portfolio as it stood at the as-of instant: anything recorded after it " +
		"(vendors, data handling, contracts, attestations, reviews, findings, incidents, obligations) is left out.",
	"Dates and states are worked out at that instant: days left, expired or expiring, the last review and when the next " +
		"is due, the notice clock of each incident, overdue obligations. A finding resolved after as-of counts as open, " +
		"and a vendor notice given after as-of counts as not yet given.",
	"Some fields are today's values, because no history of them is kept: names, statuses, tiers and risk inputs, the " +
		"review status of attestations, and the status of obligations.",
	"Findings come from the compliance scanner: those open at as-of, then those resolved in the 90 days before it.",
	"Printed, each sheet leaves out its ID columns (the last ones: IDs and hashes, there to filter and to look records up), " +
		"and a sheet too wide for a legible page prints landscape across pages, its header row and first column on each.",
}

// Chart sizes of the Summary sheet, in rows of the default height.
const (
	sideChartRows = 11
	lagChartRows  = 18
)

// lagFloorDays is where the logarithmic lag chart draws a lag or window
// under an hour (a logarithmic axis has no zero); the table holds the
// true value and the chart's axis title says so.
const lagFloorDays = 1.0 / 24

func (a *auditWriter) charts(tierHead, sevHead, lagHead, lagLast, lagChartRow int, lags []lagEntry) error {
	sh := SheetSummary
	var most int64
	for _, n := range a.sum.tiers {
		most = max(most, n)
	}
	if err := addSeverityBars(a.f, sh, fmt.Sprintf("C%d", tierHead), "Vendors by tier (inherent risk)", "vendors",
		tierHead, tierStrings(), most); err != nil {
		return err
	}
	most = 0
	for _, n := range a.sum.severities {
		most = max(most, n)
	}
	if err := addSeverityBars(a.f, sh, fmt.Sprintf("C%d", sevHead), "Open findings by severity", "findings",
		sevHead, findingSeverities, most); err != nil {
		return err
	}
	if lagLast <= lagHead {
		return nil
	}
	// One marker per incident for its lag and one for its window, no line
	// between incidents, on a logarithmic axis: nothing is capped.
	floored := false
	for _, l := range lags {
		floored = floored || l.lagDays < lagFloorDays || l.winDays < lagFloorDays
	}
	lagCol, winCol := 2, 3
	if floored { // drawn values in columns G and H beside the true ones
		g := newGrid(a.f, a.st, sh)
		g.header(lagHead, 7, "Lag as drawn (days)", "Window as drawn (days)")
		for i, l := range lags {
			g.set(7, lagHead+1+i, math.Max(l.lagDays, lagFloorDays), a.st.num1)
			g.set(8, lagHead+1+i, math.Max(l.winDays, lagFloorDays), a.st.num1)
		}
		if err := g.done(); err != nil {
			return err
		}
		lagCol, winCol = 7, 8
	}
	yTitle := "days (logarithmic scale)"
	if floored {
		yTitle = "days (logarithmic; under an hour drawn at one hour)"
	}
	cats := ref(sh, 6, lagHead+1, 6, lagLast)
	marker := func(symbol, rgb string) excelize.ChartMarker {
		return excelize.ChartMarker{Symbol: symbol, Size: 8, Fill: fill(rgb), Border: excelize.LineOptions{Fill: fill(rgb)}}
	}
	return a.f.AddChart(sh, fmt.Sprintf("A%d", lagChartRow), &excelize.Chart{
		Type:  excelize.Line,
		Title: chartTitle("Notification lag and contractual window per incident (chart # as in the table)"),
		Series: []excelize.ChartSeries{
			{Name: ref(sh, 2, lagHead, 2, lagHead), Categories: cats, Values: ref(sh, lagCol, lagHead+1, lagCol, lagLast),
				Line: excelize.LineOptions{Type: excelize.LineNone}, Marker: marker("circle", Palette[0].Fill)},
			{Name: ref(sh, 3, lagHead, 3, lagHead), Categories: cats, Values: ref(sh, winCol, lagHead+1, winCol, lagLast),
				Line: excelize.LineOptions{Type: excelize.LineNone}, Marker: marker("dash", "404040")},
		},
		XAxis:     excelize.ChartAxis{Title: axisTitle("incident (chart #)"), Font: axisFont},
		YAxis:     excelize.ChartAxis{Title: axisTitle(yTitle), MajorGridLines: true, LogBase: 10, Font: axisFont},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 760, Height: uint(lagChartRows * rowPixels)},
	})
}

// tierStrings are the tiers as strings, most severe first.
func tierStrings() []string {
	out := make([]string, len(register.Tiers))
	for i, t := range register.Tiers {
		out[i] = string(t)
	}
	return out
}

// addSeverityBars draws the table below head (one row per severity in
// names: its name in column A, its count in B) as bars in the palette:
// one series per severity, so that each bar takes its colour.
func addSeverityBars(f *excelize.File, sh, at, title, unit string, head int, names []string, most int64) error {
	var series []excelize.ChartSeries
	for i, n := range names {
		sev, _ := SeverityOf(n)
		series = append(series, excelize.ChartSeries{Name: ref(sh, 1, head+1+i, 1, head+1+i),
			Values: ref(sh, 2, head+1+i, 2, head+1+i), Fill: fill(sev.Fill)})
	}
	gap, overlap, zero := uint(40), 0, 0.0
	return f.AddChart(sh, at, &excelize.Chart{Type: excelize.Col, Title: chartTitle(title), Series: series,
		Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:  excelize.ChartAxis{None: true},
		YAxis: excelize.ChartAxis{Title: axisTitle(unit), MajorGridLines: true, Font: axisFont, MajorUnit: countUnit(most),
			Minimum: &zero},
		GapWidth: &gap, Overlap: &overlap,
		Dimension: excelize.ChartDimension{Width: 380, Height: uint(sideChartRows * rowPixels)}})
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
	return float64(m.AmountMinor) / math.Pow10(m.MinorDigits())
}

// residualScore is a stored residual score as a cell, empty when none.
func residualScore(score *int) any {
	if score == nil {
		return nil
	}
	return int64(*score)
}

// categoryNames are the names of data categories ("Contact details"),
// the code where the catalogue has no name.
func categoryNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = c
		if cat, ok := register.LookupCategory(c); ok && cat.Name != "" {
			names[i] = cat.Name
		}
	}
	return strings.Join(names, ", ")
}
