package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// Webhooks is the GORM store of webhooks and their delivery queue.
type Webhooks struct{ db *DB }

var _ webhook.WebhookStore = (*Webhooks)(nil)

// NewWebhooks returns the webhook store on db.
func NewWebhooks(db *DB) *Webhooks { return &Webhooks{db: db} }

type webhookRow struct {
	ID           string
	URL          string `gorm:"column:url"`
	SealedSecret string // see SecretKeys; opened only to sign deliveries
	SecretHint   string
	Events       string // JSON array
	Description  string
	CreatedBy    string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	DisabledAt   *time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) toDomain() webhook.Webhook {
	w := webhook.Webhook{ID: r.ID, URL: r.URL, SecretHint: r.SecretHint,
		Description: r.Description, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), Events: []string{},
		DisabledAt: utcPtr(r.DisabledAt)}
	_ = json.Unmarshal([]byte(r.Events), &w.Events) // written by Create
	return w
}

type deliveryRow struct {
	ID            string
	WebhookID     string
	EventID       string
	EventType     string
	Payload       string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	ResponseCode  *int
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	DeliveredAt   *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r deliveryRow) toDomain() webhook.WebhookDelivery {
	return webhook.WebhookDelivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, EventType: r.EventType,
		Payload: []byte(r.Payload), Status: r.Status, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		LastError: r.LastError, ResponseCode: r.ResponseCode, CreatedAt: r.CreatedAt.UTC(), DeliveredAt: utcPtr(r.DeliveredAt)}
}

// Create implements webhook.WebhookStore. The secret is stored sealed.
func (s *Webhooks) Create(ctx context.Context, w webhook.Webhook) error {
	ev, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	sealed, err := s.db.secrets.Seal(w.Secret, w.ID)
	if err != nil {
		return fmt.Errorf("seal webhook secret: %w", err)
	}
	row := webhookRow{ID: w.ID, URL: w.URL, SealedSecret: sealed, SecretHint: webhook.MaskSecret(w.Secret),
		Events: string(ev), Description: w.Description, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt.UTC()}
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements webhook.WebhookStore.
func (s *Webhooks) Get(ctx context.Context, id string) (webhook.Webhook, error) {
	var row webhookRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return webhook.Webhook{}, fmt.Errorf("webhook %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// List implements webhook.WebhookStore.
func (s *Webhooks) List(ctx context.Context, p domain.PageRequest) (domain.Page[webhook.Webhook], error) {
	q := s.db.conn(ctx)
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[webhook.Webhook]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []webhookRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[webhook.Webhook]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r webhookRow) string { return r.ID }, webhookRow.toDomain), nil
}

// All implements webhook.WebhookStore.
func (s *Webhooks) All(ctx context.Context) ([]webhook.Webhook, error) {
	var rows []webhookRow
	if err := s.db.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]webhook.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Delete implements webhook.WebhookStore; the deliveries cascade.
func (s *Webhooks) Delete(ctx context.Context, id string) error {
	res := s.db.conn(ctx).Where("id = ?", id).Delete(&webhookRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("webhook %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// Enqueue implements webhook.WebhookStore with batched inserts.
func (s *Webhooks) Enqueue(ctx context.Context, ds []webhook.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryRow{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType,
			Payload: string(d.Payload), Status: webhook.DeliveryPending, NextAttemptAt: d.NextAttemptAt.UTC(),
			CreatedAt: d.CreatedAt.UTC()}
	}
	err := s.db.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "webhook_id"}, {Name: "event_id"}}, DoNothing: true,
	}).CreateInBatches(&rows, 200).Error
	return translate(err)
}

// SetDisabled implements webhook.WebhookStore.
func (s *Webhooks) SetDisabled(ctx context.Context, id string, at *time.Time) error {
	res := s.db.conn(ctx).Model(&webhookRow{}).Where("id = ?", id).Update("disabled_at", utcPtr(at))
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("webhook %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// notDisabled keeps the deliveries of disabled webhooks out of a claim.
const notDisabled = "webhook_id NOT IN (SELECT id FROM webhooks WHERE disabled_at IS NOT NULL)"

// claimSQL counts an attempt on the due deliveries and moves them past
// the lease, in one statement. On PostgreSQL, SKIP LOCKED lets several
// dispatchers claim disjoint batches; SQLite has one writer. %s is the
// row-lock clause.
const claimSQL = `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?
WHERE id IN (
    SELECT id FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_at <= ? AND ` + notDisabled + `
    ORDER BY next_attempt_at, id
    LIMIT ? %s
)
RETURNING id, webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, last_error,
    response_code, created_at, delivered_at`

// ClaimDue implements webhook.WebhookStore.
func (s *Webhooks) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]webhook.WebhookDelivery, error) {
	lock := ""
	if s.db.dialect == Postgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	// A read first: an idle queue costs no write (on SQLite, no write lock).
	var due []string
	err := s.db.conn(ctx).Model(&deliveryRow{}).Where("status = ? AND next_attempt_at <= ? AND "+notDisabled, webhook.DeliveryPending, now.UTC()).
		Limit(1).Pluck("id", &due).Error
	if err != nil || len(due) == 0 {
		return nil, translate(err)
	}
	var rows []deliveryRow
	err = s.db.conn(ctx).Raw(fmt.Sprintf(claimSQL, lock), now.Add(lease).UTC(), now.UTC(), limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.WebhookID)
	}
	var hooks []webhookRow
	if err := s.db.conn(ctx).Where("id IN ?", ids).Find(&hooks).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[string]webhookRow, len(hooks))
	for _, h := range hooks {
		byID[h.ID] = h
	}
	out := make([]webhook.WebhookDelivery, 0, len(rows))
	for _, r := range rows {
		d := r.toDomain()
		h, ok := byID[r.WebhookID]
		if !ok {
			continue // deleted meanwhile; its deliveries are gone too
		}
		secret, err := s.db.secrets.Open(h.SealedSecret, h.ID)
		if err != nil {
			// Never sent unsigned: it stays pending (retried after the
			// lease) and says why, until the key is configured.
			msg := "webhook secret cannot be opened: " + err.Error()
			if uerr := s.db.conn(ctx).Model(&deliveryRow{}).Where("id = ?", d.ID).Update("last_error", msg).Error; uerr != nil {
				return nil, translate(uerr)
			}
			continue
		}
		d.URL, d.Secret = h.URL, secret
		out = append(out, d)
	}
	return out, nil
}

// Record implements webhook.WebhookStore.
func (s *Webhooks) Record(ctx context.Context, id string, o webhook.DeliveryOutcome) error {
	upd := map[string]any{"status": o.Status, "last_error": o.Error, "response_code": o.ResponseCode}
	switch o.Status {
	case webhook.DeliveryDelivered:
		upd["delivered_at"] = o.At.UTC()
	case webhook.DeliveryPending:
		upd["next_attempt_at"] = o.NextAttemptAt.UTC()
	}
	res := s.db.conn(ctx).Model(&deliveryRow{}).Where("id = ?", id).Updates(upd)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("webhook delivery %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// Deliveries implements webhook.WebhookStore.
func (s *Webhooks) Deliveries(ctx context.Context, webhookID string, p domain.PageRequest) (domain.Page[webhook.WebhookDelivery], error) {
	q := s.db.conn(ctx).Where("webhook_id = ?", webhookID)
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[webhook.WebhookDelivery]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id < ?", p.After)
	}
	var rows []deliveryRow
	if err := q.Order("id DESC").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[webhook.WebhookDelivery]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r deliveryRow) string { return r.ID }, deliveryRow.toDomain), nil
}
