package domain

import "time"

// Clock tells the current instant. Domain logic never calls time.Now
// directly, so tests and as-of reports can pin "now".
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current instant in UTC, truncated to microseconds (the
// precision both databases keep).
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// FixedClock always returns the same instant.
type FixedClock time.Time

// Now returns the fixed instant in UTC.
func (c FixedClock) Now() time.Time { return time.Time(c).UTC() }
