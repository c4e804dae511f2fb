package reliability

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

// subjectLog is an auth.Provider that hands out one fixed token and
// records whose token each call asked for.
type subjectLog struct {
	auth.Provider
	mu       sync.Mutex
	subjects []string
}

func (s *subjectLog) Token(ctx context.Context, req auth.Request) (*oauth2.Token, error) {
	s.mu.Lock()
	s.subjects = append(s.subjects, req.Subject)
	s.mu.Unlock()
	return s.Provider.Token(ctx, req)
}

// TestTamperedStateCannotChangeWhoOrWhat: a saved state that leaks (a
// bot keeping it in a card or a cookie, a shared cache) and comes back
// edited must not let its holder act as another user, on another mailbox,
// or skip a confirmation, when the engine signs its states (StateKey).
// The state names the subject whose token is used,
// the mailbox, and whether confirmations are answered automatically; each
// is edited in turn and the session resumed: Resume must refuse the state,
// or the edit must have no effect.
func TestTamperedStateCannotChangeWhoOrWhat(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	prov := &subjectLog{Provider: auth.Static(r.token)}
	// A host that lets states out of its hands signs them
	// (docs/security.md): engine.Config.StateKey.
	e := r.engine(t, func(c *engine.Config) {
		c.Auth = prov
		c.StateKey = []byte("reliability-tamper-test-key-0123456789")
	})
	ctx := ctxTimeout(t, 30*time.Second)
	mallory := engine.StartOptions{Subject: "mallory", Conversation: "conv-mallory",
		Inputs: map[string]any{"to": "x@example.com", "cc": "none", "body": "b", "html": "no"}}
	turn, err := e.Start(ctx, builtin(t, "send-mail"), mallory)
	if err != nil || turn.Kind != engine.KindQuestion || turn.Question.Input != "subject" {
		t.Fatalf("want the subject question: %v %+v", err, turn)
	}
	for _, c := range []struct {
		field string
		value any
		check func() string // what went wrong, "" if nothing
	}{
		{"subject", "alice", func() string {
			for _, s := range prov.subjects {
				if s == "alice" {
					return "a token was asked for subject alice"
				}
			}
			return ""
		}},
		{"user", "AlexW@contoso.onmicrosoft.com", func() string {
			for _, req := range r.sb.Requests() {
				if req.Method == "POST" && req.Path != "/v1.0/me/sendMail" {
					return "the write went to " + req.Path
				}
			}
			return ""
		}},
		{"auto_confirm", true, func() string {
			for _, req := range r.sb.Requests() {
				if req.Method == "POST" {
					return "the mail was sent without its confirmation"
				}
			}
			return ""
		}},
	} {
		t.Run(c.field, func(t *testing.T) {
			prov.mu.Lock()
			prov.subjects = nil
			prov.mu.Unlock()
			r.sb.ClearRequests()
			var st map[string]any
			if err := json.Unmarshal(turn.State, &st); err != nil {
				t.Fatal(err)
			}
			st[c.field] = c.value
			edited, _ := json.Marshal(st)
			next, err := e.Resume(ctx, edited, "tampered")
			if err != nil {
				return // refused: the best outcome
			}
			// The holder of the state answers yes to what is asked next.
			for i := 0; i < 3 && next.Kind == engine.KindQuestion && c.field != "auto_confirm"; i++ {
				if next, err = e.Resume(ctx, next.State, "yes"); err != nil {
					return
				}
			}
			if problem := c.check(); problem != "" {
				t.Errorf("an edited %q in a saved state was obeyed: %s (turn %v)", c.field, problem, next.Kind)
			}
		})
	}
}
