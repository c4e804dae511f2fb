package engine_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

const exampleTemplate = `
id: create-todo-list
name: Create a To Do list
description: Creates a new list in the user's Microsoft To Do.
scopes: [Tasks.ReadWrite]
inputs:
  - name: name
    type: string
    prompt: What should the list be called?
steps:
  - id: create
    http:
      method: POST
      path: /me/todo/lists
      body:
        displayName: ${ inputs.name }
      success: [201]
  - say: Created the list "${ json(steps.create.body, 'displayName') }".
output:
  id: ${ json(steps.create.body, 'id') }
`

// fakeGraph answers POST /v1.0/me/todo/lists like Microsoft Graph does.
func fakeGraph() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"AAMkADIy","displayName":%s}`, body[len(`{"displayName":`):len(body)-1])
	}))
}

func ExampleLoad() {
	t, err := engine.Load("create-todo-list.yaml", []byte(exampleTemplate))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.ID(), t.Scopes())
	for _, in := range t.Inputs() {
		fmt.Println(in.Name, in.Type, in.Prompt)
	}
	for _, s := range t.Steps() {
		fmt.Println(s.ID, s.Kind, s.Summary)
	}
	// Output:
	// create-todo-list [Tasks.ReadWrite]
	// name string What should the list be called?
	// create http POST /me/todo/lists
	// #2 say Created the list "${ json(steps.create.body, 'displayName') }".
}

func ExampleCheck() {
	src := []byte(`
id: broken
name: Broken
description: Reads a step before it runs.
scopes: [Tasks.Read]
steps:
  - say: ${ steps.lists.count } lists
  - id: lists
    http:
      method: GET
      path: /me/todo/lists
`)
	for _, p := range engine.Check("broken.yaml", src) {
		fmt.Println(p)
	}
	// Output:
	// broken.yaml:7:19: steps.lists is not available here: step lists (line 8) has not run on every path to this point
}

func ExampleEngine_Start() {
	srv := fakeGraph()
	defer srv.Close()
	t, _ := engine.Load("create-todo-list.yaml", []byte(exampleTemplate))
	e, _ := engine.New(engine.Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token")})

	turn, _ := e.Start(context.Background(), t, engine.StartOptions{})
	fmt.Println(turn.Kind, turn.Question.Text)

	// A bot stores turn.State with the conversation and resumes with the
	// user's next message, possibly on another machine.
	turn, _ = e.Resume(context.Background(), turn.State, "Groceries")
	fmt.Println(turn.Kind, turn.Status, turn.Messages)
	for _, o := range turn.Outputs {
		fmt.Println(o.Name, o.Value)
	}
	// Output:
	// question What should the list be called?
	// done completed [Created the list "Groceries".]
	// id AAMkADIy
}

func ExampleEngine_Run() {
	srv := fakeGraph()
	defer srv.Close()
	t, _ := engine.Load("create-todo-list.yaml", []byte(exampleTemplate))
	e, _ := engine.New(engine.Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token")})

	turn, _ := e.Run(context.Background(), t, engine.StartOptions{})
	fmt.Println(turn.Kind, turn.Err)

	turn, _ = e.Run(context.Background(), t, engine.StartOptions{Inputs: map[string]any{"name": "Trip"}})
	fmt.Println(turn.Kind, turn.Outputs[0].Value)

	turn, _ = e.Run(context.Background(), t, engine.StartOptions{Inputs: map[string]any{"name": "Trip"}, DryRun: true})
	fmt.Println(turn.Status, turn.DryRun.Method, string(turn.DryRun.Body))
	// Output:
	// failed missing required input: name
	// done AAMkADIy
	// dry-run POST {"displayName":"Trip"}
}

// A conversation kept in a SessionStore: the engine loads it, resumes it
// and saves it with a compare-and-swap, so a message delivered twice is
// answered twice but acted on once.
func ExampleEngine_HandleMessage() {
	srv := fakeGraph()
	defer srv.Close()
	t, _ := engine.Load("create-todo-list.yaml", []byte(exampleTemplate))
	e, _ := engine.New(engine.Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token"),
		StateKey: []byte("0123456789abcdef0123456789abcdef")}) // states are signed
	store := new(engine.MemorySessionStore) // Redis, bbolt... for several processes
	ctx := context.Background()

	turn, _ := e.StartFlow(ctx, store, "teams:19:abc/user-1", t, engine.StartOptions{Subject: "user-1"}, "msg-1")
	fmt.Println(turn.Seq, turn.Kind, turn.Question.Text)

	answer := engine.Message{ID: "msg-2", Text: "Groceries"}
	turn, _ = e.HandleMessage(ctx, store, "teams:19:abc/user-1", answer)
	fmt.Println(turn.Seq, turn.Kind, turn.Status, turn.Messages, turn.Replay)

	// The platform delivers msg-2 again: the same turn, nothing sent.
	turn, _ = e.HandleMessage(ctx, store, "teams:19:abc/user-1", answer)
	fmt.Println(turn.Seq, turn.Kind, turn.Status, turn.Messages, turn.Replay)

	// Another message: no flow is running.
	turn, _ = e.HandleMessage(ctx, store, "teams:19:abc/user-1", engine.Message{ID: "msg-3", Text: "hello?"})
	fmt.Println(turn.Seq, turn.Kind)

	// A cancel word leaves a flow; nothing is sent.
	e.StartFlow(ctx, store, "teams:19:abc/user-1", t, engine.StartOptions{Subject: "user-1"}, "msg-4")
	turn, _ = e.HandleMessage(ctx, store, "teams:19:abc/user-1", engine.Message{ID: "msg-5", Text: "Never mind"})
	fmt.Println(turn.Seq, turn.Kind, turn.Status)
	// Output:
	// 1 question What should the list be called?
	// 3 done completed [Created the list "Groceries".] false
	// 3 done completed [Created the list "Groceries".] true
	// 3 idle
	// 5 done cancelled
}
