package auth

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Two waiters judge the same lock stale. The slower one removes the lock
// the faster one has just created (the window between its check and its
// remove, held open here by beforeStaleRemove) and creates its own: the
// faster one must notice and wait, so that the two never hold the lock
// at once.
func TestStaleLockTakenOverByTwoWaiters(t *testing.T) {
	dir := t.TempDir()
	s := NewFileStore(dir)
	if err := s.ensureDir(); err != nil {
		t.Fatal(err)
	}
	lock := s.Path("p", "u") + ".lock"
	if err := os.WriteFile(lock, []byte("12345 another-host\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(lock, old, old); err != nil {
		t.Fatal(err)
	}

	var calls atomic.Int32
	firstArrived, secondArrived := make(chan struct{}), make(chan struct{})
	beforeStaleRemove = func() {
		switch calls.Add(1) {
		case 1: // the faster waiter: goes on once the slower one has checked too
			close(firstArrived)
			<-secondArrived
		case 2: // the slower one: removes only after the faster one created its lock
			close(secondArrived)
			for {
				if b, err := os.ReadFile(lock); err == nil && string(b) != "12345 another-host\n" && len(b) > 0 {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	defer func() { beforeStaleRemove = nil }()

	var (
		mu       sync.Mutex
		holding  int
		overlaps int
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				<-firstArrived
			}
			unlock, err := NewFileStore(dir).LockRefresh(ctx, "p", "u")
			if err != nil {
				t.Errorf("waiter %d: %v", i, err)
				return
			}
			mu.Lock()
			holding++
			if holding > 1 {
				overlaps++
			}
			mu.Unlock()
			time.Sleep(200 * time.Millisecond) // the refresh
			mu.Lock()
			holding--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if calls.Load() != 2 {
		t.Fatalf("the stale lock was judged stale %d times, want 2 (the race was not set up)", calls.Load())
	}
	if overlaps != 0 {
		t.Errorf("two waiters held the refresh lock at once")
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the lock file is left after both unlocked: %v", err)
	}
}
