package repository_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// t0 is the fixed instant the tests start from: microsecond precision,
// the precision both databases keep.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 123456000, time.UTC)

// plus2 is a non-UTC zone, to check that the stores return UTC.
var plus2 = time.FixedZone("UTC+2", 2*60*60)

var errBoom = errors.New("boom")

// newVendor returns a valid vendor named name, modified by mods, with its
// risk computed from the result.
func newVendor(name string, mods ...func(*register.Vendor)) register.Vendor {
	v := register.Vendor{
		ID: domain.NewID(), Name: name, Status: register.StatusActive, Criticality: register.CriticalityModerate,
		Version: 1, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, m := range mods {
		m(&v)
	}
	v.Risk = register.ComputeInherentRisk(register.RiskInputs{
		MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords, Criticality: v.Criticality,
	})
	return v
}

// checkUTC fails unless got is the instant want and is in UTC.
func checkUTC(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
	if got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", field, got.Location())
	}
}

// checkVendor compares every field of got with want; times by instant and
// in UTC.
func checkVendor(t *testing.T, got, want register.Vendor) {
	t.Helper()
	checkUTC(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	checkUTC(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("vendor mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

// checkErrIs fails unless errors.Is(err, want).
func checkErrIs(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want errors.Is %v", err, want)
	}
}

// checkConflictField fails unless err is a ConflictError on field.
func checkConflictField(t *testing.T, err error, field string) {
	t.Helper()
	checkErrIs(t, err, domain.ErrConflict)
	var ce *domain.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *domain.ConflictError", err)
	}
	if ce.Field != field {
		t.Errorf("ConflictError.Field = %q, want %q (error: %v)", ce.Field, field, err)
	}
}

func ptr[T any](v T) *T { return &v }
