package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// ctxMultipart keeps the reader of a multipart console form whose csrf
// part the session middleware has read and checked.
const ctxMultipart = "vw.multipart"

// maxFieldBytes bounds one text part of a multipart console form.
const maxFieldBytes = 4 << 10

// formCSRF reports whether an unsafe console request carries the
// session's CSRF token. An ordinary form is read whole (at most
// maxFormBytes). A multipart form (an upload) is streamed: its body may
// be as large as the largest evidence upload, its first part must be the
// csrf field (browsers send fields in the form's order, and the console's
// upload forms put it first), and the reader is kept for the handler, so
// no file byte is read before the token is checked.
func (h *handlers) formCSRF(c *gin.Context, sessionToken string) bool {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
		return access.CSRFMatches(sessionToken, c.PostForm("csrf"))
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.uploadLimit()+evidenceFormOverhead)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return false
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "csrf" {
		return false
	}
	tok, err := readField(part)
	if err != nil || !access.CSRFMatches(sessionToken, tok) {
		return false
	}
	c.Set(ctxMultipart, mr)
	return true
}

// uploadLimit is the largest file any console form accepts (an evidence
// file or an import workbook); each service still enforces its own limit.
func (h *handlers) uploadLimit() int64 {
	limit := h.maxImportBytes()
	if h.incidents != nil {
		limit = h.incidents.EvidenceLimit()
	}
	if h.attestations != nil {
		limit = max(limit, h.attestations.EvidenceLimit())
	}
	return limit
}

// errFieldTooLong is a text part of a multipart form over maxFieldBytes.
var errFieldTooLong = errors.New("form field too long")

// addFieldMessages puts on each field of fe that has no message in msgs
// yet the first of fe's messages for it.
func addFieldMessages(msgs map[string]string, fe domain.FieldErrors) {
	for _, e := range fe {
		if _, ok := msgs[e.Field]; !ok {
			msgs[e.Field] = e.Message
		}
	}
}

// isTooLarge reports whether err is a body over its limit.
func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

// readField reads a text part of a multipart form.
func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFieldBytes {
		return "", errFieldTooLong
	}
	return strings.TrimSpace(string(b)), nil
}

// multipartFields reads the text parts of the request's multipart form
// (after its csrf part) up to the part named file, which it returns
// unread (nil when the form has none).
func multipartFields(c *gin.Context) (map[string]string, *multipart.Part, error) {
	v, ok := c.Get(ctxMultipart)
	if !ok {
		return nil, nil, &badRequest{Field: "body", Message: "must be multipart/form-data"}
	}
	mr := v.(*multipart.Reader)
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, nil, nil
		}
		if isTooLarge(err) {
			return nil, nil, err
		}
		if err != nil {
			return nil, nil, &badRequest{Field: "body", Message: "malformed multipart/form-data"}
		}
		if part.FormName() == "file" {
			return fields, part, nil
		}
		s, err := readField(part)
		if err != nil {
			return nil, nil, &badRequest{Field: evidenceFormField(part.FormName()), Message: "is too long or unreadable"}
		}
		fields[part.FormName()] = s
	}
}
