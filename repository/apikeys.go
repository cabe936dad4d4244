package repository

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// APIKeys is the GORM API-key store.
type APIKeys struct{ db *DB }

var _ access.APIKeyStore = (*APIKeys)(nil)

// NewAPIKeys returns the API-key store on db.
func NewAPIKeys(db *DB) *APIKeys { return &APIKeys{db: db} }

type apiKeyRow struct {
	ID         string
	Name       string
	Role       string
	Prefix     string
	Hash       string
	CreatedBy  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r apiKeyRow) toDomain() access.APIKey {
	return access.APIKey{ID: r.ID, Name: r.Name, Role: domain.Role(r.Role), Prefix: r.Prefix, Hash: r.Hash,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: utcPtr(r.ExpiresAt),
		RevokedAt: utcPtr(r.RevokedAt), LastUsedAt: utcPtr(r.LastUsedAt)}
}

// Create implements access.APIKeyStore.
func (s *APIKeys) Create(ctx context.Context, k access.APIKey) error {
	row := apiKeyRow{ID: k.ID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, Hash: k.Hash,
		CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt.UTC(), ExpiresAt: utcPtr(k.ExpiresAt)}
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements access.APIKeyStore.
func (s *APIKeys) Get(ctx context.Context, id string) (access.APIKey, error) {
	var row apiKeyRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return access.APIKey{}, fmt.Errorf("api key %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// GetByPrefix implements access.APIKeyStore.
func (s *APIKeys) GetByPrefix(ctx context.Context, prefix string) (access.APIKey, error) {
	var row apiKeyRow
	if err := s.db.conn(ctx).Where("prefix = ?", prefix).Take(&row).Error; err != nil {
		return access.APIKey{}, fmt.Errorf("api key: %w", translate(err))
	}
	return row.toDomain(), nil
}

// List implements access.APIKeyStore. Keys are listed newest first; the
// cursor is the last id (UUIDv7 ids sort by creation time).
func (s *APIKeys) List(ctx context.Context, p domain.PageRequest) (domain.Page[access.APIKey], error) {
	q := s.db.conn(ctx)
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[access.APIKey]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []apiKeyRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[access.APIKey]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r apiKeyRow) string { return r.ID }, apiKeyRow.toDomain), nil
}

// Revoke implements access.APIKeyStore.
func (s *APIKeys) Revoke(ctx context.Context, id string, at time.Time) error {
	res := s.db.conn(ctx).Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC())
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Touch implements access.APIKeyStore: one conditional update, which
// writes nothing while the last write is recent.
func (s *APIKeys) Touch(ctx context.Context, id string, at time.Time, interval time.Duration) error {
	err := s.db.conn(ctx).Model(&apiKeyRow{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at.Add(-interval).UTC()).
		Update("last_used_at", at.UTC()).Error
	return translate(err)
}

// CountActive implements access.APIKeyStore. On PostgreSQL it locks the
// keys it counts (FOR UPDATE, in id order): a second revocation waits for
// the first to commit, then no longer counts the key it revoked. SQLite
// transactions take the write lock at BEGIN, so they take turns anyway.
func (s *APIKeys) CountActive(ctx context.Context, role domain.Role, now time.Time) (int64, error) {
	q := s.db.conn(ctx).Model(&apiKeyRow{}).
		Where("role = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", role, now.UTC())
	if s.db.dialect == Postgres {
		var ids []string
		err := q.Clauses(clause.Locking{Strength: "UPDATE"}).Order("id").Pluck("id", &ids).Error
		return int64(len(ids)), translate(err)
	}
	var n int64
	err := q.Count(&n).Error
	return n, translate(err)
}
