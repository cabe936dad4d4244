package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
)

// JobAuditSeal seals the audit log (auditlog.Sealer).
const JobAuditSeal = "audit-seal"

// AuditSealSchedule gives the sealer one slot a minute: the replica that
// claims a slot seals every interval until the slot ends, so one replica
// seals at a time, and another takes over within a minute when it stops.
const AuditSealSchedule = "* * * * *"

// sealSlot is the length of one AuditSealSchedule slot, and sealMargin
// how long before its end the sealer starts no more rounds, so that its
// run has ended when the next slot's tick fires (a tick that finds the
// job still running here is skipped).
const (
	sealSlot   = time.Minute
	sealMargin = time.Second
)

// AuditSealJob is the body of JobAuditSeal: it seals every interval until
// its minute ends, or until stopping is closed (the scheduler is shutting
// down, after the HTTP server), when it seals once more and returns. Its
// counts are the events sealed and the checkpoints signed.
func AuditSealJob(s *auditlog.Sealer, interval time.Duration, stopping <-chan struct{}) Func {
	return func(ctx context.Context) (map[string]int, error) {
		end := time.Now().Truncate(sealSlot).Add(sealSlot - sealMargin)
		return sealUntil(ctx, s, interval, end, stopping)
	}
}

// sealUntil seals every interval, the last round no later than end, and
// once more when stopping closes.
func sealUntil(ctx context.Context, s *auditlog.Sealer, interval time.Duration, end time.Time, stopping <-chan struct{}) (map[string]int, error) {
	counts := map[string]int{"sealed": 0, "checkpoints": 0}
	seal := func() error {
		res, err := s.Seal(ctx)
		counts["sealed"] += res.Sealed
		if res.Sealed > 0 {
			counts["checkpoints"]++
		}
		return err
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := seal(); err != nil {
			return counts, err
		}
		// Return after the last round that fits: waiting for a tick past
		// end would run into the next slot's.
		if time.Now().Add(interval).After(end) {
			return counts, nil
		}
		select {
		case <-ctx.Done():
			return counts, ctx.Err()
		case <-stopping:
			return counts, seal()
		case <-tick.C:
		}
	}
}

// CheckpointFile is the append-only file the audit log's checkpoints are
// published to, one JSON line each (auditlog.FileLine).
type CheckpointFile struct {
	Path  string
	Clock domain.Clock
}

// Append adds s to the file, creating it if need be, and syncs it to disk.
// It opens the file for appending only: nothing already written is
// rewritten.
func (c CheckpointFile) Append(_ context.Context, s auditlog.Signed) (err error) {
	f, err := os.OpenFile(c.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := f.Write(auditlog.FileLine(s, c.Clock.Now())); err != nil {
		return err
	}
	return f.Sync()
}

// tailBytes is how much of the end of the checkpoint file Last reads: a
// line is well under 1 KiB.
const tailBytes = 64 << 10

// Last returns the file's last checkpoint, verified with v; ok is false
// when the file does not exist or holds none. A last line cut short (a
// crash during a write) is passed over.
func (c CheckpointFile) Last(v note.Verifier) (s auditlog.Signed, ok bool, err error) {
	f, err := os.Open(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return s, false, err
	}
	off := max(st.Size()-tailBytes, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return s, false, err
	}
	lines := bytes.Split(bytes.TrimRight(buf, "\n"), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		var e auditlog.FileEntry
		if json.Unmarshal(lines[i], &e) != nil || e.Note == "" {
			continue
		}
		s, err := auditlog.Open(e.Note, v)
		if err != nil {
			return s, false, fmt.Errorf("the last checkpoint in %s: %w", c.Path, err)
		}
		return s, true, nil
	}
	return s, false, nil
}
