package engine

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/runflow/runflow/graph"
)

func listsGraph(t *testing.T) *fakeGraph {
	g := newFakeGraph(t)
	g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("$skip") == "2" {
			writeJSON(w, 200, `{"value":[{"id":"a/b","displayName":"Work"}]}`)
			return
		}
		writeJSON(w, 200, `{"value":[{"id":"L1","displayName":"Tasks"},{"id":"L2","displayName":"Home"}],"@odata.nextLink":"`+g.URL+`/v1.0/me/todo/lists?$top=2&$skip=2"}`)
	})
	g.handle("POST /v1.0/me/todo/lists/a%2Fb/tasks", 201, `{"id":"T1","title":"Something","importance":"normal"}`)
	return g
}

func TestAllStepKinds(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	g := listsGraph(t)
	turn, qs := drive(t, g, nil, tp, StartOptions{}, "add", "work", "", "yes")
	if turn.Kind != KindDone || turn.Status != StatusCompleted {
		t.Fatalf("turn %v %v: %v", turn.Kind, turn.Status, turn.Err)
	}
	wantQ := []struct{ input, typ string }{{"mode", "choice"}, {"list", "choice"}, {"title", "string"}, {"", "confirm"}}
	for i, w := range wantQ {
		if qs[i].Input != w.input || qs[i].Type != w.typ {
			t.Errorf("question %d: %s/%s, want %s/%s", i+1, qs[i].Input, qs[i].Type, w.input, w.typ)
		}
	}
	if got := qs[1].Choices; len(got) != 3 || got[2].Value != "a/b" || got[2].Label != "Work" {
		t.Errorf("choices from Graph: %+v", got)
	}
	if qs[2].Text != "Task title for Work?" || qs[2].Default != "Something" {
		t.Errorf("title question: %+v", qs[2])
	}
	if qs[3].Text != `Add "Something" to Work?` || qs[3].StepID == "" {
		t.Errorf("confirm question: %+v", qs[3])
	}
	wantMsgs := []string{"You have 3 lists.", "1. Tasks", "2. Home", "3. Work", "Adding.", "A work task.", "Done with status 201."}
	if !reflect.DeepEqual(turn.Messages, wantMsgs) {
		t.Errorf("messages %q\nwant %q", turn.Messages, wantMsgs)
	}
	if len(turn.Outputs) != 3 || turn.Outputs[0].Value != "Work" || turn.Outputs[1].Value != 201 {
		t.Fatalf("outputs %+v", turn.Outputs)
	}
	if task := turn.Outputs[2]; !reflect.DeepEqual(task.Columns, []string{"id", "title"}) || !reflect.DeepEqual(task.Value, map[string]any{"id": "T1", "title": "Something"}) {
		t.Errorf("task output %+v", task)
	}
	reqs := g.sent()
	if len(reqs) != 3 {
		t.Fatalf("%d requests: %+v", len(reqs), reqs)
	}
	if reqs[0].Query != "%24top=2" || !strings.Contains(reqs[1].Query, "skip=2") {
		t.Errorf("paging queries %q, %q", reqs[0].Query, reqs[1].Query)
	}
	post := reqs[2]
	if post.Body != `{"title":"Something","importance":"normal"}` {
		t.Errorf("body %s", post.Body)
	}
	if post.Header.Get("client-request-id") == "" || post.Header.Get("Authorization") != "Bearer test-token" {
		t.Errorf("headers %v", post.Header)
	}
}

func TestAllStepKindsBranches(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	t.Run("fail step", func(t *testing.T) {
		turn, _ := drive(t, listsGraph(t), nil, tp, StartOptions{}, "Fail")
		var fe *FlowError
		var fs *FailStepError
		if turn.Kind != KindFailed || !errors.As(turn.Err, &fe) || !errors.As(turn.Err, &fs) || fs.Message != "You asked to fail." {
			t.Fatalf("turn %v: %v", turn.Kind, turn.Err)
		}
		if fe.Step == "" || !strings.HasPrefix(fe.Pos, "../testdata/templates/all-steps.yaml:") {
			t.Errorf("flow error %+v", fe)
		}
	})
	t.Run("confirm no cancels", func(t *testing.T) {
		g := listsGraph(t)
		turn, _ := drive(t, g, nil, tp, StartOptions{}, "1", "3", "Buy milk", "n")
		if turn.Kind != KindDone || turn.Status != StatusCancelled || len(turn.Outputs) != 0 {
			t.Fatalf("turn %+v", turn)
		}
		for _, r := range g.sent() {
			if r.Method == "POST" {
				t.Fatal("a cancelled flow sent a POST")
			}
		}
	})
	t.Run("on_error steps then end", func(t *testing.T) {
		g := listsGraph(t)
		g.handle("POST /v1.0/me/todo/lists/a%2Fb/tasks", 404, `{"error":{"code":"ErrorItemNotFound","message":"gone"}}`)
		turn, _ := drive(t, g, nil, tp, StartOptions{AutoConfirm: true}, "add", "Work", "x")
		if turn.Kind != KindDone || turn.Status != StatusCompleted {
			t.Fatalf("turn %v %v", turn.Kind, turn.Err)
		}
		if last := turn.Messages[len(turn.Messages)-1]; last != "That list is gone." {
			t.Errorf("messages %q", turn.Messages)
		}
		if turn.Outputs[1].Value != 404 {
			t.Errorf("status output %v", turn.Outputs[1].Value)
		}
	})
	t.Run("on_error continue", func(t *testing.T) {
		g := listsGraph(t)
		g.handle("POST /v1.0/me/todo/lists/a%2Fb/tasks", 409, `{"error":{"code":"Conflict","message":"exists"}}`)
		turn, _ := drive(t, g, nil, tp, StartOptions{AutoConfirm: true}, "add", "Work", "x")
		if turn.Kind != KindDone || turn.Messages[len(turn.Messages)-1] != "Done with status 409." {
			t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
		}
	})
	t.Run("unhandled graph error fails", func(t *testing.T) {
		g := listsGraph(t)
		g.handle("POST /v1.0/me/todo/lists/a%2Fb/tasks", 403, `{"error":{"code":"ErrorAccessDenied","message":"Access is denied.","innerError":{"request-id":"r-9"}}}`)
		turn, _ := drive(t, g, nil, tp, StartOptions{AutoConfirm: true}, "add", "Work", "x")
		var ge *graph.Error
		if turn.Kind != KindFailed || !errors.As(turn.Err, &ge) || ge.Status != 403 || ge.Code != "ErrorAccessDenied" {
			t.Fatalf("turn %v: %v", turn.Kind, turn.Err)
		}
	})
	t.Run("bad answers then too many", func(t *testing.T) {
		turn, qs := drive(t, listsGraph(t), nil, tp, StartOptions{}, "maybe", "7", "nope")
		if qs[1].Attempt != 2 || qs[1].Error == "" || qs[2].Attempt != 3 {
			t.Errorf("questions %+v %+v", qs[1], qs[2])
		}
		var ie *InputError
		if turn.Kind != KindFailed || !errors.As(turn.Err, &ie) || ie.Input != "mode" || ie.Attempts != 3 {
			t.Fatalf("turn %v: %v", turn.Kind, turn.Err)
		}
	})
}

func TestDryRunStopsBeforeWrite(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	g := listsGraph(t)
	turn, _ := drive(t, g, nil, tp, StartOptions{DryRun: true, AutoConfirm: true}, "add", "Work", "Plan")
	if turn.Kind != KindDone || turn.Status != StatusDryRun || turn.DryRun == nil {
		t.Fatalf("turn %v %v %v", turn.Kind, turn.Status, turn.Err)
	}
	p := turn.DryRun
	if p.Method != "POST" || p.URL != g.URL+"/v1.0/me/todo/lists/a%2Fb/tasks" || string(p.Body) != `{"title":"Plan","importance":"normal"}` {
		t.Errorf("planned %+v", p)
	}
	if p.Header.Get("Authorization") != "" || p.Header.Get("Content-Type") != "application/json" {
		t.Errorf("planned headers %v", p.Header)
	}
	for _, r := range g.sent() {
		if r.Method != "GET" {
			t.Fatalf("dry run sent %s %s", r.Method, r.Path)
		}
	}
}

func TestUserMailboxAndPresets(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/create-todo-list.yaml")
	g := newFakeGraph(t)
	g.handle("POST /v1.0/users/adele%2Fx@contoso.com/todo/lists", 201, `{"id":"N1","displayName":"Trip"}`)
	e := newTestEngine(t, g, nil)
	turn, err := e.Run(context.Background(), tp, StartOptions{User: "adele/x@contoso.com", Inputs: map[string]any{"name": "  Trip "}})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != KindDone || len(turn.Outputs) != 2 || turn.Outputs[0].Value != "N1" {
		t.Fatalf("turn %v %v %+v", turn.Kind, turn.Err, turn.Outputs)
	}
	if body := g.sent()[0].Body; body != `{"displayName":"Trip"}` {
		t.Errorf("body %s", body)
	}
}

func TestMissingAndBadPresets(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-inputs.yaml")
	g := newFakeGraph(t)
	e := newTestEngine(t, g, nil)
	want := []string{"s", "t", "i", "n", "b", "e", "d", "tm", "dt", "c"}
	if got := tp.MissingInputs(map[string]any{"es": "x@y.z"}); !reflect.DeepEqual(got, want) {
		t.Errorf("MissingInputs %v", got)
	}
	turn, err := e.Run(context.Background(), tp, StartOptions{Inputs: map[string]any{"s": "x"}})
	var mi *MissingInputsError
	if err != nil || turn.Kind != KindFailed || !errors.As(turn.Err, &mi) || len(mi.Names) != len(want)-1 {
		t.Fatalf("turn %v %v %v", turn, err, turn.Err)
	}
	full := map[string]any{"s": "x", "t": "y", "i": 99.0, "n": 1, "b": true, "e": "a@b.c", "d": "2026-12-01", "tm": "9am", "dt": "tomorrow 9am", "c": "low"}
	turn, _ = e.Run(context.Background(), tp, StartOptions{Inputs: full})
	var ie *InputError
	if turn.Kind != KindFailed || !errors.As(turn.Err, &ie) || ie.Input != "i" || ie.Message != "Between 1 and 10, please." {
		t.Fatalf("turn %v %v", turn.Kind, turn.Err)
	}
	if len(g.sent()) != 0 {
		t.Fatal("a request was sent before the inputs were valid")
	}
	if _, err := e.Start(context.Background(), tp, StartOptions{Inputs: map[string]any{"nope": 1}}); err == nil {
		t.Fatal("an unknown preset must be an error")
	}
	if _, err := e.Start(context.Background(), nil, StartOptions{}); err == nil {
		t.Fatal("a nil template must be an error")
	}
}
