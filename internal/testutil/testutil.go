// Package testutil holds the small helpers that tests in several packages
// share: a buffer that goroutines write while a test reads it, a clock a
// test moves, and a benchmark loop that reports the process's CPU time.
// (Finding Redis and Chromium is internal/testservices.)
package testutil

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer safe for concurrent writers, for output
// that a running command, server or logger writes while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Clock is a settable clock, safe for concurrent use: Now stays at the
// time it was made with until Advance moves it, so that expiry happens
// without waiting. Pass its Now where a clock function is wanted.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// BenchCPU runs f in b.Loop, failing at f's first error, with allocations
// reported, and reports "cpu-ns/op": the CPU time of the whole process
// (client, server and GC) per run, which unlike ns/op does not grow when
// other processes compete for the CPU. Where ProcessCPU cannot tell, that
// metric is left out.
func BenchCPU(b *testing.B, f func() error) {
	b.ReportAllocs()
	cpu0, ok := ProcessCPU()
	n := 0
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu1, ok1 := ProcessCPU(); ok && ok1 && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
}
