package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

// revisions are the protocol revisions every conversation test runs with:
// classic elicitation requests, and input requests in results.
var revisions = []string{"2025-11-25", "2026-07-28"}

// testNow is the sandbox's and the engine's clock: Monday 15 June 2026,
// 16:00 UTC.
var testNow = time.Date(2026, time.June, 15, 16, 0, 0, 0, time.UTC)

// rig is a sandbox, an engine on it, and the MCP server over streamable
// HTTP on a loopback port.
type rig struct {
	t     *testing.T
	sb    *sandbox.Server
	graph string // the sandbox's root URL
	url   string // the MCP endpoint

	mu     sync.Mutex
	served []int // requests each replica served
}

func newRig(t *testing.T, provider func(sb *sandbox.Server, tok string) auth.Provider, tune ...func(*mcpserver.Options)) *rig {
	return newReplicas(t, 1, provider, tune...)
}

// newReplicas is a rig whose MCP endpoint passes the requests to n
// servers in turn, each with its own engine, sharing the keys and the
// session store, as replicas behind a load balancer do.
func newReplicas(t *testing.T, n int, provider func(sb *sandbox.Server, tok string) auth.Provider, tune ...func(*mcpserver.Options)) *rig {
	t.Helper()
	sb, gts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return testNow }})
	ts, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, tp := range ts {
		scopes = append(scopes, tp.Scopes()...)
	}
	tok := sb.Token(scopes...)
	var p auth.Provider = auth.Static(tok)
	if provider != nil {
		p = provider(sb, tok)
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	store := &engine.MemorySessionStore{}
	r := &rig{t: t, sb: sb, graph: gts.URL}
	var handlers []http.Handler
	for range n {
		eng, err := engine.New(engine.Config{
			GraphURL:  gts.URL + "/v1.0",
			Auth:      p,
			Now:       func() time.Time { return testNow },
			Templates: ts,
			StateKey:  key,
		})
		if err != nil {
			t.Fatal(err)
		}
		opts := mcpserver.Options{Templates: ts, StateKey: key, Store: store, Now: func() time.Time { return testNow }}
		for _, f := range tune {
			f(&opts)
		}
		srv, err := mcpserver.New(eng, opts)
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, srv.Handler())
	}
	r.served = make([]int, n)
	next := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		i := next
		next = (next + 1) % n
		r.served[i]++
		r.mu.Unlock()
		handlers[i].ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	r.url = hs.URL
	return r
}

// asker is a client's elicitation handler that answers from a script and
// records what it was asked.
type asker struct {
	mu      sync.Mutex
	answers []func(*mcp.ElicitParams) *mcp.ElicitResult
	asked   []*mcp.ElicitParams
}

func (a *asker) handle(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, req.Params)
	if len(a.answers) == 0 {
		return nil, fmt.Errorf("unexpected question %q", req.Params.Message)
	}
	f := a.answers[0]
	a.answers = a.answers[1:]
	return f(req.Params), nil
}

// say answers the one field of a form with v.
func say(v any) func(*mcp.ElicitParams) *mcp.ElicitResult {
	return func(p *mcp.ElicitParams) *mcp.ElicitResult {
		props, _ := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)
		for name := range props {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{name: v}}
		}
		return &mcp.ElicitResult{Action: "accept"}
	}
}

func act(action string) func(*mcp.ElicitParams) *mcp.ElicitResult {
	return func(*mcp.ElicitParams) *mcp.ElicitResult { return &mcp.ElicitResult{Action: action} }
}

// connect opens a client session of the given revision; a nil asker is a
// client without elicitation.
func (r *rig) connect(rev string, a *asker) *mcp.ClientSession {
	r.t.Helper()
	opts := &mcp.ClientOptions{}
	if a != nil {
		opts.ElicitationHandler = a.handle
		opts.Capabilities = &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{Form: &mcp.FormElicitationCapabilities{}, URL: &mcp.URLElicitationCapabilities{}}}
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: r.url, MaxRetries: -1}, &mcp.ClientSessionOptions{ProtocolVersion: rev})
	if err != nil {
		r.t.Fatalf("connect (%s): %v", rev, err)
	}
	r.t.Cleanup(func() { cs.Close() })
	if got := cs.InitializeResult().ProtocolVersion; got != rev {
		r.t.Fatalf("the session speaks %s, want %s", got, rev)
	}
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func structured(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("structured content %s: %v", b, err)
	}
	return m
}

// sent counts the messages with subject in the demo user's Sent Items.
func (r *rig) sent(subject string) int {
	r.t.Helper()
	n := 0
	for _, m := range r.messages("sentitems") {
		if m["subject"] == subject {
			n++
		}
	}
	return n
}

// messages lists a mail folder of the demo user, straight from the
// sandbox's Graph.
func (r *rig) messages(folder string) []map[string]any {
	r.t.Helper()
	req, err := http.NewRequest("GET", r.graph+"/v1.0/me/mailFolders/"+folder+"/messages?$top=1000&$select=subject", nil)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.sb.Token("Mail.Read"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		r.t.Fatalf("listing %s: status %d, %v", folder, resp.StatusCode, err)
	}
	return page.Value
}

// writes counts the requests the sandbox received that are not GETs.
func (r *rig) writes() int {
	n := 0
	for _, q := range r.sb.Requests() {
		if q.Method != "GET" {
			n++
		}
	}
	return n
}
