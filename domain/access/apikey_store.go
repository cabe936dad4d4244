package access

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// Create inserts k. Returns ErrConflict if the prefix is taken.
	Create(ctx context.Context, k APIKey) error
	// Get returns a key by id. Returns ErrNotFound.
	Get(ctx context.Context, id string) (APIKey, error)
	// GetByPrefix returns a key by its public prefix. Returns ErrNotFound.
	GetByPrefix(ctx context.Context, prefix string) (APIKey, error)
	// List returns a page of keys, newest first.
	List(ctx context.Context, p domain.PageRequest) (domain.Page[APIKey], error)
	// Revoke sets revoked_at if not yet set. Returns ErrNotFound.
	Revoke(ctx context.Context, id string, at time.Time) error
	// Touch records that the key was used at, at most once per interval.
	Touch(ctx context.Context, id string, at time.Time, interval time.Duration) error
	// CountActive counts unrevoked, unexpired keys with role at now.
	CountActive(ctx context.Context, role domain.Role, now time.Time) (int64, error)
}
