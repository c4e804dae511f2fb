package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// A state keeps of a step body only the values at the plain paths later
// expressions read, and those paths give the same values on what is kept.
func TestKeptBody(t *testing.T) {
	const body = `{"timeZone":"Pacific Standard Time","a":{"b":{"c":1,"d":[1,2]},"e":"x"},"list":[{"id":"1"},{"id":"2"}],"big":"` + "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" + `"}`
	for _, c := range []struct {
		name, reads, want string
	}{
		{"one key", `json(steps.s.body, "timeZone")`, `{"timeZone":"Pacific Standard Time"}`},
		{"nested and prefix", `json(steps.s.body, "a.b.c") + json(steps.s.body, "a.b")`, `{"a":{"b":{"c":1,"d":[1,2]}}}`},
		{"two branches", `json(steps.s.body, "a.e") + json(steps.s.body, "a.b.c")`, `{"a":{"b":{"c":1},"e":"x"}}`},
		{"array index", `json(steps.s.body, "list.1.id")`, `{"list":{"1":{"id":"2"}}}`},
		{"missing", `json(steps.s.body, "nope.x")`, `{}`},
		{"a query keeps all", `json(steps.s.body, "list.#.id")`, body},
		{"a computed path keeps all", `json(steps.s.body, vars.p)`, body},
		{"the text keeps all", `len(steps.s.body)`, body},
		{"not read", `steps.s.status`, ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInline(t, `
steps:
  - set: {p: timeZone}
  - id: s
    http: {method: GET, path: /me/todo/lists}
  - ask: x
  - say: '${ `+c.reads+` }'
inputs:
  - {name: x, type: string, prompt: x}
`)
			got := tp.keptBody("s", body)
			if got != c.want {
				t.Fatalf("kept %s, want %s", got, c.want)
			}
			for _, p := range tp.bodyPaths["s"] {
				if a, b := gjson.Get(body, p), gjson.Get(got, p); !tp.wholeBody["s"] && a.Raw != b.Raw {
					t.Errorf("path %s: %s on the body, %s on what is kept", p, a.Raw, b.Raw)
				}
			}
		})
	}
}

// A session whose state kept part of a body resumes with the same values.
func TestKeptBodyResumes(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: x, type: string, prompt: x}
steps:
  - id: s
    http: {method: GET, path: /me/todo/lists}
  - ask: x
  - say: '${ json(steps.s.body, "value.0.displayName") } ${ json(steps.s.body, "extra") ?? "none" } ${ steps.s.status }'
`)
	g := newFakeGraph(t)
	g.handle("GET /v1.0/me/todo/lists", 200, `{"value":[{"displayName":"Tasks","id":"`+strings.Repeat("A", 500)+`"}]}`)
	e := newTestEngine(t, g, nil, tp)
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(err, turn)
	}
	if len(turn.State) > 400 || strings.Contains(string(turn.State), "AAAA") {
		t.Errorf("the state keeps the whole body (%d bytes): %s", len(turn.State), turn.State)
	}
	turn, err = e.Resume(context.Background(), turn.State, "go")
	if err != nil || turn.Kind != KindDone || turn.Messages[0] != "Tasks none 200" {
		t.Fatalf("%v %+v", err, turn)
	}
}
