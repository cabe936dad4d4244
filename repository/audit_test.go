package repository_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func newEvent(action, entity, entityID string, at time.Time) domain.AuditEvent {
	return domain.AuditEvent{
		ID: domain.NewID(), At: at, ActorID: "key-1", ActorName: "ci", Action: action,
		Entity: entity, EntityID: entityID, RequestID: "req-" + action,
		Before: json.RawMessage(`{"name": "before",  "n": 1}`), After: json.RawMessage(`{"name":"after"}`),
	}
}

// appendTx appends e in its own transaction.
func appendTx(ctx context.Context, db *repository.DB, e domain.AuditEvent) (domain.AuditEvent, error) {
	var out domain.AuditEvent
	err := db.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = repository.NewAudit(db).Append(ctx, e)
		return err
	})
	return out, err
}

func mustAppend(t *testing.T, db *repository.DB, e domain.AuditEvent) domain.AuditEvent {
	t.Helper()
	out, err := appendTx(t.Context(), db, e)
	if err != nil {
		t.Fatalf("append %s: %v", e.Action, err)
	}
	return out
}

func walk(t *testing.T, db *repository.DB) []domain.AuditEvent {
	t.Helper()
	var out []domain.AuditEvent
	err := repository.NewAudit(db).Walk(t.Context(), func(e domain.AuditEvent) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return out
}

func TestAuditAppend(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		var appended []domain.AuditEvent
		for i, action := range []string{"vendor.create", "vendor.update", "vendor.delete"} {
			// Nanoseconds and a zone the store must drop.
			at := t0.Add(time.Duration(i)*time.Second + 789*time.Nanosecond).In(plus2)
			appended = append(appended, mustAppend(t, db, newEvent(action, "vendor", "v1", at)))
		}
		for i, e := range appended {
			if i > 0 && e.Seq <= appended[i-1].Seq {
				t.Errorf("event %d: Seq = %d after %d; the database numbers events in insertion order", i, e.Seq, appended[i-1].Seq)
			}
			if e.Leaf != nil {
				t.Errorf("event %d: Leaf = %d, want nil until sealed", i, *e.Leaf)
			}
			checkUTC(t, "At", e.At, t0.Add(time.Duration(i)*time.Second))
		}

		// What is stored is what Append returned.
		stored := walk(t, db)
		if len(stored) != len(appended) {
			t.Fatalf("walk: %d events, want %d", len(stored), len(appended))
		}
		for i := range stored {
			s, a := stored[i], appended[i]
			checkUTC(t, "stored At", s.At, a.At)
			if s.Seq != a.Seq || s.ID != a.ID || s.Action != a.Action || s.RequestID != a.RequestID ||
				string(s.Before) != string(a.Before) || string(s.After) != string(a.After) || s.Leaf != nil {
				t.Errorf("stored event %d differs\n got: %+v\nwant: %+v", i, s, a)
			}
		}
		if n := repotest.SealAndVerify(t, db); n != 3 {
			t.Errorf("sealed %d events, want 3", n)
		}
	})
}

func TestAuditNullSnapshots(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEvent("vendor.create", "vendor", "v1", t0)
		e.Before, e.After = nil, json.RawMessage("null")
		mustAppend(t, db, e)
		got := walk(t, db)
		if len(got) != 1 || got[0].Before != nil || got[0].After != nil {
			t.Fatalf("walk = %+v, want one event with nil Before and After", got)
		}
		if n := repotest.SealAndVerify(t, db); n != 1 {
			t.Errorf("sealed %d events, want 1", n)
		}
	})
}

func TestAuditRollbackLeavesNoTrace(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		audit := repository.NewAudit(db)
		mustAppend(t, db, newEvent("vendor.create", "vendor", "v1", t0))

		err := db.WithinTx(ctx, func(ctx context.Context) error {
			if _, err := audit.Append(ctx, newEvent("vendor.update", "vendor", "v1", t0)); err != nil {
				return err
			}
			return errBoom
		})
		checkErrIs(t, err, errBoom)
		if got := walk(t, db); len(got) != 1 {
			t.Fatalf("after rollback: %d events stored, want 1", len(got))
		}

		mustAppend(t, db, newEvent("vendor.delete", "vendor", "v1", t0))
		// The rolled-back event left no leaf: the log holds the two
		// committed events (the sequence may skip the rolled-back number).
		if n := repotest.SealAndVerify(t, db); n != 2 {
			t.Errorf("sealed %d events, want 2", n)
		}
	})
}

func TestAuditList(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		audit := repository.NewAudit(db)
		// seq: 1 vendor/a, 2 vendor/b, 3 api_key/a, 4 vendor/a, 5 vendor/a, 6 vendor/b
		for _, e := range [][2]string{{"vendor", "a"}, {"vendor", "b"}, {"api_key", "a"}, {"vendor", "a"}, {"vendor", "a"}, {"vendor", "b"}} {
			mustAppend(t, db, newEvent(e[0]+".update", e[0], e[1], t0))
		}
		seqs := func(f domain.AuditFilter, limit int) ([]int64, []int) {
			t.Helper()
			var got []int64
			var sizes []int
			p := domain.PageRequest{Limit: limit}
			for range 10 {
				page, err := audit.List(ctx, f, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range page.Items {
					if (f.Entity != "" && e.Entity != f.Entity) || (f.EntityID != "" && e.EntityID != f.EntityID) {
						t.Errorf("List(%+v) returned %s/%s", f, e.Entity, e.EntityID)
					}
					got = append(got, e.Seq)
				}
				sizes = append(sizes, len(page.Items))
				if page.Next == "" {
					break
				}
				p.After = page.Next
			}
			return got, sizes
		}
		tests := []struct {
			filter    domain.AuditFilter
			limit     int
			want      []int64
			wantSizes []int
		}{
			{domain.AuditFilter{}, 50, []int64{6, 5, 4, 3, 2, 1}, []int{6}},
			{domain.AuditFilter{}, 4, []int64{6, 5, 4, 3, 2, 1}, []int{4, 2}},
			{domain.AuditFilter{Entity: "vendor"}, 2, []int64{6, 5, 4, 2, 1}, []int{2, 2, 1}},
			{domain.AuditFilter{Entity: "vendor", EntityID: "a"}, 2, []int64{5, 4, 1}, []int{2, 1}},
			{domain.AuditFilter{Entity: "api_key"}, 2, []int64{3}, []int{1}},
			{domain.AuditFilter{Entity: "contract"}, 2, nil, []int{0}},
		}
		for _, tt := range tests {
			got, sizes := seqs(tt.filter, tt.limit)
			if !slices.Equal(got, tt.want) || !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("List(%+v, limit %d) = %v in pages %v, want %v in pages %v",
					tt.filter, tt.limit, got, sizes, tt.want, tt.wantSizes)
			}
		}
		for _, bad := range []string{"abc", "0", "-3"} {
			_, err := audit.List(ctx, domain.AuditFilter{}, domain.PageRequest{Limit: 2, After: bad})
			checkErrIs(t, err, domain.ErrInvalid)
		}
	})
}

func TestAuditConcurrentAppends(t *testing.T) {
	t.Parallel()
	const writers, perWriter = 8, 5
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make(chan error, writers*perWriter)
		start := make(chan struct{})
		for w := range writers {
			wg.Go(func() {
				<-start
				for i := range perWriter {
					e := newEvent("vendor.update", "vendor", fmt.Sprintf("w%d-%d", w, i), t0)
					if _, err := appendTx(ctx, db, e); err != nil {
						errs <- fmt.Errorf("writer %d append %d: %w", w, i, err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}

		events := walk(t, db)
		if len(events) != writers*perWriter {
			t.Fatalf("%d events stored, want %d", len(events), writers*perWriter)
		}
		seen := map[int64]bool{}
		for _, e := range events {
			if seen[e.Seq] {
				t.Fatalf("Seq %d given twice", e.Seq)
			}
			seen[e.Seq] = true
		}
		if n := repotest.SealAndVerify(t, db); n != writers*perWriter {
			t.Errorf("sealed %d events, want %d", n, writers*perWriter)
		}
	})
}

func TestAuditorRecordsThroughTheStore(t *testing.T) {
	t.Parallel()
	at := t0.Add(123 * time.Nanosecond).In(plus2)
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		auditor := domain.Auditor{Store: repository.NewAudit(db), Clock: domain.FixedClock(at)}
		ctx := domain.WithRequestID(domain.WithActor(t.Context(), domain.Actor{ID: "key-9", Name: "alice", Role: domain.RoleAdmin}), "req-42")
		before := newVendor("Before")
		after := before
		after.Name = "After"
		err := db.WithinTx(ctx, func(ctx context.Context) error {
			return auditor.Record(ctx, "vendor.update", "vendor", before.ID, before, after)
		})
		if err != nil {
			t.Fatal(err)
		}
		events := walk(t, db)
		if len(events) != 1 {
			t.Fatalf("%d events stored, want 1", len(events))
		}
		e := events[0]
		checkUTC(t, "At", e.At, t0) // the clock's instant, at microsecond precision
		if e.ActorID != "key-9" || e.ActorName != "alice" || e.RequestID != "req-42" ||
			e.Action != "vendor.update" || e.Entity != "vendor" || e.EntityID != before.ID || !domain.ValidID(e.ID) {
			t.Errorf("stored event = %+v", e)
		}
		var snap struct{ Name string }
		if err := json.Unmarshal(e.After, &snap); err != nil || snap.Name != "After" {
			t.Errorf("After snapshot = %s (%v), want the vendor named After", e.After, err)
		}
		if n := repotest.SealAndVerify(t, db); n != 1 {
			t.Errorf("sealed %d events, want 1", n)
		}
	})
}
