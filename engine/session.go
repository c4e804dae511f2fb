package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/runflow/runflow/engine/input"
)

// frame is one level of the cursor: a block and the index of the next step
// to run in it; a foreach frame also holds its items and current index.
type frame struct {
	blk   *block
	idx   int
	loop  *step // the foreach step, for loop frames
	items []any
	n     int
}

// session is one run of a template: all of it is plain data that state.go
// saves and restores.
type session struct {
	e    *Engine
	t    *Template
	id   string
	now  time.Time
	zone *time.Location
	user string
	opts StartOptions

	stack    []frame
	stackBuf [4]frame // the first frames of stack, saving an allocation
	inputs   map[string]any
	presets  map[string]any
	vars     map[string]any
	steps    map[string]any

	// seq is the turn number (Turn.Seq) this call's turn will have.
	seq uint64
	// claim, when set (HandleMessage, StartFlow), is called once before
	// the first write of the call is sent; errTurnLost makes the call stop
	// with nothing sent and lost set.
	claim func(ctx context.Context, st *step, method, path string) error
	lost  bool

	// wait says what the step at the cursor waits for: "input", "confirm",
	// "signin" or "" (not waiting).
	wait    string
	attempt int

	env map[string]any
	vm  vm.VM
	// vmStack is the first part of the VM's stack: the few values the
	// usual expression pushes fit in it, saving an allocation per run.
	vmStack [5]any
	// budget is the text one evaluation may still build (budget.go).
	budget evalBudget
	turn   Turn

	// live counts the bytes the session holds (sessionmem.go).
	live liveData

	// deadline ends this Start or Resume call (Limits.FlowTimeout). It is
	// checked between steps and is the deadline of an http step when it
	// comes before the step's own (Limits.StepTimeout), so that a request
	// runs under one engine context rather than two nested ones.
	deadline time.Time
}

func (s *session) initEnv() {
	// Boxing the engine's zone name and "me" costs nothing; the session
	// map and the boxed time only for templates that read them.
	zone := s.e.zoneName
	if s.zone != s.e.zone {
		zone = s.zone.String()
	}
	var user any = "me"
	if s.user != "me" {
		user = s.user
	}
	s.env = map[string]any{
		"inputs":  s.inputs,
		"steps":   s.steps,
		"vars":    s.vars,
		"zone":    zone,
		"user":    user,
		budgetVar: &s.budget,
	}
	if s.t.usesNow {
		s.env["now"] = s.now
	}
	if s.t.usesSession {
		s.env["session"] = map[string]any{"id": s.sessionID(), "zone": s.opts.Zone}
	}
	s.vm.MemoryBudget = s.e.lim.MaxMemory
	s.vm.Stack = s.vmStack[:0]
	s.syncLoopEnv()
}

// sessionID returns the session's id, making it on first use.
func (s *session) sessionID() string {
	if s.id == "" {
		s.id = newSessionID()
	}
	return s.id
}

// setInput, setVar and setStep write a value, making the map (and putting
// it in the expression environment) on first use.
func (s *session) setInput(name string, v any) {
	if s.inputs == nil {
		s.inputs = map[string]any{}
		s.env["inputs"] = s.inputs
	}
	s.inputs[name] = v
}

func (s *session) setVar(name string, v any) {
	if s.vars == nil {
		s.vars = map[string]any{}
		s.env["vars"] = s.vars
	}
	s.vars[name] = v
}

func (s *session) setStep(id string, r *stepResult) {
	if s.steps == nil {
		s.steps = map[string]any{}
		s.env["steps"] = s.steps
	}
	s.steps[id] = r
}

// syncLoopEnv sets the foreach variables and loop.index from the stack.
func (s *session) syncLoopEnv() {
	delete(s.env, "loop")
	for _, f := range s.stack {
		if f.loop == nil || f.n >= len(f.items) {
			continue
		}
		s.env[f.loop.as] = f.items[f.n]
		s.env["loop"] = map[string]any{"index": f.n}
	}
}

// action is what a step asks the run loop to do next.
type action int

const (
	actNext  action = iota // go on with the next step
	actPause               // the turn is ready (question, sign-in, end)
)

// run executes steps until the flow pauses or ends.
func (s *session) run(ctx context.Context) *Turn {
	// Long evaluations look at the call's context and deadline (budget.go).
	s.budget.ctx, s.budget.deadline = ctx, s.deadline
	defer func() { s.budget.ctx = nil }()
	for {
		if err := ctx.Err(); err != nil {
			return s.failed(s.current(), fmt.Errorf("the flow took too long or was cancelled: %w", err))
		}
		if !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
			return s.failed(s.current(), s.flowTimeout(context.DeadlineExceeded))
		}
		if len(s.stack) == 0 {
			return s.complete()
		}
		f := &s.stack[len(s.stack)-1]
		if f.idx >= len(f.blk.steps) {
			if f.loop != nil && f.n+1 < len(f.items) {
				f.n++
				f.idx = 0
				s.syncLoopEnv()
				continue
			}
			wasLoop := f.loop != nil
			s.stack = s.stack[:len(s.stack)-1]
			if wasLoop {
				delete(s.env, f.loop.as)
				s.syncLoopEnv()
			}
			continue
		}
		st := f.blk.steps[f.idx]
		if s.exec(ctx, st) == actPause {
			return &s.turn
		}
	}
}

// current returns the step at the cursor, or nil.
func (s *session) current() *step {
	if len(s.stack) == 0 {
		return nil
	}
	f := s.stack[len(s.stack)-1]
	if f.idx >= len(f.blk.steps) {
		return nil
	}
	return f.blk.steps[f.idx]
}

// advance moves the cursor past the current step.
func (s *session) advance() {
	s.stack[len(s.stack)-1].idx++
	s.wait = ""
	s.attempt = 0
}

// enter moves past the current step and runs blk next.
func (s *session) enter(blk *block) {
	s.advance()
	if blk != nil && len(blk.steps) > 0 {
		s.stack = append(s.stack, frame{blk: blk})
	}
}

// exec runs one step.
func (s *session) exec(ctx context.Context, st *step) action {
	switch st.kind {
	case stepHTTP:
		return s.execHTTP(ctx, st)
	case stepSet:
		for _, v := range st.set {
			val, err := s.evalValue(v.val)
			if err != nil {
				return s.fail(st, err)
			}
			old := s.vars[v.name]
			s.setVar(v.name, val)
			if err := s.holdLive(old, val); err != nil {
				return s.fail(st, err)
			}
		}
		s.advance()
	case stepIf:
		ok, err := s.evalBool(st.cond)
		if err != nil {
			return s.fail(st, err)
		}
		if ok {
			s.enter(st.then)
		} else {
			s.enter(st.els)
		}
	case stepSwitch:
		v, err := s.eval(st.subject)
		if err != nil {
			return s.fail(st, err)
		}
		text := textOf(v)
		target := st.defaultBlk
		for _, c := range st.cases {
			if c.text == text {
				target = c.body
				break
			}
		}
		s.enter(target)
	case stepForeach:
		return s.execForeach(st)
	case stepAsk:
		return s.execAsk(st)
	case stepConfirm:
		return s.execConfirm(st)
	case stepSay:
		text, err := s.evalText(st.text)
		if err != nil {
			return s.fail(st, err)
		}
		s.turn.Messages = append(s.turn.Messages, text)
		s.advance()
	case stepEnd:
		s.stack = nil
		if s.complete().Kind == KindFailed {
			return actPause
		}
		return actPause
	case stepFail:
		text, err := s.evalText(st.text)
		if err != nil {
			return s.fail(st, err)
		}
		return s.fail(st, &FailStepError{Message: text})
	default:
		return s.fail(st, fmt.Errorf("unknown step kind %q", st.kind))
	}
	return actNext
}

func (s *session) execForeach(st *step) action {
	v, err := s.eval(st.items)
	if err != nil {
		return s.fail(st, err)
	}
	items, err := asList(v)
	if err != nil {
		return s.fail(st, fmt.Errorf("foreach: %v", err))
	}
	limit := s.e.lim.MaxForeach
	if st.max > 0 && st.max < limit {
		limit = st.max
	}
	if len(items) > limit {
		msg := fmt.Sprintf("foreach: %d items, more than the maximum of %d", len(items), limit)
		if limit == st.max && st.max < s.e.lim.MaxForeach {
			return s.fail(st, fmt.Errorf("%s (the step's max)", msg))
		}
		return s.fail(st, &LimitError{Setting: "MaxForeach", Message: msg})
	}
	s.advance()
	if len(items) == 0 || len(st.body.steps) == 0 {
		return actNext
	}
	s.stack = append(s.stack, frame{blk: st.body, loop: st, items: items})
	s.syncLoopEnv()
	return actNext
}

// asList accepts the lists expressions produce.
func asList(v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []input.FileValue: // a files input
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = f
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a list, got %s", typeName(v))
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing (nil)"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	case map[string]any:
		return "a map"
	case time.Time:
		return "a time"
	case time.Duration:
		return "a duration"
	}
	return fmt.Sprintf("a %T", v)
}

// complete evaluates the output and finishes the flow.
func (s *session) complete() *Turn {
	turn := &s.turn
	if turn.Outputs == nil && len(s.t.outputs) > 0 {
		turn.Outputs = make([]Output, 0, len(s.t.outputs))
	}
	for _, o := range s.t.outputs {
		v, err := s.evalValue(o.val)
		if err != nil {
			return s.failed(nil, fmt.Errorf("output %s (%s:%d:%d): %w", o.name, s.t.source, o.pos.Line, o.pos.Col, err))
		}
		turn.Outputs = append(turn.Outputs, Output{Name: o.name, Value: v, Columns: o.columns})
	}
	turn.Kind = KindDone
	turn.Status = StatusCompleted
	turn.State = nil
	return turn
}

func (s *session) cancelled() action {
	s.turn.Kind = KindDone
	s.turn.Status = StatusCancelled
	s.stack = nil
	return actPause
}

// fail ends the flow with err at step st.
func (s *session) fail(st *step, err error) action {
	s.failed(st, err)
	return actPause
}

func (s *session) failed(st *step, err error) *Turn {
	fe := &FlowError{Err: err}
	var already *FlowError
	if errors.As(err, &already) {
		fe = already
	} else if st != nil {
		fe.Step = st.key
		fe.Pos = s.stepPos(st)
	}
	s.turn.Kind = KindFailed
	s.turn.Status = StatusFailed
	s.turn.Err = fe
	s.turn.State = nil
	s.turn.Question = nil
	s.turn.SignIn = nil
	return &s.turn
}

// pause saves the state into the turn; a state over the size limit fails
// the flow instead.
func (s *session) pause() action {
	st := s.current()
	data, err := s.save()
	if err != nil {
		return s.fail(st, err)
	}
	s.turn.State = data
	s.turn.Session = s.id
	return actPause
}

// stepPos is "file:line:col" of st.
func (s *session) stepPos(st *step) string {
	return fmt.Sprintf("%s:%d:%d", s.t.source, st.pos.Line, st.pos.Col)
}

// flowTimeout is the error of a call that ran past Limits.FlowTimeout.
func (s *session) flowTimeout(err error) error {
	return &LimitError{Setting: "FlowTimeout", Message: fmt.Sprintf("the flow took longer than %v", s.e.lim.FlowTimeout), Err: err}
}
