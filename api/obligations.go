package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// obligationJSON is an obligation as the API shows it. Overdue is in law
// (past due_at); a working deadline passed (policy) is reported apart and
// is never a legal breach by itself.
type obligationJSON struct {
	incident.Obligation
	Overdue               bool `json:"overdue"`
	WorkingDeadlinePassed bool `json:"working_deadline_passed"`
}

func (h *handlers) toObligationJSON(o incident.Obligation) obligationJSON {
	now, open := h.clock.Now(), o.Status == incident.ObligationOpen
	return obligationJSON{Obligation: o, Overdue: open && o.DueAt != nil && o.DueAt.Before(now),
		WorkingDeadlinePassed: open && o.WorkingDueAt != nil && o.WorkingDueAt.Before(now)}
}

// obligationListJSON is GET /incidents/{id}/obligations: the obligations
// and the regimes checked and not applied, with why.
type obligationListJSON struct {
	Items      []obligationJSON       `json:"items"`
	NotApplied []incident.RegimeCheck `json:"not_applied"`
}

func (h *handlers) listObligations(c *gin.Context) error {
	os, err := h.incidents.ListObligations(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	checks, err := h.incidents.RegimesNotApplied(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := obligationListJSON{Items: make([]obligationJSON, len(os)), NotApplied: nonNil(checks)}
	for i, o := range os {
		out.Items[i] = h.toObligationJSON(o)
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// obligationPatch is the body of PATCH /obligations/{id}.
type obligationPatch struct {
	Status   incident.ObligationStatus `json:"status"`
	Reason   string                    `json:"reason"`
	DoneAt   *string                   `json:"done_at"`
	Evidence string                    `json:"evidence"`
}

func (b obligationPatch) toDomain() (incident.ObligationChange, error) {
	ch := incident.ObligationChange{Status: b.Status, Reason: b.Reason, Evidence: b.Evidence}
	if b.DoneAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *b.DoneAt)
		if err != nil {
			return ch, domain.Invalid("done_at", "must be an RFC 3339 instant")
		}
		ch.DoneAt = &t
	}
	return ch, nil
}

func (h *handlers) patchObligation(c *gin.Context) error {
	return patchVersioned[obligationPatch](c, h.maxBody, h.incidents.SetObligation, h.toObligationJSON)
}

// blastRadiusJSON is GET /incidents/{id}/blast-radius.
type blastRadiusJSON struct {
	Incident  incidentJSON               `json:"incident"`
	Vendor    vendorJSON                 `json:"vendor"`
	Handling  []handlingJSON             `json:"data_handling"`
	Contracts []contractClausesJSON      `json:"contracts"`
	Deadlines []incident.RunningDeadline `json:"deadlines"`
	// ReportedBy is the vendor that reported a provider incident (null for
	// a vendor's own incident).
	ReportedBy *vendorJSON `json:"reported_by"`
	// Upstream are the vendors of ours above the incident's vendor.
	Upstream []upstreamExposureJSON `json:"upstream"`
}

// upstreamExposureJSON is a vendor of ours above an incident's vendor and
// the obligations its data brings in.
type upstreamExposureJSON struct {
	register.UpstreamVendor
	Obligations []upstreamObligationJSON `json:"obligations"`
}

// upstreamObligationJSON is an obligation an upstream vendor's data brings
// in, as the catalogue states it.
type upstreamObligationJSON struct {
	RegimeID     string     `json:"regime_id"`
	Regime       string     `json:"regime"`
	Citation     string     `json:"citation"`
	Recipient    string     `json:"recipient"`
	Title        string     `json:"title"`
	DueAt        *time.Time `json:"due_at"`
	DeadlineText string     `json:"deadline_text"`
}

type contractClausesJSON struct {
	ContractID        string                  `json:"contract_id"`
	Title             string                  `json:"title"`
	Status            contract.ContractStatus `json:"status"`
	ClauseNow         *clauseJSON             `json:"clause_now"`
	ClauseAtDiscovery *clauseJSON             `json:"clause_at_discovery"`
}

func (h *handlers) blastRadius(c *gin.Context) error {
	return getByID(c, h.incidents.BlastRadius, h.toBlastRadiusJSON)
}

func (h *handlers) toBlastRadiusJSON(b incident.BlastRadius) blastRadiusJSON {
	out := blastRadiusJSON{Incident: toIncidentJSON(b.Incident), Vendor: toVendorJSON(b.Vendor),
		Handling: make([]handlingJSON, len(b.Handling)), Contracts: make([]contractClausesJSON, len(b.Contracts)),
		Deadlines: nonNil(b.Deadlines)}
	for i, x := range b.Handling {
		out.Handling[i] = toHandlingJSON(x)
	}
	for i, cc := range b.Contracts {
		out.Contracts[i] = contractClausesJSON{ContractID: cc.Contract.ID, Title: cc.Contract.Title, Status: cc.Contract.Status,
			ClauseNow: h.toClauseJSON(cc.ClauseNow), ClauseAtDiscovery: h.toClauseJSON(cc.ClauseAtDiscovery)}
	}
	if b.ReportedBy != nil {
		v := toVendorJSON(*b.ReportedBy)
		out.ReportedBy = &v
	}
	out.Upstream = make([]upstreamExposureJSON, len(b.Upstream))
	for i, u := range b.Upstream {
		u.DataCategories, u.Countries, u.Jurisdictions = nonNil(u.DataCategories), nonNil(u.Countries), nonNil(u.Jurisdictions)
		x := upstreamExposureJSON{UpstreamVendor: u.UpstreamVendor, Obligations: make([]upstreamObligationJSON, len(u.Obligations))}
		for j, o := range u.Obligations {
			x.Obligations[j] = upstreamObligationJSON{RegimeID: o.RegimeID, Regime: o.Regime.Regime, Citation: o.Regime.Citation,
				Recipient: o.Recipient, Title: o.Title, DueAt: o.DueAt, DeadlineText: o.DeadlineText}
		}
		out.Upstream[i] = x
	}
	return out
}
