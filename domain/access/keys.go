package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// KeyService issues, checks and revokes API keys.
type KeyService struct {
	Tx     domain.Transactor
	Keys   APIKeyStore
	Audit  domain.Auditor
	Clock  domain.Clock
	Hasher KeyHasher

	cache keyCache
}

// NewKey describes a key to create.
type NewKey struct {
	Name      string
	Role      domain.Role
	ExpiresAt *time.Time
}

// touchInterval limits how often a key's last_used_at is written.
const touchInterval = time.Minute

// Create issues a key and returns it with its plaintext, which is never
// stored and cannot be shown again.
func (s *KeyService) Create(ctx context.Context, in NewKey) (APIKey, string, error) {
	var fe domain.FieldErrors
	name := domain.CheckText(&fe, "name", in.Name, true, 100)
	if !in.Role.Valid() {
		fe.Add("role", "must be one of admin, vendor_manager, legal, executive, auditor")
	}
	now := s.Clock.Now()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fe.Add("expires_at", "must be in the future")
	}
	if err := fe.Err(); err != nil {
		return APIKey{}, "", err
	}
	plaintext, prefix, secret := GenerateKey()
	k := APIKey{ID: domain.NewID(), Name: name, Role: in.Role, Prefix: prefix, Hash: s.Hasher.Hash(secret),
		CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: now}
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC()
		k.ExpiresAt = &t
	}
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Keys.Create(ctx, k); err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		return s.Audit.Record(ctx, "api_key.create", "api_key", k.ID, nil, k)
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return k, plaintext, nil
}

// Authenticate returns the actor for a plaintext key. Returns
// ErrUnauthenticated when the key is malformed, unknown, revoked or
// expired; the caller does not learn which.
func (s *KeyService) Authenticate(ctx context.Context, plaintext string) (domain.Actor, error) {
	prefix, secret, ok := ParseKey(plaintext)
	if !ok {
		return domain.Actor{}, domain.ErrUnauthenticated
	}
	now := s.Clock.Now()
	k, cached := s.cache.get(prefix, now)
	if !cached {
		var err error
		k, err = s.Keys.GetByPrefix(ctx, prefix)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Actor{}, domain.ErrUnauthenticated
		}
		if err != nil {
			return domain.Actor{}, err
		}
		s.cache.put(k, now)
	}
	actor, ok := s.verify(k, secret, now)
	if !ok {
		return domain.Actor{}, domain.ErrUnauthenticated
	}
	// last_used_at is written at most once a minute per key and process;
	// the store's conditional update keeps replicas from writing more.
	if s.cache.dueForTouch(k.ID, now, touchInterval) {
		if err := s.Keys.Touch(ctx, k.ID, now, touchInterval); err != nil {
			return domain.Actor{}, err
		}
	}
	return actor, nil
}

// AuthenticateCached is Authenticate without the database: it knows only
// the keys verified within KeyCacheTTL, and reports false for any other.
// A caller throttled for failed attempts still passes with a good key,
// while unknown keys cost no lookup.
func (s *KeyService) AuthenticateCached(plaintext string) (domain.Actor, bool) {
	prefix, secret, ok := ParseKey(plaintext)
	now := s.Clock.Now()
	if k, cached := s.cache.get(prefix, now); ok && cached {
		return s.verify(k, secret, now)
	}
	return domain.Actor{}, false
}

// verify checks secret against key k at now.
func (s *KeyService) verify(k APIKey, secret string, now time.Time) (domain.Actor, bool) {
	if !s.Hasher.Matches(secret, k.Hash) || !k.Active(now) {
		return domain.Actor{}, false
	}
	return domain.Actor{ID: k.ID, Name: k.Name, Role: k.Role}, true
}

// Get returns one key (never its secret).
func (s *KeyService) Get(ctx context.Context, id string) (APIKey, error) {
	return domain.Lookup(ctx, "api key", id, s.Keys.Get)
}

// List returns a page of keys.
func (s *KeyService) List(ctx context.Context, p domain.PageRequest) (domain.Page[APIKey], error) {
	return s.Keys.List(ctx, p)
}

// Revoke disables a key. Revoking the last active admin key is refused,
// so the service cannot lock itself out.
func (s *KeyService) Revoke(ctx context.Context, id string) error {
	var prefix string
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		before, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		prefix = before.Prefix
		if before.RevokedAt != nil {
			return nil
		}
		now := s.Clock.Now()
		if before.Role == domain.RoleAdmin && before.Active(now) {
			n, err := s.Keys.CountActive(ctx, domain.RoleAdmin, now) // locks the admin keys
			if err != nil {
				return err
			}
			// Read again under the lock: a revocation of this very key
			// may have committed while this one waited.
			if cur, err := s.Get(ctx, id); err != nil || cur.RevokedAt != nil {
				return err
			}
			if n <= 1 {
				return &domain.ConflictError{Field: "id", Message: "this is the last active admin key; create another admin key first"}
			}
		}
		if err := s.Keys.Revoke(ctx, id, now); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		after := before
		after.RevokedAt = &now
		return s.Audit.Record(ctx, "api_key.revoke", "api_key", id, before, after)
	})
	// After the commit, so no request can cache the key's old row again.
	if prefix != "" {
		s.cache.evict(prefix)
	}
	return err
}

// EnsureAdmin creates an admin key named name when no active admin key
// exists, and returns its plaintext ("" when one already existed).
func (s *KeyService) EnsureAdmin(ctx context.Context, name string) (string, error) {
	n, err := s.Keys.CountActive(ctx, domain.RoleAdmin, s.Clock.Now())
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	_, plaintext, err := s.Create(ctx, NewKey{Name: name, Role: domain.RoleAdmin})
	return plaintext, err
}
