package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/templates"
)

// BenchmarkConversation measures one create-todo-list conversation (the
// flow's name, then the list's name) through POST /messages, with the
// session saved and loaded in between, against the same conversation
// driven by direct engine calls with the state kept in a variable: the
// ratio is what the bot host adds (HTTP, JSON, session store, locks) to
// the engine and the sandbox's Graph.
//
//	go test -run '^$' -bench Conversation -benchmem ./examples/chatbot
func BenchmarkConversation(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	t, err := templates.Get("create-todo-list")
	if err != nil {
		b.Fatal(err)
	}
	const user = "bench-user"
	h.preAuthorize(user)
	eng := h.current.engine
	ctx := context.Background()

	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			turn, err := eng.Start(ctx, t, engine.StartOptions{Subject: user, Conversation: "direct"})
			if err != nil || turn.Kind != engine.KindQuestion {
				b.Fatalf("start: %v %v", turn, err)
			}
			turn, err = eng.Resume(ctx, turn.State, fmt.Sprintf("Direct %d", i))
			if err != nil || turn.Kind != engine.KindDone {
				b.Fatalf("resume: %v %v", turn, err)
			}
		}
	})
	b.Run("bot", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if r, status, body := h.post(Message{Conversation: "bench", User: user, Text: "create-todo-list"}); r.Kind != KindQuestion {
				b.Fatalf("start: %d %s", status, body)
			}
			if r, status, body := h.post(Message{Conversation: "bench", User: user, Text: fmt.Sprintf("Bot %d", i)}); r.Kind != KindDone {
				b.Fatalf("answer: %d %s", status, body)
			}
		}
	})
}
