package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testutil"
	"github.com/runflow/runflow/templates"
)

// TestAuthoringGolden covers the CLI side of issue 15 (what authors and
// people running the built-ins ran into), like TestGolden: in process,
// against the sandbox, compared with testdata/golden.
func TestAuthoringGolden(t *testing.T) {
	fail := "testdata/authoring/fail.yaml"
	branches := "testdata/authoring/branches.yaml"
	cases := []struct {
		name   string
		args   []string
		stdin  string
		tty    bool
		outTTY bool
	}{
		{name: "describe-branches", args: []string{"describe", branches}},
		{name: "describe-branches-json", args: []string{"describe", branches, "--output", "json"}},
		{name: "describe-branches-mermaid", args: []string{"describe", branches, "--format", "mermaid"}},
		{name: "describe-branches-dot", args: []string{"describe", branches, "--format", "dot"}},
		{name: "describe-create-event-mermaid", args: []string{"describe", "create-event", "--format", "mermaid"}},
		{name: "describe-bad-format", args: []string{"describe", "agenda", "--format", "svg"}},
		{name: "describe-format-and-json", args: []string{"describe", "agenda", "--format", "dot", "--output", "json"}},
		{name: "run-agenda-timeline", args: []string{"run", "agenda", "--sandbox"}, outTTY: true},
		{name: "run-agenda-timeline-zone", args: []string{"run", "agenda", "--sandbox", "--set", "day=2026-06-19", "--zone", "Europe/Berlin"}, outTTY: true},
		{name: "run-fail-step", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance"}},
		{name: "run-fail-step-verbose", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance", "-v"}},
		{name: "run-fail-step-json", args: []string{"run", fail, "--sandbox", "--set", "name=Adele Vance", "--output", "json"}},
		{name: "run-create-event-end-relative", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Review", "--set", "start=2026-06-19 15:00", "--set", "end=4pm", "--dry-run"}},
		{name: "run-list-tasks-bad-number", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=99"}},
		{name: "run-list-tasks-bad-number-json", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=99", "--output", "json"}},
		{name: "run-list-tasks-prefix", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=groc"}},
		{name: "run-agenda-one-event", args: []string{"run", "agenda", "--sandbox", "--set", "day=2026-06-22"}},
		{name: "run-create-event-in-30-minutes", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Call", "--set", "start=in 30 minutes", "--dry-run", "--output", "json"}},
		{name: "run-create-event-end-duration", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Review", "--set", "start=2026-06-19 15:00", "--set", "end=90 min", "--dry-run"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.tty, c.outTTY = tc.tty, tc.outTTY
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

// The dot output parses: checked with Graphviz when it is installed.
func TestDescribeDotParses(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz dot is not installed (apt-get install graphviz)")
	}
	for _, ref := range append(templates.IDs(), "testdata/authoring/branches.yaml") {
		c := newCLI(t)
		o := c.run("", "describe", ref, "--format", "dot").wantCode(t, 0)
		cmd := exec.Command(dot, "-Tsvg", "-o", os.DevNull)
		cmd.Stdin = strings.NewReader(o.stdout)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("%s: dot says %v: %s\n%s", ref, err, out, o.stdout)
		}
	}
}

// Every built-in can be drawn, and each drawing names every Graph call
// with its method and path and every input.
func TestDescribeMermaidBuiltins(t *testing.T) {
	for _, id := range templates.IDs() {
		tp, err := templates.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := writeMermaid(&b, buildFlowGraph(tp)); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, s := range tp.Steps() {
			if s.Kind == "http" && !strings.Contains(out, mermaidText(strings.SplitN(s.Summary, " ", 2)[0])) {
				t.Errorf("%s: the drawing lacks %s", id, s.Summary)
			}
		}
		for _, in := range tp.Inputs() {
			if !strings.Contains(out, "ask "+in.Name+" (") {
				t.Errorf("%s: the drawing lacks input %s", id, in.Name)
			}
		}
	}
}

// --output json is the same document whether stdout is a terminal or not
// (the timeline is for people only).
func TestAgendaJSONIgnoresTerminal(t *testing.T) {
	args := []string{"run", "agenda", "--sandbox", "--output", "json"}
	plain := newCLI(t).run("", args...).wantCode(t, 0)
	c := newCLI(t)
	c.outTTY = true
	tty := c.run("", args...).wantCode(t, 0)
	if plain.stdout != tty.stdout || strings.Contains(tty.stdout, busyGlyph) {
		t.Errorf("json output changed on a terminal:\n%s\n---\n%s", plain.stdout, tty.stdout)
	}
}

// The progress line is erased before a message the flow says before a
// question (it was written over: "... (last: GET /me)Hello ...").
func TestProgressErasedBeforeMessages(t *testing.T) {
	var term testutil.SyncBuffer // one terminal for stdout and stderr: what was written, in order
	c := newCLI(t)
	e := c.env(strings.NewReader("\n"), &term, &term, testNow)
	e.stdinTTY, e.stderrTTY, e.stdoutTTY = true, true, true
	if code := Main(context.Background(), []string{"run", "testdata/authoring/progress.yaml", "--sandbox"}, e); code != 0 {
		t.Fatalf("exit %d:\n%s", code, term.String())
	}
	out := term.String()
	i := strings.Index(out, "Hello Adele Vance.")
	if i < 0 {
		t.Fatalf("no message:\n%q", out)
	}
	before := out[:i]
	if !strings.Contains(before, "(last: GET /me)") {
		t.Fatalf("no progress line before the message (the test shows nothing):\n%q", out)
	}
	if !strings.HasSuffix(before, "\r") || strings.TrimRight(before[strings.LastIndex(before[:len(before)-1], "\r"):], "\r ") != "" {
		t.Errorf("the progress line is not erased before the message:\n%q", out)
	}
}

// A revoked sign-in, with --graph-url naming the profile's own Graph, says
// to sign in again (it said --graph-url needs a token).
func TestRevokedSignInWithOwnGraphURL(t *testing.T) {
	c := newCLI(t)
	sb, ts := authSandbox(t, c)
	c.run("", "auth", "login", "--profile", "sb").wantCode(t, exitOK)
	sb.RevokeRefreshTokens("AdeleV@contoso.onmicrosoft.com")
	// Two hours later the access token has expired and the refresh fails.
	var stdout, stderr bytes.Buffer
	e := c.env(strings.NewReader(""), &stdout, &stderr, testNow.Add(2*time.Hour))
	code := Main(context.Background(), []string{"run", "whoami", "--profile", "sb", "--graph-url", ts.URL + "/v1.0"}, e)
	if code != exitSignIn || !strings.Contains(stderr.String(), "runflow auth login --profile sb") || strings.Contains(stderr.String(), "--graph-url") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	// Another Graph still needs a token of its own.
	code = Main(context.Background(), []string{"run", "whoami", "--profile", "sb", "--graph-url", "http://127.0.0.1:9/v1.0"}, e)
	if code != exitSignIn {
		t.Errorf("another Graph: exit %d", code)
	}
}

// docs/cli.md shows `runflow describe list-tasks --format mermaid` as it
// is today.
func TestDocsMermaidExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- runflow describe list-tasks --format mermaid -->\n```mermaid\n"
	i := strings.Index(string(doc), marker)
	if i < 0 {
		t.Fatal("docs/cli.md lacks the mermaid example")
	}
	rest := string(doc[i+len(marker):])
	shown := rest[:strings.Index(rest, "```")]
	o := newCLI(t).run("", "describe", "list-tasks", "--format", "mermaid").wantCode(t, 0)
	if shown != o.stdout {
		t.Errorf("docs/cli.md's example is out of date; it should be:\n%s", o.stdout)
	}
}

// env is c's environment with other streams and clock, for tests that
// need one terminal for stdout and stderr or a later time.
func (c *cli) env(stdin io.Reader, stdout, stderr io.Writer, now time.Time) *env {
	return &env{
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		getenv:    func(k string) string { return c.vars[k] },
		configDir: func() (string, error) { return c.configDir, nil },
		now:       func() time.Time { return now },
		authHooks: c.hooks,
	}
}
