package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

func TestTemplateDescribesItself(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	if tp.ID() != "all-steps" || tp.Name() != "Every step kind" || !strings.HasPrefix(tp.Description(), "Lists To Do") || tp.Source() != "../testdata/templates/all-steps.yaml" {
		t.Errorf("accessors: %q %q %q %q", tp.ID(), tp.Name(), tp.Description(), tp.Source())
	}
	if !reflect.DeepEqual(tp.Scopes(), []string{"Tasks.ReadWrite"}) || len(tp.Hash()) != 32 {
		t.Errorf("scopes %v hash %q", tp.Scopes(), tp.Hash())
	}
	ins := tp.Inputs()
	if len(ins) != 3 || ins[0].AskStep != "" || ins[1].AskStep != "#8" || !ins[1].ChoicesFromSteps || ins[2].Default != "Something" || len(ins[0].Choices) != 2 || ins[0].Choices[1].Label != "Fail" {
		t.Errorf("inputs %+v", ins)
	}
	steps := tp.Steps()
	var kinds []string
	for _, s := range steps {
		kinds = append(kinds, strings.Repeat(">", s.Depth)+s.Kind)
	}
	want := "http say foreach >say switch >fail >say ask set ask if >say >say confirm http >say >end say"
	if strings.Join(kinds, " ") != want {
		t.Errorf("steps %s\nwant  %s", strings.Join(kinds, " "), want)
	}
	if steps[0].ID != "lists" || steps[0].Summary != "GET /me/todo/lists" || steps[14].Summary != "POST /me/todo/lists/{inputs.list}/tasks" {
		t.Errorf("summaries %+v %+v", steps[0], steps[14])
	}
}

func TestLoadFSAndErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"ok.yaml":  {Data: mustRead(t, "../testdata/templates/create-todo-list.yaml")},
		"bad.yaml": {Data: []byte("id: x\nname: y\ndescription: z\nscopes: [User.Read, Mail.Send]\nsteps:\n  - http: {method: GET, path: /me}\n  - say: ${ nope }\n")},
	}
	if tp, err := LoadFS(fsys, "ok.yaml"); err != nil || tp.Source() != "ok.yaml" {
		t.Fatalf("LoadFS: %v", err)
	}
	_, err := LoadFS(fsys, "bad.yaml")
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %T %v", err, err)
	}
	// Error() lists only errors; Problems keeps the warning too.
	if got := err.Error(); got != "bad.yaml:7:13: expression: unknown name nope" {
		t.Errorf("Error() = %q", got)
	}
	if len(le.Problems) != 2 || le.Problems[0].String() != "bad.yaml:4:21: warning: scope Mail.Send is declared but no http step needs it" {
		t.Errorf("problems %v", le.Problems)
	}
	if _, err := LoadFS(fsys, "missing.yaml"); err == nil {
		t.Fatal("a missing file must fail")
	}
}

func TestTraceNeverShowsTheToken(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/create-todo-list.yaml")
	g := newFakeGraph(t)
	g.handle("POST /v1.0/me/todo/lists", 201, `{"id":"N1","displayName":"Trip"}`)
	var events []graph.TraceEvent
	e, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("secret-token-123"), Zone: time.Local,
		Trace: func(ev graph.TraceEvent) { events = append(events, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(err)
	}
	turn, err = e.Resume(context.Background(), turn.State, "Trip")
	if err != nil || turn.Kind != KindDone {
		t.Fatalf("%v %v", err, turn.Err)
	}
	if len(events) != 1 || events[0].Method != "POST" || events[0].Status != 201 {
		t.Fatalf("events %+v", events)
	}
	for _, ev := range events {
		if strings.Contains(ev.URL, "secret-token") {
			t.Fatal("the trace shows the token")
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := New(Config{GraphURL: "https://graph.microsoft.com/v1.0"}); err == nil {
		t.Error("no auth provider must be an error")
	}
	if _, err := New(Config{GraphURL: "not a url", Auth: auth.Static("t")}); err == nil {
		t.Error("a bad Graph URL must be an error")
	}
}
