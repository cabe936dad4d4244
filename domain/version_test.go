package domain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

// thing is a versioned entity for the test.
type thing struct {
	id      string
	version int64
}

func (t thing) EntityID() string     { return t.id }
func (t thing) StoredVersion() int64 { return t.version }

func TestForUpdate(t *testing.T) {
	const id = "0190a9a4-3c1e-7d4b-9a7e-2f1c5b6d7e8f"
	stored := thing{id: id, version: 3}
	errStore := errors.New("store down")
	cases := []struct {
		name     string
		id       string
		expected int64
		getErr   error
		wantErr  error
		wantMsg  string
		wantGet  bool
	}{
		{name: "no If-Match takes any version", id: id, expected: 0, wantGet: true},
		{name: "the expected version", id: id, expected: 3, wantGet: true},
		{name: "a stale version", id: id, expected: 2, wantGet: true, wantErr: domain.ErrPrecondition,
			wantMsg: "thing " + id + " is at version 3: version mismatch"},
		{name: "an id that is not a UUID is not asked for", id: "nope", expected: 3, wantErr: domain.ErrNotFound,
			wantMsg: `thing "nope": not found`},
		{name: "the store's error", id: id, expected: 3, getErr: errStore, wantGet: true, wantErr: errStore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			got, err := domain.ForUpdate(context.Background(), "thing", tc.id, tc.expected,
				func(context.Context, string) (thing, error) {
					asked = true
					if tc.getErr != nil {
						return thing{}, tc.getErr
					}
					return stored, nil
				})
			if asked != tc.wantGet {
				t.Errorf("get asked = %v, want %v", asked, tc.wantGet)
			}
			if tc.wantErr == nil {
				if err != nil || got != stored {
					t.Fatalf("ForUpdate = %v, %v; want %v", got, err, stored)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || got != (thing{}) {
				t.Fatalf("ForUpdate = %v, %v; want zero and %v", got, err, tc.wantErr)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("error %q, want %q", err, tc.wantMsg)
			}
		})
	}
}

// oneTx runs fn directly, counting the transactions asked for.
type oneTx struct{ n int }

func (t *oneTx) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	t.n++
	return fn(ctx)
}

func TestEditWritesWhatForUpdateRead(t *testing.T) {
	const id = "0190a9a4-3c1e-7d4b-9a7e-2f1c5b6d7e8f"
	get := func(context.Context, string) (thing, error) { return thing{id: id, version: 3}, nil }
	var tx oneTx
	var got thing
	err := domain.Edit(context.Background(), &tx, "thing", id, 3, get, func(_ context.Context, before thing) error {
		got = before
		return nil
	})
	if err != nil || got.version != 3 || tx.n != 1 {
		t.Fatalf("Edit = %v, wrote %v in %d transactions; want nil, version 3, 1", err, got, tx.n)
	}
	called := false
	err = domain.Edit(context.Background(), &tx, "thing", id, 2, get, func(context.Context, thing) error {
		called = true
		return nil
	})
	if !errors.Is(err, domain.ErrPrecondition) || called {
		t.Fatalf("Edit at a stale version = %v (write called: %v); want ErrPrecondition, not called", err, called)
	}
}
