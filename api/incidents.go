package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// incidentJSON is an incident with its notification clock.
type incidentJSON struct {
	ID                      string                      `json:"id"`
	VendorID                string                      `json:"vendor_id"`
	Kind                    string                      `json:"kind"`
	ReportedByVendorID      *string                     `json:"reported_by_vendor_id"`
	Title                   string                      `json:"title"`
	Description             *string                     `json:"description"`
	Status                  incident.IncidentStatus     `json:"status"`
	ExposureStart           *time.Time                  `json:"exposure_start"`
	ExposureEnd             *time.Time                  `json:"exposure_end"`
	VendorDiscoveredAt      time.Time                   `json:"vendor_discovered_at"`
	VendorNotifiedUsAt      *time.Time                  `json:"vendor_notified_us_at"`
	WeLearnedAt             time.Time                   `json:"we_learned_at"`
	LearnedVia              incident.LearnedVia         `json:"learned_via"`
	Categories              []string                    `json:"categories"`
	RecordsAffected         int64                       `json:"records_affected"`
	RecordsEstimated        bool                        `json:"records_estimated"`
	Jurisdictions           []string                    `json:"jurisdictions"`
	Residents               map[string]int64            `json:"residents"`
	MaterialityDeterminedAt *time.Time                  `json:"materiality_determined_at"`
	VendorIsAgent           bool                        `json:"vendor_is_agent"`
	NoticeEvidence          *incident.EvidenceRef       `json:"notice_evidence"`
	Notice                  incident.NoticeClock        `json:"notice"`
	Obligations             *incident.ObligationSummary `json:"obligations,omitempty"`         // single incidents only
	RegimesNotApplied       *[]incident.RegimeCheck     `json:"regimes_not_applied,omitempty"` // single incidents only
	Version                 int64                       `json:"version"`
	CreatedBy               string                      `json:"created_by"`
	CreatedAt               time.Time                   `json:"created_at"`
	UpdatedAt               time.Time                   `json:"updated_at"`
}

func toIncidentJSON(v incident.IncidentView) incidentJSON {
	i := v.Incident
	residents := i.Residents
	if residents == nil {
		residents = map[string]int64{}
	}
	return incidentJSON{
		ID: i.ID, VendorID: i.VendorID, Kind: i.Kind(), ReportedByVendorID: null(i.ReportedByVendorID), Title: i.Title,
		Description: null(i.Description), Status: i.Status,
		ExposureStart: i.ExposureStart, ExposureEnd: i.ExposureEnd, VendorDiscoveredAt: i.VendorDiscoveredAt,
		VendorNotifiedUsAt: i.VendorNotifiedUsAt, WeLearnedAt: i.WeLearnedAt, LearnedVia: i.LearnedVia,
		Categories: nonNil(i.Categories), RecordsAffected: i.RecordsAffected, RecordsEstimated: i.RecordsEstimated,
		Jurisdictions: nonNil(i.Jurisdictions), Residents: residents, MaterialityDeterminedAt: i.MaterialityDeterminedAt,
		VendorIsAgent: i.VendorIsAgent, NoticeEvidence: i.NoticeEvidence, Notice: v.Notice, Obligations: v.Obligations,
		RegimesNotApplied: regimeChecks(v), Version: i.Version,
		CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
	}
}

// regimeChecks is a single incident's regimes not applied (nil for lists,
// whose views carry no obligation summary).
func regimeChecks(v incident.IncidentView) *[]incident.RegimeCheck {
	if v.Obligations == nil {
		return nil
	}
	checks := nonNil(v.RegimesNotApplied)
	return &checks
}

// incidentBody is the body of POST and PATCH /incidents: a merge patch for
// PATCH. Instants are RFC 3339 strings, parsed here to name bad fields.
type incidentBody struct {
	VendorID                Optional[string]                  `json:"vendor_id"`
	ReportedByVendorID      Optional[string]                  `json:"reported_by_vendor_id"`
	Title                   Optional[string]                  `json:"title"`
	Description             Optional[string]                  `json:"description"`
	Status                  Optional[incident.IncidentStatus] `json:"status"`
	ExposureStart           Optional[string]                  `json:"exposure_start"`
	ExposureEnd             Optional[string]                  `json:"exposure_end"`
	VendorDiscoveredAt      Optional[string]                  `json:"vendor_discovered_at"`
	VendorNotifiedUsAt      Optional[string]                  `json:"vendor_notified_us_at"`
	WeLearnedAt             Optional[string]                  `json:"we_learned_at"`
	LearnedVia              Optional[incident.LearnedVia]     `json:"learned_via"`
	Categories              Optional[[]string]                `json:"categories"`
	RecordsAffected         Optional[int64]                   `json:"records_affected"`
	Jurisdictions           Optional[[]string]                `json:"jurisdictions"`
	Residents               Optional[map[string]int64]        `json:"residents"`
	MaterialityDeterminedAt Optional[string]                  `json:"materiality_determined_at"`
	VendorIsAgent           Optional[bool]                    `json:"vendor_is_agent"`
}

// instant parses a required RFC 3339 field.
func instant(fe *domain.FieldErrors, field string, o Optional[string]) *time.Time {
	if !o.Set {
		return nil
	}
	if o.Null {
		fe.Add(field, "cannot be null")
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, o.Value)
	if err != nil {
		fe.Add(field, "must be an RFC 3339 instant such as 2017-10-12T00:00:00Z")
		return nil
	}
	return &t
}

// optionalInstant parses a nullable RFC 3339 field: absent, null (clear)
// or an instant.
func optionalInstant(fe *domain.FieldErrors, field string, o Optional[string]) **time.Time {
	if !o.Set {
		return nil
	}
	var t *time.Time
	if !o.Null {
		if t = instant(fe, field, o); t == nil {
			return nil
		}
	}
	return &t
}

func (b incidentBody) toDomain() (incident.IncidentInput, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"vendor_id", b.VendorID.Null}, nullable{"title", b.Title.Null},
		nullable{"status", b.Status.Null}, nullable{"learned_via", b.LearnedVia.Null},
		nullable{"categories", b.Categories.Null}, nullable{"records_affected", b.RecordsAffected.Null},
		nullable{"jurisdictions", b.Jurisdictions.Null}, nullable{"vendor_is_agent", b.VendorIsAgent.Null})
	in := incident.IncidentInput{
		VendorID: patchField(b.VendorID), ReportedByVendorID: patchField(b.ReportedByVendorID), Title: patchField(b.Title),
		Description: patchField(b.Description),
		Status:      patchField(b.Status), ExposureStart: optionalInstant(&fe, "exposure_start", b.ExposureStart),
		ExposureEnd:        optionalInstant(&fe, "exposure_end", b.ExposureEnd),
		VendorDiscoveredAt: instant(&fe, "vendor_discovered_at", b.VendorDiscoveredAt),
		VendorNotifiedUsAt: optionalInstant(&fe, "vendor_notified_us_at", b.VendorNotifiedUsAt),
		WeLearnedAt:        instant(&fe, "we_learned_at", b.WeLearnedAt), LearnedVia: patchField(b.LearnedVia),
		RecordsAffected: patchField(b.RecordsAffected), VendorIsAgent: patchField(b.VendorIsAgent),
		MaterialityDeterminedAt: optionalInstant(&fe, "materiality_determined_at", b.MaterialityDeterminedAt),
	}
	if b.Categories.Set && !b.Categories.Null {
		in.Categories = &b.Categories.Value
	}
	if b.Jurisdictions.Set && !b.Jurisdictions.Null {
		in.Jurisdictions = &b.Jurisdictions.Value
	}
	if b.Residents.Set {
		m := b.Residents.Value
		in.Residents = &m
	}
	return in, fe.Err()
}

// incidentCreate is the body of POST /incidents: an incidentBody that
// names the vendor.
type incidentCreate incidentBody

func (b incidentCreate) toDomain() (incident.IncidentInput, error) {
	in, err := incidentBody(b).toDomain()
	if err == nil && in.VendorID == nil {
		err = domain.Invalid("vendor_id", "is required")
	}
	return in, err
}

func (h *handlers) listIncidents(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	var f incident.IncidentFilter
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return err
	}
	if f.Status, err = enumQuery(c, "status", incident.IncidentStatus.Valid, "open, contained, closed"); err != nil {
		return err
	}
	return listFiltered(c, f, p, h.incidents.List, toIncidentJSON, nil)
}

func (h *handlers) createIncident(c *gin.Context) error {
	return createVersioned[incidentCreate](c, h.maxBody, h.incidents.Create, toIncidentJSON)
}

func (h *handlers) getIncident(c *gin.Context) error {
	return getVersioned(c, h.incidents.Get, toIncidentJSON)
}

func (h *handlers) patchIncident(c *gin.Context) error {
	return patchVersioned[incidentBody](c, h.maxBody, h.incidents.Update, toIncidentJSON)
}

// timelineInput is the body of POST /incidents/{id}/timeline.
type timelineInput struct {
	At     *string `json:"at"`
	Actor  string  `json:"actor"`
	Action string  `json:"action"`
	Text   string  `json:"text"`
}

func (h *handlers) appendTimeline(c *gin.Context) error {
	var b timelineInput
	if err := decodeJSON(c, h.maxBody, &b); err != nil {
		return err
	}
	in := incident.TimelineInput{Actor: b.Actor, Action: b.Action, Text: b.Text}
	if b.At != nil {
		t, err := time.Parse(time.RFC3339Nano, *b.At)
		if err != nil {
			return domain.Invalid("at", "must be an RFC 3339 instant such as 2026-11-23T14:05:00Z")
		}
		in.At = &t
	}
	e, err := h.incidents.AddTimeline(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, e)
	return nil
}

func (h *handlers) listTimeline(c *gin.Context) error {
	return getByID(c, h.incidents.Timeline, func(es []incident.TimelineEntry) listResponse[incident.TimelineEntry] {
		return mapList(es, identity[incident.TimelineEntry])
	})
}

// historyJSON is a vendor's notification history.
type historyJSON struct {
	VendorID  string                   `json:"vendor_id"`
	Stats     incident.TimelinessStats `json:"stats"`
	Incidents []historyItem            `json:"incidents"`
}

type historyItem struct {
	IncidentID         string               `json:"incident_id"`
	Title              string               `json:"title"`
	VendorDiscoveredAt time.Time            `json:"vendor_discovered_at"`
	Notice             incident.NoticeClock `json:"notice"`
}

func toHistoryJSON(hist incident.NotificationHistory) historyJSON {
	out := historyJSON{VendorID: hist.VendorID, Stats: hist.Stats, Incidents: make([]historyItem, len(hist.Incidents))}
	for i, v := range hist.Incidents {
		out.Incidents[i] = historyItem{IncidentID: v.ID, Title: v.Title, VendorDiscoveredAt: v.VendorDiscoveredAt, Notice: v.Notice}
	}
	return out
}

func (h *handlers) notificationHistory(c *gin.Context) error {
	return getByID(c, h.incidents.History, toHistoryJSON)
}

func (h *handlers) portfolioTimeliness(c *gin.Context) error {
	st, err := h.incidents.Timeliness(c.Request.Context())
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, st)
	return nil
}

// uploadNotice stores the proof of the vendor's notice; ?received_at= says
// when it arrived (default now).
func (h *handlers) uploadNotice(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var at *time.Time
	if s := c.Query("received_at"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return &badRequest{Field: "received_at", Message: "must be an RFC 3339 instant"}
		}
		at = &t
	}
	part, err := evidencePart(c, h.incidents.EvidenceLimit())
	if err != nil {
		return err
	}
	v, err := h.incidents.AttachNotice(c.Request.Context(), c.Param("id"), domain.EvidenceUpload{
		Name: part.FileName(), DeclaredType: part.Header.Get("Content-Type"), Content: part}, at, version)
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, v.Version, toIncidentJSON(v))
	return nil
}

// downloadNotice streams the notice evidence with its hash.
func (h *handlers) downloadNotice(c *gin.Context) error {
	inc, rc, err := h.incidents.OpenNotice(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	ev := inc.NoticeEvidence
	streamEvidence(c, rc, ev.Size, ev.MediaType, ev.Name, ev.SHA256)
	return nil
}
