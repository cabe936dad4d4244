package repository_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// newHandling validates in for vendorID and stamps it with created and
// updated.
func newHandling(t *testing.T, vendorID string, in register.DataHandlingInput, created, updated time.Time) register.DataHandling {
	t.Helper()
	h, err := register.NewDataHandling(vendorID, in)
	if err != nil {
		t.Fatalf("NewDataHandling(%+v): %v", in, err)
	}
	h.CreatedAt, h.UpdatedAt = created, updated
	return h
}

// checkHandling compares every field of got with want; times by instant
// and in UTC.
func checkHandling(t *testing.T, got, want register.DataHandling) {
	t.Helper()
	checkUTC(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	checkUTC(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("data handling mismatch\n got: %#v\nwant: %#v", got, want)
	}
}

func createVendor(t *testing.T, db *repository.DB, name string) register.Vendor {
	t.Helper()
	v := newVendor(name)
	if err := repository.NewVendors(db).Create(t.Context(), v); err != nil {
		t.Fatalf("create vendor %s: %v", name, err)
	}
	return v
}

func TestDataHandlingRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   register.DataHandlingInput
	}{
		{"stores only, no lists", register.DataHandlingInput{
			Category: register.CatContactPII, Access: []string{"stores"},
		}},
		{"processes only", register.DataHandlingInput{
			Category: register.CatCardholderData, Access: []string{"processes"}, RecordCount: 1,
			Jurisdictions: []string{"us-ca"}, Systems: []string{"checkout"},
		}},
		{"transmits only", register.DataHandlingInput{
			Category: register.CatSSN, Access: []string{"transmits"}, RecordCount: register.MaxRecordCount,
		}},
		{"all access, several jurisdictions and systems", register.DataHandlingInput{
			Category: register.CatHealthPHI, Access: []string{"transmits", "stores", "processes"}, RecordCount: 12345,
			Jurisdictions: []string{"GB", "eu", "US-NY", "DE"}, Systems: []string{"crm", "billing, \"EU\"", "ünïcode"},
			Notes: "line one\nline two",
		}},
	}
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		handling := repository.NewDataHandling(db)
		v := createVendor(t, db, "Handler")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				want := newHandling(t, v.ID, tt.in, t0.In(plus2), t0.Add(time.Minute))
				if err := handling.Upsert(ctx, want); err != nil {
					t.Fatalf("upsert: %v", err)
				}
				got, err := handling.Get(ctx, v.ID, tt.in.Category)
				if err != nil {
					t.Fatalf("get: %v", err)
				}
				checkHandling(t, got, want)
			})
		}
	})
}

func TestDataHandlingUpsertReplaces(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		handling := repository.NewDataHandling(db)
		v := createVendor(t, db, "Replacer")
		first := newHandling(t, v.ID, register.DataHandlingInput{
			Category: register.CatContactPII, Access: []string{"stores", "processes"}, RecordCount: 1000,
			Jurisdictions: []string{"US-CA", "GB"}, Systems: []string{"crm"}, Notes: "first",
		}, t0, t0)
		if err := handling.Upsert(ctx, first); err != nil {
			t.Fatalf("first upsert: %v", err)
		}
		second := newHandling(t, v.ID, register.DataHandlingInput{
			Category: register.CatContactPII, Access: []string{"transmits"}, RecordCount: 5,
		}, t0.Add(48*time.Hour), t0.Add(time.Hour))
		if err := handling.Upsert(ctx, second); err != nil {
			t.Fatalf("second upsert: %v", err)
		}
		got, err := handling.Get(ctx, v.ID, register.CatContactPII)
		if err != nil {
			t.Fatal(err)
		}
		want := second
		want.CreatedAt = first.CreatedAt // an upsert keeps the original creation time
		checkHandling(t, got, want)

		all, err := handling.ListByVendor(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Errorf("ListByVendor after two upserts of one category: %d records, want 1", len(all))
		}
	})
}

func TestDataHandlingListDeleteCascade(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		handling := repository.NewDataHandling(db)
		vendors := repository.NewVendors(db)
		v := createVendor(t, db, "Lister")
		other := createVendor(t, db, "Other")
		for _, c := range []string{register.CatSSN, register.CatContactPII, register.CatHealthPHI} {
			h := newHandling(t, v.ID, register.DataHandlingInput{Category: c, Access: []string{"stores"}}, t0, t0)
			if err := handling.Upsert(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		oh := newHandling(t, other.ID, register.DataHandlingInput{Category: register.CatBiometric, Access: []string{"stores"}}, t0, t0)
		if err := handling.Upsert(ctx, oh); err != nil {
			t.Fatal(err)
		}

		list := func() []string {
			t.Helper()
			hs, err := handling.ListByVendor(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			var cats []string
			for _, h := range hs {
				if h.VendorID != v.ID {
					t.Errorf("ListByVendor(%s) returned a record of vendor %s", v.ID, h.VendorID)
				}
				cats = append(cats, h.Category)
			}
			return cats
		}
		if got, want := list(), []string{register.CatContactPII, register.CatHealthPHI, register.CatSSN}; !slices.Equal(got, want) {
			t.Errorf("ListByVendor = %q, want %q (ordered by category)", got, want)
		}

		if err := handling.Delete(ctx, v.ID, register.CatHealthPHI); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := handling.Get(ctx, v.ID, register.CatHealthPHI)
		checkErrIs(t, err, domain.ErrNotFound)
		checkErrIs(t, handling.Delete(ctx, v.ID, register.CatHealthPHI), domain.ErrNotFound)
		if got, want := list(), []string{register.CatContactPII, register.CatSSN}; !slices.Equal(got, want) {
			t.Errorf("after delete ListByVendor = %q, want %q", got, want)
		}

		if err := vendors.Delete(ctx, v.ID, 0); err != nil {
			t.Fatalf("delete vendor with data handling: %v", err)
		}
		if got := list(); len(got) != 0 {
			t.Errorf("after deleting the vendor ListByVendor = %q, want none (cascade)", got)
		}
		_, err = handling.Get(ctx, v.ID, register.CatSSN)
		checkErrIs(t, err, domain.ErrNotFound)
		if _, err := handling.Get(ctx, other.ID, register.CatBiometric); err != nil {
			t.Errorf("another vendor's record went with the cascade: %v", err)
		}
	})
}

func TestDataHandlingUnknownVendor(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHandling(t, domain.NewID(), register.DataHandlingInput{Category: register.CatSSN, Access: []string{"stores"}}, t0, t0)
		checkErrIs(t, repository.NewDataHandling(db).Upsert(t.Context(), h), domain.ErrConflict)
	})
}
