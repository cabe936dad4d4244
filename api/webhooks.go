package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
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
	return listPage(c, h.webhooks.List, identity[webhook.Webhook])
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
	writeCreatedOnce(c, "/api/v1/webhooks/"+w.ID, webhookCreated{Webhook: w, Secret: secret},
		webhookCreated{Webhook: w, SecretWithheld: secretWithheld("secret", "delete this webhook and create another")})
	return nil
}

func (h *handlers) getWebhook(c *gin.Context) error {
	return getByID(c, h.webhooks.Get, identity[webhook.Webhook])
}

func (h *handlers) deleteWebhook(c *gin.Context) error {
	if err := h.webhooks.Delete(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// disableWebhook stops deliveries to a webhook until it is enabled:
// nothing is queued for it meanwhile, and what was queued waits.
func (h *handlers) disableWebhook(c *gin.Context) error {
	return h.setWebhookEnabled(c, false)
}

// enableWebhook lets a disabled webhook receive events again.
func (h *handlers) enableWebhook(c *gin.Context) error {
	return h.setWebhookEnabled(c, true)
}

func (h *handlers) setWebhookEnabled(c *gin.Context, enabled bool) error {
	w, err := h.webhooks.SetEnabled(c.Request.Context(), c.Param("id"), enabled)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, w)
	return nil
}

func (h *handlers) listWebhookDeliveries(c *gin.Context) error {
	return listPage(c, func(ctx context.Context, p domain.PageRequest) (domain.Page[webhook.WebhookDelivery], error) {
		return h.webhooks.Deliveries(ctx, c.Param("id"), p)
	}, identity[webhook.WebhookDelivery])
}
