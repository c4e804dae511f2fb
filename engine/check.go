package engine

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/types"

	"github.com/runflow/runflow/engine/input"
)

// scope is what is known at one point of the flow: the inputs answered,
// the steps run and the variables set on every path that reaches it.
type scope struct {
	inputs     map[string]bool
	steps      map[string]bool
	vars       map[string]bool
	loopVars   []string
	terminated bool // every path has ended (end or fail) before this point
}

func newScope() *scope {
	return &scope{inputs: map[string]bool{}, steps: map[string]bool{}, vars: map[string]bool{}}
}

func (s *scope) clone() *scope {
	c := &scope{inputs: copySet(s.inputs), steps: copySet(s.steps), vars: copySet(s.vars), terminated: s.terminated}
	c.loopVars = append([]string(nil), s.loopVars...)
	return c
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// meet is what is known after two alternative paths join.
func meet(a, b *scope) *scope {
	if a.terminated {
		return b.clone()
	}
	if b.terminated {
		return a.clone()
	}
	out := a.clone()
	for _, m := range []struct{ out, other map[string]bool }{{out.inputs, b.inputs}, {out.steps, b.steps}, {out.vars, b.vars}} {
		for k := range m.out {
			if !m.other[k] {
				delete(m.out, k)
			}
		}
	}
	return out
}

// checker resolves names, compiles expressions and checks the flow of a
// decoded template.
type checker struct {
	t         *Template
	ps        *problems
	maxNodes  int
	funcs     []expr.Option // funcOptions and the sized string builtins
	httpSteps []*step
	ends      []*scope // scopes at every point where the flow completes
	setVars   map[string]bool
	asked     map[string]*step
	varTypes  map[string]varType // each variable's class, from its first assignment
	varSteps  map[string][]*step // the set steps of each variable
	// startInput is the input being checked when it is asked at the start.
	startInput *inputDef
}

func (c *checker) run() {
	t := c.t
	c.setVars = map[string]bool{}
	c.asked = map[string]*step{}
	// Which inputs are asked by ask steps, and which names exist at all.
	for _, pa := range t.pendingAsks {
		in, ok := t.inputByName[pa.name]
		if !ok {
			c.ps.errorf(pa.pos, "ask: unknown input %q%s", pa.name, didYouMean(pa.name, t.inputNames()))
			continue
		}
		if prev, dup := c.asked[pa.name]; dup {
			c.ps.errorf(pa.pos, "ask: input %q is already asked by the step at line %d; an input is asked once", pa.name, prev.pos.Line)
			continue
		}
		c.asked[pa.name] = pa.step
		pa.step.ask = in
		in.askStep = pa.step
	}
	collectVars(t.userSteps, c.setVars)
	c.varTypes = map[string]varType{}
	c.varSteps = map[string][]*step{}
	collectVarSteps(t.userSteps, c.varSteps)
	// Start inputs are asked first, in order, as implicit ask steps.
	main := &block{key: "main"}
	sc := newScope()
	for _, in := range t.inputs {
		if in.askStep != nil {
			continue
		}
		s := &step{key: "input:" + in.name, kind: stepAsk, pos: in.pos, ask: in, synthetic: true}
		main.steps = append(main.steps, s)
	}
	if t.userSteps != nil {
		main.steps = append(main.steps, t.userSteps.steps...)
	}
	t.main = main
	if t.userSteps != nil && len(t.userSteps.steps) == 0 {
		c.ps.errorf(t.stepsPos, "steps: the list is empty; a template needs at least one step")
	}
	out := c.block(main, sc)
	if !out.terminated {
		c.ends = append(c.ends, out)
	}
	c.outputs()
	c.checkScopes()
}

// collectVars records every variable any set step sets.
func collectVars(b *block, out map[string]bool) {
	if b == nil {
		return
	}
	for _, s := range b.steps {
		for _, v := range s.set {
			out[v.name] = true
		}
		for _, child := range s.children() {
			collectVars(child, out)
		}
	}
}

// children returns the blocks nested in a step, in document order.
func (s *step) children() []*block {
	var out []*block
	for _, b := range []*block{s.then, s.els} {
		if b != nil {
			out = append(out, b)
		}
	}
	for _, cs := range s.cases {
		out = append(out, cs.body)
	}
	for _, b := range []*block{s.defaultBlk, s.body} {
		if b != nil {
			out = append(out, b)
		}
	}
	for _, r := range s.onError {
		if r.body != nil {
			out = append(out, r.body)
		}
	}
	return out
}

// block checks the steps of b in order and returns the scope after them.
func (c *checker) block(b *block, in *scope) *scope {
	sc := in.clone()
	reported := false
	for _, s := range b.steps {
		if sc.terminated && !reported {
			c.ps.errorf(s.pos, "this step is unreachable: the flow always ends before it")
			reported = true
			sc.terminated = false // check the rest as if it ran
		}
		sc = c.step(s, sc)
	}
	return sc
}

func (c *checker) step(s *step, sc *scope) *scope {
	t := c.t
	switch s.kind {
	case stepHTTP:
		if s.http != nil {
			h := s.http
			c.httpSteps = append(c.httpSteps, s)
			c.value(h.path, sc, nil)
			for _, q := range h.query {
				c.value(q.val, sc, nil)
			}
			for _, hd := range h.headers {
				c.value(hd.val, sc, nil)
			}
			c.value(h.body, sc, nil)
			if h.upload != nil {
				c.value(h.upload.url, sc, nil)
				c.value(h.upload.file, sc, nil)
			}
			if h.paging != nil {
				c.value(h.paging.maxPages, sc, nil)
				c.value(h.paging.maxItems, sc, nil)
			}
		}
		after := sc.clone()
		if s.id != "" {
			after.steps[s.id] = true
		}
		for _, r := range s.onError {
			if r.body != nil {
				c.block(r.body, after)
			}
		}
		return after
	case stepSet:
		out := sc.clone()
		for _, v := range s.set {
			c.value(v.val, out, nil)
			c.typeVar(v)
			out.vars[v.name] = true
		}
		return out
	case stepIf:
		c.expr(s.cond, sc, nil, true)
		thenOut := c.block(s.then, sc)
		elseOut := sc
		if s.els != nil {
			elseOut = c.block(s.els, sc)
		}
		return meet(thenOut, elseOut)
	case stepSwitch:
		c.expr(s.subject, sc, nil, false)
		var out *scope
		for _, cs := range s.cases {
			o := c.block(cs.body, sc)
			if out == nil {
				out = o
			} else {
				out = meet(out, o)
			}
		}
		def := sc
		if s.defaultBlk != nil {
			def = c.block(s.defaultBlk, sc)
		}
		if out == nil {
			return def
		}
		return meet(out, def)
	case stepForeach:
		c.expr(s.items, sc, nil, false)
		if s.max > 0 && s.max > DefaultLimits().MaxForeach {
			c.ps.errorf(s.maxPos, "foreach max %d is more than the engine allows (%d)", s.max, DefaultLimits().MaxForeach)
		}
		inner := sc.clone()
		if s.as != "" {
			for _, v := range sc.loopVars {
				if v == s.as {
					c.ps.errorf(s.asPos, "foreach as %q is already the variable of an enclosing foreach", s.as)
				}
			}
			inner.loopVars = append(inner.loopVars, s.as)
		}
		c.block(s.body, inner)
		return sc.clone()
	case stepAsk:
		if s.ask == nil {
			return sc
		}
		if s.synthetic {
			c.startInput = s.ask
		}
		c.input(s.ask, sc)
		c.startInput = nil
		out := sc.clone()
		out.inputs[s.ask.name] = true
		return out
	case stepConfirm, stepSay:
		c.value(s.text, sc, nil)
		return sc
	case stepFail:
		c.value(s.text, sc, nil)
		out := sc.clone()
		out.terminated = true
		return out
	case stepEnd:
		c.ends = append(c.ends, sc.clone())
		out := sc.clone()
		out.terminated = true
		return out
	}
	_ = t
	return sc
}

// input compiles the expressions of an input, in the scope where it is
// asked.
func (c *checker) input(in *inputDef, sc *scope) {
	c.value(in.prompt, sc, nil)
	c.value(in.hint, sc, nil)
	c.value(in.zone, sc, nil)
	if in.zone != nil && in.zone.kind == valLiteral {
		if name := textOf(in.zone.lit); name != "" {
			if _, err := loadZone(name); err != nil {
				c.ps.errorf(in.zone.pos, "input %s zone: %v", in.name, err)
			}
		}
	}
	if in.def != nil {
		c.value(in.def, sc, nil)
		c.checkDefault(in)
	}
	if in.relativeTo != nil {
		c.expr(in.relativeTo, sc, nil, false)
		if rt := resultType(in.relativeTo); rt != nil && rt.Kind() != reflect.Interface && rt != reflect.TypeOf(time.Time{}) {
			c.ps.errorf(in.relativeTo.pos, "input %s relative_to: the expression gives %s, not a time", in.name, rt)
		}
	}
	if in.choicesFrom != nil {
		c.expr(in.choicesFrom.items, sc, nil, false)
		item := map[string]types.Type{"item": types.Any}
		c.value(in.choicesFrom.value, sc, item)
		c.value(in.choicesFrom.label, sc, item)
	}
	val := map[string]types.Type{"value": inputValueType(in.typ)}
	for _, r := range in.validate {
		c.expr(r.check, sc, val, true)
		c.value(r.message, sc, val)
	}
}

// checkDefault checks a literal default by parsing it like an answer, and an
// expression default by its type.
func (c *checker) checkDefault(in *inputDef) {
	if in.typ == "" {
		return
	}
	switch in.def.kind {
	case valLiteral:
		text := textOf(in.def.lit)
		ctx := input.Context{Now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), Zone: time.UTC, Choices: in.staticChoices()}
		if in.typ == "choice" && in.choicesFrom != nil {
			return // the options are known only when the input is asked
		}
		if _, err := input.Parse(in.typ, text, ctx); err != nil {
			c.ps.errorf(in.def.pos, "input %s: the default %q is not a valid %s: %v", in.name, text, in.typ, err)
		}
	case valExpr:
		rt := resultType(in.def.expr)
		if rt == nil || rt.Kind() == reflect.Interface {
			return
		}
		want := inputValueType(in.typ)
		if !defaultTypeFits(rt, want, in.typ) {
			c.ps.errorf(in.def.pos, "input %s: the default expression gives %s, but a %s input needs %s", in.name, rt, in.typ, want)
		}
	}
}

// defaultTypeFits reports whether a default of Go type rt can be used for
// an input whose value type is want. Strings are parsed like answers;
// integers and floats convert.
func defaultTypeFits(rt reflect.Type, want types.Type, typ input.Type) bool {
	if rt.Kind() == reflect.String {
		return true
	}
	switch typ {
	case "integer", "number":
		switch rt.Kind() {
		case reflect.Int, reflect.Int64, reflect.Float64, reflect.Int32, reflect.Float32:
			return true
		}
		return false
	case "emails", "list":
		return rt.Kind() == reflect.Slice
	}
	return types.TypeOf(reflect.Zero(rt).Interface()).Equal(want)
}

func (in *inputDef) staticChoices() []input.Option {
	out := make([]input.Option, len(in.choices))
	for i, ch := range in.choices {
		out[i] = input.Option{Value: ch.value, Label: ch.label}
	}
	return out
}

// value compiles every expression in v.
func (c *checker) value(v *value, sc *scope, extra map[string]types.Type) {
	if v == nil {
		return
	}
	for _, e := range v.exprs(nil) {
		c.expr(e, sc, extra, false)
	}
}

// expr checks the names e uses against sc, then compiles it.
func (c *checker) expr(e *expression, sc *scope, extra map[string]types.Type, asBool bool) {
	if e == nil {
		return
	}
	tree, err := parser.Parse(e.src)
	if err != nil {
		pos, msg := e.pos, err.Error()
		if fe, ok := asFileError(err); ok {
			pos, msg = e.filePos(fe.Line, fe.Column), fe.Message
		}
		c.ps.errorf(pos, "expression: %s", msg)
		return
	}
	ok := true
	for _, r := range refs(tree) {
		if msg := c.refProblem(r, sc); msg != "" {
			pos := e.pos
			if e.exact {
				pos.Col += r.offset
			}
			c.ps.errorf(pos, "%s", msg)
			ok = false
		}
		if r.root == "steps" {
			c.t.keepSteps[r.name] = true
		}
	}
	walkAll(tree.Node, func(n ast.Node) {
		// The session map and the boxed time are put in the environment
		// only for templates that read them; $env reads everything.
		if id, ok := n.(*ast.IdentifierNode); ok {
			switch id.Value {
			case "session":
				c.t.usesSession = true
			case "now":
				c.t.usesNow = true
			case "$env":
				c.t.usesSession, c.t.usesNow = true, true
			}
		}
	})
	c.t.noteBodyReads(tree)
	bodyOffs, bodyMsgs := bodyFieldReads(tree)
	choiceOffs, choiceMsgs := c.choiceCalls(tree)
	bodyOffs, bodyMsgs = append(bodyOffs, choiceOffs...), append(bodyMsgs, choiceMsgs...)
	for i, off := range bodyOffs {
		pos := e.pos
		if e.exact {
			pos.Col += off
		}
		c.ps.errorf(pos, "%s", bodyMsgs[i])
		ok = false
	}
	reads, other := stepFieldRefs(tree)
	for _, r := range reads {
		if !slices.Contains(stepFields, r.field) {
			pos := e.pos
			if e.exact {
				pos.Col += r.offset
			}
			c.ps.errorf(pos, "steps.%s has no field %q%s", r.id, r.field, didYouMean(r.field, stepFields))
			ok = false
		}
		// Step results fill headers and items only when some expression
		// reads them (they cost allocations on every request).
		switch r.field {
		case "headers":
			c.t.needHeaders = true
		case "items", "count", "truncated":
			c.t.needItems = true
		}
	}
	for _, off := range other {
		pos := e.pos
		if e.exact {
			pos.Col += off
		}
		c.ps.errorf(pos, "steps can only be read as steps.<id>.<field>, with the id and the field (%s) written out: not steps[name], steps.<id>[name] or steps.<id> as a whole", strings.Join(stepFields, ", "))
		ok = false
	}
	if !ok {
		return
	}
	if pos, err := compileExpr(e, c.env(sc, extra), c.maxNodes, c.funcs, asBool); err != nil {
		var limit *LimitError
		if errors.As(err, &limit) {
			c.ps.limitf(pos, limit.Setting, "expression: %s", limit)
		} else {
			c.ps.errorf(pos, "expression: %s", err)
		}
	}
}

// refProblem says what is wrong with a reference, or "".
func (c *checker) refProblem(r nameRef, sc *scope) string {
	t := c.t
	switch r.root {
	case "inputs":
		in, ok := t.inputByName[r.name]
		if !ok {
			return fmt.Sprintf("unknown input %q%s", r.name, didYouMean(r.name, t.inputNames()))
		}
		if !sc.inputs[r.name] {
			if in.askStep != nil {
				return fmt.Sprintf("inputs.%s has no value here: it is asked by the ask step at line %d, which has not run on every path to this point", r.name, in.askStep.pos.Line)
			}
			return fmt.Sprintf("inputs.%s has no value here: inputs are asked in order and %s comes later", r.name, r.name)
		}
	case "steps":
		s, ok := t.stepByID[r.name]
		if !ok {
			return fmt.Sprintf("unknown step %q%s", r.name, didYouMean(r.name, t.stepIDs()))
		}
		if s.kind != stepHTTP {
			return fmt.Sprintf("steps.%s: only http steps have results, and step %s is a %s step", r.name, r.name, s.kind)
		}
		if !sc.steps[r.name] {
			return fmt.Sprintf("steps.%s is not available here: step %s (line %d) has not run on every path to this point", r.name, r.name, s.pos.Line)
		}
	case "vars":
		if !c.setVars[r.name] {
			var names []string
			for k := range c.setVars {
				names = append(names, k)
			}
			sort.Strings(names)
			return fmt.Sprintf("unknown variable %q: no set step sets it%s", r.name, suggestion(r.name, names))
		}
		if !sc.vars[r.name] {
			return c.unsetVarProblem(r.name)
		}
	}
	return ""
}

// suggestion is didYouMean without the list of all names.
func suggestion(s string, known []string) string {
	hint := didYouMean(s, known)
	if len(hint) > 2 && hint[:2] == "; " {
		return hint
	}
	return ""
}

// env builds the typed environment expressions are compiled against.
func (c *checker) env(sc *scope, extra map[string]types.Type) types.Map {
	t := c.t
	inputs := types.Map{}
	for name := range sc.inputs {
		inputs[name] = inputValueType(t.inputByName[name].typ)
	}
	steps := types.Map{}
	for id := range sc.steps {
		steps[id] = stepResultType
	}
	vars := c.varsEnv(sc)
	env := types.Map{
		"inputs":  inputs,
		"steps":   steps,
		"vars":    vars,
		"now":     typeTime,
		"zone":    types.String,
		"user":    types.String,
		"session": types.Map{"id": types.String, "zone": types.String},
		budgetVar: types.TypeOf(&evalBudget{}),
	}
	if len(sc.loopVars) > 0 {
		env["loop"] = types.Map{"index": types.Int}
		for _, v := range sc.loopVars {
			env[v] = types.Any
		}
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// outputs compiles the output in the scope common to every completion.
func (c *checker) outputs() {
	if len(c.ends) == 0 {
		return
	}
	sc := c.ends[0]
	for _, e := range c.ends[1:] {
		sc = meet(sc, e)
	}
	for _, o := range c.t.outputs {
		c.value(o.val, sc, nil)
	}
}
