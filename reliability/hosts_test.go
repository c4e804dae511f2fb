package reliability

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

const hostileToken = "eyJ0eXAi.hostile-test-access-token.sig"

// graphAndEvil starts a loopback "Graph" and a second loopback host that
// must never be reached with a token, and an engine pointed at the first.
func graphAndEvil(t *testing.T) (*loopback, *loopback, *engine.Engine) {
	t.Helper()
	g, evil := newLoopback(t), newLoopback(t)
	e, err := engine.New(engine.Config{GraphURL: g.URL + "/v1.0", Auth: auth.Static(hostileToken)})
	if err != nil {
		t.Fatal(err)
	}
	return g, evil, e
}

// TestHostileTemplatesAreRefusedAtLoad: a template cannot name another
// host, put a query or fragment or dot segments in its path, or hide a
// path in an expression at its start. (A protocol-relative "//host/..."
// path passes the loader as a path with an empty segment; the Graph client
// refuses it before sending, which the test checks.)
func TestHostileTemplatesAreRefusedAtLoad(t *testing.T) {
	cases := []struct{ name, path, want string }{
		{"other host", "https://evil.example/v1.0/me", "absolute URLs may only point at https://graph.microsoft.com"},
		{"other host over http", "http://graph.microsoft.com/v1.0/me", "absolute URLs may only point at https://graph.microsoft.com"},
		{"loopback host", "http://127.0.0.1:1/v1.0/me", "absolute URLs may only point at"},
		{"lookalike host", "https://graph.microsoft.com.evil.example/v1.0/me", "absolute URLs may only point at"},
		{"user info", "https://graph.microsoft.com@evil.example/v1.0/me", "absolute URLs may only point at"},
		{"protocol-relative", "//evil.example/v1.0/me", ""},
		{"whole path from an expression", "${ inputs.id }", "must start with /"},
		{"no leading slash", "me/events", "must start with /"},
		{"query in path", "/me/events?$select=subject", "must not hold a query"},
		{"fragment in path", "/me/events#x", "must not hold a query or fragment"},
		{"dot dot segment", "/me/../users/x/events", ".."},
		{"dot segment", "/me/./events", "."},
		{"percent-encoded dot dot segment", "/me/%2e%2e/users/x/events", `"%2e%2e" segments`},
		{"half-encoded dot dot segment", "/me/.%2E/users/x/events", `".%2E" segments`},
		{"upper-case encoded dot dot segment", "/me/%2E%2E/users/x/events", `"%2E%2E" segments`},
		{"percent-encoded dot segment", "/me/%2e/events", `"%2e" segments`},
		{"space", "/me/events x", "spaces"},
		{"line break", "/me/events\\r\\nHost: evil", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := fmt.Sprintf(`id: hostile
name: Hostile
description: tries to send the token elsewhere
scopes: [Calendars.Read]
inputs:
  - name: id
    type: string
    prompt: id?
steps:
  - id: leak
    http:
      method: GET
      path: "%s"
`, c.path)
			tp, err := engine.Load("hostile.yaml", []byte(src))
			var le *engine.LoadError
			if err == nil && c.want == "" {
				// Accepted at load: it must be refused at run, before
				// any request leaves.
				g, evil, e := graphAndEvil(t)
				turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{Inputs: map[string]any{"id": "x"}})
				if err != nil {
					t.Fatal(err)
				}
				if turn.Kind != engine.KindFailed || len(g.requests())+len(evil.requests()) != 0 {
					t.Errorf("path %q ran: %v, %d requests to Graph, %d elsewhere", c.path, turn.Kind, len(g.requests()), len(evil.requests()))
				}
				return
			}
			if !errors.As(err, &le) {
				t.Fatalf("Load accepted path %q (err %v)", c.path, err)
			}
			if !strings.Contains(err.Error(), "hostile.yaml:") {
				t.Errorf("the error has no position: %v", err)
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// TestHostileTemplateHeadersAreRefused: a template may not set the
// Authorization or Host header, nor smuggle a header through a line break.
func TestHostileTemplateHeadersAreRefused(t *testing.T) {
	for _, c := range []struct{ name, header string }{
		{"authorization", `Authorization: "Bearer stolen"`},
		{"authorization lower case", `authorization: "Bearer stolen"`},
		{"host", `Host: evil.example`},
		{"literal line break", `X-Note: "a\r\nAuthorization: Bearer stolen"`},
		{"bad header name", `"X Note:": x`},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, _, e := graphAndEvil(t)
			src := `id: hostile
name: Hostile
description: hostile headers
scopes: [User.Read]
steps:
  - id: me
    http:
      method: GET
      path: /me
      headers:
        ` + c.header + `
`
			tp, err := engine.Load("hostile.yaml", []byte(src))
			if err != nil {
				return // refused at load: the best outcome
			}
			turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != engine.KindFailed {
				t.Errorf("the flow ran (%v): the header was accepted", turn.Kind)
			}
			if n := len(g.requests()); n != 0 {
				t.Errorf("Graph received %d requests, want 0", n)
			}
		})
	}
}

// TestHostileValuesInPathsQueriesAndHeaders: values put into a path stay
// one escaped segment (the raw request URI the server receives is
// checked), a $filter literal built with odataString cannot close its
// quotes, and a header value with a line break fails the step before
// anything is sent.
func TestHostileValuesInPathsQueriesAndHeaders(t *testing.T) {
	g, _, e := graphAndEvil(t)
	tp := load(t, "values.yaml", `id: values
name: Values
description: puts answers into a path, a filter and a header
scopes: [Tasks.Read]
inputs:
  - name: id
    type: string
    prompt: Which list?
  - name: name
    type: string
    prompt: Which name?
  - name: note
    type: string
    prompt: A note?
    required: false
    default: plain
steps:
  - id: tasks
    http:
      method: GET
      path: /me/todo/lists/${ inputs.id }/tasks
      query:
        $filter: title eq ${ odataString(inputs.name) }
      headers:
        X-Note: ${ inputs.note }
`)
	pathCases := []struct{ id, wantPath string }{
		{"../../users/other", "/v1.0/me/todo/lists/..%2F..%2Fusers%2Fother/tasks"},
		{"..", "/v1.0/me/todo/lists/%2E%2E/tasks"},
		{".", "/v1.0/me/todo/lists/%2E/tasks"},
		{"a%2Fb", "/v1.0/me/todo/lists/a%252Fb/tasks"},
		{"a/b", "/v1.0/me/todo/lists/a%2Fb/tasks"},
		{"x?$select=id&admin=1", "/v1.0/me/todo/lists/x%3F$select=id&admin=1/tasks"},
		{"x#frag", "/v1.0/me/todo/lists/x%23frag/tasks"},
		{`AAMk+/=="`, "/v1.0/me/todo/lists/AAMk+%2F==%22/tasks"},
		{"https://evil.example/", "/v1.0/me/todo/lists/https:%2F%2Fevil.example%2F/tasks"},
		{"%2e%2e", "/v1.0/me/todo/lists/%252e%252e/tasks"},
		{"\\..\\x", "/v1.0/me/todo/lists/%5C..%5Cx/tasks"},
	}
	for _, c := range pathCases {
		t.Run("path "+c.id, func(t *testing.T) {
			g.reset()
			turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{Inputs: map[string]any{"id": c.id, "name": "x"}})
			if err != nil {
				t.Fatal(err)
			}
			reqs := g.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests (turn %v %v), want 1", len(reqs), turn.Kind, turn.Err)
			}
			if path, _, _ := strings.Cut(reqs[0], "?"); path != c.wantPath {
				t.Errorf("the server received path %s, want %s", path, c.wantPath)
			}
		})
	}

	// $filter: the quote is doubled, so the literal cannot be closed.
	filterCases := []struct{ name, want string }{
		{"x' or true or title eq 'y", "title eq 'x'' or true or title eq ''y'"},
		{"'", "title eq ''''"},
		{"a'')--", "title eq 'a'''')--'"},
		{"%27 or 1 eq 1", "title eq '%27 or 1 eq 1'"},
		{"x&$top=999&$filter=true", "title eq 'x&$top=999&$filter=true'"},
	}
	for _, c := range filterCases {
		t.Run("filter "+c.name, func(t *testing.T) {
			g.reset()
			if _, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{Inputs: map[string]any{"id": "L1", "name": c.name}}); err != nil {
				t.Fatal(err)
			}
			reqs := g.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			_, rawQuery, _ := strings.Cut(reqs[0], "?")
			q, err := urlQuery(rawQuery)
			if err != nil {
				t.Fatal(err)
			}
			if len(q) != 1 || q.Get("$filter") != c.want {
				t.Errorf("query received %v, want only $filter=%q", q, c.want)
			}
		})
	}

	// Headers: a line break in a value fails the step; nothing is sent.
	for _, note := range []string{"a\r\nAuthorization: Bearer stolen", "a\nX-Evil: 1", "a\rb", "a\x00b"} {
		t.Run(fmt.Sprintf("header %q", note), func(t *testing.T) {
			g.reset()
			turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{Inputs: map[string]any{"id": "L1", "name": "x", "note": note}})
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != engine.KindFailed {
				t.Errorf("flow %v, want failed", turn.Kind)
			}
			if n := len(g.requests()); n != 0 {
				t.Errorf("%d requests sent, want 0", n)
			}
		})
	}
}

// TestForeignNextLinksAndRedirectsGetNoToken: Graph (here a loopback
// server playing a hostile or broken Graph) answers with an @odata.nextLink
// to another host, or a redirect to it. The other host never receives an
// Authorization header: it receives nothing at all.
func TestForeignNextLinksAndRedirectsGetNoToken(t *testing.T) {
	tp := load(t, "paging.yaml", `id: paging
name: Paging
description: follows pages
scopes: [Calendars.Read]
steps:
  - id: events
    http:
      method: GET
      path: /me/events
      paging: true
output:
  count: ${ steps.events.count }
`)
	answers := []struct {
		name   string
		answer func(evilURL string) func(w http.ResponseWriter, r *http.Request)
	}{
		{"nextLink to another loopback port", func(evil string) func(http.ResponseWriter, *http.Request) {
			return jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"`+evil+`/v1.0/me/events?$skip=10"}`)
		}},
		{"nextLink with user info", func(evil string) func(http.ResponseWriter, *http.Request) {
			return jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"http://user:pw@`+strings.TrimPrefix(evil, "http://")+`/v1.0/me/events"}`)
		}},
		{"nextLink protocol-relative", func(evil string) func(http.ResponseWriter, *http.Request) {
			return jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"//`+strings.TrimPrefix(evil, "http://")+`/v1.0/me/events"}`)
		}},
		{"302 to another host", func(evil string) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, evil+"/v1.0/me/events", http.StatusFound)
			}
		}},
		{"307 to another host", func(evil string) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, evil+"/v1.0/me/events", http.StatusTemporaryRedirect)
			}
		}},
		{"308 on the second page", func(evil string) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("$skip") == "" {
					jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"http://`+r.Host+`/v1.0/me/events?$skip=1"}`)(w, r)
					return
				}
				http.Redirect(w, r, evil+"/v1.0/me/events", http.StatusPermanentRedirect)
			}
		}},
	}
	for _, c := range answers {
		t.Run(c.name, func(t *testing.T) {
			g, evil, e := graphAndEvil(t)
			g.setAnswer(c.answer(evil.URL))
			turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != engine.KindFailed {
				t.Errorf("flow %v %v, want failed", turn.Kind, turn.Status)
			}
			if n := evil.authorizations(); n != 0 {
				t.Errorf("the other host received %d Authorization headers", n)
			}
			if n := len(evil.requests()); n != 0 {
				t.Errorf("the other host received %d requests, want 0", n)
			}
			if turn.Err != nil && strings.Contains(turn.Err.Error(), hostileToken) {
				t.Errorf("the error shows the token: %v", turn.Err)
			}
		})
	}

	// The same with the host allowed: the token may go there, proving the
	// check above is the allow-list and not a broken link.
	g, evil := newLoopback(t), newLoopback(t)
	e, err := engine.New(engine.Config{GraphURL: g.URL + "/v1.0", Auth: auth.Static(hostileToken), AllowedHosts: []string{strings.TrimPrefix(evil.URL, "http://")}})
	if err != nil {
		t.Fatal(err)
	}
	g.setAnswer(jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"`+evil.URL+`/v1.0/me/events?$skip=10"}`))
	turn, err := e.Run(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindDone || evil.authorizations() != 1 {
		t.Errorf("with the host allowed: flow %v (%v), %d Authorization headers there, want done and 1", turn.Kind, turn.Err, evil.authorizations())
	}
}

// TestTheTokenGoesOnlyToTheGraphHost: a normal run sends the token to the
// Graph host, as "Bearer <token>", and to nothing else.
func TestTheTokenGoesOnlyToTheGraphHost(t *testing.T) {
	g, evil, e := graphAndEvil(t)
	g.setAnswer(jsonAnswer(200, `{"id":"me","displayName":"Me"}`))
	turn, err := e.Run(ctxTimeout(t, 10*time.Second), builtin(t, "whoami"), engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindDone {
		t.Fatalf("whoami: %v %v", turn.Kind, turn.Err)
	}
	g.mu.Lock()
	seen := append([]string(nil), g.authSeen...)
	g.mu.Unlock()
	if len(seen) == 0 || seen[0] != "Bearer "+hostileToken {
		t.Errorf("Graph received Authorization %q, want the bearer token", seen)
	}
	if evil.authorizations() != 0 {
		t.Error("another host received a token")
	}
}

func jsonAnswer(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// TestAnswersCannotChangeTheJSONBody: an answer that looks like JSON is a
// string in the body the engine writes; it cannot add or change fields.
// The sandbox's stored list is checked.
func TestAnswersCannotChangeTheJSONBody(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	e := r.engine(t, nil)
	for _, name := range []string{
		`x","id":"AAMk-evil`,
		`x"}, "wellknownListName": "defaultList", "x": {"`,
		`\"}{\"\\u0022`,
		`${ inputs.name }`,
		`{{ .Token }}`,
	} {
		t.Run(name, func(t *testing.T) {
			turn, err := e.Run(ctxTimeout(t, 10*time.Second), builtin(t, "create-todo-list"), engine.StartOptions{Inputs: map[string]any{"name": name}})
			if err != nil || turn.Kind != engine.KindDone {
				t.Fatalf("%v %+v", err, turn)
			}
			var found sandbox.Object
			for _, l := range r.data(t).Users[0].TodoLists {
				if l.List["displayName"] == name {
					found = l.List
				}
			}
			if found == nil {
				t.Fatalf("no list named exactly %q", name)
			}
			if found["id"] == "AAMk-evil" || found["wellknownListName"] != "none" {
				t.Errorf("the answer changed other fields: %v", found)
			}
		})
	}
}
