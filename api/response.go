package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Response helpers shared by the handlers: a versioned resource with its
// ETag, and the null and empty values of JSON bodies.

// writeVersioned writes a versioned resource with its ETag, which
// If-Match names back.
func writeVersioned(c *gin.Context, status int, version int64, body any) {
	c.Header("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
	writeJSON(c, status, body)
}

// null is optional text for JSON: nil when empty.
func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullDate is an optional date for JSON: nil when zero.
func nullDate(d domain.Date) *domain.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// nonNil makes a nil slice empty, so JSON shows [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
