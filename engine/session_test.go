package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
)

func TestEveryInputType(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-inputs.yaml")
	g := newFakeGraph(t)
	g.handle("GET /v1.0/me", 200, `{"displayName":"Adele Vance"}`)
	answers := []string{
		"  hello  ",          // s
		"line one\nline two", // t
		"abc", "42", "5",     // i: not a number, out of range, good
		"4.5",                    // n
		"Y",                      // b
		"not-an-email", "a@b.co", // e
		" x@y.com; X@y.com, z@w.org", // es
		"2026-12-01",                 // d (Europe/Berlin)
		"9:30 pm",                    // tm (Pacific Standard Time)
		"2026-12-01 15:00",           // dt (UTC)
		"",                           // du: default 30m
		"HIGH",                       // c
	}
	turn, qs := drive(t, g, nil, tp, StartOptions{}, answers...)
	if turn.Kind != KindDone {
		for _, q := range qs {
			t.Logf("%+v", *q)
		}
		t.Fatalf("turn %v: %v %+v", turn.Kind, turn.Err, turn.Question)
	}
	if qs[3].Error == "" || qs[4].Error != "Between 1 and 10, please." || qs[4].Attempt != 3 {
		t.Errorf("integer re-prompts: %+v / %+v", qs[3], qs[4])
	}
	if qs[8].Attempt != 2 || qs[8].Error == "" {
		t.Errorf("email re-prompt %+v", qs[8])
	}
	if qs[13].Default != "30m0s" || len(qs[14].Choices) != 3 {
		t.Errorf("duration default %q, choices %v", qs[13].Default, qs[14].Choices)
	}
	got := map[string]any{}
	for _, o := range turn.Outputs {
		got[o.Name] = o.Value
	}
	want := map[string]any{
		"s": "hello", "t": "line one\nline two", "i": int64(10), "n": 4.5, "b": true, "e": "a@b.co",
		"d": "2026-12-01 00:00 CET", "tm": "2026-11-26T05:30:00.0000000", "dt": "2026-12-01T15:00:00.0000000",
		"du": 30 * time.Minute, "c": "high", "who": "Adele Vance",
	}
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("output %s = %#v, want %#v", k, got[k], v)
		}
	}
	if es, ok := got["es"].([]string); !ok || strings.Join(es, ",") != "x@y.com,z@w.org" {
		t.Errorf("emails %#v", got["es"])
	}
}

func TestInputAttemptsExhausted(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-inputs.yaml")
	g := newFakeGraph(t)
	turn, qs := drive(t, g, nil, tp, StartOptions{Inputs: map[string]any{"s": "a", "t": "b", "i": 3, "n": 1, "b": "no", "e": "a@b.co", "es": "none", "d": "tomorrow", "tm": "9am"}}, "soon-ish", "whenever")
	var ie *InputError
	if turn.Kind != KindFailed || !errors.As(turn.Err, &ie) || ie.Input != "dt" || ie.Attempts != 2 {
		t.Fatalf("turn %v: %v (%d questions) %+v %+v", turn.Kind, turn.Err, len(qs), qs[len(qs)-1], turn.Question)
	}
	if qs[0].MaxAttempts != 2 {
		t.Errorf("max attempts %d", qs[0].MaxAttempts)
	}
	if len(g.sent()) != 0 {
		t.Fatal("a request was sent although an input never became valid")
	}
}

// signInProvider needs a magic code before it gives tokens.
type signInProvider struct {
	mu       sync.Mutex
	signedIn bool
	reqs     []auth.Request
}

func (p *signInProvider) Token(ctx context.Context, req auth.Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, req)
	if !p.signedIn {
		return nil, &auth.SignInRequiredError{URL: "https://login.example/sign-in?state=abc", Scopes: req.Scopes, Reason: "not signed in", MagicCode: true}
	}
	return &oauth2.Token{AccessToken: "test-token", TokenType: "Bearer"}, nil
}

func (p *signInProvider) CompleteSignIn(ctx context.Context, req auth.Request, answer string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if answer != "123456" {
		return &auth.SignInRequiredError{URL: "https://login.example/sign-in?state=def", Reason: "wrong code"}
	}
	p.signedIn = true
	return nil
}

func TestSignInTurnResumesAtSameStep(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/create-todo-list.yaml")
	g := newFakeGraph(t)
	g.handle("POST /v1.0/me/todo/lists", 201, `{"id":"N1","displayName":"Trip"}`)
	p := &signInProvider{}
	e := newTestEngine(t, g, p, tp)
	turn, err := e.Start(context.Background(), tp, StartOptions{Subject: "user-7", Conversation: "conv-1", Inputs: map[string]any{"name": "Trip"}})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != KindSignIn || turn.SignIn.URL == "" || !turn.SignIn.MagicCode || turn.SignIn.Scopes[0] != "Tasks.ReadWrite" {
		t.Fatalf("turn %v %+v %v", turn.Kind, turn.SignIn, turn.Err)
	}
	turn, err = e.Resume(context.Background(), roundTrip(t, turn.State), "000000")
	if err != nil || turn.Kind != KindSignIn || !strings.Contains(turn.SignIn.Reason, "wrong code") {
		t.Fatalf("wrong code: %v %v", turn.Kind, err)
	}
	turn, err = e.Resume(context.Background(), roundTrip(t, turn.State), "123456")
	if err != nil || turn.Kind != KindDone {
		t.Fatalf("after sign-in: %v %v %v", turn.Kind, err, turn.Err)
	}
	if n := len(g.sent()); n != 1 {
		t.Fatalf("%d requests, want exactly 1", n)
	}
	last := p.reqs[len(p.reqs)-1]
	if last.Subject != "user-7" || last.Conversation != "conv-1" || last.Scopes[0] != "Tasks.ReadWrite" {
		t.Errorf("auth request %+v", last)
	}
}

func TestResumeRefusesChangedOrUnknownTemplates(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/create-todo-list.yaml")
	g := newFakeGraph(t)
	e := newTestEngine(t, g, nil)
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(turn, err)
	}
	src := []byte(strings.Replace(string(mustRead(t, "../testdata/templates/create-todo-list.yaml")), "What should", "How should", 1))
	changed, err := Load("create-todo-list.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	other := newTestEngine(t, g, nil, changed)
	if _, err := other.Resume(context.Background(), turn.State, "x"); !errors.Is(err, ErrTemplateChanged) {
		t.Fatalf("changed template: %v", err)
	}
	empty := newTestEngine(t, g, nil)
	if _, err := empty.Resume(context.Background(), turn.State, "x"); !errors.Is(err, ErrUnknownTemplate) {
		t.Fatalf("unknown template: %v", err)
	}
	// Both versions loaded: old sessions finish on the old one.
	both := newTestEngine(t, g, nil, changed, tp)
	if next, err := both.Resume(context.Background(), turn.State, ""); err != nil || next.Question == nil || next.Question.Text != "What should the list be called?" {
		t.Fatalf("old version: %v %+v", err, next)
	}
}

func TestResumeRefusesBadStates(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	g := listsGraph(t)
	e := newTestEngine(t, g, nil, tp)
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	turn, err = e.Resume(context.Background(), turn.State, "add")
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(err)
	}
	good := string(turn.State)
	cases := map[string]string{
		"empty":           "",
		"not json":        "{nope",
		"trailing":        good + "{}",
		"version":         strings.Replace(good, `"v":2`, `"v":9`, 1),
		"unknown field":   strings.Replace(good, `"v":2`, `"v":2,"token":"x"`, 1),
		"unknown block":   strings.Replace(good, `"b":"main"`, `"b":"nowhere"`, 1),
		"index":           strings.Replace(good, `"i":`, `"i":99`, 1),
		"wait":            strings.Replace(good, `"wait":"input"`, `"wait":"confirm"`, 1),
		"bad input value": strings.Replace(good, `"inputs":{"mode":"add"}`, `"inputs":{"mode":{"$t":"x"}}`, 1),
		"input type":      strings.Replace(good, `"inputs":{"mode":"add"}`, `"inputs":{"mode":true}`, 1),
		"unknown input":   strings.Replace(good, `"inputs":{"mode":"add"}`, `"inputs":{"zzz":"add"}`, 1),
		"steps":           strings.Replace(good, `"steps":{"lists"`, `"steps":{"nope"`, 1),
		"zone":            strings.Replace(good, `"v":2`, `"v":2,"zone":"Mars/Olympus"`, 1),
		"foreign frame":   strings.Replace(good, `"cursor":[{"b":"main","i":`, `"cursor":[{"b":"main","i":1},{"b":"#3/do","i":0},{"b":"main","i":`, 1),
		"huge":            good[:len(good)-1] + `,"x":"` + strings.Repeat("a", 2<<20) + `"}`,
	}
	for name, state := range cases {
		if state == good {
			t.Fatalf("%s: the case did not change the state", name)
		}
		turn, err := e.Resume(context.Background(), []byte(state), "Work")
		if err == nil {
			t.Errorf("%s: resumed (%v)", name, turn.Kind)
		}
		if name == "foreign frame" && (err == nil || !strings.Contains(err.Error(), "not entered from")) {
			t.Errorf("foreign frame: %v", err)
		}
	}
	if _, err := e.Resume(context.Background(), []byte(good), "Work"); err != nil {
		t.Fatalf("the untouched state must resume: %v", err)
	}
}

func TestConcurrentSessions(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/create-todo-list.yaml")
	g := newFakeGraph(t)
	g.handleFunc("POST /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		name := gjson.GetBytes(body, "displayName").String()
		writeJSON(w, 201, fmt.Sprintf(`{"id":"id-%s","displayName":%q}`, name, name))
	})
	e := newTestEngine(t, g, nil, tp)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("list-%d", i)
			turn, err := e.Start(context.Background(), tp, StartOptions{})
			if err != nil {
				errs <- err
				return
			}
			turn, err = e.Resume(context.Background(), turn.State, name)
			if err != nil {
				errs <- err
				return
			}
			if turn.Kind != KindDone || turn.Outputs[0].Value != "id-"+name || turn.Outputs[1].Value != name {
				errs <- fmt.Errorf("session %d: %v %v %+v", i, turn.Kind, turn.Err, turn.Outputs)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// now and session are put in the environment only for templates that read
// them; reading them directly, through $env, or inside a text all work.
func TestEnvironmentHasWhatTheTemplateReads(t *testing.T) {
	cases := []struct {
		name, say, want string
	}{
		{"now", `${ now.Year() }`, "2026"},
		{"now in text", `day ${ now.Day() }`, "day 25"},
		{"now through $env", `${ $env.now != nil }`, "true"},
		{"$env alone", `${ "now" in $env && "session" in $env }`, "true"},
		{"session", `${ len(session.id) }`, "24"},
		{"neither", `${ user }`, "me"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInlineWithLimits(t, "steps:\n  - say: '"+c.say+"'\n", Limits{})
			turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{})
			if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != c.want {
				t.Fatalf("turn %v %v %q, want message %q", turn.Kind, turn.Err, turn.Messages, c.want)
			}
		})
	}
}
