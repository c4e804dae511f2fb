package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// fixedNow is the clock of every test session.
var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// recorded is one request the fake Graph received.
type recorded struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

// fakeGraph is a loopback server answering with canned JSON per
// "METHOD /path" and recording the requests.
type fakeGraph struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	routes   map[string]func(w http.ResponseWriter, r *http.Request)
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{routes: map[string]func(http.ResponseWriter, *http.Request){}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.mu.Lock()
		g.requests = append(g.requests, recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: string(body), Header: r.Header.Clone()})
		h := g.routes[r.Method+" "+r.URL.EscapedPath()]
		g.mu.Unlock()
		if h == nil {
			writeJSON(w, 404, `{"error":{"code":"ResourceNotFound","message":"no route `+r.Method+" "+r.URL.EscapedPath()+`"}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) handle(route string, status int, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.routes[route] = func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }
}

func (g *fakeGraph) handleFunc(route string, h func(w http.ResponseWriter, r *http.Request)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.routes[route] = h
}

func (g *fakeGraph) sent() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]recorded(nil), g.requests...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("request-id", "req-1")
	w.WriteHeader(status)
	if body != "" {
		io.WriteString(w, body)
	}
}

func mustLoad(t testing.TB, path string) *Template {
	t.Helper()
	tp, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func newTestEngine(t testing.TB, g *fakeGraph, provider auth.Provider, templates ...*Template) *Engine {
	t.Helper()
	if provider == nil {
		provider = auth.Static("test-token")
	}
	e, err := New(Config{
		GraphURL:   g.URL + "/v1.0",
		HTTPClient: g.Client(),
		Auth:       provider,
		Now:        func() time.Time { return fixedNow },
		Templates:  templates,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// roundTrip stores a state the way a bot would (inside a JSON document)
// and reads it back.
func roundTrip(t testing.TB, state []byte) []byte {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"conversation": "c1", "state": json.RawMessage(state)})
	if err != nil {
		t.Fatalf("state is not JSON: %v", err)
	}
	var back struct {
		State json.RawMessage `json:"state"`
	}
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(back.State), "test-token") {
		t.Fatal("the state holds the token")
	}
	return back.State
}

// drive starts a session and answers its questions in order; every resume
// goes through a JSON round trip and a fresh Engine (as on another
// machine). It returns the last turn and every question asked.
func drive(t testing.TB, g *fakeGraph, provider auth.Provider, tp *Template, opts StartOptions, answers ...string) (*Turn, []*Question) {
	t.Helper()
	e := newTestEngine(t, g, provider)
	turn, err := e.Start(context.Background(), tp, opts)
	if err != nil {
		t.Fatal(err)
	}
	var questions []*Question
	var messages []string
	for _, a := range answers {
		messages = append(messages, turn.Messages...)
		if turn.Kind != KindQuestion && turn.Kind != KindSignIn {
			t.Fatalf("turn %d is %v (%v), but answers remain: %q", len(questions)+1, turn.Kind, turn.Err, a)
		}
		questions = append(questions, turn.Question)
		fresh := newTestEngine(t, g, provider, tp)
		turn, err = fresh.Resume(context.Background(), roundTrip(t, turn.State), a)
		if err != nil {
			t.Fatal(err)
		}
	}
	turn.Messages = append(messages, turn.Messages...)
	return turn, questions
}
