// Package storetest checks that an engine.SessionStore keeps the contract
// the engine relies on for exactly-once turns. A store's own tests call
// Run with a constructor; every store that ships with runflow passes it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/runflow/runflow/engine"
)

// Run runs the contract tests against stores made by newStore. Each subtest
// gets a fresh store from newStore and uses keys of its own, so a store
// backed by a shared server may be reused if its keys are prefixed per call.
func Run(t *testing.T, newStore func(t *testing.T) engine.SessionStore) {
	t.Run("EmptyKeyLoadsNothing", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Load(context.Background(), "nobody")
		if err != nil || r.Seq != 0 || r.Data != nil {
			t.Fatalf("Load of an unknown key = %+v, %v; want the zero record and no error", r, err)
		}
	})
	t.Run("FirstSwapNeedsSeqZero", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		if ok, err := s.CompareAndSwap(ctx, "k", 3, engine.SessionRecord{Seq: 4, Data: []byte("x")}); ok || err != nil {
			t.Fatalf("swap from Seq 3 on an empty key = %v, %v; want false, nil", ok, err)
		}
		if ok, err := s.CompareAndSwap(ctx, "k", 0, engine.SessionRecord{Seq: 1, Data: []byte("one")}); !ok || err != nil {
			t.Fatalf("first swap = %v, %v; want true, nil", ok, err)
		}
		r, err := s.Load(ctx, "k")
		if err != nil || r.Seq != 1 || string(r.Data) != "one" {
			t.Fatalf("Load after the first swap = {%d %q}, %v; want {1 \"one\"}", r.Seq, r.Data, err)
		}
	})
	t.Run("StaleSwapLoses", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		mustSwap(t, s, "k", 0, 1, "one")
		mustSwap(t, s, "k", 1, 2, "two")
		if ok, err := s.CompareAndSwap(ctx, "k", 1, engine.SessionRecord{Seq: 2, Data: []byte("late")}); ok || err != nil {
			t.Fatalf("stale swap = %v, %v; want false, nil", ok, err)
		}
		if ok, err := s.CompareAndSwap(ctx, "k", 0, engine.SessionRecord{Seq: 1, Data: []byte("again")}); ok || err != nil {
			t.Fatalf("swap from 0 on a written key = %v, %v; want false, nil", ok, err)
		}
		r, _ := s.Load(ctx, "k")
		if r.Seq != 2 || string(r.Data) != "two" {
			t.Fatalf("record = {%d %q}; want {2 \"two\"}", r.Seq, r.Data)
		}
	})
	t.Run("SeqMustGrow", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		mustSwap(t, s, "k", 0, 1, "one")
		for _, next := range []uint64{0, 1} {
			if ok, err := s.CompareAndSwap(ctx, "k", 1, engine.SessionRecord{Seq: next, Data: []byte("x")}); ok || !errors.Is(err, engine.ErrBadSeq) {
				t.Fatalf("swap 1 → %d = %v, %v; want false, ErrBadSeq", next, ok, err)
			}
		}
	})
	t.Run("KeysAreIndependent", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		mustSwap(t, s, "a", 0, 1, "a1")
		mustSwap(t, s, "b", 0, 5, "b5")
		ra, _ := s.Load(ctx, "a")
		rb, _ := s.Load(ctx, "b")
		if string(ra.Data) != "a1" || rb.Seq != 5 {
			t.Fatalf("a = {%d %q}, b = {%d %q}", ra.Seq, ra.Data, rb.Seq, rb.Data)
		}
	})
	t.Run("DataIsCopied", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		data := []byte("orig")
		mustSwap(t, s, "k", 0, 1, string(data))
		r, _ := s.Load(ctx, "k")
		r.Data[0] = 'X'
		r2, _ := s.Load(ctx, "k")
		if string(r2.Data) != "orig" {
			t.Fatalf("changing a loaded record changed the store: %q", r2.Data)
		}
	})
	t.Run("DeleteForgets", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		mustSwap(t, s, "k", 0, 7, "x")
		if err := s.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "k"); err != nil {
			t.Fatalf("deleting nothing: %v", err)
		}
		if r, err := s.Load(ctx, "k"); err != nil || r.Seq != 0 {
			t.Fatalf("Load after Delete = %+v, %v", r, err)
		}
		mustSwap(t, s, "k", 0, 1, "new")
	})
	t.Run("OneWinnerPerTurn", func(t *testing.T) {
		// Many goroutines race to advance the same turn; exactly one wins
		// each round, and the sequence ends where the rounds say.
		s := newStore(t)
		ctx := context.Background()
		const rounds, racers = 20, 8
		for round := uint64(0); round < rounds; round++ {
			var wins atomic.Int32
			var wg sync.WaitGroup
			for i := 0; i < racers; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					ok, err := s.CompareAndSwap(ctx, "race", round, engine.SessionRecord{Seq: round + 1, Data: []byte(fmt.Sprint(i))})
					if err != nil {
						t.Error(err)
					}
					if ok {
						wins.Add(1)
					}
				}(i)
			}
			wg.Wait()
			if n := wins.Load(); n != 1 {
				t.Fatalf("round %d: %d winners, want 1", round, n)
			}
		}
		if r, _ := s.Load(ctx, "race"); r.Seq != rounds {
			t.Fatalf("Seq = %d, want %d", r.Seq, rounds)
		}
	})
}

func mustSwap(t *testing.T, s engine.SessionStore, key string, old, next uint64, data string) {
	t.Helper()
	ok, err := s.CompareAndSwap(context.Background(), key, old, engine.SessionRecord{Seq: next, Data: []byte(data)})
	if err != nil || !ok {
		t.Fatalf("CompareAndSwap(%q, %d → %d) = %v, %v; want true, nil", key, old, next, ok, err)
	}
}
