package incident

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The regulatory-notification catalogue: one row per notification duty of
// shared/reference/regimes.json, transcribed into regimes.json next to this
// file by scripts/regimes/transcribe.py (which keeps the mapping table, so
// the transcription is reproducible). Every figure, date and threshold comes
// from the shared file with its citation, sources and status (V, P, U); the
// transcription adds only the product's machine mapping (Ours, InForce,
// AppliesTo, Jurisdictions, the data condition, Anchor, RequiresEvent, the
// notes on the mapping, the Duty a row is a version of and its Action in
// words). The program reads only the embedded copy.

//go:embed regimes.json
var regimesJSON []byte

// EntityType is a kind of regulated organisation that binds a regime to
// us. An organisation declares the ones it is in its OrgProfile; regimes
// with an empty AppliesTo bind any organisation that owns the data
// (controller, data owner or licensee, merchant).
type EntityType string

// Entity types the catalogue refers to.
const (
	EntityHIPAACoveredEntity          EntityType = "hipaa_covered_entity"           // HIPAA covered entity (45 CFR 164.404-408)
	EntityPHRVendor                   EntityType = "phr_vendor"                     // vendor of personal health records (FTC HBNR)
	EntityGLBAFTCFinancialInstitution EntityType = "glba_ftc_financial_institution" // non-bank financial institution under the FTC (16 CFR 314.4(j))
	EntityBank                        EntityType = "bank"                           // banking organisation (12 CFR 53.3, 225.302, 304.23)
	EntitySECRegistrant               EntityType = "sec_registrant"                 // files Form 8-K (Item 1.05)
	EntitySECRegSPCoveredInstitution  EntityType = "sec_regsp_covered_institution"  // broker-dealer, fund, RIA, transfer agent, funding portal (Reg S-P)
	EntityNYDFSCoveredEntity          EntityType = "nydfs_covered_entity"           // 23 NYCRR 500 covered entity
	EntityDORAFinancialEntity         EntityType = "dora_financial_entity"          // DORA financial entity
	EntityNIS2Entity                  EntityType = "nis2_entity"                    // NIS2 essential or important entity
	EntityUKPECRProvider              EntityType = "uk_pecr_provider"               // UK public electronic communications service provider
	EntityCALicensedHealthFacility    EntityType = "ca_licensed_health_facility"    // California licensed clinic or health facility (H&S 1280.15)
	EntityCIRCIACoveredEntity         EntityType = "circia_covered_entity"          // CIRCIA covered entity (rule not in force)
)

var entityTypes = []EntityType{EntityHIPAACoveredEntity, EntityPHRVendor, EntityGLBAFTCFinancialInstitution, EntityBank,
	EntitySECRegistrant, EntitySECRegSPCoveredInstitution, EntityNYDFSCoveredEntity, EntityDORAFinancialEntity,
	EntityNIS2Entity, EntityUKPECRProvider, EntityCALicensedHealthFacility, EntityCIRCIACoveredEntity}

// EntityTypes returns every entity type in a fixed order.
func EntityTypes() []EntityType { return slices.Clone(entityTypes) }

// Valid reports whether e is a known entity type.
func (e EntityType) Valid() bool { return slices.Contains(entityTypes, e) }

// OrgProfile says what kind of organisation we are. The zero profile
// declares no entity type: only the regimes that bind any data owner apply.
type OrgProfile struct {
	EntityTypes []EntityType `json:"entity_types"`
}

// Has reports whether the profile declares e.
func (p OrgProfile) Has(e EntityType) bool { return slices.Contains(p.EntityTypes, e) }

// Anchors: which incident instant starts a regime's clock.
const (
	// AnchorWeLearnedAt is our awareness, discovery or determination. An
	// incident records no separate determination time, so determination
	// triggers take our awareness, the earliest defensible instant.
	AnchorWeLearnedAt = "we_learned_at"
	// AnchorVendorDiscoveredAt is the vendor's own discovery (the clock of
	// the vendor's duties to us).
	AnchorVendorDiscoveredAt = "vendor_discovered_at"
	// AnchorDiscoveryHIPAA is HIPAA discovery: the earlier of the vendor's
	// discovery and ours when the vendor acts as our agent (its knowledge
	// is imputed to us), else when we learned.
	AnchorDiscoveryHIPAA = "discovery_hipaa"
	// AnchorMaterialityDeterminedAt is the SEC materiality determination;
	// the obligation is pending until it is recorded.
	AnchorMaterialityDeterminedAt = "materiality_determined_at"
	// AnchorYearEnd is the end of the calendar year of HIPAA discovery
	// (used with the days_after_calendar_year_end unit).
	AnchorYearEnd = "year_end"
	// AnchorClassification is the classification of the incident as major
	// (DORA). It is not recorded, so only the row's alternative limits
	// yield a due instant.
	AnchorClassification = "classification"
	// AnchorNone marks rows whose trigger incidents do not record (an
	// extortion payment) or that are not ours: never generated.
	AnchorNone = "none"
	// AnchorAfterPrefix chains a row to a duty: "after:nis2-23-notif"
	// starts when an obligation of that duty (any version) is marked done.
	AnchorAfterPrefix = "after:"
)

// Deadline units beyond the window units (hours, calendar_days,
// business_days).
const (
	DeadlineMonths           = "months"
	DeadlineDaysAfterYearEnd = "days_after_calendar_year_end"
)

var deadlineUnitWords = map[string][2]string{
	string(domain.UnitHours):        {"hour", "hours"},
	string(domain.UnitCalendarDays): {"calendar day", "calendar days"},
	string(domain.UnitBusinessDays): {"business day", "business days"},
	DeadlineMonths:                  {"month", "months"},
	DeadlineDaysAfterYearEnd:        {"day after the end of the calendar year", "days after the end of the calendar year"},
}

// Deadline is the outer limit of a notification duty, e.g. 72 hours,
// 4 business days, 1 month, or 60 days after the end of the calendar year.
type Deadline struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
}

// String renders the deadline for people: "72 hours", "1 month".
func (d Deadline) String() string {
	w := deadlineUnitWords[d.Unit]
	return domain.Count(d.Value, w[0], w[1])
}

// DueAt is start plus the deadline, in UTC. Hours, calendar days and
// business days follow Window.DueAt (business days keep the time of day
// and skip the calendar's weekends and holidays). Months are calendar
// months keeping the time of day, clamped to the end of a shorter month
// (31 January + 1 month = 28 or 29 February: never later than Go's
// AddDate, which would overflow into March). For
// days_after_calendar_year_end, start is any instant of the calendar year
// concerned: the result is 00:00 UTC on 31 December of that year plus
// Value days (see Catalogue.Obligations for why).
func (d Deadline) DueAt(start time.Time, cal domain.BusinessCalendar) time.Time {
	start = start.UTC()
	switch d.Unit {
	case DeadlineMonths:
		day := domain.DateOf(start)
		return day.AddMonths(d.Value).Time().Add(start.Sub(day.Time()))
	case DeadlineDaysAfterYearEnd:
		return domain.NewDate(start.Year(), time.December, 31).AddDays(d.Value).Time()
	}
	return domain.Window{Value: d.Value, Unit: domain.WindowUnit(d.Unit)}.DueAt(start, cal)
}

func (d Deadline) check() error {
	if _, ok := deadlineUnitWords[d.Unit]; !ok {
		return fmt.Errorf("unknown deadline unit %q", d.Unit)
	}
	if d.Value <= 0 || d.Value > domain.MaxWindowValue {
		return fmt.Errorf("deadline value %d is not from 1 to %d", d.Value, domain.MaxWindowValue)
	}
	return nil
}

// AltLimit is a second limit on the same duty, counted from another
// trigger (DORA: classification + 4 hours, but no later than awareness +
// 24 hours). Combine "earliest": the earlier due instant wins.
type AltLimit struct {
	Trigger  string   `json:"trigger"` // as in the shared file
	Anchor   string   `json:"anchor"`  // the incident instant the trigger maps to
	Deadline Deadline `json:"deadline"`
	Combine  string   `json:"combine"`
}

// Threshold is a count a regime needs before it binds, e.g. more than 500
// residents of California.
type Threshold struct {
	// Metric is individuals, consumers, residents_of_one_state, or
	// XX_residents for a US state (CA_residents).
	Metric   string `json:"metric"`
	Operator string `json:"operator"` // >, >=, <, <=
	Value    int64  `json:"value"`
	// AppliesTo, when set, limits the threshold to one part of the duty
	// (FTC HBNR: only the FTC's contemporaneous notice); the duty itself
	// binds at any count.
	AppliesTo string `json:"applies_to,omitempty"`
}

// Met reports whether count satisfies the threshold.
func (t Threshold) Met(count int64) bool {
	switch t.Operator {
	case ">":
		return count > t.Value
	case ">=":
		return count >= t.Value
	case "<":
		return count < t.Value
	case "<=":
		return count <= t.Value
	}
	return false
}

// String renders the threshold: "CA_residents > 500".
func (t Threshold) String() string { return fmt.Sprintf("%s %s %d", t.Metric, t.Operator, t.Value) }

func (t Threshold) check() error {
	if !slices.Contains([]string{">", ">=", "<", "<="}, t.Operator) {
		return fmt.Errorf("unknown threshold operator %q", t.Operator)
	}
	if t.Value < 0 {
		return fmt.Errorf("negative threshold value %d", t.Value)
	}
	switch {
	case t.Metric == "individuals", t.Metric == "consumers", t.Metric == "residents_of_one_state":
	case strings.HasSuffix(t.Metric, "_residents"):
		if code := thresholdState(t.Metric); domain.CheckJurisdiction(code) != "" {
			return fmt.Errorf("threshold metric %q names no US state", t.Metric)
		}
	default:
		return fmt.Errorf("unknown threshold metric %q", t.Metric)
	}
	return nil
}

// thresholdState maps "CA_residents" to "US-CA".
func thresholdState(metric string) string { return "US-" + strings.TrimSuffix(metric, "_residents") }

// Regime is one notification duty of the catalogue.
type Regime struct {
	// Verbatim from shared/reference/regimes.json.
	ID               string       `json:"id"`
	Regime           string       `json:"regime"`
	Jurisdiction     string       `json:"jurisdiction"` // as written there: "UK", "card-brand", "CA (Canada)"
	Citation         string       `json:"citation"`
	Notifier         string       `json:"notifier"`
	Recipient        string       `json:"recipient"`
	Trigger          string       `json:"trigger"`
	Standard         string       `json:"standard"` // the speed standard in words: "without_undue_delay"
	Deadline         *Deadline    `json:"deadline"` // nil: words only, no due instant
	AltLimits        []AltLimit   `json:"alt_limits"`
	Threshold        *Threshold   `json:"threshold"`
	DataScope        string       `json:"data_scope"`
	EffectiveFrom    *domain.Date `json:"effective_from"` // nil: no date in the source
	EffectiveTo      *domain.Date `json:"effective_to"`   // nil: still in force; the row governs [EffectiveFrom, EffectiveTo)
	VendorObligation bool         `json:"vendor_obligation"`
	Status           string       `json:"status"` // V verified, P partly verified, U unverified
	Sources          []string     `json:"sources"`
	Notes            string       `json:"notes"`

	// The product's mapping (scripts/regimes/transcribe.py).

	// Ours is false for duties that are never ours: the vendor's (what it
	// owed us) and third parties' (the PCI forensic investigator's).
	Ours bool `json:"ours"`
	// InForce is false for proposed rules (CIRCIA).
	InForce bool `json:"in_force"`
	// AppliesTo is "" for any organisation owning the data, else the
	// entity type we must have declared.
	AppliesTo EntityType `json:"applies_to"`
	// Jurisdictions are the incident jurisdiction codes that bring the row
	// in: "EU" covers member states, "US" covers "US-CA", "*" any. Rows
	// with AnyIncident ignore them (the entity type brings those in); for
	// them the codes record where the regime sits.
	Jurisdictions []string `json:"jurisdictions"`
	// The data condition, exactly one of: any personal data category, any
	// incident at all, or one of the listed categories affected
	// (regulatory-facts.md §2).
	PersonalData bool     `json:"personal_data"`
	AnyIncident  bool     `json:"any_incident"`
	Categories   []string `json:"categories"`
	// Anchor is the incident instant that starts the clock (Anchor*).
	Anchor string `json:"anchor"`
	// RequiresEvent names an event incidents do not record
	// ("extortion_payment"); such rows are never generated.
	RequiresEvent string `json:"requires_event"`
	// AnchorNote explains the clock; it is copied into each obligation.
	AnchorNote string `json:"anchor_note"`
	// MappingNotes explain the mapping choices.
	MappingNotes []string `json:"mapping_notes"`
	// Duty names the duty the row is a version of: rows of one duty are
	// the law's text over periods that do not overlap (California's notice
	// to individuals before and after SB 446). It is the id of one of its
	// rows; an "after:" anchor names a duty.
	Duty string `json:"duty"`
	// Action is what the duty requires, naming the recipient; Title adds
	// the deadline.
	Action string `json:"action"`
}

// clone deep-copies r so that callers cannot change the catalogue.
func (r Regime) clone() Regime {
	r.AltLimits = slices.Clone(r.AltLimits)
	r.Sources = slices.Clone(r.Sources)
	r.Jurisdictions = slices.Clone(r.Jurisdictions)
	r.Categories = slices.Clone(r.Categories)
	r.MappingNotes = slices.Clone(r.MappingNotes)
	if r.Deadline != nil {
		d := *r.Deadline
		r.Deadline = &d
	}
	if r.Threshold != nil {
		t := *r.Threshold
		r.Threshold = &t
	}
	if r.EffectiveFrom != nil {
		d := *r.EffectiveFrom
		r.EffectiveFrom = &d
	}
	if r.EffectiveTo != nil {
		d := *r.EffectiveTo
		r.EffectiveTo = &d
	}
	return r
}

// Chained returns the id of the row whose completion starts this one, if
// the anchor is "after:<id>".
func (r Regime) Chained() (string, bool) { return strings.CutPrefix(r.Anchor, AnchorAfterPrefix) }

// DeadlineText is the deadline in words: "72 hours", or, when the law sets
// no number, says so with its standard ("no fixed deadline: without undue
// delay").
func (r Regime) DeadlineText() string {
	if r.Deadline != nil {
		return r.Deadline.String()
	}
	return r.noFixedText()
}

// relatesTo reports whether the row can concern data subjects of code:
// one of its jurisdictions covers code or lies within it, or it binds
// everywhere.
func (r Regime) relatesTo(code string) bool {
	return slices.ContainsFunc(r.Jurisdictions, func(j string) bool {
		return j == "*" || domain.JurisdictionMatches(j, code) || domain.JurisdictionMatches(code, j)
	})
}

// covers reports whether the row's jurisdictions match any of the data
// subjects' jurisdictions.
func (r Regime) covers(subjects []string) bool {
	if slices.Contains(r.Jurisdictions, "*") {
		return true
	}
	return slices.ContainsFunc(r.Jurisdictions, func(cond string) bool {
		return slices.ContainsFunc(subjects, func(s string) bool { return domain.JurisdictionMatches(cond, s) })
	})
}

// dataMatches reports whether the affected categories satisfy the row's
// data condition.
func (r Regime) dataMatches(categories []string) bool {
	switch {
	case r.AnyIncident:
		return true
	case r.PersonalData:
		return slices.ContainsFunc(categories, func(code string) bool {
			c, ok := register.LookupCategory(code)
			return ok && c.Personal
		})
	}
	return slices.ContainsFunc(r.Categories, func(c string) bool { return slices.Contains(categories, c) })
}

// Catalogue is the validated set of regimes.
type Catalogue struct {
	regimes []Regime
	byID    map[string]int
	order   [][]int        // the rows of each duty, oldest version first; duties in catalogue order (duties)
	dutyAt  map[string]int // a duty's index in order
}

// catalogueFile is the layout of regimes.json.
type catalogueFile struct {
	Source       string            `json:"source"`
	SourceSHA256 string            `json:"source_sha256"`
	GeneratedBy  string            `json:"generated_by"`
	StatusLegend map[string]string `json:"status_legend"`
	Units        []string          `json:"units"`
	Regimes      []Regime          `json:"regimes"`
}

// ParseCatalogue decodes and validates a catalogue in the layout of
// regimes.json: unique ids, citations, statuses V/P/U, known units,
// operators, metrics, entity types, categories, jurisdictions and anchors,
// chained anchors that point at existing rows without a cycle.
func ParseCatalogue(data []byte) (Catalogue, error) {
	var f catalogueFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Catalogue{}, fmt.Errorf("regimes: %w", err)
	}
	c := Catalogue{regimes: f.Regimes, byID: make(map[string]int, len(f.Regimes))}
	var errs []error
	for i, r := range c.regimes {
		if r.ID == "" {
			errs = append(errs, fmt.Errorf("regimes[%d]: no id", i))
			continue
		}
		if _, dup := c.byID[r.ID]; dup {
			errs = append(errs, fmt.Errorf("regime %q: duplicate id", r.ID))
			continue
		}
		c.byID[r.ID] = i
	}
	for _, r := range c.regimes {
		for _, err := range c.check(r) {
			errs = append(errs, fmt.Errorf("regime %q: %w", r.ID, err))
		}
	}
	c.order, c.dutyAt = c.groupDuties()
	errs = append(errs, c.checkVersions()...)
	if len(c.regimes) == 0 {
		errs = append(errs, errors.New("regimes: empty catalogue"))
	}
	if err := errors.Join(errs...); err != nil {
		return Catalogue{}, err
	}
	return c, nil
}

// knownAnchor reports whether a is an anchor that needs no other row.
func knownAnchor(a string) bool {
	return slices.Contains([]string{AnchorWeLearnedAt, AnchorVendorDiscoveredAt, AnchorDiscoveryHIPAA,
		AnchorMaterialityDeterminedAt, AnchorYearEnd, AnchorClassification, AnchorNone}, a)
}

// check returns what is wrong with one row.
func (c Catalogue) check(r Regime) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(r.Regime) == "" {
		bad("no regime name")
	}
	if strings.TrimSpace(r.Citation) == "" {
		bad("no citation")
	}
	if !slices.Contains([]string{"V", "P", "U"}, r.Status) {
		bad("status %q is not V, P or U", r.Status)
	}
	if r.Deadline != nil {
		if err := r.Deadline.check(); err != nil {
			errs = append(errs, err)
		}
	} else if strings.TrimSpace(r.Standard) == "" {
		bad("neither a deadline nor a standard")
	}
	for _, a := range r.AltLimits {
		if a.Anchor == AnchorNone || a.Anchor == AnchorClassification || !knownAnchor(a.Anchor) {
			bad("alternative limit anchor %q is not a recorded incident instant", a.Anchor)
		}
		if err := a.Deadline.check(); err != nil {
			errs = append(errs, fmt.Errorf("alternative limit: %w", err))
		}
		if a.Combine != "earliest" {
			bad("alternative limit combine %q is not earliest", a.Combine)
		}
	}
	if r.Threshold != nil {
		if err := r.Threshold.check(); err != nil {
			errs = append(errs, err)
		}
	}
	if r.AppliesTo != "" && !r.AppliesTo.Valid() {
		bad("unknown entity type %q", r.AppliesTo)
	}
	if r.Ours && r.VendorObligation {
		bad("a vendor obligation cannot be ours")
	}
	if len(r.Jurisdictions) == 0 {
		bad("no jurisdictions")
	}
	for _, j := range r.Jurisdictions {
		if j != "*" && domain.CheckJurisdiction(j) != "" {
			bad("jurisdiction %q: %s", j, domain.CheckJurisdiction(j))
		}
	}
	conditions := 0
	for _, set := range []bool{r.PersonalData, r.AnyIncident, len(r.Categories) > 0} {
		if set {
			conditions++
		}
	}
	if conditions != 1 {
		bad("exactly one data condition (personal_data, any_incident, categories) is needed, not %d", conditions)
	}
	for _, cat := range r.Categories {
		if _, ok := register.LookupCategory(cat); !ok {
			bad("unknown data category %q", cat)
		}
	}
	if r.AnyIncident && r.AppliesTo == "" {
		bad("any_incident needs an entity type in applies_to")
	}
	if prior, ok := r.Chained(); ok {
		switch _, exists := c.byID[prior]; {
		case !exists:
			bad("anchor %q points at no row", r.Anchor)
		case c.cycles(r.ID):
			bad("anchor %q forms a cycle", r.Anchor)
		}
	} else if !knownAnchor(r.Anchor) {
		bad("unknown anchor %q", r.Anchor)
	}
	if (r.Anchor == AnchorYearEnd) != (r.Deadline != nil && r.Deadline.Unit == DeadlineDaysAfterYearEnd) {
		bad("anchor year_end goes with unit %s and only with it", DeadlineDaysAfterYearEnd)
	}
	if r.Anchor == AnchorClassification && len(r.AltLimits) == 0 {
		bad("anchor classification needs an alternative limit on a recorded instant")
	}
	if r.RequiresEvent != "" && r.Anchor != AnchorNone {
		bad("requires_event %q needs anchor none", r.RequiresEvent)
	}
	if r.Anchor == AnchorNone && r.Ours && r.RequiresEvent == "" {
		bad("anchor none on a row of ours needs requires_event")
	}
	return errs
}

// cycles reports whether following the chain from id comes back to it.
func (c Catalogue) cycles(id string) bool {
	seen := map[string]bool{}
	for cur := id; ; {
		if seen[cur] {
			return true
		}
		seen[cur] = true
		i, ok := c.byID[cur]
		if !ok {
			return false
		}
		next, chained := c.regimes[i].Chained()
		if !chained {
			return false
		}
		cur = next
	}
}

var defaultCatalogue = sync.OnceValues(func() (Catalogue, error) { return ParseCatalogue(regimesJSON) })

// DefaultCatalogue returns the embedded catalogue, parsed and validated
// once. It panics when the embedded file is invalid, which the domain
// tests catch.
func DefaultCatalogue() Catalogue {
	c, err := defaultCatalogue()
	if err != nil {
		panic("domain/incident/regimes.json: " + err.Error())
	}
	return c
}

// Regimes returns every row in catalogue order (copies).
func (c Catalogue) Regimes() []Regime {
	out := make([]Regime, len(c.regimes))
	for i, r := range c.regimes {
		out[i] = r.clone()
	}
	return out
}

// Regime returns the row with the given id.
func (c Catalogue) Regime(id string) (Regime, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Regime{}, false
	}
	return c.regimes[i].clone(), true
}

// RegimeFilter selects catalogue rows; empty fields match everything.
type RegimeFilter struct {
	// Jurisdiction keeps rows that can concern data subjects there: a row
	// jurisdiction that covers it (EU for DE, US for US-CA), lies within it
	// (US-CA for US), equals it, or is "*" (card brands).
	Jurisdiction string
	// Status keeps rows with this verification status (V, P or U).
	Status string
}

// Find returns the rows that match f, in catalogue order.
func (c Catalogue) Find(f RegimeFilter) []Regime {
	out := []Regime{}
	for _, r := range c.regimes {
		if f.Status != "" && r.Status != f.Status {
			continue
		}
		if f.Jurisdiction != "" && !r.relatesTo(f.Jurisdiction) {
			continue
		}
		out = append(out, r.clone())
	}
	return out
}
