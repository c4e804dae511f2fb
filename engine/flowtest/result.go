package flowtest

import (
	"fmt"
	"strings"
	"sync"
)

// Result is the outcome of one flow test.
type Result struct {
	// File is the flow test file; Description its description.
	File        string
	Description string
	// Failures lists what differed, in the order it was found. Empty means
	// the case passed.
	Failures []Failure
	// Turns is the number of pauses the flow made; Requests the number of
	// Graph requests it sent.
	Turns    int
	Requests int
	// Status is how the flow ended (completed, failed, cancelled), or ""
	// when it did not end.
	Status string
}

// Passed reports whether the case had no failures.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Failure is one difference between the flow test and what happened.
type Failure struct {
	// Line is the line of the flow test file the expectation is written
	// on (0 when none applies).
	Line int
	// Where names the part of the test: "turn 2", "graph[1]", "expect.outputs".
	Where string
	// Message says what was expected and what happened.
	Message string
}

// Format renders the failure as "file:line: where: message".
func (f Failure) Format(file string) string {
	loc := file
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", file, f.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, f.Where, f.Message)
}

// String renders the result for people: one PASS line, or a FAIL line
// followed by every failure, indented.
func (r *Result) String() string {
	var b strings.Builder
	name := r.File
	if r.Description != "" {
		name += " (" + r.Description + ")"
	}
	if r.Passed() {
		fmt.Fprintf(&b, "PASS %s\n", name)
		return b.String()
	}
	fmt.Fprintf(&b, "FAIL %s\n", name)
	for _, f := range r.Failures {
		for i, line := range strings.Split(f.Format(r.File), "\n") {
			if i == 0 {
				b.WriteString("    " + line + "\n")
			} else {
				b.WriteString("        " + line + "\n")
			}
		}
	}
	return b.String()
}

// recorder collects failures from the runner and the fake server's
// handler goroutines, in the order they happen.
type recorder struct {
	mu       sync.Mutex
	failures []Failure
}

func (r *recorder) add(line int, where, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, Failure{Line: line, Where: where, Message: fmt.Sprintf(format, args...)})
}

func (r *recorder) list() []Failure {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Failure(nil), r.failures...)
}
