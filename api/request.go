package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Request helpers shared by the handlers: preconditions, merge-patch
// fields and the dates and instants of bodies.

// nullable is a merge-patch field that may be changed but not cleared:
// its name, and whether the request set it to null.
type nullable struct {
	field string
	null  bool
}

// refuseNulls adds "cannot be null" for each of fields the request set to
// null.
func refuseNulls(fe *domain.FieldErrors, fields ...nullable) {
	for _, f := range fields {
		if f.null {
			fe.Add(f.field, "cannot be null")
		}
	}
}

// ifMatch reads If-Match: 0 when absent or "*", else the version it names.
// A value that is not one of our ETags can never match: 412.
func ifMatch(c *gin.Context) (int64, error) {
	s := strings.TrimSpace(c.GetHeader("If-Match"))
	if s == "" || s == "*" {
		return 0, nil
	}
	s = strings.TrimPrefix(s, "W/")
	n, err := strconv.ParseInt(strings.Trim(s, `"`), 10, 64)
	if err != nil || n < 1 {
		return 0, domain.ErrPrecondition
	}
	return n, nil
}

// patchField maps a merge-patch field to the domain's "nil = unchanged,
// pointer to zero = cleared".
func patchField[T any](o Optional[T]) *T {
	if !o.Set {
		return nil
	}
	v := o.Value // zero value when null
	return &v
}

// parseDate reads an optional date string of a body into the domain
// input ("" clears it), naming the field when it is not a date.
func parseDate(fe *domain.FieldErrors, field string, s *string) *domain.Date {
	if s == nil {
		return nil
	}
	if *s == "" {
		return &domain.Date{}
	}
	d, err := domain.ParseDate(*s)
	if err != nil {
		fe.Add(field, "must be a date in the form YYYY-MM-DD")
		return nil
	}
	return &d
}

// parseDateField reads a required date, a 400 naming the field when it
// is not one.
func parseDateField(field, s string) (domain.Date, error) {
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, &badRequest{Field: field, Message: "must be a date in the form YYYY-MM-DD"}
	}
	return d, nil
}

// parseInstant reads an RFC 3339 instant, or a date meaning the start of
// that day in UTC.
func parseInstant(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := domain.ParseDate(s); err == nil {
		return d.Time(), nil
	}
	return time.Time{}, domain.Invalid(field, "must be an RFC 3339 instant (2026-03-01T00:00:00Z) or a date (2026-03-01)")
}
