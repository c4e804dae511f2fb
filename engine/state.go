package engine

import (
	"context"
	"fmt"
	"math"

	"github.com/runflow/runflow/auth"
)

// stateVersion is the version of the saved state format.
// Version 2: the clock is no longer saved (each call reads it), the
// zone only when the conversation has one, and the turn number is.
const stateVersion = 2

// savedState is the format of a paused session, written and read by
// statecodec.go (this struct documents it, and the codec's test reads the
// state back through it with encoding/json). It holds no token and no
// secret: the auth provider keeps those, found again by Subject.
type savedState struct {
	V            int                    `json:"v"`
	Template     string                 `json:"template"`
	Hash         string                 `json:"hash"`
	Session      string                 `json:"session"`
	Seq          uint64                 `json:"seq"`
	Zone         string                 `json:"zone,omitempty"`
	User         string                 `json:"user,omitempty"`
	Subject      string                 `json:"subject,omitempty"`
	Conversation string                 `json:"conversation,omitempty"`
	NoInput      bool                   `json:"no_input,omitempty"`
	AutoConfirm  bool                   `json:"auto_confirm,omitempty"`
	DryRun       bool                   `json:"dry_run,omitempty"`
	Cursor       []savedFrame           `json:"cursor"`
	Wait         string                 `json:"wait"`
	Attempt      int                    `json:"attempt,omitempty"`
	Inputs       map[string]any         `json:"inputs,omitempty"`
	Presets      map[string]any         `json:"presets,omitempty"`
	Vars         map[string]any         `json:"vars,omitempty"`
	Steps        map[string]*stepResult `json:"steps,omitempty"`
	// Sig is the signature of a signed state (statesig.go); an engine
	// without a StateKey ignores it.
	Sig string `json:"sig,omitempty"`
}

type savedFrame struct {
	Block string `json:"b"`
	Index int    `json:"i"`
	Items []any  `json:"items,omitempty"`
	N     int    `json:"n,omitempty"`
}

// save encodes the session (statecodec.go); only the step results that
// expressions read are kept, and of their bodies only what they read.
func (s *session) save() ([]byte, error) {
	if err := s.storeFiles(); err != nil { // files.go
		return nil, fmt.Errorf("saving the session: %v", err)
	}
	data, err := s.appendState(make([]byte, 0, 1024)) // room for the usual state and its signature
	if err != nil {
		return nil, err
	}
	if key := s.e.cfg.StateKey; len(key) > 0 {
		data = s.e.signState(data)
	}
	if len(data) > s.e.lim.MaxStateBytes {
		return nil, &LimitError{Setting: "MaxStateBytes", Message: fmt.Sprintf("the session state is %d bytes, more than the limit of %d: the flow keeps too much data between questions", len(data), s.e.lim.MaxStateBytes)}
	}
	return data, nil
}

func badState(format string, args ...any) error {
	return &StateError{Reason: fmt.Sprintf(format, args...)}
}

// restore decodes and checks a saved state against the loaded templates.
func (e *Engine) restore(data []byte) (*session, error) {
	if len(data) == 0 {
		return nil, badState("the state is empty")
	}
	if len(data) > e.lim.MaxStateBytes {
		limit := &LimitError{Setting: "MaxStateBytes", Message: fmt.Sprintf("the state is %d bytes, more than the limit of %d", len(data), e.lim.MaxStateBytes)}
		return nil, &StateError{Reason: limit.Error(), Err: limit}
	}
	if key := e.cfg.StateKey; len(key) > 0 {
		var err error
		if data, err = e.verifyState(data); err != nil {
			return nil, err
		}
	}
	st, err := parseState(data, len(e.cfg.StateKey) > 0)
	if err != nil {
		return nil, badState("it is not a runflow session state (%v)", err)
	}
	if st.V != stateVersion {
		return nil, &StateError{Reason: fmt.Sprintf("state version %d is not supported (this engine reads version %d)", st.V, stateVersion), Err: ErrStateVersion}
	}
	t, err := e.lookup(st.Template, st.Hash)
	if err != nil {
		return nil, err
	}
	s := &session{e: e, t: t, id: st.Session, seq: st.Seq, user: "me",
		opts: StartOptions{Subject: st.Subject, Conversation: st.Conversation, NoInput: st.NoInput, AutoConfirm: st.AutoConfirm, DryRun: st.DryRun, User: st.User},
		wait: st.Wait, attempt: int(st.Attempt)}
	if st.User != "" {
		s.user = st.User
	}
	if s.id == "" || len(s.id) > 64 {
		return nil, badState("bad session id")
	}
	// The clock is live: relative answers ("tomorrow 9am") and `now` are
	// read against the time of this answer, not of the start.
	s.now = e.now()
	// A conversation's own zone is saved by the name it was given; else
	// the session reads in the engine's zone (the same on every replica).
	s.zone = e.zone
	if st.Zone != "" {
		if s.zone, err = zoneArg("zone", st.Zone); err != nil {
			return nil, badState("bad zone: %v", err)
		}
		s.opts.Zone = st.Zone
	}
	s.inputs = st.Inputs
	s.presets, s.vars = st.Presets, st.Vars
	if err := e.loadFiles(s, st.Cursor); err != nil { // files.go
		return nil, badState("files: %v", err)
	}
	for name, v := range s.inputs {
		in, ok := t.inputByName[name]
		if !ok {
			return nil, badState("unknown input %q", name)
		}
		if !in.typ.Holds(v) {
			return nil, badState("input %q holds %T, not a %s", name, v, in.typ)
		}
	}
	s.presets = st.Presets
	for name := range s.presets {
		if _, ok := t.inputByName[name]; !ok {
			return nil, badState("unknown preset input %q", name)
		}
	}
	s.vars = st.Vars
	if len(st.Steps) > 0 {
		s.steps = make(map[string]any, len(st.Steps))
	}
	for id, r := range st.Steps {
		if !t.keepSteps[id] || r == nil {
			return nil, badState("unexpected result of step %q", id)
		}
		if r.Items == "" {
			r.Items = "[]"
		}
		s.steps[id] = r
	}
	s.stack = s.stackBuf[:0]
	if len(st.Cursor) == 0 || len(st.Cursor) > 256 {
		return nil, badState("the cursor is empty or too deep")
	}
	for i, sf := range st.Cursor {
		blk, ok := t.blocks[sf.Block]
		if !ok {
			return nil, badState("the cursor names an unknown block %q", sf.Block)
		}
		if sf.Index < 0 || sf.Index > int64(len(blk.steps)) {
			return nil, badState("the cursor index %d is outside block %q", sf.Index, sf.Block)
		}
		if sf.N < 0 || sf.N > math.MaxInt32 {
			return nil, badState("the foreach index %d is out of range", sf.N)
		}
		f := frame{blk: blk, idx: int(sf.Index), n: int(sf.N)}
		if len(sf.Items) > 0 {
			owner := t.loopOwner(sf.Block)
			if owner == nil {
				return nil, badState("block %q is not a foreach body", sf.Block)
			}
			f.loop, f.items = owner, sf.Items
			if f.n < 0 || f.n >= len(f.items) {
				return nil, badState("the foreach index %d is outside its %d items", f.n, len(f.items))
			}
		}
		if i == 0 && blk != t.main {
			return nil, badState("the cursor does not start at the main block")
		}
		if i > 0 && !enteredFrom(s.stack[i-1], blk) {
			return nil, badState("block %q is not entered from the step before it in the cursor", sf.Block)
		}
		s.stack = append(s.stack, f)
	}
	cur := s.current()
	switch {
	case cur == nil:
		return nil, badState("the cursor is not at a step")
	case s.wait == "input" && cur.kind != stepAsk:
		return nil, badState("the session waits for an input at a %s step", cur.kind)
	case s.wait == "confirm" && cur.kind != stepConfirm:
		return nil, badState("the session waits for a confirmation at a %s step", cur.kind)
	case s.wait == "signin" && cur.kind != stepHTTP:
		return nil, badState("the session waits for a sign-in at a %s step", cur.kind)
	case s.wait != "input" && s.wait != "confirm" && s.wait != "signin":
		return nil, badState("the session is not waiting for anything (wait %q)", s.wait)
	}
	if s.attempt < 0 || s.attempt > 100 {
		return nil, badState("bad attempt count %d", s.attempt)
	}
	s.initEnv()
	return s, nil
}

// loopOwner returns the foreach step whose body has key blk.
func (t *Template) loopOwner(key string) *step {
	for _, s := range t.stepByKey {
		if s.kind == stepForeach && s.body != nil && s.body.key == key {
			return s
		}
	}
	return nil
}

// resume applies the answer to what the session waits for, then runs on.
func (s *session) resume(ctx context.Context, answer string) *Turn {
	st := s.current()
	cancel, answer := s.cancelWord(answer)
	if cancel {
		s.cancelled()
		return &s.turn
	}
	var act action
	switch s.wait {
	case "input":
		act = s.answerAsk(st, answer)
	case "confirm":
		act = s.answerConfirm(st, answer)
	case "signin":
		if c, ok := s.e.cfg.Auth.(auth.SignInCompleter); ok {
			req := auth.Request{Subject: s.opts.Subject, Scopes: s.t.scopes, Conversation: s.opts.Conversation}
			sctx, cancel := context.WithDeadline(ctx, s.deadline)
			err := c.CompleteSignIn(sctx, req, answer)
			cancel()
			if err != nil {
				if sr, ok := auth.IsSignInRequired(err); ok {
					s.signIn(sr)
					return &s.turn
				}
				return s.failed(st, fmt.Errorf("completing the sign-in: %w", err))
			}
		}
		act = actNext
	}
	if act == actPause {
		return &s.turn
	}
	return s.run(ctx)
}

// enteredFrom reports whether blk is a block of the step that parent last
// entered (the run loop advances past a step before entering its block).
func enteredFrom(parent frame, blk *block) bool {
	if parent.idx < 1 || parent.idx > len(parent.blk.steps) {
		return false
	}
	for _, child := range parent.blk.steps[parent.idx-1].children() {
		if child == blk {
			return true
		}
	}
	return false
}
