package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

// TestMain lets a test run this test binary as the runflow command itself
// (RUNFLOW_TEST_AS_COMMAND=1): the MCP tests speak to `runflow mcp` over
// its real stdin and stdout.
func TestMain(m *testing.M) {
	if os.Getenv("RUNFLOW_TEST_AS_COMMAND") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// mcpCommand starts `runflow mcp --sandbox` as a process with its own
// config directory and connects an SDK client of revision rev to it.
func mcpCommand(t *testing.T, configDir, rev string, elicit func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error), args ...string) *mcp.ClientSession {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"mcp"}, args...)...)
	cmd.Env = append(os.Environ(), "RUNFLOW_TEST_AS_COMMAND=1", "XDG_CONFIG_HOME="+configDir, "HOME="+configDir, "TZ=UTC")
	cmd.Stderr = os.Stderr
	opts := &mcp.ClientOptions{}
	if elicit != nil {
		opts.ElicitationHandler = elicit
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "stdio-test"}, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd}, &mcp.ClientSessionOptions{ProtocolVersion: rev})
	if err != nil {
		t.Fatalf("starting runflow mcp: %v", err)
	}
	if got := cs.InitializeResult().ProtocolVersion; got != rev {
		t.Fatalf("the session speaks %s, want %s", got, rev)
	}
	return cs
}

// TestMCPStdio drives the built command over stdio with each revision: the
// tools are the built-ins; a missing input is asked, asked again after a
// bad answer; a declined mail is not sent; the sandbox's data is saved when
// the client leaves.
func TestMCPStdio(t *testing.T) {
	for _, rev := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(rev, func(t *testing.T) {
			dir := t.TempDir()
			var mu sync.Mutex
			var asked []string
			answers := []map[string]any{{"name": strings.Repeat("x", 256)}, {"name": "Stdio list"}, {"confirm": false}}
			elicit := func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
				mu.Lock()
				defer mu.Unlock()
				asked = append(asked, req.Params.Message)
				if len(answers) == 0 {
					return &mcp.ElicitResult{Action: "cancel"}, nil
				}
				a := answers[0]
				answers = answers[1:]
				return &mcp.ElicitResult{Action: "accept", Content: a}, nil
			}
			cs := mcpCommand(t, dir, rev, elicit, "--sandbox")
			ctx := context.Background()
			list, err := cs.ListTools(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(list.Tools), len(templates.IDs()); got != want {
				t.Errorf("%d tools, want %d (the built-ins)", got, want)
			}
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "create-todo-list"})
			if err != nil || res.IsError {
				t.Fatalf("create-todo-list: %v %+v", err, res)
			}
			if m, _ := res.StructuredContent.(map[string]any); m["name"] != "Stdio list" {
				t.Errorf("structured content %v, want the list's name", res.StructuredContent)
			}
			if !strings.Contains(readFile(t, filepath.Join(dir, "runflow", "sandbox.json")), "Stdio list") {
				t.Errorf("the new list is not in the sandbox's data while the server runs")
			}
			res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: map[string]any{"to": []string{"ann@contoso.com"}, "subject": "Stdio declined", "body": "x"}})
			if err != nil || !res.IsError {
				t.Fatalf("send-mail declined: %v %+v", err, res)
			}
			want := []string{"What should the list be called?", "A list name has 1 to 255 characters.\nWhat should the list be called?", `Send "Stdio declined" to ann@contoso.com?`}
			if strings.Join(asked, "|") != strings.Join(want, "|") {
				t.Errorf("asked %q, want %q", asked, want)
			}
			if err := cs.Close(); err != nil {
				t.Logf("close: %v", err)
			}
			subjects := savedSubjects(t, filepath.Join(dir, "runflow", "sandbox.json"), "sentitems")
			if subjects["Stdio declined"] != 0 {
				t.Errorf("the declined mail is in Sent Items")
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMCPTemplatesAndTools: --templates adds a directory's templates,
// --tools picks the tools served.
func TestMCPTemplatesAndTools(t *testing.T) {
	dir, tpl := t.TempDir(), t.TempDir()
	hello := `id: hello
name: Say hello
description: Greets someone by name.
scopes: []
inputs:
  - name: who
    type: string
    prompt: Who should I greet?
steps:
  - say: Hello, ${ inputs.who }!
output:
  who: ${ inputs.who }
`
	if err := os.WriteFile(filepath.Join(tpl, "hello.yaml"), []byte(hello), 0o644); err != nil {
		t.Fatal(err)
	}
	cs := mcpCommand(t, dir, "2026-07-28", nil, "--sandbox", "--templates", tpl, "--tools", "whoami, hello")
	defer cs.Close()
	ctx := context.Background()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if got := strings.Join(names, ","); got != "hello,whoami" {
		t.Errorf("tools %s, want hello,whoami", got)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "hello", Arguments: map[string]any{"who": "Ann"}})
	if err != nil || res.IsError {
		t.Fatalf("hello: %v %+v", err, res)
	}
	if tc, ok := res.Content[0].(*mcp.TextContent); !ok || tc.Text != "Hello, Ann!" {
		t.Errorf("content %+v, want what the flow said", res.Content[0])
	}
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail"}); err == nil {
		t.Errorf("send-mail is served though --tools left it out")
	}
}

// savedSubjects counts the subjects of a folder's messages in a saved
// sandbox, read through the sandbox's own Graph.
func savedSubjects(t *testing.T, path, folder string) map[string]int {
	t.Helper()
	sb := sandbox.New(sandbox.Options{})
	if err := sb.LoadFile(path); err != nil {
		t.Fatalf("the sandbox's data was not saved: %v", err)
	}
	ts := httptest.NewServer(sb)
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/v1.0/me/mailFolders/"+folder+"/messages?$top=1000&$select=subject", nil)
	req.Header.Set("Authorization", "Bearer "+sb.Token("Mail.Read"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []struct{ Subject string } `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range page.Value {
		out[m.Subject]++
	}
	return out
}

// TestMCPCommandLine: the command's own mistakes are usage errors before
// anything is served.
func TestMCPCommandLine(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"mcp", "--sandbox", "--tools", "send-mial"}, exitUsage, `--tools: no template "send-mial"; did you mean "send-mail"?`},
		{[]string{"mcp", "--sandbox", "--templates", "does-not-exist"}, exitUsage, "--templates does-not-exist: not a directory"},
		{[]string{"mcp", "--sandbox", "--templates", empty}, exitUsage, "--templates " + empty + ": no *.yaml file in it"},
		{[]string{"mcp", "--sandbox", "extra"}, exitUsage, `mcp takes no arguments (got "extra")`},
		{[]string{"mcp", "--sandbox", "--token", "x"}, exitUsage, "--sandbox runs against the built-in sandbox"},
	}
	for _, tc := range tests {
		c := newCLI(t)
		out := c.run("", tc.args...)
		if out.code != tc.code || !strings.Contains(out.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, out.code, out.stderr, tc.code, tc.want)
		}
	}
}
