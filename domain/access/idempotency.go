package access

import (
	"context"
	"time"
)

// IdempotentRequest is a POST made with an Idempotency-Key: the key, the
// request it was first used for, and (once answered) the response to
// replay.
type IdempotentRequest struct {
	ActorID       string
	Key           string
	Method        string
	Path          string
	RequestSHA256 string // of the body
	Status        int    // 0 while the first request is in progress
	ContentType   string
	Location      string
	ETag          string
	Body          []byte
	CreatedAt     time.Time
}

// IdempotencyTTL is how long a key is remembered.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyStore remembers idempotent requests per API key.
type IdempotencyStore interface {
	// Begin records r as in progress, unless the actor already used the key
	// within IdempotencyTTL: then it returns that earlier request and
	// true, and records nothing.
	Begin(ctx context.Context, r IdempotentRequest) (IdempotentRequest, bool, error)
	// Complete stores the response of the request begun with the key.
	Complete(ctx context.Context, r IdempotentRequest) error
	// Forget drops an in-progress key whose request failed (and so changed
	// nothing), so it may be used again.
	Forget(ctx context.Context, actorID, key string) error
}
