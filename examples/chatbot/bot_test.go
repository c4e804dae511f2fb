package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestPausedFlowExpires(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, harnessOptions{now: c.Now})
	h.preAuthorize("u")
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, nil}})
	c.Advance(DefaultSessionTTL - time.Minute)
	h.script("c", "u", []step{{"/help", KindInfo, nil}}) // reading help does not renew the wait
	c.Advance(2 * time.Minute)
	h.script("c", "u", []step{
		{"Late answer", KindInfo, []string{"Your create-todo-list flow waited more than 24 hours for an answer and was stopped.", "I can run these flows"}},
		{"create-todo-list", KindQuestion, nil},
	})
	c.Advance(DefaultSessionTTL + time.Second)
	// A template name after an expiry starts it at once, with the notice.
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, []string{"was stopped", "What should the list be called?"}}})
	if n := h.listCreations(); n != 0 {
		t.Fatalf("%d lists created by an expired flow", n)
	}
}

const versionedTemplate = `
id: note
name: Take a note
description: Asks two things and says them back.
scopes: []
inputs:
  - name: first
    type: string
    prompt: First?
  - name: second
    type: string
    prompt: %s
steps:
  - say: ${ inputs.first } ${ inputs.second }
`

func TestSavedFlowCannotResume(t *testing.T) {
	load := func(prompt string) *engine.Template {
		tmpl, err := engine.Load("note.yaml", []byte(strings.Replace(versionedTemplate, "%s", prompt, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return tmpl
	}
	h := newHarness(t, harnessOptions{})
	h.templates = []*engine.Template{load("Second?")}
	h.restart()
	h.script("c", "u", []step{
		{"note", KindQuestion, []string{"First?"}},
		{"a", KindQuestion, []string{"Second?"}},
	})
	// The bot is redeployed with a new version of the template.
	h.templates = []*engine.Template{load("And the second?")}
	h.restart()
	h.script("c", "u", []step{
		{"b", KindFailed, []string{"The note flow was updated while it waited for you", "Type note to start it again."}},
		{"note", KindQuestion, []string{"First?"}},
		{"a", KindQuestion, []string{"And the second?"}},
		{"b", KindDone, []string{"a b"}},
	})

	// A record whose engine state is damaged is dropped with a clear reply.
	key := SessionKey{"c2", "u"}
	if err := h.sessions.Save(context.Background(), key, &Session{Template: "note", State: json.RawMessage(`{"v": 99}`), Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	h.script("c2", "u", []step{{"b", KindFailed, []string{"Your note flow could not be resumed", "Type note to start it again."}}})
	if got, _ := h.sessions.Load(context.Background(), key); got != nil {
		t.Fatal("the damaged session was kept")
	}
}

func TestNewBotChecksConfig(t *testing.T) {
	ts, err := loadTemplates("", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{})
	eng := h.current.engine
	for _, tc := range []struct {
		name string
		cfg  BotConfig
		want string
	}{
		{"no engine", BotConfig{Sessions: &MemorySessions{}, Templates: ts}, "needs an Engine"},
		{"no store", BotConfig{Engine: eng, Templates: ts}, "needs an Engine and a Sessions store"},
		{"no templates", BotConfig{Engine: eng, Sessions: &MemorySessions{}}, "Templates is empty"},
		{"duplicate ids", BotConfig{Engine: eng, Sessions: &MemorySessions{}, Templates: []*engine.Template{ts[0], ts[0]}}, "two templates have the id"},
	} {
		if _, err := NewBot(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewBot = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestHandleRefusesBadMessages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, m := range []Message{
		{Conversation: "", User: "u"},
		{Conversation: "c", User: ""},
		{Conversation: "c", User: "u\x7f"},
		{Conversation: "c", User: "u", Text: "\xff"},
		{Conversation: "c", User: "u", Text: strings.Repeat("x", maxTextRunes+1)},
	} {
		_, err := h.current.bot.Handle(context.Background(), m)
		var merr *MessageError
		if !errors.As(err, &merr) {
			t.Errorf("%+v: Handle = %v, want a *MessageError", m, err)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour: "24 hours", time.Hour: "1 hour", 90 * time.Minute: "90 minutes",
		time.Minute: "1 minute", 1500 * time.Millisecond: "1.5s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestIdentityPlatformDown: when the token endpoint fails while refreshing
// a signed-in user's token, the flow fails with the identity platform's
// error (an *auth.TokenError inside), not with a sign-in request, and the
// reply carries no token.
func TestIdentityPlatformDown(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, harnessOptions{now: c.Now})
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, nil}})
	if r := h.signIn(h.send("c", "u", "First"), "c", "u", demoUPN); r.Kind != KindDone {
		t.Fatalf("%+v, want done", r)
	}
	c.Advance(2 * time.Hour) // the access token has expired: the next call refreshes
	h.sb.SetTokenFault(sandbox.TokenFaultServerError)
	h.script("c", "u", []step{
		{"create-todo-list", KindQuestion, nil},
		{"Second", KindFailed, []string{"Sorry, Create a To Do list failed: the Microsoft sign-in service did not give a token (AADSTS90033", "try again in a few minutes"}},
	})
	h.sb.SetTokenFault(sandbox.TokenFaultNone)
	h.script("c", "u", []step{
		{"create-todo-list", KindQuestion, nil},
		{"Second", KindDone, []string{`Created the list "Second".`}},
	})
}

// TestRevokedGrantAsksToSignInAgain: a grant the identity platform no
// longer honours turns into a new sign-in link, not a failure.
func TestRevokedGrantAsksToSignInAgain(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, harnessOptions{now: c.Now})
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, nil}})
	if r := h.signIn(h.send("c", "u", "First"), "c", "u", demoUPN); r.Kind != KindDone {
		t.Fatalf("%+v, want done", r)
	}
	c.Advance(2 * time.Hour)
	h.sb.RevokeRefreshTokens(demoUPN)
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, nil}})
	r := h.send("c", "u", "Second")
	if r.Kind != KindSignIn || r.SignInURL == "" {
		t.Fatalf("after the grant was revoked: %+v, want a new sign-in link", r)
	}
	if r = h.signIn(r, "c", "u", demoUPN); r.Kind != KindDone || !strings.Contains(r.Text, `"Second"`) {
		t.Fatalf("after signing in again: %+v, want done", r)
	}
}
