package jobs_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestWebhookDisabled: a disabled webhook is queued nothing and its
// queued deliveries wait (no attempt counted); enabled again, they are
// sent. Both changes are audited.
func TestWebhookDisabled(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		h := newHookEnv(t, db)
		r := newReceiver(t, h.clock, 204)
		w := h.hook(t, r, domain.EventFindingOpened)
		if err := h.svc.Events.Publish(h.ctx, domain.Event{ID: "queued-before", Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		got, err := h.svc.Webhooks.SetEnabled(h.ctx, w.ID, false)
		if err != nil || got.DisabledAt == nil {
			t.Fatalf("disable: %+v, %v", got, err)
		}
		if err := h.svc.Events.Publish(h.ctx, domain.Event{ID: "while-disabled", Type: domain.EventFindingOpened}); err != nil {
			t.Fatal(err)
		}
		d := jobs.NewDispatcher(h.store, jobs.DispatcherOptions{Clock: h.clock, AllowPrivate: true})
		if n, err := d.DeliverDue(h.ctx); err != nil || n != 0 {
			t.Fatalf("DeliverDue while disabled = %d, %v", n, err)
		}
		ds := h.deliveries(t, w)
		if len(ds) != 1 || ds[0].EventID != "queued-before" || ds[0].Attempts != 0 {
			t.Fatalf("deliveries while disabled: %+v", ds)
		}
		if got, err = h.svc.Webhooks.SetEnabled(h.ctx, w.ID, true); err != nil || got.DisabledAt != nil {
			t.Fatalf("enable: %+v, %v", got, err)
		}
		if n, err := d.DeliverDue(h.ctx); err != nil || n != 1 {
			t.Fatalf("DeliverDue once enabled = %d, %v", n, err)
		}
		if hits, ok := r.counts(); hits != 1 || ok != 1 {
			t.Errorf("receiver: %d hits, %d verified", hits, ok)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM audit_events WHERE entity_id = '` + w.ID +
			`' AND action IN ('webhook.disable', 'webhook.enable')`).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit events: %d, %v", n, err)
		}
	})
}
