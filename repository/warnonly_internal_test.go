package repository

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// traceCounter counts the traces that reach it and renders their SQL.
type traceCounter struct {
	logger.Interface
	traced int
}

func (c *traceCounter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	c.traced++
	fc()
}

func TestWarnOnlyRendersOnlyWhatItLogs(t *testing.T) {
	inner := &traceCounter{Interface: logger.Discard}
	w := warnOnly{inner}
	rendered := 0
	fc := func() (string, int64) { rendered++; return "SELECT 1", 1 }
	ctx := context.Background()
	w.Trace(ctx, time.Now(), fc, nil)                       // fast, fine: dropped
	w.Trace(ctx, time.Now(), fc, gorm.ErrRecordNotFound)    // not found: dropped
	w.Trace(ctx, time.Now(), fc, errors.New("boom"))        // an error: logged
	w.Trace(ctx, time.Now().Add(-2*slowStatement), fc, nil) // slow: logged
	if inner.traced != 2 || rendered != 2 {
		t.Errorf("%d traces passed on and %d rendered, want 2 and 2", inner.traced, rendered)
	}
}
