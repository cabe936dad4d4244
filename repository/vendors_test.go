package repository_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestVendorsCreateGetRoundTrip(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors := repository.NewVendors(db)
		parent := newVendor("Parent Holdings")
		if err := vendors.Create(ctx, parent); err != nil {
			t.Fatalf("create parent: %v", err)
		}
		want := newVendor("Acme Payments", func(v *register.Vendor) {
			v.LegalName = "Acme Payments GmbH"
			v.Website = "https://acme.example"
			v.Service = "card processing"
			v.OwnerEmail = "owner@example.com"
			v.Status = register.StatusOnboarding
			v.Criticality = register.CriticalityHigh
			v.Country = "DE"
			v.ParentVendorID = parent.ID
			v.ExternalRef = "SAP-0001"
			v.TierOverride = register.TierCritical
			v.TierOverrideReason = "processes all card payments"
			v.MaxSensitivity = 4
			v.MaxRecords = 2_000_000
			v.Version = 3
			v.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 678901000, plus2)
			v.UpdatedAt = time.Date(2026, 2, 3, 4, 5, 6, 789012000, plus2)
		})
		if err := vendors.Create(ctx, want); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := vendors.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		checkVendor(t, got, want)
		if got.Tier() != register.TierCritical {
			t.Errorf("effective tier = %q, want the override %q", got.Tier(), register.TierCritical)
		}

		_, err = vendors.Get(ctx, domain.NewID())
		checkErrIs(t, err, domain.ErrNotFound)
	})
}

func TestVendorsCreateConflicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		first  register.Vendor
		second register.Vendor
		field  string // "" when any field will do
	}{
		{
			name:   "name differing only in case",
			first:  newVendor("Acme Corp"),
			second: newVendor("ACME corp"),
			field:  "name",
		},
		{
			name:   "name differing in surrounding space",
			first:  newVendor("Globex"),
			second: newVendor(" globex "),
			field:  "name",
		},
		{
			name:   "external_ref",
			first:  newVendor("Initech", func(v *register.Vendor) { v.ExternalRef = "REF-1" }),
			second: newVendor("Umbrella", func(v *register.Vendor) { v.ExternalRef = "REF-1" }),
			field:  "external_ref",
		},
		{
			name:   "parent that does not exist",
			first:  newVendor("Hooli"),
			second: newVendor("Pied Piper", func(v *register.Vendor) { v.ParentVendorID = domain.NewID() }),
		},
	}
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		vendors := repository.NewVendors(db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				if err := vendors.Create(ctx, tt.first); err != nil {
					t.Fatalf("create first: %v", err)
				}
				err := vendors.Create(ctx, tt.second)
				if tt.field != "" {
					checkConflictField(t, err, tt.field)
				} else {
					checkErrIs(t, err, domain.ErrConflict)
				}
				_, err = vendors.Get(ctx, tt.second.ID)
				checkErrIs(t, err, domain.ErrNotFound)
			})
		}
	})
}

func TestVendorsWithoutExternalRefCoexist(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors := repository.NewVendors(db)
		for _, name := range []string{"First", "Second", "Third"} {
			v := newVendor(name)
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatalf("create %s without external_ref: %v", name, err)
			}
			got, err := vendors.Get(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ExternalRef != "" {
				t.Errorf("ExternalRef = %q, want empty", got.ExternalRef)
			}
		}
	})
}

func TestVendorsUpdate(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		vendors := repository.NewVendors(db)

		t.Run("writes every column and bumps the version", func(t *testing.T) {
			ctx := t.Context()
			orig := newVendor("Update Me", func(v *register.Vendor) {
				v.LegalName = "Update Me Ltd"
				v.Website = "https://update.example"
				v.Service = "hosting"
				v.OwnerEmail = "a@example.com"
				v.Country = "GB"
				v.ExternalRef = "U-1"
				v.TierOverride = register.TierHigh
				v.TierOverrideReason = "board decision"
				v.MaxSensitivity = 3
				v.MaxRecords = 500
			})
			if err := vendors.Create(ctx, orig); err != nil {
				t.Fatal(err)
			}
			// Clear every optional field to its zero value.
			upd := newVendor("Updated", func(v *register.Vendor) {
				v.ID = orig.ID
				v.Status = register.StatusTerminated
				v.Criticality = register.CriticalityLow
				v.CreatedAt = t0.Add(72 * time.Hour) // must not be written
				v.UpdatedAt = t0.Add(time.Hour)
			})
			if err := vendors.Update(ctx, upd, orig.Version); err != nil {
				t.Fatalf("update: %v", err)
			}
			got, err := vendors.Get(ctx, orig.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := upd
			want.Version = orig.Version + 1
			want.CreatedAt = orig.CreatedAt
			checkVendor(t, got, want)

			// The cleared external_ref is NULL again: it no longer
			// reserves its value.
			if err := vendors.Create(ctx, newVendor("Takes U-1", func(v *register.Vendor) { v.ExternalRef = "U-1" })); err != nil {
				t.Errorf("external_ref cleared by update is still reserved: %v", err)
			}
		})

		t.Run("stale version", func(t *testing.T) {
			ctx := t.Context()
			v := newVendor("Stale")
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
			v.Service = "first writer"
			if err := vendors.Update(ctx, v, 1); err != nil {
				t.Fatalf("first update: %v", err)
			}
			v.Service = "second writer"
			checkErrIs(t, vendors.Update(ctx, v, 1), domain.ErrPrecondition)
			got, err := vendors.Get(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Service != "first writer" || got.Version != 2 {
				t.Errorf("after stale update: service %q version %d, want %q 2", got.Service, got.Version, "first writer")
			}
		})

		t.Run("missing id", func(t *testing.T) {
			checkErrIs(t, vendors.Update(t.Context(), newVendor("Ghost"), 1), domain.ErrNotFound)
		})

		t.Run("rename onto a taken name", func(t *testing.T) {
			ctx := t.Context()
			a, b := newVendor("Taken Name"), newVendor("Other Name")
			for _, v := range []register.Vendor{a, b} {
				if err := vendors.Create(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			b.Name = "TAKEN name"
			checkConflictField(t, vendors.Update(ctx, b, b.Version), "name")
		})
	})
}

func TestVendorsDelete(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		vendors := repository.NewVendors(db)

		t.Run("delete", func(t *testing.T) {
			ctx := t.Context()
			v := newVendor("Doomed", func(v *register.Vendor) { v.Version = 4 })
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
			checkErrIs(t, vendors.Delete(ctx, v.ID, 3), domain.ErrPrecondition)
			if err := vendors.Delete(ctx, v.ID, 4); err != nil {
				t.Fatalf("delete: %v", err)
			}
			_, err := vendors.Get(ctx, v.ID)
			checkErrIs(t, err, domain.ErrNotFound)
			checkErrIs(t, vendors.Delete(ctx, v.ID, 0), domain.ErrNotFound)
		})

		t.Run("any version", func(t *testing.T) {
			ctx := t.Context()
			v := newVendor("Any Version", func(v *register.Vendor) { v.Version = 9 })
			if err := vendors.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
			if err := vendors.Delete(ctx, v.ID, 0); err != nil {
				t.Fatalf("delete with version 0: %v", err)
			}
		})

		t.Run("parent of another vendor", func(t *testing.T) {
			ctx := t.Context()
			parent := newVendor("Parent Co")
			child := newVendor("Child Co", func(v *register.Vendor) { v.ParentVendorID = parent.ID })
			for _, v := range []register.Vendor{parent, child} {
				if err := vendors.Create(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			checkErrIs(t, vendors.Delete(ctx, parent.ID, 0), domain.ErrConflict)
			if _, err := vendors.Get(ctx, parent.ID); err != nil {
				t.Fatalf("parent gone after refused delete: %v", err)
			}
			if err := vendors.Delete(ctx, child.ID, 0); err != nil {
				t.Fatal(err)
			}
			if err := vendors.Delete(ctx, parent.ID, 0); err != nil {
				t.Fatalf("delete parent after its child: %v", err)
			}
		})
	})
}

// names returns the vendors' names in order.
func names(vs []register.Vendor) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func TestVendorsListOrder(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors := repository.NewVendors(db)
		// Byte order would put the capitalised names first.
		for _, n := range []string{"bravo", "Delta", "alpha two", "charlie", "Alpha"} {
			if err := vendors.Create(ctx, newVendor(n)); err != nil {
				t.Fatal(err)
			}
		}
		page, err := vendors.List(ctx, register.VendorFilter{}, domain.PageRequest{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Alpha", "alpha two", "bravo", "charlie", "Delta"}
		if got := names(page.Items); !slices.Equal(got, want) {
			t.Errorf("order = %q, want %q", got, want)
		}
		if page.Next != "" {
			t.Errorf("Next = %q on the only page, want empty", page.Next)
		}
	})
}

func TestVendorsListFilters(t *testing.T) {
	t.Parallel()
	seed := []register.Vendor{
		newVendor("100% Uptime", func(v *register.Vendor) { v.Status = register.StatusProspect }),
		newVendor("1000 Uptime", func(v *register.Vendor) { v.Criticality = register.CriticalityCritical }),
		newVendor("Snake_Case Ltd", func(v *register.Vendor) { v.Status = register.StatusProspect }),
		newVendor("SnakeXCase Ltd", func(v *register.Vendor) {
			v.TierOverride, v.TierOverrideReason = register.TierCritical, "regulator"
		}),
		newVendor(`Back\Slash`, func(v *register.Vendor) { v.Criticality = register.CriticalityLow }),
		newVendor("Risky", func(v *register.Vendor) {
			v.Criticality = register.CriticalityCritical
			v.MaxSensitivity, v.MaxRecords = 4, 100_000_000
		}),
	}
	tests := []struct {
		name   string
		filter register.VendorFilter
		want   []string
	}{
		{"none", register.VendorFilter{}, []string{"100% Uptime", "1000 Uptime", `Back\Slash`, "Risky", "Snake_Case Ltd", "SnakeXCase Ltd"}},
		{"status", register.VendorFilter{Status: register.StatusProspect}, []string{"100% Uptime", "Snake_Case Ltd"}},
		{"criticality", register.VendorFilter{Criticality: register.CriticalityCritical}, []string{"1000 Uptime", "Risky"}},
		{"effective tier (computed or override)", register.VendorFilter{Tier: register.TierCritical}, []string{"Risky", "SnakeXCase Ltd"}},
		{"tier low", register.VendorFilter{Tier: register.TierLow}, []string{"100% Uptime", `Back\Slash`, "Snake_Case Ltd"}},
		{"q is case-insensitive", register.VendorFilter{Query: "UPTIME"}, []string{"100% Uptime", "1000 Uptime"}},
		{"q percent is literal", register.VendorFilter{Query: "100%"}, []string{"100% Uptime"}},
		{"q underscore is literal", register.VendorFilter{Query: "e_c"}, []string{"Snake_Case Ltd"}},
		{"q backslash is literal", register.VendorFilter{Query: `k\s`}, []string{`Back\Slash`}},
		{"q with no match", register.VendorFilter{Query: "%_%"}, nil},
		{"combined", register.VendorFilter{Status: register.StatusProspect, Query: "snake"}, []string{"Snake_Case Ltd"}},
	}
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		vendors := repository.NewVendors(db)
		for _, v := range seed {
			if err := vendors.Create(t.Context(), v); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := vendors.List(t.Context(), tt.filter, domain.PageRequest{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				if got := names(page.Items); !slices.Equal(got, tt.want) {
					t.Errorf("List(%+v) = %q, want %q", tt.filter, got, tt.want)
				}
			})
		}
	})
}

func TestVendorsListPages(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		vendors := repository.NewVendors(db)
		for _, n := range []string{"echo", "Alpha", "delta", "Charlie", "bravo"} {
			if err := vendors.Create(ctx, newVendor(n)); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		var sizes []int
		p := domain.PageRequest{Limit: 2}
		for range 10 { // bounded, in case Next never empties
			page, err := vendors.List(ctx, register.VendorFilter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, names(page.Items)...)
			sizes = append(sizes, len(page.Items))
			if page.Next == "" {
				break
			}
			p.After = page.Next
		}
		if want := []string{"Alpha", "bravo", "Charlie", "delta", "echo"}; !slices.Equal(got, want) {
			t.Errorf("pages concatenated = %q, want %q (no repeats, no gaps)", got, want)
		}
		if want := []int{2, 2, 1}; !slices.Equal(sizes, want) {
			t.Errorf("page sizes = %v, want %v", sizes, want)
		}

		// A full last page has no next page either.
		page, err := vendors.List(ctx, register.VendorFilter{}, domain.PageRequest{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 5 || page.Next != "" {
			t.Errorf("Limit 5 of 5: %d items, Next %q; want 5 items and no Next", len(page.Items), page.Next)
		}
	})
}
