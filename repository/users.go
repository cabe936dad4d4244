package repository

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// Users is the console users' store.
type Users struct{ db *DB }

// Sessions is the console sessions' store.
type Sessions struct{ db *DB }

var (
	_ access.UserStore    = (*Users)(nil)
	_ access.SessionStore = (*Sessions)(nil)
)

// NewUsers returns the user store on db.
func NewUsers(db *DB) *Users { return &Users{db: db} }

// NewSessions returns the session store on db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

type userRow struct {
	ID                 string
	Email              string
	Name               string
	Role               string
	Status             string
	PasswordHash       string
	MustChangePassword bool
	PasswordChangedAt  time.Time `gorm:"autoCreateTime:false"`
	CreatedBy          string
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
}

func (userRow) TableName() string { return "users" }

func userRowOf(u access.User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Status: string(u.Status),
		PasswordHash: u.PasswordHash, MustChangePassword: u.MustChangePassword,
		PasswordChangedAt: u.PasswordChangedAt.UTC(), CreatedBy: u.CreatedBy, CreatedAt: u.CreatedAt.UTC(),
		UpdatedAt: u.UpdatedAt.UTC()}
}

func (r userRow) toDomain() access.User {
	return access.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: domain.Role(r.Role),
		Status: access.UserStatus(r.Status), PasswordHash: r.PasswordHash, MustChangePassword: r.MustChangePassword,
		PasswordChangedAt: r.PasswordChangedAt.UTC(), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

// Create implements access.UserStore.
func (s *Users) Create(ctx context.Context, u access.User) error {
	row := userRowOf(u)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements access.UserStore.
func (s *Users) Get(ctx context.Context, id string) (access.User, error) {
	var row userRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return access.User{}, fmt.Errorf("user %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// GetByEmail implements access.UserStore.
func (s *Users) GetByEmail(ctx context.Context, email string) (access.User, error) {
	var row userRow
	if err := s.db.conn(ctx).Where("email = ?", email).Take(&row).Error; err != nil {
		return access.User{}, fmt.Errorf("user: %w", translate(err))
	}
	return row.toDomain(), nil
}

// List implements access.UserStore. Users are listed newest first; the
// cursor is the last id (UUIDv7 ids sort by creation time).
func (s *Users) List(ctx context.Context, p domain.PageRequest) (domain.Page[access.User], error) {
	q := s.db.conn(ctx)
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[access.User]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []userRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[access.User]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r userRow) string { return r.ID }, userRow.toDomain), nil
}

// Update implements access.UserStore.
func (s *Users) Update(ctx context.Context, u access.User) error {
	row := userRowOf(u)
	res := s.db.conn(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": row.Name, "role": row.Role, "status": row.Status, "password_hash": row.PasswordHash,
		"must_change_password": row.MustChangePassword, "password_changed_at": row.PasswordChangedAt,
		"updated_at": row.UpdatedAt,
	})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("user %s: %w", u.ID, domain.ErrNotFound)
	}
	return nil
}

type sessionRow struct {
	IDHash     string `gorm:"primaryKey"`
	UserID     string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Address    string
	UserAgent  string
}

func (sessionRow) TableName() string { return "sessions" }

func (r sessionRow) toDomain() access.Session {
	return access.Session{IDHash: r.IDHash, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Address: r.Address, UserAgent: r.UserAgent}
}

// Create implements access.SessionStore.
func (s *Sessions) Create(ctx context.Context, ss access.Session) error {
	row := sessionRow{IDHash: ss.IDHash, UserID: ss.UserID, CreatedAt: ss.CreatedAt.UTC(),
		LastSeenAt: ss.LastSeenAt.UTC(), ExpiresAt: ss.ExpiresAt.UTC(), Address: ss.Address, UserAgent: ss.UserAgent}
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// sessionUserRow is a session joined with its user.
type sessionUserRow struct {
	S sessionRow `gorm:"embedded"`
	U userRow    `gorm:"embedded;embeddedPrefix:u_"`
}

// Get implements access.SessionStore: the session and its user in one
// statement.
func (s *Sessions) Get(ctx context.Context, idHash string) (access.Session, access.User, error) {
	var rows []sessionUserRow
	err := s.db.conn(ctx).Raw(`SELECT s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.address,
       s.user_agent, u.id AS u_id, u.email AS u_email, u.name AS u_name, u.role AS u_role, u.status AS u_status,
       u.password_hash AS u_password_hash, u.must_change_password AS u_must_change_password,
       u.password_changed_at AS u_password_changed_at, u.created_by AS u_created_by, u.created_at AS u_created_at,
       u.updated_at AS u_updated_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ?`, idHash).Scan(&rows).Error
	if err != nil {
		return access.Session{}, access.User{}, translate(err)
	}
	if len(rows) == 0 {
		return access.Session{}, access.User{}, fmt.Errorf("session: %w", domain.ErrNotFound)
	}
	return rows[0].S.toDomain(), rows[0].U.toDomain(), nil
}

// Touch implements access.SessionStore: one conditional update.
func (s *Sessions) Touch(ctx context.Context, idHash string, at time.Time, interval time.Duration) error {
	err := s.db.conn(ctx).Model(&sessionRow{}).
		Where("id_hash = ? AND last_seen_at < ?", idHash, at.Add(-interval).UTC()).
		Update("last_seen_at", at.UTC()).Error
	return translate(err)
}

// Delete implements access.SessionStore.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	return translate(s.db.conn(ctx).Where("id_hash = ?", idHash).Delete(&sessionRow{}).Error)
}

// DeleteForUser implements access.SessionStore.
func (s *Sessions) DeleteForUser(ctx context.Context, userID, except string) (int64, error) {
	res := s.db.conn(ctx).Where("user_id = ? AND id_hash <> ?", userID, except).Delete(&sessionRow{})
	return res.RowsAffected, translate(res.Error)
}

// DeleteExpired implements access.SessionStore.
func (s *Sessions) DeleteExpired(ctx context.Context, userID string, now time.Time, t access.SessionTimeouts) error {
	idle := t.Idle
	if idle <= 0 {
		idle = access.DefaultSessionIdle
	}
	err := s.db.conn(ctx).Where("user_id = ? AND (expires_at <= ? OR last_seen_at <= ?)", userID, now.UTC(),
		now.Add(-idle).UTC()).Delete(&sessionRow{}).Error
	return translate(err)
}
