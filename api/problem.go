package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
}

const problemContentType = "application/problem+json"

// badRequest is malformed input: bad JSON, wrong JSON types, unknown
// fields, bad query parameters. It maps to 400.
type badRequest struct {
	Field   string
	Message string
}

func (e *badRequest) Error() string { return e.Field + ": " + e.Message }

// statusError carries a status decided by the HTTP layer itself.
type statusError struct {
	Status int
	Detail string
}

func (e *statusError) Error() string { return e.Detail }

// handle adapts a handler that returns an error to Gin: a handler writes
// its success response itself and returns nil, or returns the error that
// writeError turns into the problem document.
func handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			writeError(c, err)
		}
	}
}

// wrapH adapts a plain http.Handler to the route table.
func wrapH(next http.Handler) func(*gin.Context) error {
	serve := gin.WrapH(next)
	return func(c *gin.Context) error {
		serve(c)
		return nil
	}
}

// writeError is the one place that maps errors to HTTP. Unknown errors
// become a generic 500; their detail goes to the log with the request id,
// never to the client.
func writeError(c *gin.Context, err error) {
	p := problemFor(c, err)
	c.Abort()
	c.Render(p.Status, problemRender{p})
}

// problemFor is the problem document of err (status, detail, field
// errors), with its headers set and, for a server error, its detail
// logged. The console renders the same status as a page.
func problemFor(c *gin.Context, err error) problem {
	p := problem{Instance: c.Request.URL.Path, RequestID: c.GetString(ctxRequestID)}
	var fieldErrs domain.FieldErrors
	var conflict *domain.ConflictError
	var bad *badRequest
	var st *statusError
	var tooLarge *http.MaxBytesError
	var upload *domain.UploadError
	var forbidden *domain.ForbiddenError
	switch {
	case errors.As(err, &bad):
		p.Status, p.Detail = http.StatusBadRequest, "The request is malformed."
		p.Errors = []domain.FieldError{{Field: bad.Field, Message: bad.Message}}
	case errors.As(err, &tooLarge):
		p.Status, p.Detail = http.StatusRequestEntityTooLarge, "The request body is larger than the limit."
	case errors.As(err, &upload) && errors.Is(upload, domain.ErrEvidenceTooLarge):
		p.Status, p.Detail = http.StatusRequestEntityTooLarge, "The file is larger than the limit."
		p.Errors = []domain.FieldError{{Field: upload.Field, Message: upload.Message}}
	case errors.As(err, &upload):
		p.Status, p.Detail = http.StatusUnsupportedMediaType, "The file's media type is not accepted."
		p.Errors = []domain.FieldError{{Field: upload.Field, Message: upload.Message}}
	case errors.As(err, &fieldErrs):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "The request has invalid fields."
		p.Errors = fieldErrs
	case errors.As(err, &conflict):
		p.Status, p.Detail = http.StatusConflict, "The request conflicts with existing data."
		p.Errors = []domain.FieldError{{Field: conflict.Field, Message: conflict.Message}}
	case errors.As(err, &st):
		p.Status, p.Detail = st.Status, st.Detail
	case errors.As(err, &forbidden):
		p.Status, p.Detail = http.StatusForbidden, "Your API key's role may not do this."
		p.Errors = []domain.FieldError{{Field: forbidden.Field, Message: forbidden.Message}}
	case errors.Is(err, domain.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, "No such resource."
	case errors.Is(err, domain.ErrConflict):
		p.Status, p.Detail = http.StatusConflict, "The request conflicts with existing data."
	case errors.Is(err, domain.ErrPrecondition):
		p.Status, p.Detail = http.StatusPreconditionFailed, "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry."
	case errors.Is(err, domain.ErrUnauthenticated):
		p.Status, p.Detail = http.StatusUnauthorized, "A valid API key is required: Authorization: Bearer <key>."
		c.Header("WWW-Authenticate", `Bearer realm="vendorwatch"`)
	case errors.Is(err, domain.ErrForbidden):
		p.Status, p.Detail = http.StatusForbidden, "Your API key's role may not do this."
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Detail = http.StatusServiceUnavailable, "The database is unavailable; retry shortly."
		c.Header("Retry-After", "2")
		logFrom(c).Warn("database unavailable", "error", err.Error())
	case errors.Is(err, context.Canceled):
		p.Status, p.Detail = http.StatusServiceUnavailable, "The request was cancelled."
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "An internal error occurred; quote the request id when reporting it."
		logFrom(c).Error("internal error", "error", err.Error())
	}
	p.Type = "urn:vendorwatch:problem:" + slug(p.Status)
	p.Title = http.StatusText(p.Status)
	return p
}

func slug(status int) string {
	switch status {
	case 400:
		return "malformed-request"
	case 401:
		return "unauthenticated"
	case 403:
		return "forbidden"
	case 404:
		return "not-found"
	case 405:
		return "method-not-allowed"
	case 409:
		return "conflict"
	case 412:
		return "precondition-failed"
	case 413:
		return "too-large"
	case 415:
		return "unsupported-media-type"
	case 422:
		return "validation"
	case 429:
		return "rate-limited"
	case 503:
		return "unavailable"
	}
	return "internal"
}

// problemRender writes a problem with its media type.
type problemRender struct{ p problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return encodeJSON(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", problemContentType)
}

// logFrom returns the request's logger with its request id.
func logFrom(c *gin.Context) *slog.Logger {
	l, ok := c.Get(ctxLogger)
	if !ok {
		return slog.Default()
	}
	return l.(*slog.Logger).With("request_id", c.GetString(ctxRequestID))
}
