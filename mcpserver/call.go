package mcpserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// inputRequestID is the id of the one input request a round holds.
const inputRequestID = "runflow"

// maxMessages bounds the messages carried from round to round.
const maxMessages = 100

// newProtocol is the first revision with multi round-trip requests.
const newProtocol = "2026-07-28"

// client is what the calling client can do.
type client struct {
	roundTrips bool // 2026-07-28: input requests in results
	form, url  bool // elicitation modes
}

func clientOf(ss *mcp.ServerSession) client {
	var c client
	p := ss.InitializeParams()
	if p == nil {
		return c
	}
	c.roundTrips = p.ProtocolVersion >= newProtocol
	if p.Capabilities != nil && p.Capabilities.Elicitation != nil {
		e := p.Capabilities.Elicitation
		// An empty elicitation capability means form (before 2025-11-25).
		c.form = e.Form != nil || e.URL == nil
		c.url = e.URL != nil
	}
	return c
}

// call is one tool call in progress, over one or several rounds.
type call struct {
	s      *Server
	tl     *tool
	req    *mcp.CallToolRequest
	cl     client
	p      pending // Call, Seq, Subject, User, Given, Messages
	turn   *engine.Turn
	magic  bool // a sign-in's code is to be asked next (classic rounds)
	signIn *engine.SignIn
	// signedIn: the user accepted a sign-in link (or gave its code) and the
	// flow resumed; another sign-in turn then means it did not work.
	signedIn bool
}

func (s *Server) handler(tl *tool) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c := &call{s: s, tl: tl, req: req, cl: clientOf(req.Session)}
		who := Caller{}
		if s.opts.Caller != nil {
			var err error
			if who, err = s.opts.Caller(ctx, req); err != nil {
				return toolError("%v", err), nil
			}
		}
		if req.Params.RequestState != "" || len(req.Params.InputResponses) > 0 {
			return c.next(ctx, who)
		}
		return c.start(ctx, who)
	}
}

// start begins a call: the arguments are checked, then the flow starts.
func (c *call) start(ctx context.Context, who Caller) (*mcp.CallToolResult, error) {
	args, err := c.tl.arguments(c.req.Params.Arguments)
	if err != nil {
		return toolError("%v; nothing was sent", err), nil
	}
	c.p = pending{Call: newCallID(), Subject: who.Subject, User: who.User}
	for name := range args {
		c.p.Given = append(c.p.Given, name)
	}
	sort.Strings(c.p.Given)
	if !c.cl.form {
		if missing := c.tl.t.MissingInputs(args); len(missing) > 0 {
			return toolError("%s; this client cannot ask the user (it has no elicitation capability), so give them as arguments; nothing was sent", (&engine.MissingInputsError{Names: missing}).Error()), nil
		}
		if c.tl.confirms {
			return toolError("tool %s asks the user to confirm before it writes, and this client cannot ask (it has no elicitation capability); nothing was sent", c.tl.def.Name), nil
		}
	}
	// Optional inputs the caller left out take their defaults rather than
	// being asked: the arguments are the caller's answer.
	presets := make(map[string]any, len(c.tl.name))
	for _, name := range c.tl.name {
		in := c.tl.ins[name]
		if v, ok := args[name]; ok {
			presets[name] = v
		} else if !in.Required || in.Default != "" {
			presets[name] = nil
		}
	}
	turn, err := c.s.eng.Start(ctx, c.tl.t, engine.StartOptions{
		Inputs:       presets,
		User:         who.User,
		Subject:      who.Subject,
		Conversation: c.p.Call,
		Zone:         who.Zone,
		NoInput:      !c.cl.form,
	})
	if err != nil {
		return toolError("%v; nothing was sent", err), nil
	}
	c.turn = turn
	return c.drive(ctx)
}

// next takes the client's answer to a round of a multi round-trip call.
func (c *call) next(ctx context.Context, who Caller) (*mcp.CallToolResult, error) {
	p, err := c.s.seal.open(c.tl.def.Name, c.req.Params.RequestState, c.s.opts.Now())
	if err != nil {
		return toolError("%v", err), nil
	}
	if p.Subject != who.Subject || p.User != who.User {
		return toolError("%v", errBadState), nil
	}
	c.p = *p
	res, ok := c.req.Params.InputResponses[inputRequestID].(*mcp.ElicitResult)
	if !ok || len(c.req.Params.InputResponses) != 1 {
		return toolError("the retried call must answer the input request %q with an elicitation result", inputRequestID), nil
	}
	if err := c.claim(ctx); err != nil {
		return toolError("%v", err), nil
	}
	if res.Action != "accept" {
		return c.declined(), nil
	}
	if p.Kind == "signin" && p.Magic {
		// The user signed in; the code the page showed is asked next.
		c.magic = true
		c.turn = &engine.Turn{Kind: engine.KindSignIn, SignIn: &engine.SignIn{MagicCode: true}, State: p.State}
		c.p.Seq++
		return c.drive(ctx)
	}
	answer := answerOf(p.Kind, p.Input, p.Type, res.Content)
	c.signedIn = p.Kind == "signin" || p.Kind == "code"
	turn, err := c.s.eng.Resume(ctx, p.State, answer)
	if err != nil {
		return toolError("the paused flow cannot go on: %v; call the tool again", err), nil
	}
	c.p.Seq++
	c.turn = turn
	return c.drive(ctx)
}

// claim takes the current round, once (Options.Store).
func (c *call) claim(ctx context.Context) error {
	if c.s.opts.Store == nil {
		return nil
	}
	key := "mcp/" + c.p.Call
	ok, err := c.s.opts.Store.CompareAndSwap(ctx, key, c.p.Seq, engine.SessionRecord{Seq: c.p.Seq + 1})
	if err != nil {
		return fmt.Errorf("the session store failed: %v", err)
	}
	if !ok {
		return errors.New("this round of the call was already answered (a request state sent twice); nothing more was sent")
	}
	return nil
}

// drive runs the call until it ends or needs the user: then it returns an
// input request (new clients) or asks with a classic elicitation request
// and goes on (earlier clients).
func (c *call) drive(ctx context.Context) (*mcp.CallToolResult, error) {
	for {
		t := c.turn
		c.say(t.Messages)
		t.Messages = nil // said once, even when the same turn is asked twice
		var params *mcp.ElicitParams
		kind := ""
		switch t.Kind {
		case engine.KindDone, engine.KindFailed:
			return c.finish(t), nil
		case engine.KindQuestion:
			q := t.Question
			if q.Error != "" && q.Attempt == 1 && slices.Contains(c.p.Given, q.Input) {
				// A value given as an argument was refused: the caller's
				// mistake, not a question for the user.
				return c.fail("input %s: %s", q.Input, q.Error), nil
			}
			if !c.cl.form {
				return c.fail("%s needs an answer from the user, and this client cannot ask (it has no elicitation capability); nothing was sent", what(q)), nil
			}
			params, kind = formFor(q), "question"
			c.p.Input, c.p.Type = q.Input, q.Type
		case engine.KindSignIn:
			si := t.SignIn
			if c.signedIn && !c.magic {
				// Accepting a URL elicitation says the user agreed to open
				// the link, not that the sign-in worked: do not ask again
				// in a loop.
				return c.fail("the sign-in is not finished (%s); sign in, then call the tool again; nothing was sent", si.Reason), nil
			}
			if c.magic {
				params, kind = codeForm(), "code"
				break
			}
			if si.URL == "" || !c.cl.url {
				msg := "sign-in required"
				if si.Reason != "" {
					msg += ": " + si.Reason
				}
				if si.URL != "" {
					msg += "; this client cannot open a sign-in link (no URL elicitation): sign in at " + si.URL + " and call the tool again"
				}
				return c.fail("%s; nothing was sent", msg), nil
			}
			params, kind = urlFor(si, c.p.Call, c.p.Seq), "signin"
			c.signIn = si
			c.p.Magic = si.MagicCode
		default:
			return c.fail("the flow paused with a %v turn, which MCP cannot ask; nothing more was sent", t.Kind), nil
		}
		c.p.Kind = kind
		if c.cl.roundTrips {
			return c.inputRequest(params, t.State)
		}
		res, err := c.req.Session.Elicit(ctx, params)
		if err != nil {
			return c.fail("asking the user failed: %v; nothing more was sent", err), nil
		}
		if res.Action != "accept" {
			return c.declined(), nil
		}
		if kind == "signin" && c.signIn.MagicCode {
			// Ask for the code the sign-in page showed, then resume.
			c.magic = true
			continue
		}
		c.magic = false
		c.signedIn = kind == "signin" || kind == "code"
		turn, err := c.s.eng.Resume(ctx, t.State, answerOf(kind, c.p.Input, c.p.Type, res.Content))
		if err != nil {
			return c.fail("the paused flow cannot go on: %v", err), nil
		}
		c.turn = turn
	}
}

// inputRequest ends this round with the question for the client and the
// paused flow sealed in the request state.
func (c *call) inputRequest(params *mcp.ElicitParams, state []byte) (*mcp.CallToolResult, error) {
	p := c.p
	p.State = state
	p.Expires = c.s.opts.Now().Add(c.s.opts.StateTTL).Unix()
	sealed, err := c.s.seal.seal(c.tl.def.Name, &p)
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{inputRequestID: params},
		RequestState:  sealed,
	}, nil
}

func (c *call) say(msgs []string) {
	for _, m := range msgs {
		if len(c.p.Messages) < maxMessages {
			c.p.Messages = append(c.p.Messages, m)
		}
	}
}

// finish is the result of a flow that ended: its outputs as the structured
// content, what it said as text.
func (c *call) finish(t *engine.Turn) *mcp.CallToolResult {
	switch t.Status {
	case engine.StatusCompleted:
		res := &mcp.CallToolResult{Content: c.text()}
		if len(t.Outputs) > 0 {
			out := make(map[string]any, len(t.Outputs))
			for _, o := range t.Outputs {
				out[o.Name] = outputForm.Value(o.Value)
			}
			res.StructuredContent = out
			if b, err := json.Marshal(out); err == nil {
				// Clients that read only text content see the outputs too.
				res.Content = append(res.Content, &mcp.TextContent{Text: string(b)})
			}
		}
		if len(res.Content) == 0 {
			res.Content = []mcp.Content{&mcp.TextContent{Text: "Done."}}
		}
		return res
	case engine.StatusCancelled:
		return c.declined()
	}
	if t.Err != nil {
		return c.fail("%v", t.Err)
	}
	return c.fail("the flow ended with status %s", t.Status)
}

// declined ends a call the user said no to.
func (c *call) declined() *mcp.CallToolResult {
	return c.fail("the user declined; the call ended and nothing more was sent")
}

// fail is a tool error after what the flow said.
func (c *call) fail(format string, args ...any) *mcp.CallToolResult {
	res := &mcp.CallToolResult{IsError: true, Content: c.text()}
	res.Content = append(res.Content, &mcp.TextContent{Text: fmt.Sprintf(format, args...)})
	return res
}

func (c *call) text() []mcp.Content {
	if len(c.p.Messages) == 0 {
		return nil
	}
	return []mcp.Content{&mcp.TextContent{Text: strings.Join(c.p.Messages, "\n")}}
}

func toolError(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// what names what a question asks for.
func what(q *engine.Question) string {
	if q.Type == "confirm" {
		return fmt.Sprintf("the confirmation %q", q.Text)
	}
	return "input " + q.Input
}

// arguments decodes and checks the tool's arguments: known names only,
// each value converted exactly as the engine converts a preset (so a
// wrong type or value is refused here, before any request).
func (tl *tool) arguments(raw json.RawMessage) (map[string]any, error) {
	args := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return args, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&args); err != nil {
		return nil, fmt.Errorf("the arguments are not a JSON object: %v", err)
	}
	names := make([]string, 0, len(args))
	for name := range args {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		in, ok := tl.ins[name]
		if !ok {
			return nil, fmt.Errorf("tool %s has no input %q; its inputs are %s", tl.def.Name, name, strings.Join(tl.name, ", "))
		}
		v := args[name]
		if v == nil {
			delete(args, name)
			continue
		}
		if _, err := input.FromJSON(input.Type(in.Type), v, input.Context{Choices: in.Choices}); err != nil {
			if in.Type == string(input.Choice) && in.ChoicesFromSteps {
				continue // options known only while running: the engine checks
			}
			return nil, fmt.Errorf("input %s: %v", name, err)
		}
	}
	return args, nil
}

// answerOf turns an elicitation's content into the answer text the engine
// parses, exactly like a typed answer.
func answerOf(kind, name, typ string, content map[string]any) string {
	switch kind {
	case "signin":
		return ""
	case "code":
		name = "code"
	}
	if typ == "confirm" {
		name = "confirm"
	}
	return answerText(content[name])
}

func answerText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, answerText(e))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// outputForm is how an output value is written in the structured content:
// times to the second, durations in Go's notation, files as their fields.
var outputForm = engine.JSONForm{TimeLayout: time.RFC3339, GoDurations: true, FileStructs: true}

func newCallID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
