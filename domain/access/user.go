package access

import (
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// UserStatus says whether a person may sign in.
type UserStatus string

// User statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool { return s == UserActive || s == UserDisabled }

// User is a person who signs in to the console. The role is the same as
// an API key's and admits the same routes. Only the password's argon2id
// hash is stored.
type User struct {
	ID           string      `json:"id"`
	Email        string      `json:"email"` // lower case; unique
	Name         string      `json:"name"`
	Role         domain.Role `json:"role"`
	Status       UserStatus  `json:"status"`
	PasswordHash string      `json:"-"`
	// MustChangePassword is set for a password that was generated and
	// shown once (user create, a reset, the demo): the console asks for a
	// new one before anything else.
	MustChangePassword bool      `json:"must_change_password"`
	PasswordChangedAt  time.Time `json:"password_changed_at"`
	CreatedBy          string    `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Actor is the user as the actor of what they do: the audit trail names
// them by id and email.
func (u User) Actor() domain.Actor {
	return domain.Actor{ID: u.ID, Name: u.Email, Role: u.Role}
}

// NormalizeEmail is the form an email is stored and looked up in: trimmed
// and lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
