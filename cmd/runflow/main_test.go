package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testNow is the clock of every CLI test: Monday 15 June 2026, 16:00 UTC
// (09:00 in the sandbox mailbox's Pacific zone).
var testNow = time.Date(2026, time.June, 15, 16, 0, 0, 0, time.UTC)

// cli is one in-process runflow for a test: its own config directory
// (so its own sandbox data), environment and terminal settings.
type cli struct {
	t         *testing.T
	configDir string
	vars      map[string]string
	tty       bool // stdin is a terminal
	outTTY    bool // stdout is a terminal
	// hooks are the env's ways out to a sign-in (a browser that follows
	// the redirect, a device code approved at once, a fake profile).
	hooks authHooks
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, configDir: t.TempDir(), vars: map[string]string{"TZ": "UTC"}}
}

// outcome is what one run printed and its exit code.
type outcome struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(stdin string, args ...string) outcome {
	c.t.Helper()
	return c.runWith(context.Background(), strings.NewReader(stdin), args...)
}

func (c *cli) runWith(ctx context.Context, stdin io.Reader, args ...string) outcome {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{
		stdin:     stdin,
		stdout:    &stdout,
		stderr:    &stderr,
		stdinTTY:  c.tty,
		stdoutTTY: c.outTTY,
		getenv:    func(k string) string { return c.vars[k] },
		configDir: func() (string, error) { return c.configDir, nil },
		now:       func() time.Time { return testNow },
		authHooks: c.hooks,
	}
	code := Main(ctx, args, e)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// wantCode fails the test when o did not exit with code, showing the output.
func (o outcome) wantCode(t *testing.T, code int) outcome {
	t.Helper()
	if o.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, code, o.stdout, o.stderr)
	}
	return o
}

var (
	uuidRE     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	durationRE = regexp.MustCompile(`\((\d+(\.\d+)?(ns|µs|ms|s)|0s)\)`)
	loopbackRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	txnRE      = regexp.MustCompile(`"transactionId": "[0-9a-f]{16,64}"`)
	graphIDRE  = regexp.MustCompile(`AAMk[A-Za-z0-9_\-]{20,}={0,2}`)
)

// normalize replaces what changes from run to run (request ids, durations,
// loopback ports, session ids) so that outputs can be compared with golden
// files.
func normalize(s string) string {
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	s = durationRE.ReplaceAllString(s, "(<duration>)")
	s = loopbackRE.ReplaceAllString(s, "http://127.0.0.1:<port>")
	s = txnRE.ReplaceAllString(s, `"transactionId": "<session id>"`)
	s = graphIDRE.ReplaceAllString(s, "<graph id>")
	return s
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/runflow -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// transcript is the golden form of one run.
func transcript(args []string, o outcome) string {
	return normalize("$ runflow " + strings.Join(args, " ") + "\n" +
		"--- exit " + strconv.Itoa(o.code) + "\n--- stdout\n" + o.stdout + "--- stderr\n" + o.stderr)
}
