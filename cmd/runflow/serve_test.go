package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/runflow/runflow/internal/testutil"
)

var chatURLRE = regexp.MustCompile(`chat page at (http://127\.0\.0\.1:\d+)/`)

// startServe runs `runflow serve args...` in process until the test ends
// and returns the URL it prints.
func startServe(t *testing.T, c *cli, args ...string) (string, func() outcome) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv:    func(k string) string { return c.vars[k] },
		configDir: func() (string, error) { return c.configDir, nil },
		now:       time.Now,
		authHooks: c.hooks,
	}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, append([]string{"serve"}, args...), e) }()
	stop := func() outcome {
		cancel()
		select {
		case code := <-done:
			return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop on cancel")
		}
		return outcome{}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if m := chatURLRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s\n%s", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve did not print its URL:\n%s", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func postJSON(t *testing.T, url, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %v %v", url, resp.StatusCode, out, err)
	}
	return out
}

// serve --sandbox with no other flag: a file store and its key in the
// state directory, the chat page, a flow over the API, a clean stop.
func TestServeSandboxDefaults(t *testing.T) {
	c := newCLI(t)
	// A fresh machine: neither the config nor the state directory exists.
	c.configDir = filepath.Join(t.TempDir(), "config", "runflow")
	state := filepath.Join(t.TempDir(), "state")
	c.vars["XDG_STATE_HOME"] = state
	url, stop := startServe(t, c, "--sandbox", "--addr", "127.0.0.1:0")
	resp, err := http.Get(url + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("chat page: %v %v", resp, err)
	}
	resp.Body.Close()
	r := postJSON(t, url+"/v1/conversations/c1/flows", `{"template":"create-todo-list","user":"u1"}`)
	if r["status"] != "question" {
		t.Fatalf("start: %v", r)
	}
	r = postJSON(t, url+"/v1/conversations/c1/messages", `{"text":"Served list","user":"u1","id":"m1"}`)
	if r["status"] != "done" {
		t.Fatalf("answer: %v", r)
	}
	stop().wantCode(t, 0)
	for _, f := range []string{"serve.db", "serve.db.key"} {
		fi, err := os.Stat(filepath.Join(state, "runflow", f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, fi, err)
		}
	}
	// The sandbox's data was saved: the list is there for the next run.
	o := c.run("", "run", "list-todo-lists", "--sandbox").wantCode(t, 0)
	if !strings.Contains(o.stdout, "Served list") {
		t.Errorf("the served list is not in the sandbox's data:\n%s", o.stdout)
	}
	// The same conversation resumes across a restart on the same file.
	url, stop = startServe(t, c, "--sandbox", "--addr", "127.0.0.1:0")
	resp, err = http.Get(url + "/v1/conversations/c1")
	if err != nil {
		t.Fatal(err)
	}
	var cur map[string]any
	json.NewDecoder(resp.Body).Decode(&cur)
	resp.Body.Close()
	if cur["status"] != "done" {
		t.Errorf("after a restart: %v", cur)
	}
	stop().wantCode(t, 0)
}

func TestServeUsageErrors(t *testing.T) {
	c := newCLI(t)
	c.vars["XDG_STATE_HOME"] = t.TempDir()
	c.vars["SHORT_KEY"] = "short"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sandbox", "--store", "bogus"}, "want memory, file:PATH or redis://"},
		{[]string{"--sandbox", "--store", "redis://127.0.0.1:6379/15"}, "--state-key"},
		{[]string{"--sandbox", "--store", "memory", "--state-key", "env:SHORT_KEY"}, "at least 32"},
		{[]string{"--sandbox", "--store", "memory", "--state-key", "nope"}, "want env:VAR or file:PATH"},
		{[]string{"--sandbox", "--profile", "x", "--store", "memory"}, "cannot be combined"},
		{[]string{"extra"}, "serve takes no arguments"},
		{[]string{"--sandbox", "--store", "memory", "--claim-grace", "500ms"}, "--claim-grace 500ms: want at least 1s"},
		{[]string{"--sandbox", "--store", "memory", "--claim-grace", "0s"}, "--claim-grace 0s: want at least 1s"},
		{[]string{"--sandbox", "--store", "memory", "--addr", "0.0.0.0:0"}, "give --api-key"},
		{[]string{"--sandbox", "--store", "memory", "--api-key", "env:SHORT_KEY"}, "--api-key env:SHORT_KEY: 5 bytes"},
	} {
		o := c.run("", append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...).wantCode(t, 2)
		if !strings.Contains(o.stderr, tc.want) {
			t.Errorf("serve %v: stderr %q, want %q", tc.args, o.stderr, tc.want)
		}
	}
}

// serve mounts the MCP server at /mcp: a client of the SDK lists the
// tools and runs one over streamable HTTP.
func TestServeMCP(t *testing.T) {
	c := newCLI(t)
	url, stop := startServe(t, c, "--sandbox", "--store", "memory", "--addr", "127.0.0.1:0")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "serve-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url + "/mcp", MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connecting to /mcp: %v", err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tl := range tools.Tools {
		found = found || tl.Name == "create-todo-list"
	}
	if !found {
		t.Fatalf("no create-todo-list among %d tools", len(tools.Tools))
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "create-todo-list", Arguments: map[string]any{"name": "Via MCP"}})
	if err != nil || res.IsError {
		t.Fatalf("CallTool: %v %+v", err, res)
	}
	js, _ := json.Marshal(res.StructuredContent)
	if !strings.Contains(string(js), "Via MCP") {
		t.Fatalf("result %s", js)
	}
}
