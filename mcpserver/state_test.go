package mcpserver

import (
	"testing"
	"time"
)

// FuzzOpenRequestState: whatever a client sends back as a request state,
// open returns a pending call only for a state sealed with this key for
// this tool (the fuzzing workers seal their own, with other nonces), and
// never panics.
func FuzzOpenRequestState(f *testing.F) {
	s, err := newSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC)
	good, err := s.seal("send-mail", &pending{Call: "c1", Kind: "question", State: []byte(`{"v":1}`), Expires: now.Add(time.Hour).Unix()})
	if err != nil {
		f.Fatal(err)
	}
	if p, err := s.open("send-mail", good, now); err != nil || p.Call != "c1" {
		f.Fatalf("open(seal(p)) = %+v, %v", p, err)
	}
	for _, seed := range []string{good, good[:len(good)-1], "", "AAAA", "!!!", good + "A"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, state string) {
		p, err := s.open("send-mail", state, now)
		if err == nil && (p.Call != "c1" || string(p.State) != `{"v":1}`) {
			t.Fatalf("a state that was not sealed opened: %q → %+v", state, p)
		}
		if _, err := s.open("create-event", state, now); err == nil {
			t.Fatalf("a state opened for another tool")
		}
	})
}
