package repository_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// newKey returns a key with a fresh id and prefix, modified by mods.
func newKey(name string, role domain.Role, mods ...func(*access.APIKey)) access.APIKey {
	_, prefix, secret := access.GenerateKey()
	k := access.APIKey{
		ID: domain.NewID(), Name: name, Role: role, Prefix: prefix,
		Hash: access.NewKeyHasher("").Hash(secret), CreatedBy: "system", CreatedAt: t0,
	}
	for _, m := range mods {
		m(&k)
	}
	return k
}

func checkTimePtr(t *testing.T, field string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", field, got, want)
	default:
		checkUTC(t, field, *got, *want)
	}
}

func checkKey(t *testing.T, got, want access.APIKey) {
	t.Helper()
	checkUTC(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTimePtr(t, "ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	checkTimePtr(t, "RevokedAt", got.RevokedAt, want.RevokedAt)
	checkTimePtr(t, "LastUsedAt", got.LastUsedAt, want.LastUsedAt)
	got.CreatedAt, got.ExpiresAt, got.RevokedAt, got.LastUsedAt = time.Time{}, nil, nil, nil
	want.CreatedAt, want.ExpiresAt, want.RevokedAt, want.LastUsedAt = time.Time{}, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("api key mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func TestAPIKeysCreateGet(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repository.NewAPIKeys(db)
		want := newKey("ci deploy", domain.RoleVendorManager, func(k *access.APIKey) {
			k.CreatedAt = t0.In(plus2)
			k.ExpiresAt = ptr(t0.Add(90 * 24 * time.Hour).In(plus2))
			// The store ignores these on create: a new key is neither
			// revoked nor used.
			k.RevokedAt, k.LastUsedAt = ptr(t0), ptr(t0)
		})
		if err := keys.Create(ctx, want); err != nil {
			t.Fatalf("create: %v", err)
		}
		want.RevokedAt, want.LastUsedAt = nil, nil

		byID, err := keys.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		checkKey(t, byID, want)
		byPrefix, err := keys.GetByPrefix(ctx, want.Prefix)
		if err != nil {
			t.Fatalf("get by prefix: %v", err)
		}
		checkKey(t, byPrefix, want)

		_, err = keys.Get(ctx, domain.NewID())
		checkErrIs(t, err, domain.ErrNotFound)
		_, err = keys.GetByPrefix(ctx, "000000000000")
		checkErrIs(t, err, domain.ErrNotFound)

		dup := newKey("copycat", domain.RoleAuditor, func(k *access.APIKey) { k.Prefix = want.Prefix })
		checkConflictField(t, keys.Create(ctx, dup), "prefix")
	})
}

func TestAPIKeysRevoke(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repository.NewAPIKeys(db)
		k := newKey("to revoke", domain.RoleAdmin)
		if err := keys.Create(ctx, k); err != nil {
			t.Fatal(err)
		}
		first := t0.Add(time.Hour)
		if err := keys.Revoke(ctx, k.ID, first.In(plus2)); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if err := keys.Revoke(ctx, k.ID, first.Add(time.Hour)); err != nil {
			t.Fatalf("second revoke: %v, want nil (idempotent)", err)
		}
		got, err := keys.Get(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkTimePtr(t, "RevokedAt", got.RevokedAt, &first) // the first revocation stands
		checkErrIs(t, keys.Revoke(ctx, domain.NewID(), first), domain.ErrNotFound)
	})
}

func TestAPIKeysCountActive(t *testing.T) {
	t.Parallel()
	now := t0.Add(30 * 24 * time.Hour)
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repository.NewAPIKeys(db)
		seed := []struct {
			key    access.APIKey
			revoke bool
		}{
			{key: newKey("no expiry", domain.RoleAdmin)},
			{key: newKey("expires later", domain.RoleAdmin, func(k *access.APIKey) { k.ExpiresAt = ptr(now.Add(time.Microsecond)) })},
			{key: newKey("expires now", domain.RoleAdmin, func(k *access.APIKey) { k.ExpiresAt = ptr(now) })},
			{key: newKey("expired", domain.RoleAdmin, func(k *access.APIKey) { k.ExpiresAt = ptr(now.Add(-time.Hour)) })},
			{key: newKey("revoked", domain.RoleAdmin), revoke: true},
			{key: newKey("other role", domain.RoleAuditor)},
		}
		for _, s := range seed {
			if err := keys.Create(ctx, s.key); err != nil {
				t.Fatal(err)
			}
			if s.revoke {
				if err := keys.Revoke(ctx, s.key.ID, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tt := range []struct {
			role domain.Role
			at   time.Time
			want int64
		}{
			{domain.RoleAdmin, now, 2},
			{domain.RoleAdmin, now.In(plus2), 2},
			{domain.RoleAdmin, now.Add(-2 * time.Hour), 4},
			{domain.RoleAuditor, now, 1},
			{domain.RoleLegal, now, 0},
		} {
			n, err := keys.CountActive(ctx, tt.role, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("CountActive(%s, %v) = %d, want %d", tt.role, tt.at, n, tt.want)
			}
		}
	})
}

func TestAPIKeysTouch(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repository.NewAPIKeys(db)
		k := newKey("touched", domain.RoleExecutive)
		if err := keys.Create(ctx, k); err != nil {
			t.Fatal(err)
		}
		const interval = time.Minute
		steps := []struct {
			at   time.Time
			want time.Time // last_used_at afterwards
		}{
			{t0, t0},                       // first use is written
			{t0.Add(30 * time.Second), t0}, // within the interval: not written
			{t0.Add(interval), t0},         // exactly one interval later: not yet
			{t0.Add(90 * time.Second).In(plus2), t0.Add(90 * time.Second)}, // later: written
			{t0.Add(100 * time.Second), t0.Add(90 * time.Second)},          // within the new interval
		}
		for i, s := range steps {
			if err := keys.Touch(ctx, k.ID, s.at, interval); err != nil {
				t.Fatalf("step %d: touch: %v", i, err)
			}
			got, err := keys.Get(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastUsedAt == nil {
				t.Fatalf("step %d: last_used_at is NULL", i)
			}
			checkUTC(t, "LastUsedAt", *got.LastUsedAt, s.want)
		}
	})
}

func TestAPIKeysListNewestFirst(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		keys := repository.NewAPIKeys(db)
		var created []string
		for i := range 5 {
			k := newKey("key", domain.RoleAuditor, func(k *access.APIKey) { k.CreatedAt = t0.Add(time.Duration(i) * time.Second) })
			if err := keys.Create(ctx, k); err != nil {
				t.Fatal(err)
			}
			created = append(created, k.ID)
		}
		want := slices.Clone(created)
		slices.Reverse(want)

		var got []string
		var sizes []int
		p := domain.PageRequest{Limit: 2}
		for range 10 {
			page, err := keys.List(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range page.Items {
				got = append(got, k.ID)
			}
			sizes = append(sizes, len(page.Items))
			if page.Next == "" {
				break
			}
			p.After = page.Next
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages concatenated = %v, want newest first %v", got, want)
		}
		if want := []int{2, 2, 1}; !slices.Equal(sizes, want) {
			t.Errorf("page sizes = %v, want %v", sizes, want)
		}

		_, err := keys.List(ctx, domain.PageRequest{Limit: 2, After: "not-a-cursor"})
		checkErrIs(t, err, domain.ErrInvalid)
	})
}
