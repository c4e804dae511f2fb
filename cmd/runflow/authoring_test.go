package main

import (
	"strings"
	"testing"
)

// TestAuthoringGolden covers the CLI side of issue 15 (what authors and
// people running the built-ins ran into), like TestGolden: in process,
// against the sandbox, compared with testdata/golden.
func TestAuthoringGolden(t *testing.T) {
	fail := "testdata/authoring/fail.yaml"
	cases := []struct {
		name  string
		args  []string
		stdin string
		tty   bool
	}{
		{name: "run-fail-step", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance"}},
		{name: "run-fail-step-verbose", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance", "-v"}},
		{name: "run-fail-step-json", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance", "--output", "json"}},
		{name: "run-create-event-end-relative", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Review", "--set", "start=2026-06-19 15:00", "--set", "end=4pm", "--dry-run"}},
		{name: "run-list-tasks-bad-number", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=99"}},
		{name: "run-list-tasks-prefix", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=groc"}},
		{name: "run-agenda-one-event", args: []string{"run", "agenda", "--sandbox", "--set", "day=2026-06-22"}},
		{name: "run-create-event-in-30-minutes", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Call", "--set", "start=in 30 minutes", "--dry-run", "--output", "json"}},
		{name: "run-create-event-end-duration", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Review", "--set", "start=2026-06-19 15:00", "--set", "end=90 min", "--dry-run"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.tty = tc.tty
			o := c.run(tc.stdin, tc.args...)
			got := transcript(tc.args, o)
			// -v traces hold durations that change from run to run.
			if strings.Contains(tc.name, "verbose") {
				got = dropTraceLines(got)
			}
			golden(t, tc.name+".txt", got)
		})
	}
}

// dropTraceLines removes the -v lines of HTTP attempts.
func dropTraceLines(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "GET ") || strings.HasPrefix(line, "POST ") || strings.HasPrefix(line, "  ") && strings.Contains(line, "ms") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
