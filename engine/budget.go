package engine

import (
	"fmt"
	"reflect"
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

// evalBudget is what is left of the text one evaluation may build.
type evalBudget struct {
	left, max int
}

var budgetType = reflect.TypeOf((*evalBudget)(nil))

// reset gives a new evaluation its whole budget.
func (b *evalBudget) reset(max int) { b.left, b.max = max, max }

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
		in := []reflect.Type{budgetType}
		for i := 0; i < t.NumIn(); i++ {
			in = append(in, t.In(i))
		}
		outs := make([]reflect.Type, t.NumOut())
		for i := range outs {
			outs[i] = t.Out(i)
		}
		out = append(out, reflect.FuncOf(in, outs, t.IsVariadic()))
	}
	return out
}

// budgetedFuncs are the functions whose text results are charged: the
// sized builtins (replace, repeat, join) and builtins whose result may be
// as large as their input.
var budgetedNames = []string{
	"replace", "repeat", "join",
	"upper", "lower", "trim", "trimPrefix", "trimSuffix",
	"string", "toJSON", "toBase64", "fromBase64",
}

var budgetedFuncs = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range budgetedNames {
		m[name] = true
	}
	return m
}()

// concatOptions are the functions the patch turns + into.
var concatOptions = []expr.Option{
	expr.Function(concatFunc, fnAdd, new(func(*evalBudget, string, string) string)),
	expr.Function(addFunc, fnAdd, new(func(*evalBudget, any, any) any)),
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

// budgetPatch passes the budget to the calls of budgetedFuncs and turns
// a + that may join texts into a call of concatFunc or addFunc.
type budgetPatch struct{}

func (budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
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

// valueBytes counts the bytes of the texts in v, lists and maps
// included (keys too), stopping as soon as the count passes limit.
func valueBytes(v any, limit int) int {
	c := byteCounter{limit: limit}
	c.walk(v)
	return c.n
}

type byteCounter struct{ n, limit int }

func (c *byteCounter) walk(v any) {
	if c.n > c.limit {
		return
	}
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
