package mcpserver_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/mcpserver"
	"github.com/runflow/runflow/sandbox"
)

// rawClient is a 2026-07-28 client that handles input requests itself, so
// that a test can see, alter and replay the request state.
func (r *rig) rawClient() *mcp.ClientSession {
	r.t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "raw-client"}, &mcp.ClientOptions{
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
		Capabilities:   &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{Form: &mcp.FormElicitationCapabilities{}}},
	})
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: r.url, MaxRetries: -1}, &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { cs.Close() })
	return cs
}

// TestRequestState: a round of a multi round-trip call is answered once;
// an altered request state, or one made for another tool, is refused.
func TestRequestState(t *testing.T) {
	r := newRig(t, nil)
	cs := r.rawClient()
	ctx := context.Background()
	args := map[string]any{"to": "ann@contoso.com", "subject": "Once", "body": "x"}
	first, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	if !first.NeedsInput() || first.InputRequests["runflow"] == nil || first.RequestState == "" {
		t.Fatalf("want an input request with a request state, got %+v %q", first, text(first))
	}
	if strings.Contains(first.RequestState, "Once") || strings.Contains(first.RequestState, "contoso") {
		t.Errorf("the request state shows the call's values in clear: %s", first.RequestState)
	}
	yes := mcp.InputResponseMap{"runflow": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
	retry := func(name, state string) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args, InputResponses: yes, RequestState: state})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	altered := []byte(first.RequestState)
	altered[len(altered)/2] ^= 1
	for _, tc := range []struct{ what, tool, state, want string }{
		{"altered", "send-mail", string(altered), "request state is not valid"},
		{"another tool", "create-todo-list", first.RequestState, "request state is not valid"},
	} {
		if res := retry(tc.tool, tc.state); !res.IsError || !strings.Contains(text(res), tc.want) {
			t.Errorf("%s: got %v %q, want a tool error with %q", tc.what, res.IsError, text(res), tc.want)
		}
	}
	if res := retry("send-mail", first.RequestState); res.IsError || !strings.Contains(text(res), `Sent "Once"`) {
		t.Fatalf("answer: got %v %q", res.IsError, text(res))
	}
	if res := retry("send-mail", first.RequestState); !res.IsError || !strings.Contains(text(res), "already answered") {
		t.Errorf("replay: got %v %q, want a tool error", res.IsError, text(res))
	}
	if got := r.sent("Once"); got != 1 {
		t.Errorf("%d mails in Sent Items, want exactly 1", got)
	}
}

// TestRequestStateRefused: a request state past its time, or sent back by
// another caller, is refused and nothing is sent.
func TestRequestStateRefused(t *testing.T) {
	var mu sync.Mutex
	now, caller := testNow, "alice"
	r := newRig(t, nil, func(o *mcpserver.Options) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		o.Caller = func(context.Context, *mcp.CallToolRequest) (mcpserver.Caller, error) {
			mu.Lock()
			defer mu.Unlock()
			return mcpserver.Caller{Subject: caller}, nil
		}
	})
	cs := r.rawClient()
	ctx := context.Background()
	args := map[string]any{"to": "ann@contoso.com", "subject": "Refused", "body": "x"}
	yes := mcp.InputResponseMap{"runflow": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
	for _, tc := range []struct {
		what   string
		change func()
	}{
		{"another caller", func() { caller = "mallory" }},
		{"expired", func() { now = now.Add(2 * time.Hour) }},
	} {
		mu.Lock()
		now, caller = testNow, "alice"
		mu.Unlock()
		first, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: args})
		if err != nil || !first.NeedsInput() {
			t.Fatalf("%s: want an input request, got %v %+v", tc.what, err, first)
		}
		mu.Lock()
		tc.change()
		mu.Unlock()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: args, InputResponses: yes, RequestState: first.RequestState})
		if err != nil || !res.IsError || !strings.Contains(text(res), "request state is not valid") {
			t.Errorf("%s: got %v %+v %q, want a tool error", tc.what, err, res, text(res))
		}
	}
	if got := r.sent("Refused"); got != 0 {
		t.Errorf("%d mails in Sent Items, want none", got)
	}
}

// TestReplicas: with the 2026-07-28 revision, the rounds of one call may
// reach different replicas: a question asked mid-flow (create-event asks
// the start after reading the mailbox's zone) and a confirmation are
// answered on whichever replica takes the retry, and the mail is sent once.
func TestReplicas(t *testing.T) {
	r := newReplicas(t, 2, nil)
	a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{
		say("tomorrow at noonish"),
		say("2026-06-16 12:00"),
		say("ann@contoso.com"),
		say(true),
	}}
	cs := r.connect("2026-07-28", a)
	res := call(t, cs, "create-event", map[string]any{"subject": "Replicated lunch"})
	if res.IsError {
		t.Fatalf("create-event: %s", text(res))
	}
	if got := structured(t, res)["start"]; got != "2026-06-16T12:00:00-07:00" {
		t.Errorf("start %v, want noon in the mailbox's zone", got)
	}
	if len(a.asked) < 2 || !strings.HasSuffix(a.asked[1].Message, "\n"+a.asked[0].Message) {
		t.Errorf("the re-ask %q does not repeat the question %q after the reason", a.asked[1].Message, a.asked[0].Message)
	}
	res = call(t, cs, "send-mail", map[string]any{"subject": "Replicated", "body": "x"})
	if res.IsError {
		t.Fatalf("send-mail: %s", text(res))
	}
	if got := r.sent("Replicated"); got != 1 {
		t.Errorf("%d mails in Sent Items, want exactly 1", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, n := range r.served {
		if n < 2 {
			t.Errorf("replica %d served %d requests; the test did not spread the rounds", i, n)
		}
	}
}

// signInProvider asks for a sign-in until the test's client accepts the
// URL elicitation (and, with magic, until the code is given).
type signInProvider struct {
	tok   string
	magic bool
	mu    sync.Mutex
	done  bool
	code  string
}

func (p *signInProvider) Token(context.Context, auth.Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done || (p.magic && p.code != "4711") {
		return nil, &auth.SignInRequiredError{URL: "https://login.example.test/sign-in?state=abc", Reason: "nobody is signed in", MagicCode: p.magic}
	}
	return &oauth2.Token{AccessToken: p.tok, Expiry: time.Now().Add(time.Hour)}, nil
}

func (p *signInProvider) CompleteSignIn(_ context.Context, _ auth.Request, answer string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.code = answer
	return nil
}

// TestSignIn: a sign-in that needs the user is a URL-mode elicitation with
// the link; with a magic code, a form asks for it next.
func TestSignIn(t *testing.T) {
	for _, rev := range revisions {
		for _, magic := range []bool{false, true} {
			var p *signInProvider
			r := newRig(t, func(_ *sandbox.Server, tok string) auth.Provider {
				p = &signInProvider{tok: tok, magic: magic}
				return p
			})
			a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{func(ep *mcp.ElicitParams) *mcp.ElicitResult {
				p.mu.Lock()
				p.done = true
				p.mu.Unlock()
				return &mcp.ElicitResult{Action: "accept"}
			}}}
			if magic {
				a.answers = append(a.answers, say("4711"))
			}
			res := call(t, r.connect(rev, a), "create-todo-list", map[string]any{"name": "After sign-in"})
			if res.IsError {
				t.Fatalf("%s magic=%v: %s", rev, magic, text(res))
			}
			if a.asked[0].Mode != "url" || a.asked[0].URL != "https://login.example.test/sign-in?state=abc" || !strings.Contains(a.asked[0].Message, "nobody is signed in") {
				t.Errorf("%s: first elicitation %+v, want the sign-in link in URL mode", rev, a.asked[0])
			}
			if magic && (len(a.asked) != 2 || a.asked[1].Mode != "form") {
				t.Errorf("%s: want a form for the code after the link, got %d elicitations", rev, len(a.asked))
			}
		}
	}
}

// TestCallerZone: the caller's zone reaches the engine (a zone it does not
// know is refused before anything runs).
func TestCallerZone(t *testing.T) {
	r := newRig(t, nil, func(o *mcpserver.Options) {
		o.Caller = func(context.Context, *mcp.CallToolRequest) (mcpserver.Caller, error) {
			return mcpserver.Caller{Zone: "Mars/Olympus_Mons"}, nil
		}
	})
	before := len(r.sb.Requests())
	res := call(t, r.connect("2026-07-28", nil), "whoami", nil)
	if !res.IsError || !strings.Contains(text(res), "Mars/Olympus_Mons") {
		t.Errorf("got %v %q, want a tool error naming the zone", res.IsError, text(res))
	}
	if n := len(r.sb.Requests()) - before; n != 0 {
		t.Errorf("%d requests reached Graph", n)
	}
}

// TestSignInNotFinished: a user who accepts the link but does not sign in
// is not asked again in a loop: the call ends, nothing sent.
func TestSignInNotFinished(t *testing.T) {
	for _, rev := range revisions {
		r := newRig(t, func(_ *sandbox.Server, tok string) auth.Provider { return &signInProvider{tok: tok} })
		a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{act("accept"), act("accept")}}
		res := call(t, r.connect(rev, a), "create-todo-list", map[string]any{"name": "Never"})
		if !res.IsError || !strings.Contains(text(res), "sign-in is not finished") {
			t.Errorf("%s: got %v %q, want a tool error", rev, res.IsError, text(res))
		}
		if len(a.asked) != 1 {
			t.Errorf("%s: the link was offered %d times, want once", rev, len(a.asked))
		}
		if w := r.writes(); w != 0 {
			t.Errorf("%s: %d writes", rev, w)
		}
	}
}
