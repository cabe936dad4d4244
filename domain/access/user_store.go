package access

import (
	"context"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// UserStore persists console users.
type UserStore interface {
	// Create inserts u. Returns a ConflictError on email when the email
	// is taken.
	Create(ctx context.Context, u User) error
	// Get returns a user by id. Returns ErrNotFound.
	Get(ctx context.Context, id string) (User, error)
	// GetByEmail returns a user by normalised email. Returns ErrNotFound.
	GetByEmail(ctx context.Context, email string) (User, error)
	// List returns a page of users, newest first.
	List(ctx context.Context, p domain.PageRequest) (domain.Page[User], error)
	// Update writes u's name, role, status, password fields and
	// updated_at. Returns ErrNotFound.
	Update(ctx context.Context, u User) error
}

// SessionStore persists sessions.
type SessionStore interface {
	// Create inserts s.
	Create(ctx context.Context, s Session) error
	// Get returns the session with the id hash and its user. Returns
	// ErrNotFound.
	Get(ctx context.Context, idHash string) (Session, User, error)
	// Touch sets last_seen_at to at, unless it was written less than
	// interval before.
	Touch(ctx context.Context, idHash string, at time.Time, interval time.Duration) error
	// Delete removes one session (nothing when there is none).
	Delete(ctx context.Context, idHash string) error
	// DeleteForUser removes every session of the user but the one whose
	// id hash is except ("": all of them), and returns how many it
	// removed.
	DeleteForUser(ctx context.Context, userID, except string) (int64, error)
	// DeleteExpired removes the user's sessions that ended by now under
	// t.
	DeleteExpired(ctx context.Context, userID string, now time.Time, t SessionTimeouts) error
}
