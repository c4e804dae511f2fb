package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/templates"
)

// TestBotFlowPausesForSignInAndResumes runs a built-in template in a bot
// conversation through the engine: the flow pauses at the step that needs
// Graph with a sign-in link, the user signs in and types the magic code,
// and the flow resumes at that step and finishes. The saved state never
// holds a token or the code.
func TestBotFlowPausesForSignInAndResumes(t *testing.T) {
	b := newBotEnv(t)
	tmpl, err := templates.Get("create-todo-list")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{GraphURL: b.ts.URL + "/v1.0", HTTPClient: b.ts.Client(), Auth: b.bot, Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := engine.StartOptions{Subject: "user-alice", Conversation: "conv-1", Inputs: map[string]any{"name": "Groceries"}}
	turn, err := eng.Start(ctx, tmpl, opts)
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindSignIn || turn.SignIn.URL == "" || !turn.SignIn.MagicCode || len(turn.State) == 0 {
		t.Fatalf("first turn %v %+v, want a sign-in with a link and a magic code", turn.Kind, turn.SignIn)
	}
	states := []string{string(turn.State)}
	_, _, code := b.open(turn.SignIn.URL)
	if code == "" {
		t.Fatal("no magic code after signing in")
	}

	// A wrong code: the flow asks again, it does not fail.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	turn, err = eng.Resume(ctx, turn.State, wrong)
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindSignIn {
		t.Fatalf("after a wrong code: %v %v, want the sign-in again", turn.Kind, turn.Err)
	}
	states = append(states, string(turn.State))
	turn, err = eng.Resume(ctx, turn.State, code)
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindDone {
		t.Fatalf("after the code: %v %v, want done", turn.Kind, turn.Err)
	}
	if !strings.Contains(strings.Join(turn.Messages, "\n"), "Groceries") {
		t.Errorf("messages %q do not mention the new list", turn.Messages)
	}
	st, err := b.store.Load(ctx, "bot", "user-alice")
	if err != nil {
		t.Fatal(err)
	}
	b.secrets.addToken(st)
	// The next flow of the same user runs without a sign-in.
	turn, err = eng.Start(ctx, tmpl, engine.StartOptions{Subject: "user-alice", Conversation: "conv-2", Inputs: map[string]any{"name": "Books"}})
	if err != nil || turn.Kind != engine.KindDone {
		t.Fatalf("second flow: %v %v", turn.Kind, err)
	}
	b.secrets.check(t, "the log", b.logBuf.String())
	for _, s := range states {
		b.secrets.check(t, "a paused flow state", s)
	}
}
