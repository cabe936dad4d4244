package api

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain/access"
)

// A console form that uploads a file is multipart/form-data. Its body is
// streamed, never parsed whole: the session check reads only the first
// part, which must be the csrf field, and hands the rest of the body to
// the handler (formParts), which reads its fields and streams the file to
// the service under the API's own limits and type checks.

// ctxMultipart keeps the multipart reader of a console upload, positioned
// after its csrf part.
const ctxMultipart = "vw.multipart"

// csrfSent reports whether an unsafe console request carries the
// session's CSRF token: in the csrf field of a form body (at most
// maxFormBytes), or in the first part of a multipart body (at most the
// larger of the evidence and import limits, plus the form's overhead).
func (h *handlers) csrfSent(c *gin.Context, tok string) bool {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
		return access.CSRFMatches(tok, c.PostForm("csrf"))
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.maxUploadBytes()+evidenceFormOverhead)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return false
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "csrf" {
		return false
	}
	sent, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil || !access.CSRFMatches(tok, string(sent)) {
		return false
	}
	c.Set(ctxMultipart, mr)
	return true
}

// maxUploadBytes is the largest file a console form may upload: the
// larger of the evidence and the import limits (each handler then applies
// its own).
func (h *handlers) maxUploadBytes() int64 {
	limit := h.maxImportBytes()
	if h.attestations != nil {
		limit = max(limit, h.attestations.EvidenceLimit())
	}
	return limit
}

// formParts returns the rest of a multipart console form after its csrf
// part (nil when the request was not multipart).
func formParts(c *gin.Context) *multipart.Reader {
	mr, _ := c.Value(ctxMultipart).(*multipart.Reader)
	return mr
}

// readTextPart reads a short text field of a multipart form.
func readTextPart(p *multipart.Part) string {
	b, _ := io.ReadAll(io.LimitReader(p, 1024))
	return string(b)
}
