package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// receiver is an httptest webhook endpoint that verifies signatures.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	clock  domain.Clock
	status int           // answered to every request
	block  chan struct{} // when set, requests wait for it to close

	mu       sync.Mutex
	hits     int
	verified int
	bodies   [][]byte
	started  chan struct{} // gets a value at each request
}

func newReceiver(t *testing.T, clock domain.Clock, status int) *receiver {
	r := &receiver{t: t, clock: clock, status: status, started: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.hits++
		secret := r.secret
		if err := webhook.VerifyWebhook(secret, req.Header.Get(webhook.SignatureHeader), body, r.clock.Now(), 5*time.Minute); err == nil {
			r.verified++
		} else {
			t.Errorf("receiver: %v", err)
		}
		if req.Header.Get("X-Vendorwatch-Event") == "" || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("receiver: headers %v", req.Header)
		}
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
		r.started <- struct{}{}
		if r.block != nil {
			<-r.block
		}
		w.WriteHeader(r.status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) counts() (hits, verified int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits, r.verified
}

type hookEnv struct {
	db    *repository.DB
	svc   *services.Services
	store *repository.Webhooks
	clock *fakeClock
	ctx   context.Context
}

func newHookEnv(t *testing.T, db *repository.DB) *hookEnv {
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
	svc := services.New(db.Stores(filepath.Join(t.TempDir(), "ev")), services.Settings{Clock: clock})
	ctx := domain.WithActor(context.Background(), domain.Actor{ID: "test", Name: "test", Role: domain.RoleAdmin})
	return &hookEnv{db: db, svc: svc, store: repository.NewWebhooks(db), clock: clock, ctx: ctx}
}

func (h *hookEnv) hook(t *testing.T, r *receiver, events ...string) webhook.Webhook {
	t.Helper()
	w, secret, err := h.svc.Webhooks.Create(h.ctx, webhook.NewWebhook{URL: r.srv.URL + "/hook?token=abc", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, webhook.WebhookSecretPrefix) || w.SecretHint == secret || strings.Contains(w.SecretHint, secret[6:20]) {
		t.Fatalf("secret %q, hint %q", secret, w.SecretHint)
	}
	r.mu.Lock()
	r.secret = secret
	r.mu.Unlock()
	return w
}

func (h *hookEnv) deliveries(t *testing.T, w webhook.Webhook) []webhook.WebhookDelivery {
	t.Helper()
	page, err := h.svc.Webhooks.Deliveries(h.ctx, w.ID, domain.PageRequest{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestWebhookSignedDelivery(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		r := newReceiver(t, h.clock, 204)
		w := h.hook(t, r, domain.EventFindingOpened, domain.EventFindingResolved)
		other := newReceiver(t, h.clock, 200)
		wOther := h.hook(t, other, domain.EventObligationDueSoon)

		ev := domain.Event{ID: "ev-1", Type: domain.EventFindingOpened, At: h.clock.Now(), Data: map[string]any{"rule_id": "R1"}}
		if err := h.svc.Events.Publish(h.ctx, ev, domain.Event{Type: domain.EventNoticeLate}); err != nil {
			t.Fatal(err)
		}
		// Publishing the same event again does not queue it twice.
		if err := h.svc.Events.Publish(h.ctx, ev); err != nil {
			t.Fatal(err)
		}
		d := jobs.NewDispatcher(h.store, jobs.DispatcherOptions{Clock: h.clock, AllowPrivate: true})
		n, err := d.DeliverDue(h.ctx)
		if err != nil || n != 1 {
			t.Fatalf("DeliverDue = %d, %v; want 1 (one subscribed event)", n, err)
		}
		if hits, ok := r.counts(); hits != 1 || ok != 1 {
			t.Fatalf("receiver: %d hits, %d verified", hits, ok)
		}
		// Not subscribed: incident.notice_late went nowhere.
		if hits, _ := other.counts(); hits != 0 || len(h.deliveries(t, wOther)) != 0 {
			t.Errorf("unsubscribed webhook got %d requests", hits)
		}
		var got domain.Event
		if err := json.Unmarshal(r.bodies[0], &got); err != nil || got.ID != "ev-1" || got.Type != domain.EventFindingOpened {
			t.Errorf("body %s", r.bodies[0])
		}
		// The signature binds the body and the secret.
		sig := webhook.SignWebhook(r.secret, h.clock.Now(), r.bodies[0])
		if err := webhook.VerifyWebhook(r.secret, sig, append([]byte(" "), r.bodies[0]...), h.clock.Now(), time.Minute); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("tampered body verified: %v", err)
		}
		if err := webhook.VerifyWebhook("whsec_wrong", sig, r.bodies[0], h.clock.Now(), time.Minute); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("wrong secret verified: %v", err)
		}
		if err := webhook.VerifyWebhook(r.secret, sig, r.bodies[0], h.clock.Now().Add(10*time.Minute), 5*time.Minute); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("stale timestamp verified: %v", err)
		}
		ds := h.deliveries(t, w)
		if len(ds) != 1 || ds[0].Status != webhook.DeliveryDelivered || ds[0].Attempts != 1 || ds[0].ResponseCode == nil ||
			*ds[0].ResponseCode != 204 || ds[0].DeliveredAt == nil {
			t.Errorf("deliveries %+v", ds)
		}
		if n, _ := d.DeliverDue(h.ctx); n != 0 {
			t.Errorf("delivered twice: %d", n)
		}
	})
}

func TestWebhookRetriesThenFails(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		r := newReceiver(t, h.clock, 500)
		w := h.hook(t, r, domain.EventFindingEscalated)
		if err := h.svc.Events.Publish(h.ctx, domain.Event{Type: domain.EventFindingEscalated, Data: "x"}); err != nil {
			t.Fatal(err)
		}
		d := jobs.NewDispatcher(h.store, jobs.DispatcherOptions{Clock: h.clock, AllowPrivate: true, MaxAttempts: 3,
			BackoffBase: time.Minute, BackoffMax: time.Hour})
		expectAttempt := func(n, wantHits int, status string) webhook.WebhookDelivery {
			t.Helper()
			got, err := d.DeliverDue(h.ctx)
			if err != nil || got != n {
				t.Fatalf("DeliverDue = %d, %v; want %d", got, err, n)
			}
			if hits, _ := r.counts(); hits != wantHits {
				t.Fatalf("receiver hits %d, want %d", hits, wantHits)
			}
			ds := h.deliveries(t, w)
			if len(ds) != 1 || ds[0].Status != status || ds[0].Attempts != wantHits || ds[0].ResponseCode == nil ||
				*ds[0].ResponseCode != 500 || !strings.Contains(ds[0].LastError, "500") {
				t.Fatalf("delivery %+v", ds)
			}
			return ds[0]
		}
		first := expectAttempt(1, 1, webhook.DeliveryPending)
		if want := h.clock.Now().Add(time.Minute); !first.NextAttemptAt.Equal(want) {
			t.Errorf("next attempt %s, want %s", first.NextAttemptAt, want)
		}
		expectAttempt(0, 1, webhook.DeliveryPending) // backing off
		h.clock.advance(time.Minute)
		second := expectAttempt(1, 2, webhook.DeliveryPending)
		if want := h.clock.Now().Add(2 * time.Minute); !second.NextAttemptAt.Equal(want) {
			t.Errorf("second backoff: next %s, want %s", second.NextAttemptAt, want)
		}
		h.clock.advance(time.Minute)
		expectAttempt(0, 2, webhook.DeliveryPending)
		h.clock.advance(time.Minute)
		expectAttempt(1, 3, webhook.DeliveryFailed)
		h.clock.advance(24 * time.Hour)
		expectAttempt(0, 3, webhook.DeliveryFailed) // no attempt after the last
	})
}

func TestWebhookSlowReceiverDoesNotBlock(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		slow := newReceiver(t, h.clock, 200)
		slow.block = make(chan struct{})
		fast := newReceiver(t, h.clock, 200)
		h.hook(t, slow, domain.EventFindingOpened)
		wFast := h.hook(t, fast, domain.EventFindingOpened)
		d := jobs.NewDispatcher(h.store, jobs.DispatcherOptions{Clock: h.clock, AllowPrivate: true,
			Interval: 20 * time.Millisecond, Timeout: 30 * time.Second})
		d.Start()
		defer func() {
			close(slow.block)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := d.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		}()
		if err := h.svc.Events.Publish(h.ctx, domain.Event{Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-slow.started:
		case <-time.After(10 * time.Second):
			t.Fatal("the slow receiver was never called")
		}
		// The slow receiver holds its request; publishing still returns at
		// once, and the fast receiver still gets its delivery.
		start := time.Now()
		if err := h.svc.Events.Publish(h.ctx, domain.Event{Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el > time.Second {
			t.Errorf("Publish took %s while a receiver hangs", el)
		}
		waitFor(t, func() bool {
			for _, x := range h.deliveries(t, wFast) {
				if x.Status != webhook.DeliveryDelivered {
					return false
				}
			}
			return len(h.deliveries(t, wFast)) >= 1
		})
	})
}

func TestWebhookPrivateTargetsBlocked(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		r := newReceiver(t, h.clock, 200)
		w := h.hook(t, r, domain.EventFindingOpened)
		if err := h.svc.Events.Publish(h.ctx, domain.Event{Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		d := jobs.NewDispatcher(h.store, jobs.DispatcherOptions{Clock: h.clock})
		if _, err := d.DeliverDue(h.ctx); err != nil {
			t.Fatal(err)
		}
		if hits, _ := r.counts(); hits != 0 {
			t.Errorf("loopback receiver was called %d times", hits)
		}
		ds := h.deliveries(t, w)
		if len(ds) != 1 || ds[0].Status != webhook.DeliveryPending || !strings.Contains(ds[0].LastError, "not public") {
			t.Errorf("delivery %+v", ds)
		}
		if strings.Contains(ds[0].LastError, "token=abc") {
			t.Errorf("error leaks the URL: %s", ds[0].LastError)
		}
	})
}

// Events published in a transaction that rolls back are never queued.
func TestWebhookOutboxFollowsTheTransaction(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		r := newReceiver(t, h.clock, 200)
		w := h.hook(t, r, domain.EventFindingOpened)
		boom := errors.New("boom")
		err := db.WithinTx(h.ctx, func(ctx context.Context) error {
			if err := h.svc.Events.Publish(ctx, domain.Event{Type: domain.EventFindingOpened}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if ds := h.deliveries(t, w); len(ds) != 0 {
			t.Errorf("rolled-back event queued: %+v", ds)
		}
		// Deleting the webhook removes its queue.
		if err := h.svc.Events.Publish(h.ctx, domain.Event{Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		if err := h.svc.Webhooks.Delete(h.ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := db.SQL().QueryRow("SELECT count(*) FROM webhook_deliveries").Scan(&n); err != nil || n != 0 {
			t.Errorf("deliveries left after delete: %d %v", n, err)
		}
	})
}

func TestWebhookValidation(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		for _, in := range []webhook.NewWebhook{
			{URL: "ftp://example.com/x", Events: []string{domain.EventFindingOpened}},
			{URL: "https://user:pw@example.com/x", Events: []string{domain.EventFindingOpened}},
			{URL: "https://example.com/x", Events: nil},
			{URL: "https://example.com/x", Events: []string{"vendor.deleted"}},
			{URL: "https://example.com/x", Secret: "short", Events: []string{domain.EventFindingOpened}},
		} {
			if _, _, err := h.svc.Webhooks.Create(h.ctx, in); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("%+v: %v, want invalid", in, err)
			}
		}
		w, secret, err := h.svc.Webhooks.Create(h.ctx, webhook.NewWebhook{URL: "https://example.com/x",
			Secret: "my-own-secret-0123456789", Events: []string{domain.EventFindingOpened, domain.EventFindingOpened}})
		if err != nil || secret != "my-own-secret-0123456789" || len(w.Events) != 1 {
			t.Fatalf("%+v %q %v", w, secret, err)
		}
		// The audit trail never holds the secret.
		var after string
		if err := db.SQL().QueryRow("SELECT after FROM audit_events WHERE entity = 'webhook'").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(after, secret) || !strings.Contains(after, "secret_hint") {
			t.Errorf("audit after = %s", after)
		}
	})
}

// Two dispatchers (two replicas) drain one queue: every delivery is sent
// exactly once.
func TestWebhookTwoDispatchersNoDuplicates(t *testing.T) {
	eachDialect(t, func(t *testing.T, d repository.Dialect) {
		dbs := replicas(t, d, 2)
		h := newHookEnv(t, dbs[0])
		var mu sync.Mutex
		seen := map[string]int{}
		var secret string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if err := webhook.VerifyWebhook(secret, r.Header.Get(webhook.SignatureHeader), body, h.clock.Now(), time.Minute); err != nil {
				t.Errorf("verify: %v", err)
			}
			seen[r.Header.Get("X-Vendorwatch-Delivery")]++
		}))
		defer srv.Close()
		_, secret, _ = h.svc.Webhooks.Create(h.ctx, webhook.NewWebhook{URL: srv.URL, Events: []string{domain.EventFindingResolved}})
		const n = 40
		evs := make([]domain.Event, n)
		for i := range evs {
			evs[i] = domain.Event{Type: domain.EventFindingResolved, Data: i}
		}
		if err := h.svc.Events.Publish(h.ctx, evs...); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, db := range dbs {
			disp := jobs.NewDispatcher(repository.NewWebhooks(db), jobs.DispatcherOptions{Clock: h.clock, AllowPrivate: true, Batch: 5, Concurrency: 5})
			wg.Go(func() {
				for {
					got, err := disp.DeliverDue(context.Background())
					if err != nil {
						t.Errorf("DeliverDue: %v", err)
						return
					}
					if got == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != n {
			t.Errorf("%d distinct deliveries, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("delivery %s sent %d times", id, c)
			}
		}
	})
}
