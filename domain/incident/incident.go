package incident

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// IncidentStatus is where the handling of a vendor incident stands.
type IncidentStatus string

// Incident statuses.
const (
	IncidentOpen      IncidentStatus = "open"
	IncidentContained IncidentStatus = "contained"
	IncidentClosed    IncidentStatus = "closed"
)

// Valid reports whether s is a known status.
func (s IncidentStatus) Valid() bool {
	return s == IncidentOpen || s == IncidentContained || s == IncidentClosed
}

// LearnedVia is how we first heard of a vendor's incident.
type LearnedVia string

// Ways of learning.
const (
	ViaVendorNotice   LearnedVia = "vendor_notice"
	ViaPress          LearnedVia = "press"
	ViaCustomer       LearnedVia = "customer"
	ViaLawEnforcement LearnedVia = "law_enforcement"
	ViaMonitoring     LearnedVia = "monitoring"
	ViaOther          LearnedVia = "other"
)

// Valid reports whether v is a known way of learning.
func (v LearnedVia) Valid() bool {
	switch v {
	case ViaVendorNotice, ViaPress, ViaCustomer, ViaLawEnforcement, ViaMonitoring, ViaOther:
		return true
	}
	return false
}

// Incident is a security incident at a vendor that touches our data. All
// instants are UTC.
type Incident struct {
	ID       string `json:"id"`
	VendorID string `json:"vendor_id"`
	// ReportedByVendorID, when set, makes this a provider incident: the
	// incident is at VendorID, a provider (often a fourth party), and this
	// vendor of ours, which depends on it, reported it to us. The vendor's
	// notice to us is judged against the reporting vendor's own clause.
	ReportedByVendorID string         `json:"reported_by_vendor_id"`
	Title              string         `json:"title"`
	Description        string         `json:"description"`
	Status             IncidentStatus `json:"status"`
	ExposureStart      *time.Time     `json:"exposure_start"`
	ExposureEnd        *time.Time     `json:"exposure_end"`
	VendorDiscoveredAt time.Time      `json:"vendor_discovered_at"`
	VendorNotifiedUsAt *time.Time     `json:"vendor_notified_us_at"` // nil: the vendor has not told us
	WeLearnedAt        time.Time      `json:"we_learned_at"`
	LearnedVia         LearnedVia     `json:"learned_via"`
	// What was affected. Defaults come from the vendor's data handling.
	Categories              []string         `json:"categories"`
	RecordsAffected         int64            `json:"records_affected"`
	RecordsEstimated        bool             `json:"records_estimated"` // taken from data handling, not reported
	Jurisdictions           []string         `json:"jurisdictions"`
	Residents               map[string]int64 `json:"residents"` // optional affected counts per jurisdiction
	MaterialityDeterminedAt *time.Time       `json:"materiality_determined_at"`
	VendorIsAgent           bool             `json:"vendor_is_agent"` // HIPAA: its discovery counts as ours
	// Proof of the vendor's notice, in the evidence store.
	NoticeEvidence *EvidenceRef `json:"notice_evidence"`

	// The notification clock's stored inputs, refreshed whenever the
	// incident or the vendor's clauses change (see IncidentService).
	NoticeContractID string     `json:"notice_contract_id"`
	NoticeClauseID   string     `json:"notice_clause_id"`
	NoticeDueAt      *time.Time `json:"notice_due_at"`
	// The earliest deadline the law fixes for the vendor's notice to us
	// (its statutory duty, VendorDuties), and the catalogue row fixing it.
	LawNoticeDueAt    *time.Time `json:"law_notice_due_at"`
	LawNoticeRegimeID string     `json:"law_notice_regime_id"`

	Version   int64     `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Incident kinds.
const (
	// KindVendorIncident is an incident at one of our vendors, which it
	// reports itself.
	KindVendorIncident = "vendor_incident"
	// KindProviderIncident is an incident at a vendor's provider, reported
	// to us by that vendor (ReportedByVendorID).
	KindProviderIncident = "provider_incident"
)

// Kind is KindProviderIncident when a vendor of ours reported an incident
// at its provider, else KindVendorIncident.
func (i Incident) Kind() string {
	if i.ReportedByVendorID != "" {
		return KindProviderIncident
	}
	return KindVendorIncident
}

// NoticeVendorID is the vendor whose notice to us the clock judges, and
// whose clauses govern it: the reporting vendor of a provider incident,
// else the incident's vendor.
func (i Incident) NoticeVendorID() string {
	if i.ReportedByVendorID != "" {
		return i.ReportedByVendorID
	}
	return i.VendorID
}

// EntityID is its id; with StoredVersion it makes Incident a domain.Versioned.
func (i Incident) EntityID() string { return i.ID }

// StoredVersion is the version it was read at.
func (i Incident) StoredVersion() int64 { return i.Version }

// EvidenceRef points at a file in the content-addressed evidence store.
type EvidenceRef struct {
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"media_type"`
	Name       string    `json:"name"`
	ReceivedAt time.Time `json:"received_at"`
	UploadedBy string    `json:"uploaded_by"`
}

// IncidentInput carries the writable fields for create and patch. For a
// patch nil leaves a field unchanged; the pointer-to-pointer fields take a
// nil inner pointer to clear.
type IncidentInput struct {
	VendorID                *string
	ReportedByVendorID      *string
	Title                   *string
	Description             *string
	Status                  *IncidentStatus
	ExposureStart           **time.Time
	ExposureEnd             **time.Time
	VendorDiscoveredAt      *time.Time
	VendorNotifiedUsAt      **time.Time
	WeLearnedAt             *time.Time
	LearnedVia              *LearnedVia
	Categories              *[]string
	RecordsAffected         *int64
	Jurisdictions           *[]string
	Residents               *map[string]int64
	MaterialityDeterminedAt **time.Time
	VendorIsAgent           *bool
}

// FutureTolerance is how far ahead of the server clock a reported instant
// may lie (clock skew between people's machines and ours).
const FutureTolerance = 5 * time.Minute

// Apply copies the set fields of in onto i and validates the result
// against now. Defaults for categories, records and jurisdictions are
// filled by the service from the vendor's data handling.
func (i *Incident) Apply(in IncidentInput, now time.Time) error {
	var fe domain.FieldErrors
	if in.VendorID != nil {
		i.VendorID = *in.VendorID
	}
	if in.ReportedByVendorID != nil {
		i.ReportedByVendorID = strings.TrimSpace(*in.ReportedByVendorID)
	}
	if in.Title != nil {
		i.Title = domain.CheckText(&fe, "title", *in.Title, true, 200)
	}
	if in.Description != nil {
		i.Description = domain.CheckText(&fe, "description", *in.Description, false, 10000)
	}
	if in.Status != nil {
		i.Status = *in.Status
	}
	setTime := func(dst **time.Time, src **time.Time) {
		if src != nil {
			*dst = utcPtrTime(*src)
		}
	}
	setTime(&i.ExposureStart, in.ExposureStart)
	setTime(&i.ExposureEnd, in.ExposureEnd)
	setTime(&i.VendorNotifiedUsAt, in.VendorNotifiedUsAt)
	setTime(&i.MaterialityDeterminedAt, in.MaterialityDeterminedAt)
	if in.VendorDiscoveredAt != nil {
		i.VendorDiscoveredAt = in.VendorDiscoveredAt.UTC()
	}
	if in.WeLearnedAt != nil {
		i.WeLearnedAt = in.WeLearnedAt.UTC()
	}
	if in.LearnedVia != nil {
		i.LearnedVia = *in.LearnedVia
	}
	if in.Categories != nil {
		i.Categories = slices.Clone(*in.Categories)
	}
	if in.RecordsAffected != nil {
		i.RecordsAffected, i.RecordsEstimated = *in.RecordsAffected, false
	}
	if in.Jurisdictions != nil {
		i.Jurisdictions = domain.NormalizeJurisdictions("jurisdictions", *in.Jurisdictions, &fe)
	}
	if in.Residents != nil {
		i.Residents = map[string]int64{}
		for code, n := range *in.Residents {
			if msg := domain.CheckJurisdiction(code); msg != "" {
				fe.Add("residents."+code, "%s", msg)
			} else if n < 0 || n > register.MaxRecordCount {
				fe.Add("residents."+code, "must be between 0 and %d", int64(register.MaxRecordCount))
			} else {
				i.Residents[code] = n
			}
		}
	}
	if in.VendorIsAgent != nil {
		i.VendorIsAgent = *in.VendorIsAgent
	}

	if i.Title == "" && in.Title == nil {
		fe.Add("title", "is required")
	}
	if !domain.ValidID(i.VendorID) {
		fe.Add("vendor_id", "must be the id (UUID) of a vendor")
	}
	switch {
	case i.ReportedByVendorID == "":
	case !domain.ValidID(i.ReportedByVendorID):
		fe.Add("reported_by_vendor_id", "must be the id (UUID) of the vendor of ours that reported the provider's incident")
	case i.ReportedByVendorID == i.VendorID:
		fe.Add("reported_by_vendor_id", "names the incident's own vendor; leave it out for a vendor's own incident")
	}
	if !i.Status.Valid() {
		fe.Add("status", "must be one of open, contained, closed")
	}
	if !i.LearnedVia.Valid() {
		fe.Add("learned_via", "must be one of vendor_notice, press, customer, law_enforcement, monitoring, other")
	}
	for idx, c := range i.Categories {
		if _, ok := register.LookupCategory(c); !ok {
			fe.Add(domain.IndexField("categories", idx), "unknown data category %s; GET /api/v1/data-categories lists them", strconv.Quote(c))
		}
	}
	slices.Sort(i.Categories)
	i.Categories = slices.Compact(i.Categories)
	if i.RecordsAffected < 0 || i.RecordsAffected > register.MaxRecordCount {
		fe.Add("records_affected", "must be between 0 and %d", int64(register.MaxRecordCount))
	}
	i.checkInstants(&fe, now)
	return fe.Err()
}

// checkInstants enforces the order of events and that none is in the
// future.
func (i *Incident) checkInstants(fe *domain.FieldErrors, now time.Time) {
	future := now.Add(FutureTolerance)
	check := func(field string, t *time.Time) {
		if t != nil && t.After(future) {
			fe.Add(field, "must not be in the future (now is %s)", now.Format(time.RFC3339))
		}
	}
	if i.VendorDiscoveredAt.IsZero() {
		fe.Add("vendor_discovered_at", "is required: when the vendor discovered the incident (RFC 3339)")
	}
	if i.WeLearnedAt.IsZero() {
		fe.Add("we_learned_at", "is required: when we first learned of the incident (RFC 3339)")
	}
	check("exposure_start", i.ExposureStart)
	check("exposure_end", i.ExposureEnd)
	check("vendor_discovered_at", &i.VendorDiscoveredAt)
	check("vendor_notified_us_at", i.VendorNotifiedUsAt)
	check("we_learned_at", &i.WeLearnedAt)
	check("materiality_determined_at", i.MaterialityDeterminedAt)
	if i.ExposureStart != nil && i.ExposureEnd != nil && i.ExposureEnd.Before(*i.ExposureStart) {
		fe.Add("exposure_end", "must not be before exposure_start")
	}
	if i.ExposureStart != nil && !i.VendorDiscoveredAt.IsZero() && i.VendorDiscoveredAt.Before(*i.ExposureStart) {
		fe.Add("vendor_discovered_at", "must not be before exposure_start: nothing can be discovered before it starts")
	}
	if i.VendorNotifiedUsAt != nil && !i.VendorDiscoveredAt.IsZero() && i.VendorNotifiedUsAt.Before(i.VendorDiscoveredAt) {
		fe.Add("vendor_notified_us_at", "must not be before vendor_discovered_at: a notice cannot precede the discovery")
	}
	if i.LearnedVia == ViaVendorNotice && i.VendorNotifiedUsAt == nil {
		fe.Add("vendor_notified_us_at", "is required when learned_via is vendor_notice")
	}
}

func utcPtrTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// IncidentFilter selects incidents in a list.
type IncidentFilter struct {
	VendorID string
	Status   IncidentStatus
}

// TimelineEntry is one line of an incident's append-only log: who did what,
// at exactly what time. Entries are never edited; corrections are new
// entries.
type TimelineEntry struct {
	IncidentID string    `json:"incident_id"`
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`          // when it happened
	Actor      string    `json:"actor"`       // who did it (a person or team)
	Action     string    `json:"action"`      // what, in a few words
	Text       string    `json:"text"`        // details
	RecordedBy string    `json:"recorded_by"` // the API key that wrote the entry
	RecordedAt time.Time `json:"recorded_at"` // when it was written down
}
