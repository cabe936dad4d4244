package access

import (
	"context"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
)

// List returns a page of users, newest first (never their password
// hashes: the JSON form leaves them out, and the console shows none).
func (s *UserService) List(ctx context.Context, p domain.PageRequest) (domain.Page[User], error) {
	return s.Users.List(ctx, p)
}

// SetRole gives a user another role; the user's sessions carry it from
// their next request. An admin may not change their own role, so the
// console cannot lose its last admin by a slip.
func (s *UserService) SetRole(ctx context.Context, id string, role domain.Role) (User, error) {
	if !role.Valid() {
		return User{}, domain.Invalid("role", "must be one of admin, vendor_manager, legal, executive, auditor")
	}
	if domain.ActorFrom(ctx).ID == id {
		return User{}, &domain.ConflictError{Field: "role", Message: "you cannot change your own role; ask another admin"}
	}
	return s.changeUser(ctx, id, "user.role", func(u *User) bool {
		changed := u.Role != role
		u.Role = role
		return changed
	}, nil)
}

// changeUser reads the user, applies change and, when it changed
// something, stores the user, runs then (nil: nothing) and audits the
// change as action, all in one transaction. It returns the user as it
// is now.
func (s *UserService) changeUser(ctx context.Context, id, action string, change func(*User) bool,
	then func(context.Context) error) (User, error) {
	var after User
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		before, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		after = before
		if !change(&after) {
			return nil
		}
		after.UpdatedAt = s.Clock.Now().UTC()
		if err := s.Users.Update(ctx, after); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if then != nil {
			if err := then(ctx); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, action, "user", id, before, after)
	})
	return after, err
}
