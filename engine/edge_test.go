package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

func loadInline(t *testing.T, body string) *Template {
	t.Helper()
	return loadInlineScopes(t, "[Tasks.ReadWrite]", body)
}

func loadInlineScopes(t *testing.T, scopes, body string) *Template {
	t.Helper()
	src := "id: edge\nname: Edge\ndescription: An edge case.\nscopes: " + scopes + "\n" + body
	tp, err := Load("edge.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func runInline(t *testing.T, g *fakeGraph, tp *Template, opts StartOptions, lim Limits) *Turn {
	t.Helper()
	e, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("test-token"), Now: func() time.Time { return fixedNow }, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	turn, err := e.Run(context.Background(), tp, opts)
	if err != nil {
		t.Fatal(err)
	}
	return turn
}

func wantFailure(t *testing.T, turn *Turn, contains string) {
	t.Helper()
	if turn.Kind != KindFailed || turn.Err == nil || !strings.Contains(turn.Err.Error(), contains) {
		t.Fatalf("turn %v, error %v; want a failure containing %q", turn.Kind, turn.Err, contains)
	}
	var fe *FlowError
	if !errors.As(turn.Err, &fe) {
		t.Fatalf("error %T is not a *FlowError", turn.Err)
	}
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: id, type: string, prompt: "Id?"}
steps:
  - http:
      method: GET
      path: /me/todo/lists/${ inputs.id }/tasks
`)
	cases := map[string]string{
		"..":          "/v1.0/me/todo/lists/%2E%2E/tasks",
		".":           "/v1.0/me/todo/lists/%2E/tasks",
		"a/b?c#d%e f": "/v1.0/me/todo/lists/a%2Fb%3Fc%23d%25e%20f/tasks",
	}
	for id, want := range cases {
		g := newFakeGraph(t)
		g.handle("GET "+want, 200, `{}`)
		turn := runInline(t, g, tp, StartOptions{Inputs: map[string]any{"id": id}}, Limits{})
		if turn.Kind != KindDone {
			t.Errorf("%q: %v %v (sent %+v)", id, turn.Kind, turn.Err, g.sent())
		}
	}
}

func TestHeaderLineBreaksRejected(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: note, type: text, prompt: "Note?"}
steps:
  - http:
      method: GET
      path: /me/todo/lists
      headers:
        X-Note: ${ inputs.note }
`)
	g := newFakeGraph(t)
	turn := runInline(t, g, tp, StartOptions{Inputs: map[string]any{"note": "a\r\nInjected: yes"}}, Limits{})
	wantFailure(t, turn, "line break")
	if len(g.sent()) != 0 {
		t.Fatal("the request was sent")
	}
}

func TestPagingCapsAndForeignNextLink(t *testing.T) {
	tp := loadInline(t, `
steps:
  - id: lists
    http:
      method: GET
      path: /me/todo/lists
      paging:
        max_items: 3
output:
  count: ${ steps.lists.count }
  truncated: ${ steps.lists.truncated }
  names: ${ json(steps.lists.items, '#.n') }
`)
	g := newFakeGraph(t)
	g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			writeJSON(w, 200, `{"value":[{"n":"c"},{"n":"d"}],"@odata.nextLink":"`+g.URL+`/v1.0/me/todo/lists?page=3"}`)
			return
		}
		writeJSON(w, 200, `{"value":[{"n":"a"},{"n":"b"}],"@odata.nextLink":"`+g.URL+`/v1.0/me/todo/lists?page=2"}`)
	})
	turn := runInline(t, g, tp, StartOptions{}, Limits{})
	if turn.Kind != KindDone || turn.Outputs[0].Value != 3 || turn.Outputs[1].Value != true || textOf(turn.Outputs[2].Value) != "a, b, c" {
		t.Fatalf("turn %v %v %+v", turn.Kind, turn.Err, turn.Outputs)
	}
	if n := len(g.sent()); n != 2 {
		t.Errorf("%d requests, want 2 (the cap stops paging)", n)
	}

	evil := newFakeGraph(t)
	evil.handle("GET /v1.0/me/todo/lists", 200, `{"value":[{"n":"a"}],"@odata.nextLink":"https://attacker.example/steal"}`)
	turn = runInline(t, evil, tp, StartOptions{}, Limits{})
	wantFailure(t, turn, "attacker.example")
}

func TestLimitsAtRunTime(t *testing.T) {
	t.Run("state size", func(t *testing.T) {
		tp := loadInline(t, `
inputs:
  - {name: pick, type: string, prompt: "Pick from ${ len(steps.big.body) } bytes"}
steps:
  - id: big
    http:
      method: GET
      path: /me/todo/lists
  - ask: pick
`)
		g := newFakeGraph(t)
		g.handle("GET /v1.0/me/todo/lists", 200, `{"value":"`+strings.Repeat("x", 4000)+`"}`)
		e, _ := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("t"), Limits: Limits{MaxStateBytes: 2000}})
		turn, err := e.Start(context.Background(), tp, StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantFailure(t, turn, "MaxStateBytes")
	})
	t.Run("expression memory", func(t *testing.T) {
		tp := loadInline(t, `
steps:
  - set:
      big: "${ map(1..10000000, # * 2) }"
`)
		wantFailure(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{MaxMemory: 10000}), "memory budget")
	})
	t.Run("foreach max", func(t *testing.T) {
		tp := loadInline(t, `
steps:
  - foreach: ${ [1, 2, 3] }
    as: n
    max: 2
    steps:
      - say: ${ n }
`)
		wantFailure(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}), "more than the maximum of 2")
	})
	t.Run("step timeout", func(t *testing.T) {
		tp := loadInline(t, `
steps:
  - http:
      method: GET
      path: /me/todo/lists
`)
		g := newFakeGraph(t)
		release := make(chan struct{})
		defer close(release)
		g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		turn := runInline(t, g, tp, StartOptions{}, Limits{StepTimeout: 50 * time.Millisecond})
		wantFailure(t, turn, "deadline")
	})
}

func TestRunWithConfirm(t *testing.T) {
	tp := loadInline(t, `
steps:
  - confirm: Really?
  - say: yes
`)
	wantFailure(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}), "AutoConfirm")
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{AutoConfirm: true}, Limits{})
	if turn.Kind != KindDone || len(turn.Messages) != 1 {
		t.Fatalf("turn %v %v", turn.Kind, turn.Err)
	}
}

func TestRunTimeFailures(t *testing.T) {
	t.Run("expression error", func(t *testing.T) {
		tp := loadInline(t, `
inputs:
  - {name: i, type: integer, prompt: "Index?"}
steps:
  - say: ${ [1, 2][inputs.i] }
`)
		wantFailure(t, runInline(t, newFakeGraph(t), tp, StartOptions{Inputs: map[string]any{"i": 5}}, Limits{}), "${ [1, 2][inputs.i] } (edge.yaml:9:13): ")
	})
	t.Run("no options", func(t *testing.T) {
		tp := loadInline(t, `
inputs:
  - name: c
    type: choice
    prompt: Which?
    choices_from:
      items: ${ [] }
      value: ${ item }
steps:
  - say: ${ inputs.c }
`)
		e := newTestEngine(t, newFakeGraph(t), nil)
		turn, err := e.Start(context.Background(), tp, StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantFailure(t, turn, "no options")
	})
	t.Run("unexpected success status", func(t *testing.T) {
		tp := loadInline(t, `
steps:
  - http:
      method: POST
      path: /me/todo/lists
      body: {displayName: x}
      success: [201]
`)
		g := newFakeGraph(t)
		g.handle("POST /v1.0/me/todo/lists", 200, `{"id":"x"}`)
		turn := runInline(t, g, tp, StartOptions{}, Limits{})
		var ge *graph.Error
		if !errors.As(turn.Err, &ge) || ge.Status != 200 {
			t.Fatalf("turn %v %v", turn.Kind, turn.Err)
		}
		wantFailure(t, turn, "unexpected status 200")
	})
}
