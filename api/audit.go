package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

type auditJSON struct {
	Seq       int64           `json:"seq"`
	ID        string          `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   string          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	RequestID string          `json:"request_id"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	LeafIndex *int64          `json:"leaf_index"` // null until sealed
}

func toAuditJSON(e domain.AuditEvent) auditJSON {
	orNull := func(b json.RawMessage) json.RawMessage {
		if len(b) == 0 {
			return json.RawMessage("null")
		}
		return b
	}
	return auditJSON{e.Seq, e.ID, e.At, e.ActorID, e.ActorName, e.Action, e.Entity, e.EntityID, e.RequestID,
		orNull(e.Before), orNull(e.After), e.Leaf}
}

func (h *handlers) listAudit(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f := domain.AuditFilter{Entity: c.Query("entity"), EntityID: c.Query("entity_id")}
	page, err := h.audit.List(c.Request.Context(), f, p)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapPage(page, toAuditJSON))
	return nil
}

// auditPublicKeyJSON is the audit log's public key.
type auditPublicKeyJSON struct {
	Key       string `json:"key"`       // note verifier key: <name>+<hash>+<base64 key>
	Origin    string `json:"origin"`    // the first line of every checkpoint
	Algorithm string `json:"algorithm"` // ed25519
}

// auditPublicKey serves the key that signs the audit log's checkpoints:
// what checks them, and the inclusion proofs of vendorwatch audit prove.
func (h *handlers) auditPublicKey(c *gin.Context) error {
	if h.auditKey == "" {
		return &statusError{Status: http.StatusServiceUnavailable, Detail: "This server has no audit log key configured."}
	}
	name, _, _ := strings.Cut(h.auditKey, "+")
	writeJSON(c, http.StatusOK, auditPublicKeyJSON{Key: h.auditKey, Origin: name, Algorithm: "ed25519"})
	return nil
}
