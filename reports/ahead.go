package reports

import "context"

// Read-ahead bounds: rows travel from the reading goroutine to the writer
// in chunks of aheadChunk, at most aheadChunks of them queued, so what is
// read ahead is bounded whatever the number of rows.
const (
	aheadChunk  = 512
	aheadChunks = 4
)

// rowFeed reads a sheet's rows in its own goroutine, ahead of the writer,
// through a bounded channel of recycled chunks.
type rowFeed[T any] struct {
	ch     chan []T
	free   chan []T
	err    error // the read's outcome, set before ch is closed
	cancel context.CancelFunc
}

// readAhead starts read now; each replays its rows in order.
func readAhead[T any](ctx context.Context, read func(context.Context, func(T) error) error) *rowFeed[T] {
	ctx, cancel := context.WithCancel(ctx)
	r := &rowFeed[T]{ch: make(chan []T, aheadChunks), free: make(chan []T, aheadChunks+2), cancel: cancel}
	go func() {
		defer close(r.ch)
		chunk := make([]T, 0, aheadChunk)
		send := func() error {
			select {
			case r.ch <- chunk:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case chunk = <-r.free:
				chunk = chunk[:0]
			default:
				chunk = make([]T, 0, aheadChunk)
			}
			return nil
		}
		r.err = read(ctx, func(row T) error {
			chunk = append(chunk, row)
			if len(chunk) < aheadChunk {
				return nil
			}
			return send()
		})
		if r.err == nil && len(chunk) > 0 {
			r.err = send()
		}
	}()
	return r
}

// each calls fn for every row in order and returns the read's error or
// fn's. It may be called once.
func (r *rowFeed[T]) each(fn func(T) error) error {
	defer r.stop()
	for chunk := range r.ch {
		for _, row := range chunk {
			if err := fn(row); err != nil {
				return err
			}
		}
		clear(chunk) // drop the rows' references before reuse
		select {
		case r.free <- chunk:
		default:
		}
	}
	return r.err
}

// stop cancels the read and waits for its goroutine to end.
func (r *rowFeed[T]) stop() {
	r.cancel()
	for range r.ch { //nolint:revive // draining until the reader closes it
	}
}
