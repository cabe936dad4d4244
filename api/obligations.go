package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// obligationJSON is an obligation as the API shows it.
type obligationJSON struct {
	domain.Obligation
	Overdue bool `json:"overdue"`
}

func (h *handlers) toObligationJSON(o domain.Obligation) obligationJSON {
	return obligationJSON{Obligation: o,
		Overdue: o.Status == domain.ObligationOpen && o.DueAt != nil && o.DueAt.Before(h.clock.Now())}
}

func (h *handlers) listObligations(c *gin.Context) {
	os, err := h.incidents.ListObligations(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	out := listResponse[obligationJSON]{Items: make([]obligationJSON, len(os))}
	for i, o := range os {
		out.Items[i] = h.toObligationJSON(o)
	}
	writeJSON(c, http.StatusOK, out)
}

// obligationPatch is the body of PATCH /obligations/{id}.
type obligationPatch struct {
	Status   domain.ObligationStatus `json:"status"`
	Reason   string                  `json:"reason"`
	DoneAt   *string                 `json:"done_at"`
	Evidence string                  `json:"evidence"`
}

func (h *handlers) patchObligation(c *gin.Context) {
	version, err := ifMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var b obligationPatch
	if err := decodeJSON(c, h.maxBody, &b); err != nil {
		writeError(c, err)
		return
	}
	ch := domain.ObligationChange{Status: b.Status, Reason: b.Reason, Evidence: b.Evidence}
	if b.DoneAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *b.DoneAt)
		if err != nil {
			writeError(c, domain.Invalid("done_at", "must be an RFC 3339 instant"))
			return
		}
		ch.DoneAt = &t
	}
	var o domain.Obligation
	err = onLatest(c.Request.Context(), version, func() (err error) {
		o, err = h.incidents.SetObligation(c.Request.Context(), c.Param("id"), ch, version)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	setETag(c, o.Version)
	writeJSON(c, http.StatusOK, h.toObligationJSON(o))
}

// blastRadiusJSON is GET /incidents/{id}/blast-radius.
type blastRadiusJSON struct {
	Incident  incidentJSON             `json:"incident"`
	Vendor    vendorJSON               `json:"vendor"`
	Handling  []handlingJSON           `json:"data_handling"`
	Contracts []contractClausesJSON    `json:"contracts"`
	Deadlines []domain.RunningDeadline `json:"deadlines"`
}

type contractClausesJSON struct {
	ContractID        string                `json:"contract_id"`
	Title             string                `json:"title"`
	Status            domain.ContractStatus `json:"status"`
	ClauseNow         *clauseJSON           `json:"clause_now"`
	ClauseAtDiscovery *clauseJSON           `json:"clause_at_discovery"`
}

func (h *handlers) blastRadius(c *gin.Context) {
	b, err := h.incidents.BlastRadius(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
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
	writeJSON(c, http.StatusOK, out)
}
