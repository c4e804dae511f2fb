package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

var (
	testStateKey  = []byte("0123456789abcdef0123456789abcdef")
	otherStateKey = []byte("fedcba9876543210fedcba9876543210")
)

func keyedEngine(t *testing.T, g *fakeGraph, key []byte, templates ...*Template) *Engine {
	t.Helper()
	e, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("test-token"),
		Now: func() time.Time { return fixedNow }, Templates: templates, StateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// With a StateKey, a state resumes only unchanged and on an engine with the
// same key; every edit, an unsigned state and another key's state are
// refused with a *StateError before anything runs.
func TestSignedStatesRefuseEdits(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	g := listsGraph(t)
	e := keyedEngine(t, g, testStateKey, tp)
	turn, err := e.Start(context.Background(), tp, StartOptions{Subject: "mallory", Conversation: "c1"})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(err, turn)
	}
	good := string(roundTrip(t, turn.State))
	if !strings.Contains(good, `,"sig":"`) {
		t.Fatalf("the state is not signed: %s", good)
	}
	unsigned, err := verifyState(testStateKey, []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(good), &fields); err != nil {
		t.Fatal(err)
	}
	edit := func(field string, v any) string {
		m := map[string]any{}
		for k, x := range fields {
			m[k] = x
		}
		m[field] = v
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := map[string]struct{ state, why string }{
		"subject":       {strings.Replace(good, `"subject":"mallory"`, `"subject":"alice"`, 1), "does not match"},
		"user":          {strings.Replace(good, `"session"`, `"user":"alex@contoso.com","session"`, 1), "does not match"},
		"auto_confirm":  {strings.Replace(good, `"conversation":"c1"`, `"conversation":"c1","auto_confirm":true`, 1), "does not match"},
		"re-encoded":    {edit("subject", "mallory"), "not signed"},                                            // key order changes: the sig is no longer last
		"sig edited":    {good[:len(good)-6] + flip(good[len(good)-6]) + good[len(good)-5:], "does not match"}, // not the last character, whose low bits are padding
		"sig garbled":   {good[:len(good)-4] + "!!\"}", "base64url"},
		"unsigned":      {string(unsigned), "not signed"},
		"other key":     {string(signState(otherStateKey, unsigned)), "does not match"},
		"sig only":      {`{"sig":"` + strings.Repeat("A", 43) + `"}`, "not signed"},
		"short":         {`{}`, "not signed"},
		"sig not last":  {strings.Replace(good, `{"v":2`, `{"sig":"x","v":2`, 1), "does not match"},
		"doubled state": {good[:len(good)-1] + "," + good[1:], "does not match"},
	}
	for name, c := range cases {
		if c.state == good {
			t.Fatalf("%s: the case did not change the state", name)
		}
		_, err := e.Resume(context.Background(), []byte(c.state), "add")
		var se *StateError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v, want a *StateError saying %q", name, err, c.why)
		}
	}
	// Another engine with the same key (another machine) resumes it.
	next, err := keyedEngine(t, g, testStateKey, tp).Resume(context.Background(), []byte(good), "add")
	if err != nil || next.Kind != KindQuestion || !strings.Contains(string(next.State), `,"sig":"`) {
		t.Fatalf("the untouched state must resume and stay signed: %v %+v", err, next)
	}
	// An engine without a key ignores the signature.
	if _, err := newTestEngine(t, g, nil, tp).Resume(context.Background(), []byte(good), "add"); err != nil {
		t.Errorf("an engine without a key refused a signed state: %v", err)
	}
}

func TestStateKeyLength(t *testing.T) {
	g := newFakeGraph(t)
	_, err := New(Config{GraphURL: g.URL + "/v1.0", Auth: auth.Static("t"), StateKey: []byte("short")})
	if err == nil || !strings.Contains(err.Error(), "StateKey") || !strings.Contains(err.Error(), "32") {
		t.Errorf("a 5-byte key: %v", err)
	}
}

// flip returns a base64url character other than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
