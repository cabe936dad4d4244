package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// webhookCreate is the body of POST /webhooks.
type webhookCreate struct {
	URL         string   `json:"url"`
	Secret      string   `json:"secret"` // optional: generated when empty
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

// webhookCreated is a webhook with its secret, returned once; a replay of
// the create (Idempotency-Key) has SecretWithheld instead.
type webhookCreated struct {
	domain.Webhook
	Secret         string `json:"secret,omitempty"`
	SecretWithheld string `json:"secret_withheld,omitempty"`
}

func (h *handlers) listWebhooks(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := h.webhooks.List(c.Request.Context(), p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, identity[domain.Webhook]))
}

func (h *handlers) createWebhook(c *gin.Context) {
	var in webhookCreate
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		writeError(c, err)
		return
	}
	w, secret, err := h.webhooks.Create(c.Request.Context(), domain.NewWebhook{URL: in.URL, Secret: in.Secret,
		Events: in.Events, Description: in.Description})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/webhooks/"+w.ID)
	withholdOnReplay(c, webhookCreated{Webhook: w, SecretWithheld: secretWithheld("secret", "delete this webhook and create another")})
	writeJSON(c, http.StatusCreated, webhookCreated{Webhook: w, Secret: secret})
}

func (h *handlers) getWebhook(c *gin.Context) {
	w, err := h.webhooks.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, w)
}

func (h *handlers) deleteWebhook(c *gin.Context) {
	if err := h.webhooks.Delete(c.Request.Context(), c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) listWebhookDeliveries(c *gin.Context) {
	p, err := pageRequest(c)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := h.webhooks.Deliveries(c.Request.Context(), c.Param("id"), p)
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, mapPage(page, identity[domain.WebhookDelivery]))
}
