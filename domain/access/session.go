package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a signed-in browser. The cookie holds a random 256-bit
// token; the database keeps only its SHA-256 (IDHash), so a copy of the
// table signs nobody in.
type Session struct {
	IDHash     string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end: CreatedAt plus the maximum lifetime.
	ExpiresAt time.Time
	Address   string // client address at sign-in
	UserAgent string // at sign-in, cut to 200 bytes
}

// SessionTimeouts end sessions: Idle after the last request, Max after
// sign-in whatever happens.
type SessionTimeouts struct {
	Idle time.Duration
	Max  time.Duration
}

// Default session timeouts (VW_SESSION_IDLE, VW_SESSION_MAX).
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// withDefaults fills zero timeouts.
func (t SessionTimeouts) withDefaults() SessionTimeouts {
	if t.Idle <= 0 {
		t.Idle = DefaultSessionIdle
	}
	if t.Max <= 0 {
		t.Max = DefaultSessionMax
	}
	return t
}

// Live reports whether s is still valid at now under t.
func (s Session) Live(now time.Time, t SessionTimeouts) bool {
	t = t.withDefaults()
	return now.Before(s.ExpiresAt) && now.Sub(s.LastSeenAt) < t.Idle
}

// sessionTouchInterval limits how often a session's last_seen_at is
// written; the idle timeout is exact to within it.
const sessionTouchInterval = time.Minute

// NewSessionToken returns a random 256-bit session token (base64url, 43
// characters).
func NewSessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSessionToken is the stored form of a token: hex SHA-256.
func HashSessionToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CSRFToken is the anti-forgery token of the session whose cookie holds
// token: derived from it with SHA-256 under a label of its own, so it is
// tied to the session, needs no storage, and reveals nothing of the
// cookie (which scripts cannot read: HttpOnly).
func CSRFToken(token string) string {
	sum := sha256.Sum256([]byte("vendorwatch csrf\x00" + token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CSRFMatches reports, in constant time, whether sent is the CSRF token of
// the session token.
func CSRFMatches(token, sent string) bool {
	return sent != "" && subtle.ConstantTimeCompare([]byte(CSRFToken(token)), []byte(sent)) == 1
}
