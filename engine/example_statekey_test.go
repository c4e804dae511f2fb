package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// A bot signs the states it hands out with Config.StateKey, so that an
// edited state (another user, another mailbox, a skipped confirmation) is
// refused instead of obeyed.
func ExampleConfig_stateKey() {
	srv := fakeGraph()
	defer srv.Close()
	t, _ := engine.Load("create-todo-list.yaml", []byte(exampleTemplate))
	// In a real bot: 32 random bytes, kept secret, the same on every
	// machine that resumes sessions.
	key := []byte("an example key of 32 bytes, or more")
	e, err := engine.New(engine.Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token"), StateKey: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	turn, _ := e.Start(ctx, t, engine.StartOptions{Subject: "mallory"})
	fmt.Println(turn.Question.Text)

	edited := bytes.Replace(turn.State, []byte(`"subject":"mallory"`), []byte(`"subject":"alice"`), 1)
	_, err = e.Resume(ctx, edited, "Groceries")
	var se *engine.StateError
	fmt.Println(errors.As(err, &se))

	turn, _ = e.Resume(ctx, turn.State, "Groceries")
	fmt.Println(turn.Messages[0])
	// Output:
	// What should the list be called?
	// true
	// Created the list "Groceries".
}
