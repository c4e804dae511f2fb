package testutil

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSyncBufferKeepsEveryWrite(t *testing.T) {
	var buf SyncBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(&buf, "%d\n", i)
				_ = buf.String() // a reader at the same time (go test -race)
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(buf.String(), "\n"); n != 800 {
		t.Errorf("%d lines, want 800", n)
	}
}

func TestClockMovesOnlyWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v, want %v", c.Now(), start)
	}
	c.Advance(90 * time.Minute)
	if want := start.Add(90 * time.Minute); !c.Now().Equal(want) {
		t.Errorf("after Advance, Now = %v, want %v", c.Now(), want)
	}
}

func TestBenchCPUReportsCPUPerRun(t *testing.T) {
	runs := 0
	r := testing.Benchmark(func(b *testing.B) {
		BenchCPU(b, func() error { runs++; return nil })
	})
	if runs == 0 || r.N == 0 {
		t.Fatalf("f ran %d times, N = %d", runs, r.N)
	}
	if _, ok := r.Extra["cpu-ns/op"]; ok != (runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOOS != "js" && runtime.GOOS != "wasip1") {
		t.Errorf("cpu-ns/op reported: %v (%v)", ok, r.Extra)
	}
	failed := testing.Benchmark(func(b *testing.B) {
		BenchCPU(b, func() error { return errors.New("broken") })
	})
	if failed.N != 0 {
		t.Errorf("a failing run was measured: N = %d", failed.N)
	}
}
