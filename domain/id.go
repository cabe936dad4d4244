package domain

import "github.com/google/uuid"

// NewID returns a new UUIDv7: time-ordered, so keyset pagination by id
// follows creation order and index inserts stay local.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// ValidID reports whether s is a UUID in canonical lower-case form.
func ValidID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// CheckID returns a field error when s is not a canonical UUID.
func CheckID(field, s string) error {
	if !ValidID(s) {
		return Invalid(field, "must be a UUID such as %q", "0190a9a4-3c1e-7d4b-9a7e-2f1c5b6d7e8f")
	}
	return nil
}
