package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// keyCreate is the body of POST /api-keys.
type keyCreate struct {
	Name      string      `json:"name"`
	Role      domain.Role `json:"role"`
	ExpiresAt *string     `json:"expires_at"` // RFC 3339, parsed below to name the field on error
}

// keyCreated is an API key with its plaintext, returned once; a replay
// of the create (Idempotency-Key) has SecretWithheld instead.
type keyCreated struct {
	access.APIKey
	Key            string `json:"key,omitempty"`
	SecretWithheld string `json:"secret_withheld,omitempty"`
}

func identity[T any](v T) T { return v }

func (h *handlers) listKeys(c *gin.Context) error {
	return listPage(c, h.keys.List, identity[access.APIKey])
}

func (h *handlers) createKey(c *gin.Context) error {
	var in keyCreate
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	nk := access.NewKey{Name: in.Name, Role: in.Role}
	if in.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *in.ExpiresAt)
		if err != nil {
			return &badRequest{Field: "expires_at", Message: "must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z"}
		}
		nk.ExpiresAt = &t
	}
	k, plaintext, err := h.keys.Create(c.Request.Context(), nk)
	if err != nil {
		return err
	}
	writeCreatedOnce(c, "/api/v1/api-keys/"+k.ID, keyCreated{APIKey: k, Key: plaintext},
		keyCreated{APIKey: k, SecretWithheld: secretWithheld("key", "revoke this key and create another")})
	return nil
}

func (h *handlers) getKey(c *gin.Context) error {
	return getByID(c, h.keys.Get, identity[access.APIKey])
}

func (h *handlers) revokeKey(c *gin.Context) error {
	if err := h.keys.Revoke(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
