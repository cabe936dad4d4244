package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain/webhook"
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
	webhook.Webhook
	Secret         string `json:"secret,omitempty"`
	SecretWithheld string `json:"secret_withheld,omitempty"`
}

func (h *handlers) listWebhooks(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.webhooks.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapPage(page, identity[webhook.Webhook]))
	return nil
}

func (h *handlers) createWebhook(c *gin.Context) error {
	var in webhookCreate
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	w, secret, err := h.webhooks.Create(c.Request.Context(), webhook.NewWebhook{URL: in.URL, Secret: in.Secret,
		Events: in.Events, Description: in.Description})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/webhooks/"+w.ID)
	withholdOnReplay(c, webhookCreated{Webhook: w, SecretWithheld: secretWithheld("secret", "delete this webhook and create another")})
	writeJSON(c, http.StatusCreated, webhookCreated{Webhook: w, Secret: secret})
	return nil
}

func (h *handlers) getWebhook(c *gin.Context) error {
	w, err := h.webhooks.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, w)
	return nil
}

func (h *handlers) deleteWebhook(c *gin.Context) error {
	if err := h.webhooks.Delete(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) listWebhookDeliveries(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.webhooks.Deliveries(c.Request.Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapPage(page, identity[webhook.WebhookDelivery]))
	return nil
}
