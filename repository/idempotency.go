package repository

import (
	"context"
	"errors"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// Idempotency is the store of idempotent requests.
type Idempotency struct{ db *DB }

var _ access.IdempotencyStore = (*Idempotency)(nil)

// NewIdempotency returns the idempotency store on db.
func NewIdempotency(db *DB) *Idempotency { return &Idempotency{db: db} }

type idempotencyRow struct {
	ActorID       string `gorm:"primaryKey"`
	Key           string `gorm:"primaryKey"`
	Method        string
	Path          string
	RequestSHA256 string `gorm:"column:request_sha256"`
	Status        int
	ContentType   string
	Location      string
	ETag          string `gorm:"column:etag"`
	Body          []byte
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

func (r idempotencyRow) toDomain() access.IdempotentRequest {
	return access.IdempotentRequest{ActorID: r.ActorID, Key: r.Key, Method: r.Method, Path: r.Path,
		RequestSHA256: r.RequestSHA256, Status: r.Status, ContentType: r.ContentType, Location: r.Location,
		ETag: r.ETag, Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
}

// Begin implements access.IdempotencyStore. Expired keys are dropped
// first; the insert's primary key decides between concurrent firsts.
func (s *Idempotency) Begin(ctx context.Context, r access.IdempotentRequest) (access.IdempotentRequest, bool, error) {
	c := s.db.conn(ctx)
	expired := r.CreatedAt.Add(-access.IdempotencyTTL).UTC()
	if err := c.Where("created_at < ?", expired).Delete(&idempotencyRow{}).Error; err != nil {
		return r, false, translate(err)
	}
	row := idempotencyRow{ActorID: r.ActorID, Key: r.Key, Method: r.Method, Path: r.Path,
		RequestSHA256: r.RequestSHA256, CreatedAt: r.CreatedAt.UTC()}
	err := translate(c.Create(&row).Error)
	if err == nil {
		return r, false, nil
	}
	if !errors.Is(err, domain.ErrConflict) {
		return r, false, err
	}
	var prior idempotencyRow
	if err := c.Where("actor_id = ? AND key = ?", r.ActorID, r.Key).Take(&prior).Error; err != nil {
		return r, false, translate(err)
	}
	return prior.toDomain(), true, nil
}

// Complete implements access.IdempotencyStore.
func (s *Idempotency) Complete(ctx context.Context, r access.IdempotentRequest) error {
	err := s.db.conn(ctx).Model(&idempotencyRow{}).Where("actor_id = ? AND key = ?", r.ActorID, r.Key).
		Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "location": r.Location,
			"etag": r.ETag, "body": r.Body}).Error
	return translate(err)
}

// Forget implements access.IdempotencyStore.
func (s *Idempotency) Forget(ctx context.Context, actorID, key string) error {
	err := s.db.conn(ctx).Where("actor_id = ? AND key = ? AND status = 0", actorID, key).Delete(&idempotencyRow{}).Error
	return translate(err)
}
