// Package mcpserver exposes an engine and its templates as Model Context
// Protocol tools: one tool per template, its inputs as the tool's input
// schema, its questions and confirmations asked through elicitation, its
// outputs as the structured result.
//
// Clients of the 2026-07-28 revision get questions as input requests in
// the tool's result, with the paused flow sealed in the request state
// (multi round-trip requests), so that any replica holding the same keys
// can take the next round. Clients of earlier revisions get classic
// elicitation requests during the call. A client without elicitation gets
// a tool error naming what it must give; nothing is sent.
package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
)

// Caller is whose tool call it is: whose token to use and which mailbox.
type Caller struct {
	// Subject is passed to the engine (StartOptions.Subject): whose token.
	Subject string
	// User is the mailbox ("" or "me": the signed-in user's).
	User string
	// Zone is the user's time zone (StartOptions.Zone), "" for the
	// engine's.
	Zone string
}

// Options configure a Server.
type Options struct {
	// Templates are the tools, one each, by id; nil means every template
	// the engine knows. Two templates with one id are an error.
	Templates []*engine.Template
	// StateKey keys the encryption of request states (AES-256-GCM, with a
	// key derived from it). Replicas that continue each other's calls need
	// the same key (and engines with the same engine.Config.StateKey); nil
	// means a random key, good for one process only.
	StateKey []byte
	// Store, when set, makes each round of a multi round-trip call
	// answerable once: a request state replayed after its round was
	// answered (a confirmation sent twice) is refused. Replicas share it.
	Store engine.SessionStore
	// Caller says whose call a request is (for example from the bearer
	// token of an HTTP request); nil means the engine's default subject
	// and mailbox.
	Caller func(ctx context.Context, req *mcp.CallToolRequest) (Caller, error)
	// StateTTL is how long a paused call may wait for its next round
	// (default 1 hour).
	StateTTL time.Duration
	// Implementation names the server to clients; nil means "runflow".
	Implementation *mcp.Implementation
	// Logger logs the SDK's events; nil discards them.
	Logger *slog.Logger
	// Now is the clock of state expiry; nil means time.Now.
	Now func() time.Time
}

// Server is an MCP server whose tools are an engine's templates. It is safe
// for concurrent use.
type Server struct {
	eng    *engine.Engine
	opts   Options
	seal   *sealer
	tools  map[string]*tool
	server *mcp.Server
}

// New returns a Server for eng.
func New(eng *engine.Engine, opts Options) (*Server, error) {
	if eng == nil {
		return nil, errors.New("mcpserver: an engine is required")
	}
	ts := opts.Templates
	if ts == nil {
		ts = eng.Templates()
	}
	if opts.StateTTL <= 0 {
		opts.StateTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	impl := opts.Implementation
	if impl == nil {
		impl = &mcp.Implementation{Name: "runflow", Title: "runflow: Microsoft Graph actions as dialog templates"}
	}
	seal, err := newSealer(opts.StateKey)
	if err != nil {
		return nil, fmt.Errorf("mcpserver: %w", err)
	}
	s := &Server{eng: eng, opts: opts, seal: seal, tools: map[string]*tool{}}
	s.server = mcp.NewServer(impl, &mcp.ServerOptions{
		Logger:       opts.Logger,
		Instructions: "Each tool runs a runflow template against Microsoft Graph. Give the inputs you know as arguments; the user is asked for the rest, and confirms before anything is sent.",
	})
	for _, t := range ts {
		if _, dup := s.tools[t.ID()]; dup {
			return nil, fmt.Errorf("mcpserver: two templates with id %q", t.ID())
		}
		tl := newTool(t)
		s.tools[t.ID()] = tl
		eng.Add(t)
		s.server.AddTool(tl.def, s.handler(tl))
	}
	return s, nil
}

// MCP returns the underlying SDK server.
func (s *Server) MCP() *mcp.Server { return s.server }

// Tools returns the tool definitions, in no particular order.
func (s *Server) Tools() []*mcp.Tool {
	out := make([]*mcp.Tool, 0, len(s.tools))
	for _, tl := range s.tools {
		out = append(out, tl.def)
	}
	return out
}

// Handler serves MCP over streamable HTTP (mount it at /mcp). Requests of
// the 2026-07-28 revision (its Mcp-Protocol-Version header) are served
// statelessly, so any replica can take any of them; earlier clients get a
// session, in this process, ended after 30 minutes idle, since their
// elicitation requests are answered on it.
func (s *Server) Handler() http.Handler {
	get := func(*http.Request) *mcp.Server { return s.server }
	stateless := mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{Logger: s.opts.Logger, Stateless: true})
	sessions := mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{Logger: s.opts.Logger, SessionTimeout: 30 * time.Minute})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The SDK serves the new revision only without sessions, and
		// classic elicitation only with them.
		if r.Header.Get("Mcp-Protocol-Version") >= newProtocol {
			stateless.ServeHTTP(w, r)
			return
		}
		sessions.ServeHTTP(w, r)
	})
}

// Run serves one client over t until the client leaves or ctx ends.
func (s *Server) Run(ctx context.Context, t mcp.Transport) error {
	return s.server.Run(ctx, t)
}

// RunStdio serves one client over the process's standard input and output.
func (s *Server) RunStdio(ctx context.Context) error {
	return s.Run(ctx, &mcp.StdioTransport{})
}
