package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain/register"
)

type handlingJSON struct {
	VendorID      string            `json:"vendor_id"`
	Category      string            `json:"category"`
	Access        []register.Access `json:"access"`
	RecordCount   int64             `json:"record_count"`
	Jurisdictions []string          `json:"jurisdictions"`
	Systems       []string          `json:"systems"`
	Notes         string            `json:"notes"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// handlingRecordedJSON is the answer to recording data handling: the
// record, and the vendor's risk recomputed from it, factor by factor.
type handlingRecordedJSON struct {
	handlingJSON
	Vendor vendorRiskJSON `json:"vendor"`
}

// vendorRiskJSON is a vendor's effective tier and inherent risk.
type vendorRiskJSON struct {
	ID   string                `json:"id"`
	Tier register.Tier         `json:"tier"`
	Risk register.InherentRisk `json:"risk"`
}

func toHandlingJSON(h register.DataHandling) handlingJSON {
	return handlingJSON{VendorID: h.VendorID, Category: h.Category, Access: nonNil(h.Access),
		RecordCount: h.RecordCount, Jurisdictions: nonNil(h.Jurisdictions), Systems: nonNil(h.Systems),
		Notes: h.Notes, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

// handlingInput is the body of POST /vendors/{id}/data-handling.
type handlingInput struct {
	Category      string   `json:"category"`
	Access        []string `json:"access"`
	RecordCount   int64    `json:"record_count"`
	Jurisdictions []string `json:"jurisdictions"`
	Systems       []string `json:"systems"`
	Notes         string   `json:"notes"`
}

func (h *handlers) listHandling(c *gin.Context) error {
	return getByID(c, h.vendors.ListHandling, func(hs []register.DataHandling) listResponse[handlingJSON] {
		return mapList(hs, toHandlingJSON)
	})
}

func (h *handlers) putHandling(c *gin.Context) error {
	var in handlingInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	rec, created, err := h.vendors.PutHandling(c.Request.Context(), c.Param("id"), register.DataHandlingInput(in))
	if err != nil {
		return err
	}
	v, err := h.vendors.Get(c.Request.Context(), rec.VendorID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(c, status, handlingRecordedJSON{handlingJSON: toHandlingJSON(rec),
		Vendor: vendorRiskJSON{ID: v.ID, Tier: v.Tier(), Risk: v.Risk}})
	return nil
}

func (h *handlers) deleteHandling(c *gin.Context) error {
	if err := h.vendors.DeleteHandling(c.Request.Context(), c.Param("id"), c.Param("category")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) listCategories(c *gin.Context) error {
	writeJSON(c, http.StatusOK, listResponse[register.DataCategory]{Items: register.DataCategories()})
	return nil
}
