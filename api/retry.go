package api

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// latestAttempts bounds how often a write without If-Match runs, and
// maxLatestPause the pause before one attempt.
const (
	latestAttempts = 12
	maxLatestPause = 250 * time.Millisecond
)

// onLatest runs write, one read-modify-write of a versioned resource
// (PATCH, DELETE, POST of an amendment). With If-Match (version > 0) a
// stale version is the client's 412. Without it the client set no
// precondition, so a version conflict means only that another writer
// committed between this write's read and its update: write runs again,
// on the version that writer left, after a random pause below 2^attempt
// milliseconds (at most maxLatestPause), so that contending writers spread
// out, at most latestAttempts times in all (about 1.3 s of pauses at
// worst).
func onLatest(ctx context.Context, version int64, write func() error) error {
	err := write()
	for attempt := 1; version == 0 && errors.Is(err, domain.ErrPrecondition) && attempt < latestAttempts; attempt++ {
		pause := time.Duration(rand.Int64N(int64(min(time.Millisecond<<attempt, maxLatestPause))))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		err = write()
	}
	return err
}
