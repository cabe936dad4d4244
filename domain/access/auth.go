package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// APIKey is a credential. Only the hash of its secret is stored; the
// plaintext is shown once, at creation.
type APIKey struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Role       domain.Role `json:"role"`
	Prefix     string      `json:"prefix"` // public lookup part of the key
	Hash       string      `json:"-"`      // hex HMAC-SHA256 (or SHA-256) of the secret
	CreatedBy  string      `json:"created_by"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  *time.Time  `json:"expires_at"`
	RevokedAt  *time.Time  `json:"revoked_at"`
	LastUsedAt *time.Time  `json:"last_used_at"`
}

// Active reports whether the key may be used at now.
func (k APIKey) Active(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// KeyPrefix starts every key, so leaked keys are easy to recognise.
const KeyPrefix = "vw_"

// KeyHasher hashes key secrets: HMAC-SHA256 with a server-side pepper when
// one is configured, plain SHA-256 otherwise (the secrets are 256-bit
// random, so a slow hash adds nothing).
type KeyHasher struct{ pepper []byte }

// NewKeyHasher returns a hasher using pepper (may be empty).
func NewKeyHasher(pepper string) KeyHasher { return KeyHasher{pepper: []byte(pepper)} }

// Hash returns the hex digest of secret.
func (h KeyHasher) Hash(secret string) string {
	if len(h.pepper) == 0 {
		sum := sha256.Sum256([]byte(secret))
		return hex.EncodeToString(sum[:])
	}
	m := hmac.New(sha256.New, h.pepper)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// Matches compares secret with a stored hash in constant time.
func (h KeyHasher) Matches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(h.Hash(secret)), []byte(hash)) == 1
}

// GenerateKey returns a new plaintext key "vw_<prefix>_<secret>" and its
// parts.
func GenerateKey() (plaintext, prefix, secret string) {
	p := make([]byte, 6)
	s := make([]byte, 32)
	_, _ = rand.Read(p) // crypto/rand.Read never fails
	_, _ = rand.Read(s)
	prefix = hex.EncodeToString(p)
	secret = base64.RawURLEncoding.EncodeToString(s)
	return KeyPrefix + prefix + "_" + secret, prefix, secret
}

// ParseKey splits a plaintext key into prefix and secret.
func ParseKey(plaintext string) (prefix, secret string, ok bool) {
	rest, found := strings.CutPrefix(plaintext, KeyPrefix)
	if !found {
		return "", "", false
	}
	prefix, secret, found = strings.Cut(rest, "_")
	if !found || len(prefix) != 12 || len(secret) != 43 {
		return "", "", false
	}
	return prefix, secret, true
}
