package reliability

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/sandbox"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// buildCLI builds cmd/runflow once per test binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the CLI; skipped with -short")
	}
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "runflow-reliability-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "runflow")
		out, err := exec.Command("go", "build", "-o", cliPath, "../cmd/runflow").CombinedOutput()
		if err != nil {
			cliErr = err
			cliPath = string(out)
		}
	})
	if cliErr != nil {
		t.Fatalf("go build ./cmd/runflow: %v\n%s", cliErr, cliPath)
	}
	return cliPath
}

// TestCLIOutputHasNoToken runs the built CLI against the sandbox on
// loopback with a token from RUNFLOW_TOKEN or --token, with -v traces, in
// text and JSON, for a completed write, a dry run, throttled and failing
// runs (503s, a write that may have been sent, a rejected token), and
// checks that the token is in no byte of stdout or stderr.
func TestCLIOutputHasNoToken(t *testing.T) {
	bin := buildCLI(t)
	r := newRig(t, sandbox.Options{})
	config := t.TempDir()
	cases := []struct {
		name   string
		faults []sandbox.Fault
		args   []string
		flag   bool // token on the command line instead of RUNFLOW_TOKEN
		token  string
		exit   int
		want   string // in stdout or stderr
	}{
		{name: "write, text, -v", args: []string{"run", "create-todo-list", "--set", "name=cli list", "-v"}},
		{name: "write, json, --token", args: []string{"run", "create-todo-list", "--set", "name=cli list 2", "-v", "--output", "json"}, flag: true},
		{name: "dry run", args: []string{"run", "send-mail", "--set", "to=bob@example.com", "--set", "subject=s", "--set", "body=b", "--dry-run", "-v", "--output", "json"}, want: `"status": "dry-run"`},
		{name: "throttled read", faults: []sandbox.Fault{{Method: "GET", Path: "/v1.0/me/todo/lists", Status: 429, RetryAfter: "0.01", Count: 2}, {Method: "GET", Path: "/v1.0/me/todo/lists", Status: 503, RetryAfter: "0", Count: 1}},
			args: []string{"run", "list-todo-lists", "-v"}},
		{name: "503 storm fails", faults: []sandbox.Fault{{Method: "GET", Path: "/v1.0/me/todo/lists", Status: 503, RetryAfter: "0", Count: 10}},
			args: []string{"run", "list-todo-lists", "-v", "--output", "json"}, exit: 1},
		{name: "maybe sent", faults: []sandbox.Fault{{Method: "POST", Path: "/v1.0/me/todo/lists", DropConnection: true, Count: 1}},
			args: []string{"run", "create-todo-list", "--set", "name=dropped", "-v"}, exit: 1, want: "may have been sent"},
		{name: "rejected token", args: []string{"run", "whoami", "-v"}, token: "eyJ0eXAi.not-a-sandbox-token.rejected", exit: 1, want: "InvalidAuthenticationToken"},
		{name: "rejected token, json", args: []string{"run", "whoami", "-v", "--output", "json"}, token: "eyJ0eXAi.not-a-sandbox-token.rejected", flag: true, exit: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.sb.Faults().Clear()
			for _, f := range c.faults {
				r.sb.Faults().Add(f)
			}
			token := r.token
			if c.token != "" {
				token = c.token
			}
			args := append(append([]string(nil), c.args...), "--graph-url", r.graphURL, "--no-input")
			env := append(os.Environ(), "XDG_CONFIG_HOME="+config, "HOME="+config, "RUNFLOW_ZONE=UTC")
			if c.flag {
				args = append(args, "--token", token)
			} else {
				env = append(env, "RUNFLOW_TOKEN="+token)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != c.exit {
				t.Errorf("exit %d (%v), want %d\nstdout: %s\nstderr: %s", code, err, c.exit, stdout.String(), stderr.String())
			}
			all := stdout.String() + stderr.String()
			if strings.Contains(all, token) {
				t.Errorf("the token is in the CLI's output:\n%s", all)
			}
			if c.want != "" && !strings.Contains(all, c.want) {
				t.Errorf("the output does not say %q:\n%s", c.want, all)
			}
			if !strings.Contains(all, "GET ") && !strings.Contains(all, "POST") {
				t.Errorf("no request in the output (no -v trace, no dry-run request):\n%s", all)
			}
		})
	}
}

// TestCLICtrlCStopsCleanly interrupts the built CLI while Graph holds a
// read and then a write: it stops at once with exit code 4 (cancelled),
// shows no token, and the interrupted write did not land (the sandbox drops
// a delayed write whose client went away).
func TestCLICtrlCStopsCleanly(t *testing.T) {
	bin := buildCLI(t)
	r := newRig(t, sandbox.Options{})
	for _, c := range []struct {
		name, method, path string
		args               []string
	}{
		{"read", "GET", "/v1.0/me/todo/lists", []string{"run", "list-todo-lists"}},
		{"write", "POST", "/v1.0/me/todo/lists", []string{"run", "create-todo-list", "--set", "name=interrupted"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, took := interruptCLI(t, bin, r, c.method, c.path, c.args)
			if took > 5*time.Second {
				t.Errorf("the CLI took %v to stop after Ctrl-C", took)
			}
			if code != 4 {
				t.Errorf("exit %d, want 4 (cancelled)\n%s", code, out)
			}
			if strings.Contains(out, r.token) {
				t.Errorf("the token is in the output:\n%s", out)
			}
		})
	}
	if n := countWrites(r.data(t))["create-todo-list"]["interrupted"]; n != 0 {
		t.Errorf("the interrupted write landed %d times; the sandbox cancels a delayed write", n)
	}
}

// interruptCLI runs the CLI with args while the sandbox holds the first
// method+path request for 30 s, sends it Ctrl-C (SIGINT) once that request
// has arrived, and returns the exit code, stdout and stderr, and how long
// the CLI took to stop.
func interruptCLI(t *testing.T, bin string, r *rig, method, path string, args []string) (int, string, time.Duration) {
	t.Helper()
	r.sb.ClearRequests()
	r.sb.Faults().Add(sandbox.Fault{Method: method, Path: path, Delay: 30 * time.Second, Count: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	config := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, append(args, "--graph-url", r.graphURL, "--no-input", "-v")...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+config, "HOME="+config, "RUNFLOW_TOKEN="+r.token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		for _, req := range r.sb.Requests() {
			if req.Method == method && req.Path == path {
				return true
			}
		}
		return false
	})
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return cmd.ProcessState.ExitCode(), stdout.String() + stderr.String(), time.Since(start)
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
