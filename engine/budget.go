package engine

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// Every text an evaluation builds is charged to one byte budget of
// Limits.MaxValueBytes, so that building many texts within one
// expression (map(1..300, repeat(s, n)), a chain of a + a, ...) stops at
// the limit instead of when memory runs out. The programs are shared by
// every session, so the budget cannot live in the functions: it is an
// entry of the session's environment, and a compile-time patch passes it
// as the first argument of every call that builds text and of every +
// that may join texts.

// budgetVar is the environment entry holding the session's *evalBudget.
// It holds a character templates cannot write in an identifier, so only
// the patch reads it.
const budgetVar = "eval$budget"

// The functions the patch calls instead of +: concatFunc when both sides
// are known to be text, addFunc when a side's type is only known while
// running.
const (
	concatFunc = "concat$budget"
	addFunc    = "add$budget"
)

// evalBudget is what is left of the text one evaluation may build
// (Limits.MaxValueBytes) and of the data json() may copy out of texts
// (Limits.MaxValueDataBytes).
type evalBudget struct {
	left, max         int
	dataLeft, dataMax int
	// steps counts the predicate runs of the evaluation, up to
	// maxSteps (Limits.MaxEvalSteps); see step.
	steps, maxSteps int
	// elemsLeft is what is left of Limits.MaxMemory for the elements
	// concat copies (sizedconcat.go).
	elemsLeft int
	// ctx and deadline are those of the Start, Resume or Run call the
	// session is in (set by run, cleared when it returns), so that a long
	// evaluation stops when the call is cancelled or runs out of time.
	// stopped is the error that stopped the evaluation that way.
	ctx      context.Context
	deadline time.Time
	stopped  error
	flowTime time.Duration // Limits.FlowTimeout, for the message
}

var budgetType = reflect.TypeOf((*evalBudget)(nil))

// reset gives a new evaluation its whole budget.
func (b *evalBudget) reset(lim *Limits) {
	b.left, b.max = lim.MaxValueBytes, lim.MaxValueBytes
	b.dataLeft, b.dataMax = lim.MaxValueDataBytes, lim.MaxValueDataBytes
	b.steps, b.maxSteps = 0, lim.MaxEvalSteps
	b.elemsLeft = int(min(lim.MaxMemory, uint(tooBig)))
	b.flowTime = lim.FlowTimeout
	b.stopped = nil
}

// stepCheckEvery is how many steps pass between two looks at the
// context and the clock: often enough to stop within a millisecond or
// so, rarely enough to cost nothing measurable.
const stepCheckEvery = 256

// step counts one run of a predicate (the patch puts a call of stepFunc
// in front of every predicate body) and stops the evaluation past
// MaxEvalSteps, when the call's context is done, or at its deadline
// (Limits.FlowTimeout).
func (b *evalBudget) step() error {
	b.steps++
	if b.steps > b.maxSteps {
		return &LimitError{Setting: "MaxEvalSteps", Message: fmt.Sprintf("the expression ran more than %d steps", b.maxSteps)}
	}
	if b.steps%stepCheckEvery != 0 {
		return nil
	}
	if b.ctx != nil {
		if err := b.ctx.Err(); err != nil {
			b.stopped = fmt.Errorf("the flow took too long or was cancelled: %w", err)
			return b.stopped
		}
	}
	if !b.deadline.IsZero() && !time.Now().Before(b.deadline) {
		b.stopped = &LimitError{Setting: "FlowTimeout", Message: fmt.Sprintf("the flow took longer than %v", b.flowTime), Err: context.DeadlineExceeded}
		return b.stopped
	}
	return nil
}

// stepFunc is the function the patch calls at the start of every
// predicate body.
const stepFunc = "step$budget"

// fnStep is stepFunc: it charges one step to the budget.
func fnStep(args ...any) (any, error) {
	if b, _ := budgetArg(args); b != nil {
		if err := b.step(); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// chargeData takes n bytes of data copied by fn from the data budget.
func (b *evalBudget) chargeData(fn string, n int) error {
	if n > b.dataLeft {
		return &LimitError{Setting: "MaxValueDataBytes", Message: fmt.Sprintf("%s: the expression would copy more than %d bytes of data", fn, b.dataMax)}
	}
	b.dataLeft -= n
	return nil
}

// charge takes n bytes built by fn from the budget, or fails when they
// are not left.
func (b *evalBudget) charge(fn string, n int) error {
	if n > b.left {
		return &LimitError{Setting: "MaxValueBytes", Message: fmt.Sprintf("%s: the expression would build more than %d bytes of text", fn, b.max)}
	}
	b.left -= n
	return nil
}

// budgetArg splits the budget the patch passes first from the call's own
// arguments; the budget is nil for a call the patch did not reach.
func budgetArg(args []any) (*evalBudget, []any) {
	if len(args) > 0 {
		if b, ok := args[0].(*evalBudget); ok {
			return b, args[1:]
		}
	}
	return nil, args
}

// withBudgetTypes returns types followed by each of them with a leading
// *evalBudget parameter: the first ones check the template as written,
// the others the patched call.
func withBudgetTypes(types []reflect.Type) []reflect.Type {
	out := append([]reflect.Type{}, types...)
	for _, t := range types {
		if bt, ok := budgetedSignatures()[t]; ok {
			out = append(out, bt)
			continue
		}
		out = append(out, withBudgetParam(t))
	}
	return out
}

// withBudgetParam derives the function type t with a leading *evalBudget
// parameter.
func withBudgetParam(t reflect.Type) reflect.Type {
	in := []reflect.Type{budgetType}
	for i := 0; i < t.NumIn(); i++ {
		in = append(in, t.In(i))
	}
	outs := make([]reflect.Type, t.NumOut())
	for i := range outs {
		outs[i] = t.Out(i)
	}
	return reflect.FuncOf(in, outs, t.IsVariadic())
}

// budgetedSignatures pairs each type of a charged function (expr's
// builtins in budgetedNames, the template functions declared with
// budgetedFunction and dataFunction) with the same type taking the budget
// first. Written out, the types are in the binary; reflect.FuncOf
// (withBudgetParam, the fallback) cost about 20,000 instructions a call and
// more than the rest of loading a small template.
// TestBudgetedSignaturesCoverEveryFunction keeps the list complete.
var budgetedSignatures = sync.OnceValue(func() map[reflect.Type]reflect.Type {
	pairs := [][2]any{
		// expr's builtins
		{new(func(string) string), new(func(*evalBudget, string) string)},
		{new(func(string, string) string), new(func(*evalBudget, string, string) string)},
		{new(func(string, string, string) string), new(func(*evalBudget, string, string, string) string)},
		{new(func(string, string, string, int) string), new(func(*evalBudget, string, string, string, int) string)},
		{new(func(string, int) string), new(func(*evalBudget, string, int) string)},
		{new(func([]string) string), new(func(*evalBudget, []string) string)},
		{new(func([]string, string) string), new(func(*evalBudget, []string, string) string)},
		{new(func([]any) string), new(func(*evalBudget, []any) string)},
		{new(func([]any, string) string), new(func(*evalBudget, []any, string) string)},
		{new(func(any) string), new(func(*evalBudget, any) string)},
		// the template's functions
		{new(func(string, string) any), new(func(*evalBudget, string, string) any)},
		{new(func(time.Time, string) string), new(func(*evalBudget, time.Time, string) string)},
		{new(func(time.Time, string, string) string), new(func(*evalBudget, time.Time, string, string) string)},
		{new(func(map[string]any, string, string) any), new(func(*evalBudget, map[string]any, string, string) any)},
	}
	m := make(map[reflect.Type]reflect.Type, len(pairs))
	for _, p := range pairs {
		m[reflect.TypeOf(p[0]).Elem()] = reflect.TypeOf(p[1]).Elem()
	}
	return m
})

// budgetedFuncs are the functions whose text results are charged: the
// sized builtins (replace, repeat, join) and builtins whose result may be
// as large as their input.
var budgetedNames = []string{
	"replace", "repeat", "join",
	"upper", "lower", "trim", "trimPrefix", "trimSuffix",
	"string", "toJSON", "toBase64", "fromBase64",
}

// budgetedFuncs are the names the patch passes the budget to: the
// builtins above and the template functions declared with
// budgetedFunction.
var budgetedFuncs = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range budgetedNames {
		m[name] = true
	}
	for _, name := range []string{"json", jsonBodyFunc, "graphDateTime", "formatTime", "odataString", "concat"} {
		m[name] = true
	}
	return m
}()

// budgetedFunction declares a template function whose text result is
// charged to the budget after the call.
func budgetedFunction(name string, fn func(args ...any) (any, error), types ...any) expr.Option {
	return budgeted(name, fn, func(b *evalBudget, v any) error {
		text, _ := v.(string)
		return b.charge(name, len(text))
	}, types...)
}

// dataFunction declares a template function whose result, texts in
// lists and maps included, is charged to the data budget after the call.
func dataFunction(name string, fn func(args ...any) (any, error), types ...any) expr.Option {
	return budgeted(name, fn, func(b *evalBudget, v any) error {
		return b.chargeData(name, valueBytes(v, b.dataLeft))
	}, types...)
}

func budgeted(name string, fn func(args ...any) (any, error), charge func(*evalBudget, any) error, types ...any) expr.Option {
	all := make([]any, 0, 2*len(types))
	all = append(all, types...)
	for _, t := range withBudgetTypes(reflectTypes(types))[len(types):] {
		all = append(all, reflect.New(t).Interface())
	}
	return expr.Function(name, func(args ...any) (any, error) {
		b, args := budgetArg(args)
		v, err := fn(args...)
		if err == nil && b != nil {
			if err := charge(b, v); err != nil {
				return nil, err
			}
		}
		return v, err
	}, all...)
}

// reflectTypes returns the function types of new(func ...) values.
func reflectTypes(types []any) []reflect.Type {
	out := make([]reflect.Type, len(types))
	for i, t := range types {
		out[i] = reflect.TypeOf(t).Elem()
	}
	return out
}

// concatOptions are the functions the patch turns + into.
var concatOptions = []expr.Option{
	expr.Function(concatFunc, fnAdd, new(func(*evalBudget, string, string) string)),
	expr.Function(addFunc, fnAdd, new(func(*evalBudget, any, any) any)),
	expr.Function(stepFunc, fnStep, new(func(*evalBudget) any)),
	expr.Patch(budgetPatch{}),
}

// fnAdd is + with the text it builds charged; other operands (numbers,
// times and durations) are added as expr's + does.
func fnAdd(args ...any) (any, error) {
	b, rest := budgetArg(args)
	x, y := rest[0], rest[1]
	if xs, ok := x.(string); ok {
		if ys, ok := y.(string); ok {
			if b != nil {
				if err := b.charge("+", len(xs)+len(ys)); err != nil {
					return nil, err
				}
			}
			return xs + ys, nil
		}
	}
	return runtime.Add(x, y), nil
}

// budgetPatch passes the budget to the calls of budgetedFuncs, turns a
// + that may join texts into a call of concatFunc or addFunc, and counts
// the runs of every predicate body with stepFunc.
type budgetPatch struct{}

func (budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		// The body becomes "step$budget(eval$budget); body": the
		// sequence has the body's type, and every run is counted.
		if seq, ok := n.Node.(*ast.SequenceNode); ok && len(seq.Nodes) == 2 {
			if call, ok := seq.Nodes[0].(*ast.CallNode); ok {
				if id, ok := call.Callee.(*ast.IdentifierNode); ok && id.Value == stepFunc {
					return
				}
			}
		}
		step := &ast.CallNode{Callee: &ast.IdentifierNode{Value: stepFunc}, Arguments: []ast.Node{&ast.IdentifierNode{Value: budgetVar}}}
		n.Node = &ast.SequenceNode{Nodes: []ast.Node{step, n.Node}}
	case *ast.CallNode:
		callee, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || !budgetedFuncs[callee.Value] {
			return
		}
		if len(n.Arguments) > 0 {
			if id, ok := n.Arguments[0].(*ast.IdentifierNode); ok && id.Value == budgetVar {
				return
			}
		}
		args := append([]ast.Node{&ast.IdentifierNode{Value: budgetVar}}, n.Arguments...)
		ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: callee.Value}, Arguments: args})
	case *ast.BinaryNode:
		if n.Operator != "+" {
			return
		}
		l, r := textKind(n.Left.Type()), textKind(n.Right.Type())
		if l == notText || r == notText {
			return
		}
		fn := addFunc
		if l == isText && r == isText {
			fn = concatFunc
		}
		ast.Patch(node, &ast.CallNode{
			Callee:    &ast.IdentifierNode{Value: fn},
			Arguments: []ast.Node{&ast.IdentifierNode{Value: budgetVar}, n.Left, n.Right},
		})
	}
}

const (
	notText = iota
	isText
	mayBeText
)

// textKind says whether an operand of type t is text, may be text (its
// type is only known while running), or is not.
func textKind(t reflect.Type) int {
	switch {
	case t == nil || t.Kind() == reflect.Interface:
		return mayBeText
	case t.Kind() == reflect.String:
		return isText
	}
	return notText
}

// Bounds of the walk of valueBytes: a value nested deeper, or with more
// elements, than any Graph answer has (or holding itself, as $env stored
// in a variable does) counts as over the limit.
const (
	maxValueDepth    = 1000
	maxValueElements = 4 << 20
)

// valueBytes counts the bytes of the texts in v, lists and maps
// included (keys too), stopping as soon as the count passes limit; past
// maxValueDepth or maxValueElements it returns limit+1.
func valueBytes(v any, limit int) int {
	c := byteCounter{limit: limit}
	c.walk(v)
	return c.n
}

type byteCounter struct{ n, limit, depth, elements int }

func (c *byteCounter) walk(v any) {
	if c.n > c.limit {
		return
	}
	c.elements++
	if c.depth >= maxValueDepth || c.elements > maxValueElements {
		c.n = c.limit + 1
		return
	}
	c.depth++
	c.walkElements(v)
	c.depth--
}

func (c *byteCounter) walkElements(v any) {
	switch x := v.(type) {
	case nil, bool, int, int64, float64, time.Time, time.Duration:
	case string:
		c.n += len(x)
	case []any:
		for _, e := range x {
			c.walk(e)
		}
	case []string:
		for _, e := range x {
			c.n += len(e)
		}
	case map[string]any:
		for k, e := range x {
			c.n += len(k)
			c.walk(e)
		}
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len() && c.n <= c.limit; i++ {
				c.walk(rv.Index(i).Interface())
			}
		case reflect.Map:
			it := rv.MapRange()
			for it.Next() && c.n <= c.limit {
				c.walk(it.Key().Interface())
				c.walk(it.Value().Interface())
			}
		case reflect.String:
			c.n += rv.Len()
		}
	}
}
