package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Each implies an HTTP status in the api package; stores and
// services wrap them with context using %w.
var (
	// ErrNotFound: the entity does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would break a uniqueness or reference rule (409).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a validation rule (422). See FieldErrors.
	ErrInvalid = errors.New("invalid input")
	// ErrPrecondition: the caller's expected version is stale (412).
	ErrPrecondition = errors.New("version mismatch")
	// ErrUnauthenticated: no valid credentials (401).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the caller's role may not do this (403).
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable: the database cannot be reached right now (503).
	ErrUnavailable = errors.New("service unavailable")
)

// FieldError names one offending input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors is a validation failure on one or more fields. It unwraps to
// ErrInvalid.
type FieldErrors []FieldError

// Add appends an error for field.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when there are no field errors, and fe otherwise.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (fe FieldErrors) Unwrap() error { return ErrInvalid }

// Invalid returns a FieldErrors with a single entry.
func Invalid(field, format string, args ...any) error {
	var fe FieldErrors
	fe.Add(field, format, args...)
	return fe
}

// ConflictError is a uniqueness or reference conflict on a named field. It
// unwraps to ErrConflict.
type ConflictError struct {
	Field   string
	Message string
}

func (e *ConflictError) Error() string { return "conflict on " + e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ForbiddenError is a write the caller's role may not make because of a
// named field's value (a vendor manager activating a contract). It
// unwraps to ErrForbidden.
type ForbiddenError struct {
	Field   string
	Message string
}

func (e *ForbiddenError) Error() string { return "forbidden on " + e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// MergeInvalid combines validation results into one FieldErrors; any other
// error is returned as it is.
func MergeInvalid(errs ...error) error {
	var all FieldErrors
	for _, err := range errs {
		var fe FieldErrors
		switch {
		case err == nil:
		case errors.As(err, &fe):
			all = append(all, fe...)
		default:
			return err
		}
	}
	return all.Err()
}
