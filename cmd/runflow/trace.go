package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/graph"
)

// tracer prints one line per HTTP attempt on stderr for -v, and a progress
// line for long reads when stderr is a terminal. It never prints a token:
// the Graph client already redacts URLs, and every line is scrubbed of the
// secrets the CLI knows about besides.
type tracer struct {
	mu       sync.Mutex
	w        io.Writer
	verbose  bool
	progress bool
	secrets  []string

	requests  int
	pages     int // collection pages read, for progress
	items     int // items on those pages
	progressN int // width of the progress line on screen, to erase it
}

func (t *tracer) event(ev graph.TraceEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	if t.verbose {
		t.clearProgress()
		fmt.Fprintln(t.w, t.scrub(formatTrace(ev)))
		return
	}
	if t.progress {
		line := fmt.Sprintf("… %d request%s to Graph", t.requests, plural(t.requests))
		if t.pages > 0 {
			line += fmt.Sprintf(", %d page%s, %d item%s", t.pages, plural(t.pages), t.items, plural(t.items))
		}
		line += fmt.Sprintf(" (last: %s %s)", ev.Method, shortPath(ev.URL))
		t.clearProgress()
		io.WriteString(t.w, line)
		t.progressN = len([]rune(line))
	}
}

// page counts a collection page read (for the progress line); the
// progress transport calls it before the attempt's trace event.
func (t *tracer) page(items int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pages++
	t.items += items
}

// done erases the progress line before results are printed.
func (t *tracer) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clearProgress()
}

func (t *tracer) clearProgress() {
	if t.progressN > 0 {
		writeRaw(t.w, "\r"+strings.Repeat(" ", t.progressN)+"\r")
		t.progressN = 0
	}
}

func (t *tracer) scrub(s string) string {
	for _, secret := range t.secrets {
		if len(secret) >= 8 {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	return s
}

// formatTrace is "GET URL -> 200 (12ms) request-id ID", with the attempt and
// the coming retry when there is one.
func formatTrace(ev graph.TraceEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s -> ", ev.Method, ev.URL)
	if ev.Status != 0 {
		fmt.Fprintf(&b, "%d", ev.Status)
	} else {
		b.WriteString("no answer")
	}
	fmt.Fprintf(&b, " (%s)", ev.Duration.Round(time.Millisecond))
	if ev.RequestID != "" {
		fmt.Fprintf(&b, " request-id %s", ev.RequestID)
	}
	if ev.Attempt > 1 {
		fmt.Fprintf(&b, " attempt %d", ev.Attempt)
	}
	if ev.RetryIn > 0 {
		fmt.Fprintf(&b, ", retrying in %s", ev.RetryIn.Round(time.Millisecond))
	}
	if ev.Err != nil {
		fmt.Fprintf(&b, ": %v", ev.Err)
	}
	return b.String()
}

// shortPath is the path of a URL after the version segment, for progress.
func shortPath(u string) string {
	if i := strings.Index(u, "/v1.0/"); i >= 0 {
		u = u[i+len("/v1.0"):]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return u
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
