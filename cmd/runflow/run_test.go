package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/templates"
)

// fakeGraph is a loopback Graph that serves canned answers by "METHOD
// path" and records every request, for the tests that need to see exactly
// what the CLI sent (the sandbox decides its own answers).
type fakeGraph struct {
	srv     *httptest.Server
	mu      sync.Mutex
	answers map[string]fakeAnswer
	got     []recorded
}

type fakeAnswer struct {
	status int
	header map[string]string
	body   string
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                []byte
}

func newFakeGraph(t *testing.T, answers map[string]fakeAnswer) *fakeGraph {
	f := &fakeGraph{answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		path := strings.TrimPrefix(r.URL.Path, "/v1.0")
		f.mu.Lock()
		f.got = append(f.got, recorded{method: r.Method, path: path, query: r.URL.RawQuery, header: r.Header.Clone(), body: body})
		a, ok := f.answers[r.Method+" "+path]
		f.mu.Unlock()
		if !ok {
			a = fakeAnswer{status: 404, body: `{"error":{"code":"ErrorItemNotFound","message":"not scripted"}}`}
		}
		for k, v := range a.header {
			w.Header().Set(k, strings.ReplaceAll(v, "{{base}}", "http://"+r.Host+"/v1.0"))
		}
		if a.body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, strings.ReplaceAll(a.body, "{{base}}", "http://"+r.Host+"/v1.0"))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) url() string { return f.srv.URL + "/v1.0" }

func (f *fakeGraph) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.got...)
}

const pacificSettings = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings","timeZone":"Pacific Standard Time"}`

// The request body of create-event is exactly Graph's documented shape
// (example D1): dateTimeTimeZone in the mailbox zone, trimmed attendees,
// and a transactionId that is the session's idempotency key.
func TestCreateEventRequestBody(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{
		"GET /me/mailboxSettings": {status: 200, body: pacificSettings},
		"POST /me/events":         {status: 201, body: `{"id":"AAMkAGI1AAAt9AHjAAA=","subject":"Let's go for lunch","start":{"dateTime":"2026-06-16T12:00:00.0000000","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-06-16T14:00:00.0000000","timeZone":"Pacific Standard Time"},"webLink":"https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D"}`},
	})
	c := newCLI(t)
	c.run("", "run", "create-event", "--graph-url", g.url(), "--token", "secret-token-1234",
		"--set", "subject=Let's go for lunch", "--set", "start=2026-06-16 12:00", "--set", "end=2026-06-16 14:00",
		"--set", "attendees= samanthab@contoso.onmicrosoft.com ,  ", "--set", "location=Harry's Bar",
		"--set", "body=Does noon work for you?", "--set", "online=no").wantCode(t, 0)
	reqs := g.requests()
	if len(reqs) != 2 || reqs[1].method != "POST" {
		t.Fatalf("requests = %+v, want GET mailboxSettings then POST events", reqs)
	}
	post := reqs[1]
	if got := post.header.Get("Prefer"); got != `outlook.timezone="Pacific Standard Time"` {
		t.Errorf("Prefer = %q", got)
	}
	var body map[string]any
	if err := json.Unmarshal(post.body, &body); err != nil {
		t.Fatal(err)
	}
	txn, _ := body["transactionId"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{16,64}$`).MatchString(txn) {
		t.Errorf("transactionId = %q, want the session id", txn)
	}
	delete(body, "transactionId")
	want := map[string]any{
		"subject":               "Let's go for lunch",
		"body":                  map[string]any{"contentType": "Text", "content": "Does noon work for you?"},
		"start":                 map[string]any{"dateTime": "2026-06-16T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
		"end":                   map[string]any{"dateTime": "2026-06-16T14:00:00.0000000", "timeZone": "Pacific Standard Time"},
		"location":              map[string]any{"displayName": "Harry's Bar"},
		"attendees":             []any{map[string]any{"emailAddress": map[string]any{"address": "samanthab@contoso.onmicrosoft.com"}, "type": "required"}},
		"isOnlineMeeting":       false,
		"onlineMeetingProvider": "unknown",
	}
	gotJSON, _ := json.Marshal(body)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("POST /me/events body\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

// --zone is the conversation's zone: the start typed with --zone
// Europe/Berlin is 12:00 in Berlin, and Graph gets it in the mailbox's
// Pacific zone (03:00).
func TestZoneFlagReadsAnswersInIt(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{
		"GET /me/mailboxSettings": {status: 200, body: pacificSettings},
		"POST /me/events":         {status: 201, body: `{"id":"e1","subject":"Lunch","start":{"dateTime":"2026-06-16T03:00:00.0000000","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-06-16T03:30:00.0000000","timeZone":"Pacific Standard Time"}}`},
	})
	c := newCLI(t)
	out := c.run("", "run", "create-event", "--graph-url", g.url(), "--token", "secret-token-1234", "--zone", "Europe/Berlin",
		"--set", "subject=Lunch", "--set", "start=2026-06-16 12:00", "--set", "attendees=", "--set", "location=", "--set", "body=").wantCode(t, 0)
	reqs := g.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %+v", reqs)
	}
	var body struct {
		Start, End struct{ DateTime, TimeZone string }
	}
	if err := json.Unmarshal(reqs[1].body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Start.DateTime != "2026-06-16T03:00:00.0000000" || body.Start.TimeZone != "Pacific Standard Time" || body.End.DateTime != "2026-06-16T03:30:00.0000000" {
		t.Errorf("start/end sent = %+v", body)
	}
	if !strings.Contains(out.stdout+out.stderr, "Tue 16 Jun 2026 12:00 (Europe/Berlin)") {
		t.Errorf("the message does not show the start in the user's zone:\n%s\n%s", out.stdout, out.stderr)
	}
}

// -v traces every exchange on stderr with method, URL, status, duration and
// request id, and the token appears nowhere in the output.
func TestVerboseTraceRedactsToken(t *testing.T) {
	const token = "eyJ0eXAiOiJKV1QiLCJub25jZSI6InNlY3JldCJ9.c2VjcmV0LXBheWxvYWQ"
	g := newFakeGraph(t, map[string]fakeAnswer{
		"GET /me/todo/lists": {status: 200, header: map[string]string{"request-id": "11111111-2222-3333-4444-555555555555"},
			body: `{"value":[{"id":"L1","displayName":"Tasks","isShared":false,"wellknownListName":"defaultList"}],"@odata.nextLink":"{{base}}/me/todo/lists?$skiptoken=P2"}`},
	})
	// The second page is served from the same path; the fake answers the
	// same body, so cap the loop by answering the skiptoken page without a link.
	g.answers["GET /me/todo/lists"] = g.answers["GET /me/todo/lists"]
	c := newCLI(t)
	c.vars["RUNFLOW_TOKEN"] = token
	c.vars["RUNFLOW_GRAPH_URL"] = g.url()
	o := c.run("", "run", "create-todo-list", "-v", "--set", "name=Trip", "--output", "json")
	// create-todo-list POSTs; the fake has no answer, so the flow fails
	// with Graph's 404: still a trace, still no token.
	o.wantCode(t, 1)
	for _, out := range []string{o.stdout, o.stderr} {
		if strings.Contains(out, token) || strings.Contains(out, "c2VjcmV0") {
			t.Fatalf("the token leaked into the output:\n%s", out)
		}
	}
	if !regexp.MustCompile(`POST http://127\.0\.0\.1:\d+/v1\.0/me/todo/lists -> 404 \(\d`).MatchString(o.stderr) {
		t.Errorf("stderr has no trace line for the POST:\n%s", o.stderr)
	}
	if reqs := g.requests(); len(reqs) != 1 || reqs[0].header.Get("Authorization") != "Bearer "+token {
		t.Errorf("the request did not carry the token: %+v", reqs)
	}
}

// A Graph error fails the run with exit 1 and, in JSON, Graph's status,
// code, message and request id.
func TestGraphErrorJSON(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{
		"GET /me/todo/lists": {status: 403, header: map[string]string{"request-id": "2f038156-cf40-403d-8e46-831fe42a8229"},
			body: `{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again.","innerError":{"request-id":"2f038156-cf40-403d-8e46-831fe42a8229","date":"2019-05-24T10:16:21"}}}`},
	})
	c := newCLI(t)
	o := c.run("", "run", "list-todo-lists", "--graph-url", g.url(), "--token", "tok-abcdefgh", "--output", "json").wantCode(t, 1)
	var doc struct {
		Template string `json:"template"`
		Status   string `json:"status"`
		Error    struct {
			Status    int    `json:"status"`
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, o.stdout)
	}
	if doc.Template != "list-todo-lists" || doc.Status != "failed" || doc.Error.Status != 403 || doc.Error.Code != "ErrorAccessDenied" ||
		doc.Error.RequestID != "2f038156-cf40-403d-8e46-831fe42a8229" || !strings.Contains(doc.Error.Message, "Access is denied") {
		t.Errorf("document = %+v", doc)
	}
	if o.stderr != "" {
		t.Errorf("with --output json the document says it all; stderr = %q", o.stderr)
	}
	// In text, the error goes to stderr with the same facts.
	o = c.run("", "run", "list-todo-lists", "--graph-url", g.url(), "--token", "tok-abcdefgh").wantCode(t, 1)
	for _, want := range []string{"403", "ErrorAccessDenied", "2f038156-cf40-403d-8e46-831fe42a8229"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
}

// A cancel word at a question ends the run with exit 4 and nothing sent;
// quoted, it is the answer.
func TestCancelWordAtAPrompt(t *testing.T) {
	c := newCLI(t)
	c.tty = true
	o := c.run("Stop\n", "run", "create-todo-list", "--sandbox").wantCode(t, 4)
	if !strings.Contains(o.stderr, "cancelled") {
		t.Errorf("stderr = %q", o.stderr)
	}
	o = c.run("\"stop\"\n", "run", "create-todo-list", "--sandbox").wantCode(t, 0)
	if !strings.Contains(o.stdout, `Created the list "stop".`) {
		t.Errorf("stdout = %q", o.stdout)
	}
	o = c.run("", "run", "list-todo-lists", "--sandbox").wantCode(t, 0)
	if n := strings.Count(o.stdout, "stop"); n != 1 {
		t.Errorf("%d lists named stop, want 1:\n%s", n, o.stdout)
	}
}

// On a terminal, missing inputs are asked with the template's question;
// a bad answer is re-asked with the reason; the sandbox keeps the result
// for the next run.
func TestInteractivePromptsAndSandboxPersistence(t *testing.T) {
	c := newCLI(t)
	c.tty = true
	o := c.run("   \n  Travel items \n", "run", "create-todo-list", "--sandbox").wantCode(t, 0)
	if !strings.Contains(o.stderr, "? What should the list be called?") {
		t.Errorf("the question was not asked on stderr:\n%s", o.stderr)
	}
	if !strings.Contains(o.stderr, "✗") || !strings.Contains(o.stderr, "attempt 2 of 3") {
		t.Errorf("the blank answer was not refused with a re-prompt:\n%s", o.stderr)
	}
	if !strings.Contains(o.stdout, `Created the list "Travel items".`) {
		t.Errorf("stdout = %q", o.stdout)
	}
	o = c.run("", "run", "list-todo-lists", "--sandbox").wantCode(t, 0)
	if !strings.Contains(o.stdout, "Travel items") {
		t.Errorf("the new list is not in the persisted sandbox:\n%s", o.stdout)
	}
	if _, err := os.Stat(filepath.Join(c.configDir, "sandbox.json")); err != nil {
		t.Errorf("sandbox data not saved: %v", err)
	}
	// reset brings the demo data back.
	c.run("", "sandbox", "reset").wantCode(t, 0)
	o = c.run("", "run", "list-todo-lists", "--sandbox").wantCode(t, 0)
	if strings.Contains(o.stdout, "Travel items") {
		t.Errorf("sandbox reset kept the list:\n%s", o.stdout)
	}
}

// Choices are numbered on the terminal and the answer may be the number.
func TestInteractiveChoiceByNumber(t *testing.T) {
	c := newCLI(t)
	c.tty = true
	o := c.run("2\n\n\n", "run", "list-tasks", "--sandbox").wantCode(t, 0)
	if !regexp.MustCompile(`(?m)^  1\) Tasks$`).MatchString(o.stderr) || !regexp.MustCompile(`(?m)^  2\) `).MatchString(o.stderr) {
		t.Errorf("choices are not numbered:\n%s", o.stderr)
	}
}

// Answering no to send-mail's confirmation cancels (exit 4) and sends
// nothing; yes sends exactly once with saveToSentItems a real boolean.
func TestConfirmation(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{"POST /me/sendMail": {status: 202}})
	c := newCLI(t)
	c.tty = true
	args := []string{"run", "send-mail", "--graph-url", g.url(), "--token", "tok-abcdefgh", "--set", "to=frannis@contoso.com", "--set", "cc=none", "--set", "subject=Meet for lunch?", "--set", "body=The new cafeteria is open.", "--set", "html=no", "--set", "attachments=none"}
	o := c.run("no\n", args...).wantCode(t, 4)
	if !strings.Contains(o.stderr, `Send "Meet for lunch?" to frannis@contoso.com? [y/n]`) {
		t.Errorf("the confirmation does not show recipients and subject:\n%s", o.stderr)
	}
	if n := len(g.requests()); n != 0 {
		t.Fatalf("%d requests sent after no", n)
	}
	c.run("yes\n", args...).wantCode(t, 0)
	reqs := g.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests after yes, want 1", len(reqs))
	}
	var body struct {
		SaveToSentItems any `json:"saveToSentItems"`
	}
	json.Unmarshal(reqs[0].body, &body)
	if body.SaveToSentItems != true {
		t.Errorf("saveToSentItems = %#v, want the boolean true", body.SaveToSentItems)
	}
}

// Stdin ending at a prompt (Ctrl-D) and Ctrl-C both cancel with exit 4.
func TestInterruptions(t *testing.T) {
	c := newCLI(t)
	c.tty = true
	o := c.run("", "run", "create-todo-list", "--sandbox").wantCode(t, 4)
	if !strings.Contains(o.stderr, "cancelled") {
		t.Errorf("stderr = %q", o.stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe() // a terminal nobody types into
	defer pw.Close()
	done := make(chan outcome, 1)
	go func() { done <- c.runWith(ctx, pr, "run", "create-todo-list", "--sandbox", "--output", "json") }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case o := <-done:
		o.wantCode(t, 4)
		if !strings.Contains(o.stdout, `"status": "cancelled"`) {
			t.Errorf("stdout = %q", o.stdout)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not stop the run")
	}
}

// --input reads JSON or YAML presets; --set overrides them.
func TestInputFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "values.yaml")
	os.WriteFile(file, []byte("name: From the file\n"), 0o600)
	c := newCLI(t)
	o := c.run("", "run", "create-todo-list", "--sandbox", "--input", file).wantCode(t, 0)
	if !strings.Contains(o.stdout, `"From the file"`) {
		t.Errorf("stdout = %q", o.stdout)
	}
	o = c.run("", "run", "create-todo-list", "--sandbox", "--input", file, "--set", "name=From the flag").wantCode(t, 0)
	if !strings.Contains(o.stdout, `"From the flag"`) {
		t.Errorf("--set did not win: %q", o.stdout)
	}
	o = c.run(`{"name": "From stdin"}`, "run", "create-todo-list", "--sandbox", "--input", "-").wantCode(t, 0)
	if !strings.Contains(o.stdout, `"From stdin"`) {
		t.Errorf("stdout = %q", o.stdout)
	}
	os.WriteFile(file, []byte("- just\n- a list\n"), 0o600)
	o = c.run("", "run", "create-todo-list", "--sandbox", "--input", file).wantCode(t, 2)
	if !strings.Contains(o.stderr, "values.yaml:1:1: want a mapping") {
		t.Errorf("stderr = %q", o.stderr)
	}
}

// Every built-in template completes against the sandbox with presets and
// --yes, the way .ci/smoke runs them.
func TestEveryBuiltinAgainstSandbox(t *testing.T) {
	sets := map[string][]string{
		"create-todo-list": {"name=Smoke test"},
		"create-event":     {"subject=Smoke test", "start=tomorrow 10:00", "attendees=AlexW@contoso.onmicrosoft.com"},
		"send-mail":        {"to=AlexW@contoso.onmicrosoft.com", "subject=Smoke test", "body=Hello from runflow."},
		"list-tasks":       {"list=Tasks"},
		"create-task":      {"list=Tasks", "title=Smoke test", "due=friday", "importance=high"},
		"reply-mail":       {"from=MeganB@contoso.onmicrosoft.com", "comment=Thanks, noted."},
		"find-time":        {"with=AlexW@contoso.onmicrosoft.com", "day=tomorrow", "length=30m"},
		"respond-event":    {"event=1", "response=tentative", "comment=Smoke test"},
		"complete-task":    {"list=Groceries", "task=1"},
	}
	c := newCLI(t)
	o := c.run("", "list", "--output", "json").wantCode(t, 0)
	var list []struct{ ID string }
	if err := json.Unmarshal([]byte(o.stdout), &list); err != nil || len(list) != len(templates.IDs()) {
		t.Fatalf("list --output json: %v, %d templates", err, len(list))
	}
	for _, tpl := range list {
		args := []string{"run", tpl.ID, "--sandbox", "--yes", "--no-input", "--output", "json"}
		for _, s := range sets[tpl.ID] {
			args = append(args, "--set", s)
		}
		o := c.run("", args...)
		if o.code != 0 || !strings.Contains(o.stdout, `"status": "completed"`) {
			t.Errorf("%s: exit %d\n%s%s", tpl.ID, o.code, o.stdout, o.stderr)
		}
	}
}

// `runflow test` runs flow tests: exit 0 when they pass, 1 with the
// differences when one fails.
func TestFlowTestCommand(t *testing.T) {
	c := newCLI(t)
	o := c.run("", "test", "../../testdata/flows/whoami").wantCode(t, 0)
	if !strings.Contains(o.stdout, "3 passed, 0 failed") {
		t.Errorf("stdout = %q", o.stdout)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrong.flow.yaml"), []byte("template: whoami\ngraph:\n  - request: {method: GET, path: /me}\n    response: {status: 200, body: {displayName: Adele}}\nexpect:\n  outputs: {name: Bob}\n"), 0o600)
	o = c.run("", "test", dir).wantCode(t, 1)
	if !strings.Contains(o.stdout, "expect.outputs.name") || !strings.Contains(o.stdout, "0 passed, 1 failed") {
		t.Errorf("stdout = %q", o.stdout)
	}
	c.run("", "test", filepath.Join(dir, "none")).wantCode(t, 2)
}

// sandbox serve + sandbox token + --graph-url/--token: the served sandbox
// answers a real HTTP run, token from the CLI; reset reaches the server.
func TestSandboxServeAndToken(t *testing.T) {
	c := newCLI(t)
	c.run("", "sandbox", "token").wantCode(t, 2) // nothing served yet
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan outcome, 1)
	go func() { done <- c.runWith(ctx, strings.NewReader(""), "sandbox", "serve", "--addr", "127.0.0.1:0") }()
	infoPath := filepath.Join(c.configDir, serveInfoFile)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(infoPath); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("sandbox serve did not start: %+v", <-done)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if fi, _ := os.Stat(infoPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600", infoPath, fi.Mode().Perm())
	}
	info, err := readServeInfo(&env{configDir: func() (string, error) { return c.configDir, nil }})
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(c.run("", "sandbox", "token").wantCode(t, 0).stdout)
	o := c.run("", "run", "create-todo-list", "--graph-url", info.URL+"/v1.0", "--token", tok, "--set", "name=Served").wantCode(t, 0)
	if !strings.Contains(o.stdout, `"Served"`) {
		t.Errorf("stdout = %q", o.stdout)
	}
	// A token with too few scopes gets Graph's 403 from the sandbox.
	weak := strings.TrimSpace(c.run("", "sandbox", "token", "--scopes", "User.Read").wantCode(t, 0).stdout)
	c.run("", "run", "list-todo-lists", "--graph-url", info.URL+"/v1.0", "--token", weak).wantCode(t, 1)
	// The admin endpoints want the key.
	resp, err := http.Post(info.URL+adminTokenPath, "application/json", strings.NewReader(`{"scopes":["Mail.Send"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("token endpoint without the key: %d, want 403", resp.StatusCode)
	}
	c.run("", "sandbox", "reset").wantCode(t, 0)
	o = c.run("", "run", "list-todo-lists", "--graph-url", info.URL+"/v1.0", "--token", tok).wantCode(t, 0)
	if strings.Contains(o.stdout, "Served") {
		t.Errorf("reset did not reach the served sandbox:\n%s", o.stdout)
	}
	cancel()
	select {
	case o := <-done:
		o.wantCode(t, 0)
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox serve did not stop on cancel")
	}
	if _, err := os.Stat(infoPath); !os.IsNotExist(err) {
		t.Errorf("%s left behind after serve stopped", infoPath)
	}
}

// Ctrl-C while a write is in flight exits 4 and says that the write may
// have been sent, instead of "nothing was sent".
func TestCtrlCMidWriteSaysMaybeSent(t *testing.T) {
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.ReadAll(r.Body) // once the body is read, the server notices the client leaving
				select {
				case arrived <- struct{}{}:
				default:
				}
				select { // hold the write until the client gives up
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			}))
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			c := newCLI(t)
			done := make(chan outcome, 1)
			go func() {
				done <- c.runWith(ctx, strings.NewReader(""), "run", "create-todo-list", "--graph-url", srv.URL+"/v1.0", "--token", "tok-abcdefgh", "--set", "name=Trip", "--output", output)
			}()
			select {
			case <-arrived:
			case <-time.After(10 * time.Second):
				t.Fatal("the write never arrived")
			}
			cancel()
			o := (<-done).wantCode(t, 4)
			if !strings.Contains(o.stdout+o.stderr, "may have been sent") || strings.Contains(o.stdout+o.stderr, "nothing more was sent") {
				t.Errorf("output does not warn that the write may have been sent:\n%s%s", o.stdout, o.stderr)
			}
			if output == "json" && !strings.Contains(o.stdout, `"status": "cancelled"`) {
				t.Errorf("stdout = %s", o.stdout)
			}
		})
	}
}
