package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
)

// decodeJSON reads the request body into dst strictly: one JSON value,
// no unknown fields, at most maxBody bytes, and nothing encoding/json
// would silently change (checkJSON: invalid UTF-8, NUL, duplicate or
// case-mismatched field names, implausible dates). Errors name the field.
func decodeJSON(c *gin.Context, maxBody int64, dst any) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	data, err := io.ReadAll(body)
	if err != nil {
		return err // *http.MaxBytesError -> 413
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &badRequest{Field: "body", Message: "a JSON object is required"}
	}
	if err := checkJSON(data, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, data, reflect.TypeOf(dst))
	}
	if dec.More() {
		return &badRequest{Field: "body", Message: "must contain a single JSON object"}
	}
	return nil
}

// jsonError turns encoding/json errors into field-named bad requests that
// say the expected shape; body was being decoded into a value of type t.
func jsonError(err error, body []byte, t reflect.Type) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var fieldErr *fieldValueError
	switch {
	case errors.As(err, &fieldErr):
		return &badRequest{Field: fieldErr.field, Message: fieldErr.msg}
	case errors.As(err, &syntax):
		return &badRequest{Field: "body", Message: fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &badRequest{Field: "body", Message: "must be a JSON object"}
		}
		return &badRequest{Field: field, Message: "must be " + expectedShape(typ.Type, field)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &badRequest{Field: "body", Message: "malformed JSON: unexpected end of input"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		path, parent, parentType := unknownField(body, t, name)
		if parentType == nil {
			return &badRequest{Field: path, Message: "is not a known field"}
		}
		return &badRequest{Field: path, Message: "is not a known field; " + parent + " must be " + expectedShape(parentType, parent)}
	}
	return &badRequest{Field: "body", Message: "malformed JSON"}
}

// fieldValueError is returned by custom unmarshalers to name the field.
type fieldValueError struct{ field, msg string }

func (e *fieldValueError) Error() string { return e.field + ": " + e.msg }

// Optional is a field of a JSON merge patch: absent (Set false), null
// (Set and Null), or a value.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was present.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
