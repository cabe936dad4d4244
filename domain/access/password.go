package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Password rules: at least MinPasswordLength characters (Unicode code
// points), at most MaxPasswordLength (which bounds the work of hashing a
// submitted password).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// Argon2Params are the argon2id parameters of a password hash. They are
// stored in every hash (the PHC string format), so hashes made with older
// parameters still verify after a change.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32 // bytes of the derived key
	SaltLen int    // bytes of random salt
}

// DefaultArgon2 follows OWASP's Password Storage Cheat Sheet for argon2id:
// 19 MiB of memory, two passes, one lane; a 16-byte salt and a 32-byte
// key. One hash takes some tens of milliseconds and 19 MiB while it runs.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// CheckPassword says what is wrong with a new password, in fe under
// field.
func CheckPassword(fe *domain.FieldErrors, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		fe.Add(field, "must be valid UTF-8")
	case n < MinPasswordLength:
		fe.Add(field, "must be at least %s long", domain.Count(MinPasswordLength, "character", "characters"))
	case n > MaxPasswordLength:
		fe.Add(field, "must be at most %s long", domain.Count(MaxPasswordLength, "character", "characters"))
	}
}

// HashPassword returns the argon2id hash of pw in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (unpadded base64).
func (p Argon2Params) HashPassword(pw string) string {
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// PasswordMatches checks pw against a hash made by HashPassword, in
// constant time. A malformed hash matches nothing.
func PasswordMatches(pw, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > 4*MaxPasswordLength {
		return false
	}
	var version int
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	// Refuse parameters no hash of ours has, so a forged row cannot make
	// verification arbitrarily expensive.
	if p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 10 || p.Threads == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// GeneratePassword returns a random one-time password: 24 lower-case
// letters and digits (base32 of 120 random bits).
func GeneratePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
