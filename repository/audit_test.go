package repository_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// verify runs domain.VerifyAuditChain and fails on an error.
func verify(t *testing.T, db *repository.DB) (int64, *domain.AuditBreak) {
	t.Helper()
	n, broken, err := domain.VerifyAuditChain(t.Context(), repository.NewAudit(db))
	if err != nil {
		t.Fatalf("VerifyAuditChain: %v", err)
	}
	return n, broken
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

func TestAuditAppendChains(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		var appended []domain.AuditEvent
		for i, action := range []string{"vendor.create", "vendor.update", "vendor.delete"} {
			// Nanoseconds and a zone the store must drop.
			at := t0.Add(time.Duration(i)*time.Second + 789*time.Nanosecond).In(plus2)
			appended = append(appended, mustAppend(t, db, newEvent(action, "vendor", "v1", at)))
		}
		prev := domain.GenesisHash
		for i, e := range appended {
			if e.Seq != int64(i+1) {
				t.Errorf("event %d: Seq = %d, want %d", i, e.Seq, i+1)
			}
			if e.PrevHash != prev {
				t.Errorf("event %d: PrevHash = %.12s…, want %.12s…", i, e.PrevHash, prev)
			}
			if want := domain.ChainHash(prev, e); e.Hash != want {
				t.Errorf("event %d: Hash = %.12s…, want %.12s…", i, e.Hash, want)
			}
			checkUTC(t, "At", e.At, t0.Add(time.Duration(i)*time.Second))
			prev = e.Hash
		}

		// What is stored is what Append returned.
		stored := walk(t, db)
		if len(stored) != len(appended) {
			t.Fatalf("walk: %d events, want %d", len(stored), len(appended))
		}
		for i := range stored {
			s, a := stored[i], appended[i]
			checkUTC(t, "stored At", s.At, a.At)
			if s.Hash != a.Hash || s.PrevHash != a.PrevHash || s.Seq != a.Seq || s.ID != a.ID ||
				s.Action != a.Action || s.RequestID != a.RequestID || string(s.Before) != string(a.Before) ||
				string(s.After) != string(a.After) {
				t.Errorf("stored event %d differs\n got: %+v\nwant: %+v", i, s, a)
			}
		}

		n, broken := verify(t, db)
		if broken != nil || n != 3 {
			t.Errorf("VerifyAuditChain = %d, %+v; want 3, intact", n, broken)
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
		if n, broken := verify(t, db); broken != nil || n != 1 {
			t.Errorf("VerifyAuditChain = %d, %+v; want 1, intact", n, broken)
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

		next := mustAppend(t, db, newEvent("vendor.delete", "vendor", "v1", t0))
		if next.Seq != 2 {
			t.Errorf("next Seq after rollback = %d, want 2 (the rollback must not consume a number)", next.Seq)
		}
		if n, broken := verify(t, db); broken != nil || n != 2 {
			t.Errorf("VerifyAuditChain = %d, %+v; want 2, intact", n, broken)
		}
	})
}

func TestAuditTamperingIsDetected(t *testing.T) {
	t.Parallel()
	fixed := func(q string) func([]domain.AuditEvent) string {
		return func([]domain.AuditEvent) string { return q }
	}
	tests := []struct {
		name      string
		sql       func(stored []domain.AuditEvent) string
		wantSeq   int64
		wantCheck int64
		reason    string
	}{
		{"edited action", fixed("UPDATE audit_events SET action = 'vendor.read' WHERE seq = 2"), 2, 1, "content"},
		{"edited snapshot", fixed(`UPDATE audit_events SET after = '{"name":"forged"}' WHERE seq = 3`), 3, 2, "content"},
		{"edited hash", fixed("UPDATE audit_events SET hash = prev_hash WHERE seq = 2"), 2, 1, "content"},
		{"edited action with its hash recomputed", func(stored []domain.AuditEvent) string {
			e := stored[1]
			e.Action = "vendor.read"
			return fmt.Sprintf("UPDATE audit_events SET action = '%s', hash = '%s' WHERE seq = 2",
				e.Action, domain.ChainHash(e.PrevHash, e))
		}, 3, 2, "prev_hash"},
		{"deleted event", fixed("DELETE FROM audit_events WHERE seq = 2"), 2, 1, "missing"},
		{"deleted last event", fixed("DELETE FROM audit_events WHERE seq = 4"), 4, 3, "removed from the end"},
	}
	repotest.Each(t, func(t *testing.T, outer *repository.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := repotest.Open(t, outer.Dialect())
				for i := range 4 {
					mustAppend(t, db, newEvent(fmt.Sprintf("vendor.update.%d", i), "vendor", "v1", t0))
				}
				if n, broken := verify(t, db); broken != nil || n != 4 {
					t.Fatalf("before tampering VerifyAuditChain = %d, %+v; want 4, intact", n, broken)
				}
				// Behind the store's back.
				q := tt.sql(walk(t, db))
				if _, err := db.SQL().ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				n, broken := verify(t, db)
				if broken == nil {
					t.Fatalf("VerifyAuditChain after %q: intact, want a break at seq %d", q, tt.wantSeq)
				}
				if broken.Seq != tt.wantSeq || n != tt.wantCheck || !strings.Contains(broken.Reason, tt.reason) {
					t.Errorf("VerifyAuditChain = %d, %+v; want %d checked and a break at seq %d mentioning %q",
						n, broken, tt.wantCheck, tt.wantSeq, tt.reason)
				}
			})
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
		for i, e := range events {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has Seq %d: the chain has a gap or a duplicate", i, e.Seq)
			}
		}
		if n, broken := verify(t, db); broken != nil || n != writers*perWriter {
			t.Errorf("VerifyAuditChain = %d, %+v; want %d, intact", n, broken, writers*perWriter)
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
		if n, broken := verify(t, db); broken != nil || n != 1 {
			t.Errorf("VerifyAuditChain = %d, %+v; want 1, intact", n, broken)
		}
	})
}
