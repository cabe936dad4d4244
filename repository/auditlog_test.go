package repository_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// auditLog is a database with an audit log, its key and a sealer.
type auditLog struct {
	db     *repository.DB
	st     *repository.AuditLog
	keys   auditlog.Keys
	sealer *auditlog.Sealer
}

func newAuditLog(t *testing.T, db *repository.DB) *auditLog {
	keys := repotest.AuditKeys(t)
	return &auditLog{db: db, st: repository.NewAuditLog(db), keys: keys, sealer: repotest.Sealer(db, keys)}
}

// write appends n events, each in its own transaction.
func (l *auditLog) write(t *testing.T, n int) []domain.AuditEvent {
	t.Helper()
	var out []domain.AuditEvent
	for i := range n {
		out = append(out, mustAppend(t, l.db, newEvent(fmt.Sprintf("vendor.update.%d", i), "vendor", "v1", t0)))
	}
	return out
}

// seal seals and returns the checkpoint signed, failing t on an error.
func (l *auditLog) seal(t *testing.T) auditlog.Result {
	t.Helper()
	res, err := l.sealer.Seal(t.Context())
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return res
}

// verify verifies the log against the checkpoints.
func (l *auditLog) verify(t *testing.T, cps ...auditlog.Signed) auditlog.Report {
	t.Helper()
	var given []auditlog.Given
	for _, c := range cps {
		given = append(given, auditlog.Given{Source: "size " + strconv.FormatInt(c.Size, 10), Note: c.Note})
	}
	rep, err := auditlog.Verify(t.Context(), l.st, l.keys.Verifier, given)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// exec runs SQL behind the store's back (? placeholders on both dialects).
func (l *auditLog) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if l.db.Dialect() == repository.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := l.db.SQL().ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAuditLogSealsCommittedEventsInOrder(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		l := newAuditLog(t, db)
		if res := l.seal(t); res.Sealed != 0 || res.Checkpoint.Size != 0 {
			t.Fatalf("sealing an empty trail: %+v", res)
		}
		written := l.write(t, 5)
		res := l.seal(t)
		if res.Sealed != 5 || res.Checkpoint.Size != 5 {
			t.Fatalf("seal = %+v, want 5 sealed, checkpoint of 5", res)
		}
		for i, e := range walk(t, db) {
			if e.Leaf == nil || *e.Leaf != int64(i) || e.Seq != written[i].Seq {
				t.Errorf("event %d (seq %d) has leaf %v, want %d", i, e.Seq, e.Leaf, i)
			}
		}
		head, err := l.st.Head(t.Context())
		if err != nil || head.Size != 5 || head.Root != res.Checkpoint.Root || head.Note != res.Checkpoint.Note {
			t.Errorf("head = %+v, %v; want the checkpoint sealed", head, err)
		}
		if again := l.seal(t); again.Sealed != 0 {
			t.Errorf("a second seal sealed %d events", again.Sealed)
		}
		l.write(t, 2)
		rep := l.verify(t, res.Checkpoint)
		if !rep.Intact() || rep.Leaves != 5 || rep.Unsealed != 2 || rep.OldestUnsealed.IsZero() {
			t.Errorf("before the second seal: %+v; want intact, 5 leaves, 2 unsealed", rep)
		}
		res2 := l.seal(t)
		rep = l.verify(t, res.Checkpoint, res2.Checkpoint)
		if !rep.Intact() || rep.Leaves != 7 || rep.Unsealed != 0 || rep.Root != res2.Checkpoint.Root {
			t.Errorf("after: %+v; want intact, 7 leaves, none unsealed", rep)
		}
	})
}

// Events queued without a leaf hash (those the migration that made the
// log found) are hashed from the event when sealed.
func TestAuditLogSealsEventsQueuedWithoutHash(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		l := newAuditLog(t, db)
		l.write(t, 3)
		l.exec(t, "UPDATE audit_unsealed SET hash = NULL WHERE seq IN (SELECT min(seq) FROM audit_unsealed)")
		res := l.seal(t)
		if rep := l.verify(t, res.Checkpoint); !rep.Intact() || rep.Leaves != 3 || res.Sealed != 3 {
			t.Errorf("sealed %d; verify = %+v; want 3 sealed, intact", res.Sealed, rep)
		}
	})
}

// An event numbered before another but committed after it is sealed in
// the next round: no committed event is skipped, whatever the order of
// numbers and commits.
func TestAuditLogSealsLateCommits(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		if db.Dialect() == repository.SQLite {
			t.Skip("SQLite has one writer at a time: transactions commit in the order they take the write lock")
		}
		l := newAuditLog(t, db)
		ctx := t.Context()
		numbered, release := make(chan domain.AuditEvent), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- db.WithinTx(ctx, func(ctx context.Context) error {
				e, err := repository.NewAudit(db).Append(ctx, newEvent("vendor.create", "vendor", "slow", t0))
				if err != nil {
					return err
				}
				numbered <- e
				<-release
				return nil
			})
		}()
		slow := <-numbered
		fast := mustAppend(t, db, newEvent("vendor.create", "vendor", "fast", t0))
		if fast.Seq <= slow.Seq {
			t.Fatalf("seq %d drawn after %d", fast.Seq, slow.Seq)
		}
		first := l.seal(t)
		if first.Sealed != 1 {
			t.Fatalf("first round sealed %d events, want 1 (the committed one)", first.Sealed)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if rep := l.verify(t, first.Checkpoint); rep.Unsealed != 1 || !rep.Intact() {
			t.Fatalf("after the late commit: %+v; want intact with 1 unsealed", rep)
		}
		second := l.seal(t)
		if second.Sealed != 1 {
			t.Fatalf("second round sealed %d events, want 1", second.Sealed)
		}
		leaves := map[int64]int64{}
		for _, e := range walk(t, db) {
			leaves[e.Seq] = *e.Leaf
		}
		if leaves[fast.Seq] != 0 || leaves[slow.Seq] != 1 {
			t.Errorf("leaves by seq = %v; want seq %d at 0 and the late seq %d at 1", leaves, fast.Seq, slow.Seq)
		}
		if rep := l.verify(t, first.Checkpoint, second.Checkpoint); !rep.Intact() || rep.Leaves != 2 || rep.Unsealed != 0 {
			t.Errorf("verify = %+v", rep)
		}
	})
}

// Sealers on several replicas may overlap (a claim expiring, a manual
// run): each event is sealed once and the log stays one tree.
func TestAuditLogConcurrentSealersAndWriters(t *testing.T) {
	t.Parallel()
	const writers, perWriter, sealers = 4, 15, 2
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		l := newAuditLog(t, db)
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make(chan error, writers*perWriter+sealers*100)
		stop := make(chan struct{})
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					if _, err := appendTx(ctx, db, newEvent("vendor.update", "vendor", fmt.Sprintf("w%d-%d", w, i), t0)); err != nil {
						errs <- err
					}
				}
			})
		}
		var sw sync.WaitGroup
		for range sealers {
			s := repotest.Sealer(db, l.keys)
			sw.Go(func() {
				for {
					if _, err := s.Seal(ctx); err != nil {
						errs <- err
					}
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
				}
			})
		}
		wg.Wait()
		close(stop)
		sw.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		last := l.seal(t)
		rep := l.verify(t, last.Checkpoint)
		if !rep.Intact() || rep.Leaves != writers*perWriter || rep.Unsealed != 0 {
			t.Errorf("verify = %+v; want intact, %d leaves", rep, writers*perWriter)
		}
	})
}

// The tampering a database writer can do, each checked against
// checkpoints published before it: early (4 events) and latest (6).
func TestAuditLogTamperingIsCaughtAgainstCheckpoints(t *testing.T) {
	t.Parallel()
	type scene struct {
		l             *auditLog
		early, latest auditlog.Signed
	}
	tailHashes := tlog.StoredHashCount(4)
	tests := []struct {
		name   string
		attack func(t *testing.T, s scene)
		// problem is what the database says against itself ("" when the
		// attacker left it consistent); earlyBroken whether the early
		// checkpoint fails too.
		problem     string
		earlyBroken bool
		unsealed    int64
		// sealer is what the sealer that published the latest checkpoint
		// says when it is next asked to seal: it checks the head and the
		// tree's right edge, not every event ("" when it seals on).
		sealer string
	}{
		{"deleted tail", func(t *testing.T, s scene) {
			deleteTail(t, s.l, tailHashes)
			s.l.exec(t, "UPDATE audit_log SET size = 4, root = ? WHERE id = 1", s.early.Root[:])
		}, "signed checkpoint is of size 6", false, 0, "its signed checkpoint says 6"},
		{"rolled-back head", func(t *testing.T, s scene) {
			deleteTail(t, s.l, tailHashes)
			s.l.exec(t, "UPDATE audit_log SET size = 4, root = ?, checkpoint = ? WHERE id = 1", s.early.Root[:], s.early.Note)
		}, "", false, 0, "checkpoint 6 was published but the log holds 4"},
		{"tail unsealed and head rolled back", func(t *testing.T, s scene) {
			s.l.exec(t, "INSERT INTO audit_unsealed (seq) SELECT seq FROM audit_leaves WHERE leaf >= 4")
			s.l.exec(t, "DELETE FROM audit_leaves WHERE leaf >= 4")
			s.l.exec(t, "DELETE FROM audit_tree_hashes WHERE first >= ?", tailHashes)
			s.l.exec(t, "UPDATE audit_log SET size = 4, root = ?, checkpoint = ? WHERE id = 1", s.early.Root[:], s.early.Note)
		}, "", false, 2, "checkpoint 6 was published but the log holds 4"},
		{"edited event", func(t *testing.T, s scene) {
			s.l.exec(t, "UPDATE audit_events SET action = 'vendor.read' WHERE seq = (SELECT seq FROM audit_leaves WHERE leaf = 1)")
		}, "does not hash to its stored leaf hash", true, 0, ""},
		{"edited event with every hash recomputed", func(t *testing.T, s scene) {
			s.l.exec(t, `UPDATE audit_events SET after = '{"name":"forged"}' WHERE seq = (SELECT seq FROM audit_leaves WHERE leaf = 1)`)
			root := rehash(t, s.l)
			s.l.exec(t, "UPDATE audit_log SET root = ?, checkpoint = '' WHERE id = 1", root[:])
		}, "has no signed checkpoint", true, 0, "not signed by the audit log's key"},
		{"deleted event", func(t *testing.T, s scene) {
			s.l.exec(t, "DELETE FROM audit_events WHERE seq = (SELECT seq FROM audit_leaves WHERE leaf = 2)")
		}, "leaf 2 is missing", true, 0, ""},
	}
	repotest.Each(t, func(t *testing.T, outer *repository.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l := newAuditLog(t, repotest.Open(t, outer.Dialect()))
				l.write(t, 4)
				early := l.seal(t).Checkpoint
				l.write(t, 2)
				latest := l.seal(t).Checkpoint
				if rep := l.verify(t, early, latest); !rep.Intact() {
					t.Fatalf("before tampering: %+v", rep)
				}
				tt.attack(t, scene{l, early, latest})

				rep := l.verify(t, early, latest)
				if rep.Intact() {
					t.Fatalf("after the %s the log verifies against its checkpoints", tt.name)
				}
				if err := rep.Checkpoints[1].Err; !errors.Is(err, auditlog.ErrNotExtended) {
					t.Errorf("the latest checkpoint: %v, want ErrNotExtended", err)
				}
				if err := rep.Checkpoints[0].Err; (err != nil) != tt.earlyBroken {
					t.Errorf("the early checkpoint: %v, want broken %v", err, tt.earlyBroken)
				}
				problems := strings.Join(rep.Problems, "; ")
				if (tt.problem == "") != (problems == "") || !strings.Contains(problems, tt.problem) {
					t.Errorf("problems %q, want %q", problems, tt.problem)
				}
				if rep.Unsealed != tt.unsealed {
					t.Errorf("%d unsealed, want %d", rep.Unsealed, tt.unsealed)
				}
				// The sealer that published the latest checkpoint signs
				// nothing on top of a rolled-back or re-hashed log.
				l.write(t, 1)
				_, err := l.sealer.Seal(t.Context())
				if (tt.sealer == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.sealer)) {
					t.Errorf("sealing after the %s: %v, want %q", tt.name, err, tt.sealer)
				}
			})
		}
	})
}

// deleteTail deletes the events from leaf 4 on with their leaves and the
// tree hashes from storage index from on.
func deleteTail(t *testing.T, l *auditLog, from int64) {
	t.Helper()
	l.exec(t, "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_leaves WHERE leaf >= 4)")
	l.exec(t, "DELETE FROM audit_leaves WHERE leaf >= 4")
	l.exec(t, "DELETE FROM audit_tree_hashes WHERE first >= ?", from)
}

// rehash recomputes every stored tree hash from the events as stored (what
// an attacker who edited one would do) and returns the new root.
func rehash(t *testing.T, l *auditLog) tlog.Hash {
	t.Helper()
	events, err := l.st.Sealed(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n, e := range events {
		hs, err := tlog.StoredHashes(int64(n), auditlog.LeafData(e), r)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	var block []byte
	for _, h := range stored {
		block = append(block, h[:]...)
	}
	l.exec(t, "DELETE FROM audit_tree_hashes")
	l.exec(t, "INSERT INTO audit_tree_hashes (first, hashes) VALUES (0, ?)", block)
	root, err := tlog.TreeHash(int64(len(events)), r)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestAuditLogProve(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		l := newAuditLog(t, db)
		ctx := t.Context()
		events := l.write(t, 6)
		l.seal(t)
		pending := l.write(t, 1)[0]
		outsider, err := auditlog.ParseVerifierKey(l.keys.Public)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			p, err := auditlog.Prove(ctx, l.st, l.keys, e.ID)
			if err != nil {
				t.Fatalf("prove event %d: %v", i, err)
			}
			cp, err := auditlog.CheckProof(p, outsider)
			if err != nil || cp.Size != 6 || p.LeafIndex != int64(i) || !strings.Contains(p.LeafData, e.ID) {
				t.Errorf("event %d: proof %+v checks as %+v, %v", i, p, cp, err)
			}
		}
		if _, err := auditlog.Prove(ctx, l.st, l.keys, pending.ID); !errors.Is(err, auditlog.ErrNotSealed) {
			t.Errorf("proving an unsealed event: %v, want ErrNotSealed", err)
		}
		for _, id := range []string{domain.NewID(), "not-an-id"} {
			if _, err := auditlog.Prove(ctx, l.st, l.keys, id); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("proving %s: %v, want ErrNotFound", id, err)
			}
		}
		l.exec(t, "UPDATE audit_events SET actor_name = 'mallory' WHERE seq = (SELECT seq FROM audit_leaves WHERE leaf = 3)")
		if _, err := auditlog.Prove(ctx, l.st, l.keys, events[3].ID); err == nil {
			t.Error("an edited event was proven")
		}
	})
}

// A database at schema 18 (the hash chain: events numbered by the
// application, chain hashes in their rows, the head in audit_chain)
// upgrades to the log: its events are queued unsealed, the first round
// seals them in number order, and new events are numbered after them.
func TestAuditLogMigrationFromHashChain(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		if err := db.MigrateDownTo(ctx, 18); err != nil {
			t.Fatalf("migrate down to 18: %v", err)
		}
		l := newAuditLog(t, db)
		for seq := 1; seq <= 3; seq++ {
			l.exec(t, `INSERT INTO audit_events (seq, id, at, actor_id, actor_name, action, entity, entity_id, request_id,
				before, after, prev_hash, hash) VALUES (?, ?, ?, 'key', 'admin', 'vendor.update', 'vendor', 'v1', '', NULL, ?, 'prev', 'hash')`,
				seq, domain.NewID(), t0.Add(time.Duration(seq)*time.Second), fmt.Sprintf(`{"n": %d}`, seq))
		}
		l.exec(t, "UPDATE audit_chain SET seq = 3, hash = 'hash' WHERE id = 1")
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrate up from 18: %v", err)
		}
		if cur, latest, err := db.MigrationStatus(ctx); err != nil || cur != latest {
			t.Fatalf("schema %d of %d, %v", cur, latest, err)
		}
		rep := l.verify(t)
		if rep.Leaves != 0 || rep.Unsealed != 3 || !rep.Intact() {
			t.Fatalf("after the upgrade: %+v; want the 3 chain events unsealed", rep)
		}
		res := l.seal(t)
		after := mustAppend(t, db, newEvent("vendor.create", "vendor", "v2", t0))
		if after.Seq <= 3 {
			t.Errorf("a new event is numbered %d, not after the chain's 3", after.Seq)
		}
		res2 := l.seal(t)
		rep = l.verify(t, res.Checkpoint, res2.Checkpoint)
		if !rep.Intact() || res.Sealed != 3 || rep.Leaves != 4 || rep.Unsealed != 0 {
			t.Errorf("sealed %d, then %+v; want 3 sealed, then 4 leaves intact", res.Sealed, rep)
		}
		for i, e := range walk(t, db) {
			if e.Leaf == nil || *e.Leaf != int64(i) {
				t.Errorf("event seq %d has leaf %v, want %d (number order)", e.Seq, e.Leaf, i)
			}
		}
	})
}
