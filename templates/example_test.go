package templates_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

func ExampleLoad() {
	ts, err := templates.Load()
	if err != nil {
		panic(err)
	}
	for _, t := range ts[:3] {
		fmt.Println(t.ID(), t.Scopes())
	}
	// Output:
	// agenda [MailboxSettings.Read Calendars.ReadBasic]
	// complete-task [Tasks.ReadWrite]
	// create-event [MailboxSettings.Read Calendars.ReadWrite]
}

// Run a built-in template against the sandbox, with its input given up
// front, as `runflow run create-todo-list --set name=Groceries --sandbox`
// does.
func ExampleGet() {
	sbx := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sbx)
	defer srv.Close()

	t, err := templates.Get("create-todo-list")
	if err != nil {
		panic(err)
	}
	eng, err := engine.New(engine.Config{
		GraphURL: srv.URL + "/v1.0",
		Auth:     auth.Static(sbx.Token(t.Scopes()...)),
	})
	if err != nil {
		panic(err)
	}
	turn, err := eng.Run(context.Background(), t, engine.StartOptions{Inputs: map[string]any{"name": "  Groceries for Sunday "}})
	if err != nil {
		panic(err)
	}
	fmt.Println(turn.Status, turn.Messages)
	// Output:
	// completed [Created the list "Groceries for Sunday".]
}
