package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// capture keeps a copy of what a handler writes, for replay.
type capture struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capture) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capture) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// ctxReplay holds what a replay shows instead of the response (see
// withholdOnReplay).
const ctxReplay = "vw.replay"

// withholdOnReplay tells the idempotency layer to store v, not the
// response, for replays: a response that shows a secret once (an API
// key, a webhook secret) must not leave it in the idempotency table, nor
// show it again. v is the resource without its secret, saying so.
func withholdOnReplay(c *gin.Context, v any) { c.Set(ctxReplay, v) }

// writeCreatedOnce writes 201 with the Location of a resource whose secret
// is shown once: the body holds it, and a replay (idempotency) answers
// withheld, the same body with secretWithheld in the secret's place.
func writeCreatedOnce(c *gin.Context, location string, body, withheld any) {
	c.Header("Location", location)
	withholdOnReplay(c, withheld)
	writeJSON(c, http.StatusCreated, body)
}

// secretWithheld is the message a replay carries in place of a secret.
func secretWithheld(field, lost string) string {
	return "this is a replay: " + field + " was shown only in the first response to this request and is not stored in clear; " +
		"if it was lost, " + lost
}

// idempotent makes a JSON POST with an Idempotency-Key safe to retry: the
// first request's 2xx response is stored and replayed for the same key and
// body; the same key with another body is refused (422); a key whose first
// request is still running (or was interrupted) gets 409 rather than a
// second create. Errors change nothing, so their keys are forgotten.
// Multipart uploads are not covered (their bodies are streamed).
func (h *handlers) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" || c.Request.Method != http.MethodPost || h.idempotency == nil ||
		strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/") {
		c.Next()
		return
	}
	if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		writeError(c, &badRequest{Field: "Idempotency-Key", Message: "must be 1 to 255 visible ASCII characters"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, h.maxBody))
	if err != nil {
		writeError(c, err)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	ctx := c.Request.Context()
	actor := domain.ActorFrom(ctx)
	req := access.IdempotentRequest{ActorID: actor.ID, Key: key, Method: c.Request.Method, Path: c.Request.URL.Path,
		RequestSHA256: hex.EncodeToString(sum[:]), CreatedAt: h.clock.Now()}
	prior, seen, err := h.idempotency.Begin(ctx, req)
	switch {
	case err != nil:
		writeError(c, err)
		return
	case seen && (prior.RequestSHA256 != req.RequestSHA256 || prior.Path != req.Path || prior.Method != req.Method):
		writeError(c, domain.Invalid("Idempotency-Key", "was already used for a different request; use a new key"))
		return
	case seen && prior.Status == 0:
		writeError(c, &domain.ConflictError{Field: "Idempotency-Key",
			Message: "a request with this key is in progress or was interrupted; check whether it took effect before retrying with a new key"})
		return
	case seen:
		for name, v := range map[string]string{"Location": prior.Location, "ETag": prior.ETag} {
			if v != "" {
				c.Header(name, v)
			}
		}
		c.Header("Idempotent-Replayed", "true")
		c.Data(prior.Status, prior.ContentType, prior.Body)
		c.Abort()
		return
	}
	w := &capture{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	// The request's own context may be cancelled by now; the record must
	// still be written.
	done := domain.WithActor(context.Background(), actor)
	if st := w.Status(); st >= 200 && st < 300 {
		req.Status, req.ContentType, req.Body = st, w.Header().Get("Content-Type"), w.body.Bytes()
		if v, ok := c.Get(ctxReplay); ok {
			b, err := json.Marshal(v)
			if err != nil {
				logFrom(c).Error("encode the replay of a response with a secret", "error", err.Error())
				b = nil // nothing replayable is stored; a retry then gets an empty body
			}
			req.Body = b
		}
		req.Location, req.ETag = w.Header().Get("Location"), w.Header().Get("ETag")
		if err := h.idempotency.Complete(done, req); err != nil {
			logFrom(c).Error("store idempotent response", "error", err.Error())
		}
		return
	}
	if err := h.idempotency.Forget(done, actor.ID, key); err != nil {
		logFrom(c).Error("forget idempotency key", "error", err.Error())
	}
}
