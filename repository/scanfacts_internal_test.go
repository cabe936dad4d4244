package repository

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestAheadHandsEveryValueInOrder(t *testing.T) {
	var got []int
	err := ahead(context.Background(), func(ctx context.Context, emit func(int) error) error {
		for i := range 100 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	}, func(v int) error { got = append(got, v); return nil })
	if err != nil || len(got) != 100 || !slices.IsSorted(got) {
		t.Fatalf("err %v, got %d values (sorted %v)", err, len(got), slices.IsSorted(got))
	}
}

func TestAheadStopsTheProducerWhenTheConsumerFails(t *testing.T) {
	boom := errors.New("boom")
	emitted, consumed := 0, 0
	err := ahead(context.Background(), func(ctx context.Context, emit func(int) error) error {
		for i := range 1000 {
			if err := emit(i); err != nil {
				return err
			}
			emitted++
		}
		return nil
	}, func(v int) error {
		consumed++
		if v == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the consumer's error", err)
	}
	if consumed != 4 || emitted > 10 {
		t.Fatalf("consumed %d, emitted %d: the producer should stop soon after the failure", consumed, emitted)
	}
}

func TestAheadReturnsTheProducersError(t *testing.T) {
	boom := errors.New("boom")
	n := 0
	err := ahead(context.Background(), func(ctx context.Context, emit func(int) error) error {
		_ = emit(1)
		return boom
	}, func(int) error { n++; return nil })
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("err %v after %d values, want boom after 1", err, n)
	}
}

func TestRebindDollarNumbersPlaceholders(t *testing.T) {
	if q := rebindDollar("SELECT ? WHERE a = ? AND b = ANY(?)"); q != "SELECT $1 WHERE a = $2 AND b = ANY($3)" {
		t.Errorf("query = %q", q)
	}
}
