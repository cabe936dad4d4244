package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Webhook is a subscriber that receives events as signed JSON POSTs.
//
// The secret cannot be hashed: the receiver verifies the HMAC with the
// same secret, so we must be able to compute it. The store keeps it
// encrypted with a key held outside the database. It is returned once, at
// creation, never logged and never in the audit trail (json "-"); reads
// show SecretHint and leave Secret empty.
type Webhook struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Secret      string    `json:"-"`
	SecretHint  string    `json:"secret_hint"` // masked form, e.g. "whsec_…a1b2"
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// DisabledAt is when the webhook was disabled (nil: it receives
	// events). A disabled webhook is queued nothing, and the deliveries
	// queued before wait until it is enabled again.
	DisabledAt *time.Time `json:"disabled_at"`
}

// Subscribes reports whether w wants events of type t.
func (w Webhook) Subscribes(t string) bool { return slices.Contains(w.Events, t) }

// MaskSecret returns the hint shown in place of a secret.
func MaskSecret(secret string) string {
	if len(secret) <= 8 {
		return "…"
	}
	head := ""
	if strings.HasPrefix(secret, WebhookSecretPrefix) {
		head = WebhookSecretPrefix
	}
	return head + "…" + secret[len(secret)-4:]
}

// WebhookSecretPrefix starts generated secrets.
const WebhookSecretPrefix = "whsec_"

// NewWebhook describes a webhook to create. An empty Secret asks for a
// generated one.
type NewWebhook struct {
	URL         string
	Secret      string
	Events      []string
	Description string
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event queued for one webhook, with the outcome
// of its latest attempt.
type WebhookDelivery struct {
	ID            string     `json:"id"`
	WebhookID     string     `json:"webhook_id"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Payload       []byte     `json:"-"` // the exact body sent, fixed at publish time
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	ResponseCode  *int       `json:"response_code"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	// URL and Secret are filled by ClaimDue for the dispatcher.
	URL    string `json:"-"`
	Secret string `json:"-"`
}

// DeliveryOutcome is the result of one delivery attempt.
type DeliveryOutcome struct {
	Status        string // DeliveryPending (retry at NextAttemptAt), DeliveryDelivered or DeliveryFailed
	NextAttemptAt time.Time
	ResponseCode  *int
	Error         string
	At            time.Time
}

// WebhookStore keeps webhooks and their delivery queue.
type WebhookStore interface {
	// Create stores a webhook.
	Create(ctx context.Context, w Webhook) error
	// Get returns a webhook. Returns ErrNotFound.
	Get(ctx context.Context, id string) (Webhook, error)
	// List returns webhooks newest first.
	List(ctx context.Context, p domain.PageRequest) (domain.Page[Webhook], error)
	// All returns every webhook (a short list: publishing filters it).
	All(ctx context.Context) ([]Webhook, error)
	// Delete removes a webhook and its deliveries. Returns ErrNotFound.
	Delete(ctx context.Context, id string) error
	// SetDisabled sets disabled_at (nil enables). Returns ErrNotFound.
	SetDisabled(ctx context.Context, id string, at *time.Time) error
	// Enqueue inserts deliveries in one batch; a delivery of an event
	// already queued for the same webhook is ignored.
	Enqueue(ctx context.Context, ds []WebhookDelivery) error
	// ClaimDue takes up to limit pending deliveries due at now, of
	// webhooks that are not disabled, counts an
	// attempt on each and hides them until now+lease, so another
	// dispatcher (or this one after a crash) retries them only after the
	// lease. The deliveries carry their webhook's URL and secret.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error)
	// Record stores the outcome of an attempt.
	Record(ctx context.Context, id string, o DeliveryOutcome) error
	// Deliveries lists a webhook's deliveries newest first.
	Deliveries(ctx context.Context, webhookID string, p domain.PageRequest) (domain.Page[WebhookDelivery], error)
}

// WebhookService manages webhooks and is the EventSink that queues
// deliveries (the jobs.Dispatcher sends them).
type WebhookService struct {
	Tx       domain.Transactor
	Webhooks WebhookStore
	Audit    domain.Auditor
	Clock    domain.Clock
}

var _ domain.EventSink = (*WebhookService)(nil)

// Create validates and stores a webhook. It returns the webhook and its
// secret, which is not shown again.
func (s *WebhookService) Create(ctx context.Context, in NewWebhook) (Webhook, string, error) {
	var fe domain.FieldErrors
	raw := strings.TrimSpace(in.URL)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		fe.Add("url", "is required")
	case len(raw) > 2048:
		fe.Add("url", "must be at most 2048 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		fe.Add("url", "must be an absolute http or https URL")
	case u.User != nil:
		fe.Add("url", "must not contain credentials; use the secret")
	}
	secret := in.Secret
	switch {
	case secret == "":
		secret = NewWebhookSecret()
	case len(secret) < 16 || len(secret) > 200:
		fe.Add("secret", "must be 16 to 200 characters (or omitted to have one generated)")
	case strings.ContainsFunc(secret, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		fe.Add("secret", "must be printable ASCII without spaces")
	}
	events := make([]string, 0, len(in.Events))
	for _, t := range in.Events {
		if !slices.Contains(domain.EventTypes, t) {
			fe.Add("events", "unknown event type %q (known: %s)", t, strings.Join(domain.EventTypes, ", "))
			continue
		}
		if !slices.Contains(events, t) {
			events = append(events, t)
		}
	}
	if len(in.Events) == 0 {
		fe.Add("events", "must name at least one event type (%s)", strings.Join(domain.EventTypes, ", "))
	}
	desc := domain.CheckText(&fe, "description", in.Description, false, 500)
	if err := fe.Err(); err != nil {
		return Webhook{}, "", err
	}
	slices.Sort(events)
	w := Webhook{ID: domain.NewID(), URL: raw, Secret: secret, SecretHint: MaskSecret(secret), Events: events,
		Description: desc, CreatedBy: domain.ActorFrom(ctx).ID, CreatedAt: s.Clock.Now()}
	err = s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.Webhooks.Create(ctx, w); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		return s.Audit.Record(ctx, "webhook.create", "webhook", w.ID, nil, w)
	})
	if err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// Get returns a webhook (its secret masked by the JSON form).
func (s *WebhookService) Get(ctx context.Context, id string) (Webhook, error) {
	return domain.Lookup(ctx, "webhook", id, s.Webhooks.Get)
}

// List returns webhooks newest first.
func (s *WebhookService) List(ctx context.Context, p domain.PageRequest) (domain.Page[Webhook], error) {
	return s.Webhooks.List(ctx, p)
}

// Delete removes a webhook; its queued deliveries go with it.
func (s *WebhookService) Delete(ctx context.Context, id string) error {
	if !domain.ValidID(id) {
		return fmt.Errorf("webhook %s: %w", id, domain.ErrNotFound)
	}
	return s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		w, err := s.Webhooks.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Webhooks.Delete(ctx, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "webhook.delete", "webhook", id, w, nil)
	})
}

// SetEnabled enables or disables a webhook, audited as webhook.enable or
// webhook.disable, and returns it. Setting the state it has already
// changes nothing.
func (s *WebhookService) SetEnabled(ctx context.Context, id string, enabled bool) (Webhook, error) {
	if !domain.ValidID(id) {
		return Webhook{}, fmt.Errorf("webhook %s: %w", id, domain.ErrNotFound)
	}
	var after Webhook
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		before, err := s.Webhooks.Get(ctx, id)
		if err != nil {
			return err
		}
		after = before
		if (before.DisabledAt == nil) == enabled {
			return nil
		}
		action := "webhook.enable"
		after.DisabledAt = nil
		if !enabled {
			now := s.Clock.Now().UTC()
			action, after.DisabledAt = "webhook.disable", &now
		}
		if err := s.Webhooks.SetDisabled(ctx, id, after.DisabledAt); err != nil {
			return err
		}
		return s.Audit.Record(ctx, action, "webhook", id, before, after)
	})
	return after, err
}

// Deliveries lists a webhook's deliveries newest first.
func (s *WebhookService) Deliveries(ctx context.Context, id string, p domain.PageRequest) (domain.Page[WebhookDelivery], error) {
	if _, err := s.Get(ctx, id); err != nil {
		return domain.Page[WebhookDelivery]{}, err
	}
	return s.Webhooks.Deliveries(ctx, id, p)
}

// Publish implements EventSink: it queues one delivery per event and
// subscribed webhook that is not disabled, in one batch, in the transaction of ctx if there is
// one (so events of a rolled-back change are never sent). It never does
// HTTP.
func (s *WebhookService) Publish(ctx context.Context, events ...domain.Event) error {
	if len(events) == 0 {
		return nil
	}
	hooks, err := s.Webhooks.All(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	now := s.Clock.Now()
	var ds []WebhookDelivery
	for _, ev := range events {
		if ev.ID == "" {
			ev.ID = domain.NewID()
		}
		if ev.At.IsZero() {
			ev.At = now
		}
		var body []byte
		for _, w := range hooks {
			if w.DisabledAt != nil || !w.Subscribes(ev.Type) {
				continue
			}
			if body == nil {
				if body, err = json.Marshal(ev); err != nil {
					return fmt.Errorf("event %s: %w", ev.Type, err)
				}
			}
			ds = append(ds, WebhookDelivery{ID: domain.NewID(), WebhookID: w.ID, EventID: ev.ID, EventType: ev.Type,
				Payload: body, Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return s.Webhooks.Enqueue(ctx, ds)
}

// NewWebhookSecret returns a random secret: "whsec_" and 32 random bytes,
// base64url.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return WebhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// SignatureHeader carries the delivery signature:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the
// webhook secret>".
const SignatureHeader = "X-Vendorwatch-Signature"

// SignWebhook returns the SignatureHeader value for body sent at t.
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + webhookMAC(secret, ts, body)
}

func webhookMAC(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature: a webhook signature does not verify.
var ErrBadSignature = errors.New("webhook signature does not verify")

// VerifyWebhook checks a SignatureHeader value against body: the MAC must
// match and the timestamp must be within tolerance of now (replay guard).
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: malformed header", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp outside tolerance", ErrBadSignature)
	}
	want := webhookMAC(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
