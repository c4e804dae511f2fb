package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/sandbox"
)

// program runs main's run() with piped stdin and stdout, as a user at a
// terminal would drive it.
type program struct {
	t      *testing.T
	in     *io.PipeWriter
	lines  chan string
	done   chan int
	stderr *syncBuffer
	seen   []string
}

func startProgram(t *testing.T, args ...string) *program {
	t.Helper()
	return startProgramContext(t, context.Background(), args...)
}

func startProgramContext(t *testing.T, ctx context.Context, args ...string) *program {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	p := &program{t: t, in: inW, lines: make(chan string, 100), done: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		code := run(ctx, args, inR, outW, p.stderr)
		outW.Close()
		p.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	// Registered after t.TempDir calls of the test body, so it runs
	// before their removal: the program is gone before its files are.
	t.Cleanup(func() {
		inW.Close()
		for range p.lines {
		}
		select {
		case code := <-p.done:
			p.done <- code
		case <-time.After(30 * time.Second):
		}
	})
	return p
}

// waitFor reads output lines until one contains s and returns it. The
// timeout only keeps a broken build from hanging the test run.
func (p *program) waitFor(s string) string {
	p.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("output ended before %q; output:\n%s\nstderr:\n%s", s, strings.Join(p.seen, "\n"), p.stderr.String())
			}
			p.seen = append(p.seen, line)
			if strings.Contains(line, s) {
				return line
			}
		case <-timeout:
			p.t.Fatalf("no %q in the output:\n%s", s, strings.Join(p.seen, "\n"))
		}
	}
}

func (p *program) say(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

// quit closes stdin (Ctrl-D) and returns the exit code.
func (p *program) quit() int {
	p.t.Helper()
	p.in.Close()
	for range p.lines {
	}
	select {
	case code := <-p.done:
		p.done <- code // for the cleanup
		return code
	case <-time.After(30 * time.Second):
		p.t.Fatal("the program did not exit at the end of its input")
		return -1
	}
}

// openLink follows a sign-in link printed by the program and returns the
// magic code shown.
func openLink(t *testing.T, link string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(strings.TrimSpace(link))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := magicCodeRE.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("sign-in page %d %q, want a code", resp.StatusCode, body)
	}
	return string(m[1])
}

// TestConsoleSandbox runs the program as `go run ./examples/chatbot
// --approve-as ...` and chats through a whole flow, sign-in included.
func TestConsoleSandbox(t *testing.T) {
	p := startProgram(t, "--approve-as", demoUPN, "--user", "me", "--conversation", "term")
	p.waitFor("Sign-ins are approved at once as " + demoUPN)
	p.waitFor("You are me in conversation term")
	p.say("create-todo-list")
	p.waitFor("What should the list be called?")
	p.say("Console list")
	p.waitFor("6-digit code")
	code := openLink(t, p.waitFor("http://"))
	p.say(code)
	p.waitFor(`Created the list "Console list".`)
	p.say("list-todo-lists")
	p.waitFor("Console list")
	p.say("") // an empty line with no flow running shows the help
	p.waitFor("I can run these flows")
	if code := p.quit(); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, p.stderr.String())
	}
}

// TestConsoleRealTenantProfile runs the program against "a real tenant"
// given by a profile file: the sandbox served on loopback plays the tenant,
// so the --profile-file path (redirect_url as the callback, graph_url,
// --tokens and --sessions directories) is exercised end to end.
func TestConsoleRealTenantProfile(t *testing.T) {
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{})
	sb.ApproveSignIns("")
	port := freePort(t)
	dir := t.TempDir()
	profile := filepath.Join(dir, "bot.yaml")
	writeFile(t, profile, fmt.Sprintf(`name: my-bot
client_id: %s
tenant: %s
authority: %s
redirect_url: http://127.0.0.1:%d/auth/callback
graph_url: %s/v1.0
`, sandbox.DefaultClientID, sb.TenantID(), ts.URL, port, ts.URL))
	keyFile := filepath.Join(dir, "state.key")
	writeFile(t, keyFile, strings.Repeat("k", 40))
	args := []string{"--profile-file", profile, "--tokens", filepath.Join(dir, "tokens"),
		"--sessions", filepath.Join(dir, "sessions"), "--state-key-file", keyFile}

	p := startProgram(t, args...)
	p.waitFor("users sign in to my-bot")
	p.say("create-todo-list")
	p.waitFor("What should the list be called?")
	if code := p.quit(); code != 0 {
		t.Fatalf("exit code %d: %s", code, p.stderr.String())
	}

	// A second run finds the paused flow in --sessions.
	p = startProgram(t, args...)
	p.say("Tenant list")
	p.waitFor("6-digit code")
	code := openLink(t, p.waitFor("http://127.0.0.1:"))
	p.say(code)
	p.waitFor(`Created the list "Tenant list".`)
	if code := p.quit(); code != 0 {
		t.Fatalf("exit code %d: %s", code, p.stderr.String())
	}
	entries, err := os.ReadDir(filepath.Join(dir, "tokens"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("token store: %v %v, want one grant", entries, err)
	}
}

// TestServe runs the program with --serve and talks to POST /messages with
// an API key, then stops it as Ctrl-C would.
func TestServe(t *testing.T) {
	t.Setenv("CHATBOT_TEST_API_KEY", "a-key-of-sufficient-length")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port := freePort(t)
	p := startProgramContext(t, ctx, "--serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--approve-as", demoUPN,
		"--api-key-env", "CHATBOT_TEST_API_KEY")
	line := p.waitFor("Listening: POST ")
	endpoint := strings.Fields(strings.TrimPrefix(line, "Listening: POST "))[0]
	if endpoint != fmt.Sprintf("http://127.0.0.1:%d/messages", port) {
		t.Fatalf("endpoint %q", endpoint)
	}
	post := func(text string) Reply {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(fmt.Sprintf(`{"conversation":"c","user":"u","text":%q}`, text)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer a-key-of-sufficient-length")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r Reply
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil {
			t.Fatalf("POST %q: %d", text, resp.StatusCode)
		}
		return r
	}
	if r := post("create-todo-list"); r.Kind != KindQuestion {
		t.Fatalf("%+v", r)
	}
	r := post("Served list")
	if r.Kind != KindSignIn {
		t.Fatalf("%+v", r)
	}
	code := openLink(t, r.SignInURL)
	if r = post(code); r.Kind != KindDone || !strings.Contains(r.Text, `"Served list"`) {
		t.Fatalf("%+v", r)
	}
	cancel()
	select {
	case exit := <-p.done:
		if exit != 0 {
			t.Fatalf("exit code %d: %s", exit, p.stderr.String())
		}
		p.done <- exit
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
	if log := p.stderr.String(); !strings.Contains(log, "chatbot: turn") || strings.Contains(log, "a-key-of-sufficient-length") || strings.Contains(log, code) {
		t.Fatalf("log: want turns logged, never the API key or the magic code:\n%s", log)
	}
}

func TestFlags(t *testing.T) {
	dir := t.TempDir()
	noRedirect := filepath.Join(dir, "no-redirect.yaml")
	writeFile(t, noRedirect, "name: p\nclient_id: abc\n")
	httpsRedirect := filepath.Join(dir, "https.yaml")
	writeFile(t, httpsRedirect, "name: p\nclient_id: abc\nredirect_url: https://bot.example.com/auth/callback\n")
	shortKey := filepath.Join(dir, "short.key")
	writeFile(t, shortKey, "too short")
	t.Setenv("CHATBOT_TEST_SHORT_KEY", "short")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"-h"}, 0, "-approve-as"},
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"argument", []string{"create-todo-list"}, 2, `unexpected argument "create-todo-list"`},
		{"sandbox and profile", []string{"--sandbox", "--profile-file", noRedirect}, 2, "exclude each other"},
		{"no sandbox, no profile", []string{"--sandbox=false"}, 2, "needs --profile-file"},
		{"graph url with sandbox", []string{"--graph-url", "https://graph.microsoft.com/v1.0"}, 2, "--graph-url is for a real tenant"},
		{"approve-as with a tenant", []string{"--profile-file", noRedirect, "--approve-as", "x"}, 2, "are for the sandbox"},
		{"bad ttl", []string{"--session-ttl", "0s"}, 2, "positive duration"},
		{"sessions without a key file", []string{"--sessions", filepath.Join(dir, "sessions")}, 2, "give --state-key-file"},
		{"unknown sandbox user", []string{"--approve-as", "nobody@example.com"}, 1, "the sandbox has no such user"},
		{"profile without redirect", []string{"--profile-file", noRedirect}, 1, "redirect_url is required"},
		{"public redirect needs --addr", []string{"--profile-file", httpsRedirect}, 1, "give --addr"},
		{"exposed without a key", []string{"--serve", "--addr", "0.0.0.0:0"}, 1, "set --api-key-env"},
		{"short api key", []string{"--serve", "--api-key-env", "CHATBOT_TEST_SHORT_KEY"}, 1, "at least 16 characters"},
		{"short state key", []string{"--state-key-file", shortKey}, 1, "at least 32 random bytes"},
		{"missing profile", []string{"--profile-file", filepath.Join(dir, "nope.yaml")}, 1, "nope.yaml"},
		{"templates dir without templates", []string{"--templates", t.TempDir()}, 1, "no *.yaml file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}

func TestOwnTemplates(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "note.yaml"), strings.Replace(versionedTemplate, "%s", "Second?", 1))
	ts, err := loadTemplates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tmpl := range ts {
		ids[tmpl.ID()] = true
	}
	if !ids["note"] || !ids["create-todo-list"] {
		t.Fatalf("templates %v: want the built-ins and note", ids)
	}

	writeFile(t, filepath.Join(dir, "again.yaml"), strings.Replace(versionedTemplate, "%s", "Again?", 1))
	writeFile(t, filepath.Join(dir, "broken.yaml"), "id: broken\nname: [\n")
	_, err = loadTemplates(dir, nil)
	if err == nil || !strings.Contains(err.Error(), `id "note" is already used`) || !strings.Contains(err.Error(), "broken.yaml:") {
		t.Fatalf("loadTemplates = %v, want every problem: the duplicate id and the broken file with its position", err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
