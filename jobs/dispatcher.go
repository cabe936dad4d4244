package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// DispatcherOptions tune webhook delivery. Zero values take the defaults.
type DispatcherOptions struct {
	Clock  domain.Clock
	Logger *slog.Logger
	// MaxAttempts per delivery before it is marked failed (default 6).
	MaxAttempts int
	// BackoffBase is the wait after the first failed attempt; it doubles
	// with each further attempt up to BackoffMax (defaults 1m and 6h).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Timeout bounds one POST (default 10s).
	Timeout time.Duration
	// Interval between polls of the queue when it is empty (default 5s).
	Interval time.Duration
	// Batch is the most due deliveries one poll claims (default 50), and
	// Concurrency how many are sent at once (default 8); a poll claims no
	// more than the free sending slots.
	Batch       int
	Concurrency int
	// AllowPrivate permits loopback, private, link-local and other
	// non-public addresses as delivery targets; off by default, so a
	// webhook cannot be pointed at internal services (SSRF).
	AllowPrivate bool
	// Client overrides the HTTP client (tests); it then does its own
	// address filtering.
	Client *http.Client
}

// Dispatcher sends queued webhook deliveries: it claims due deliveries in
// batches, POSTs each signed body, and records the outcome, retrying with
// exponential backoff until MaxAttempts. Several dispatchers (replicas)
// may run at once: claims do not overlap.
type Dispatcher struct {
	store  webhook.WebhookStore
	o      DispatcherOptions
	client *http.Client
	lease  time.Duration

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{}
	stop     chan struct{} // closed by Stop: take no new batch
	sem      chan struct{} // one token per delivery being sent
	freed    chan struct{} // signalled when a sending slot frees up
	inflight sync.WaitGroup
}

// NewDispatcher returns a dispatcher over store.
func NewDispatcher(store webhook.WebhookStore, o DispatcherOptions) *Dispatcher {
	if o.Clock == nil {
		o.Clock = domain.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = time.Minute
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 6 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	client := o.Client
	if client == nil {
		client = newWebhookClient(o.Timeout, o.AllowPrivate)
	}
	// Only as many deliveries as there are free slots are claimed, and
	// each starts at once: the lease covers one timeout with a margin.
	return &Dispatcher{store: store, o: o, client: client, lease: o.Timeout + time.Minute,
		sem: make(chan struct{}, o.Concurrency), freed: make(chan struct{}, 1)}
}

// ErrBlockedAddress: a webhook target resolved to an address that is not
// public unicast (see publicAddr) while AllowPrivate is off.
var ErrBlockedAddress = errors.New("webhook target address is not public (set VW_WEBHOOK_ALLOW_PRIVATE=true to allow)")

// newWebhookClient returns a client that checks the address it actually
// connects to (after DNS), so neither a private literal nor a name that
// resolves to one gets through; it uses no proxy and follows no
// redirects.
func newWebhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		// Called for every connection, with the resolved address about to
		// be dialled: a name cannot resolve to a public address when it is
		// registered and to an internal one when it is used.
		dialer.ControlContext = func(_ context.Context, network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil, DialContext: dialer.DialContext, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 4,
			IdleConnTimeout: 90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Backoff is the wait after failed attempt n (1-based): base*2^(n-1),
// at most max.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= max || d <= 0 {
			return max
		}
	}
	return min(d, max)
}

// Start runs the dispatch loop in the background until Stop.
func (d *Dispatcher) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done, d.stop = cancel, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.done)
		d.loop(ctx)
	}()
}

// Stop ends the loop and waits for the deliveries in flight until ctx
// ends; then it cancels them (they are retried later).
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.mu.Lock()
	cancel, done, stop := d.cancel, d.done, d.stop
	if stop != nil {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}
	d.mu.Unlock()
	if cancel == nil {
		return nil
	}
	<-done // the loop claims nothing more
	idle := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		cancel()
		return nil
	case <-ctx.Done():
		cancel()
		<-idle
		return ctx.Err()
	}
}

// loop claims due deliveries whenever a sending slot is free: one slow
// receiver holds one slot for at most Timeout, never the whole queue.
func (d *Dispatcher) loop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
		case <-d.freed:
		}
		n, limit, _, err := d.dispatch(ctx)
		if err != nil && ctx.Err() == nil {
			d.o.Logger.Error("webhook dispatch", "error", err.Error())
		}
		wait := d.o.Interval
		if n > 0 && n == limit {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// DeliverDue claims due deliveries (up to the free sending slots), sends
// them, records the outcomes and returns how many it claimed.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	n, _, wait, err := d.dispatch(ctx)
	wait()
	return n, err
}

// dispatch claims up to the free slots and starts sending; wait waits for
// the deliveries it started.
func (d *Dispatcher) dispatch(ctx context.Context) (n, limit int, wait func(), err error) {
	var wg sync.WaitGroup
	limit = min(cap(d.sem)-len(d.sem), d.o.Batch)
	if limit <= 0 {
		return 0, 0, wg.Wait, nil
	}
	batch, err := d.store.ClaimDue(ctx, d.o.Clock.Now(), d.lease, limit)
	if err != nil {
		return 0, limit, wg.Wait, err
	}
	for _, del := range batch {
		d.sem <- struct{}{}
		wg.Add(1)
		d.inflight.Add(1)
		go func() {
			defer func() {
				<-d.sem
				wg.Done()
				d.inflight.Done()
				select {
				case d.freed <- struct{}{}:
				default:
				}
			}()
			d.deliver(ctx, del)
		}()
	}
	return len(batch), limit, wg.Wait, nil
}

// deliver sends one delivery and records the outcome.
func (d *Dispatcher) deliver(ctx context.Context, del webhook.WebhookDelivery) {
	code, err := d.post(ctx, del)
	now := d.o.Clock.Now()
	o := webhook.DeliveryOutcome{At: now}
	if code != 0 {
		o.ResponseCode = &code
	}
	switch {
	case err == nil:
		o.Status = webhook.DeliveryDelivered
	case del.Attempts >= d.o.MaxAttempts:
		o.Status, o.Error = webhook.DeliveryFailed, err.Error()
	default:
		o.Status, o.Error = webhook.DeliveryPending, err.Error()
		o.NextAttemptAt = now.Add(Backoff(d.o.BackoffBase, d.o.BackoffMax, del.Attempts))
	}
	// Record even when ctx was cancelled by shutdown.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := d.store.Record(wctx, del.ID, o); rerr != nil && !errors.Is(rerr, domain.ErrNotFound) {
		d.o.Logger.Error("record webhook delivery", "delivery", del.ID, "error", rerr.Error())
	}
	lvl := slog.LevelInfo
	if o.Status != webhook.DeliveryDelivered {
		lvl = slog.LevelWarn
	}
	// Never the secret, nor the URL's query (it may carry a token).
	d.o.Logger.Log(ctx, lvl, "webhook delivery", "delivery", del.ID, "webhook", del.WebhookID, "event", del.EventType,
		"attempt", del.Attempts, "status", o.Status, "code", code, "error", o.Error)
}

// post sends the signed body. It returns the response code (0 when there
// was none) and an error unless the receiver answered 2xx.
func (d *Dispatcher) post(ctx context.Context, del webhook.WebhookDelivery) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, del.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return 0, fmt.Errorf("bad webhook URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vendorwatch-Webhooks/1")
	req.Header.Set(webhook.SignatureHeader, webhook.SignWebhook(del.Secret, d.o.Clock.Now(), del.Payload))
	req.Header.Set("X-Vendorwatch-Event", del.EventType)
	req.Header.Set("X-Vendorwatch-Event-Id", del.EventID)
	req.Header.Set("X-Vendorwatch-Delivery", del.ID)
	res, err := d.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrBlockedAddress) {
			return 0, ErrBlockedAddress
		}
		return 0, fmt.Errorf("POST failed: %s", redactURLError(err))
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// redactURLError drops the URL from a client error (its query may hold a
// token) and keeps the cause.
func redactURLError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}
