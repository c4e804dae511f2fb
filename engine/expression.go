package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"

	"github.com/runflow/runflow/engine/input"
)

// expression is one ${ ... } of a template, compiled once at load.
type expression struct {
	src   string
	pos   Pos  // where src starts in the file
	exact bool // columns inside src map one to one onto the file
	prog  *vm.Program
}

var (
	typeTime     = types.TypeOf(time.Time{})
	typeDuration = types.TypeOf(time.Duration(0))
	// stepResultType is the type of steps.<id>.
	stepResultType = types.TypeOf(&stepResult{})
)

// inputValueType is the expression type of an input's value: its Go type
// (any when the template names no known type). A struct (a file) is
// declared as the map of its expr-tagged fields: expr v1.17.8 panics
// compiling a member of a struct declared with types.TypeOf
// (inputs.f.name), while a map of the same fields checks the names and
// their types and reads the struct at run time.
func inputValueType(typ input.Type) types.Type {
	z := typ.Zero()
	if z == nil {
		return types.Any
	}
	if rt := reflect.TypeOf(z); rt.Kind() == reflect.Struct {
		if m := structShape(rt); len(m) > 0 { // not time.Time, which has no fields to read
			return m
		}
	}
	return types.TypeOf(z)
}

// structShape is the map type of rt's exported fields, by their expr tag.
func structShape(rt reflect.Type) types.Map {
	m := types.Map{}
	for f := range rt.Fields() {
		name := f.Tag.Get("expr")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		m[name] = types.TypeOf(reflect.Zero(f.Type).Interface())
	}
	return m
}

// filePos maps an offset reported by expr inside e.src onto the file.
func (e *expression) filePos(line, col int) Pos {
	if !e.exact || line != 1 {
		return e.pos
	}
	return Pos{Line: e.pos.Line, Col: e.pos.Col + col}
}

// nameRef is a reference to inputs.X, steps.X or vars.X in an expression.
type nameRef struct {
	root, name string
	offset     int
}

// refs parses src and returns its inputs/steps/vars references.
func refs(tree *parser.Tree) []nameRef {
	var out []nameRef
	walkAll(tree.Node, func(n ast.Node) {
		m, ok := n.(*ast.MemberNode)
		if !ok {
			return
		}
		id, ok := m.Node.(*ast.IdentifierNode)
		if !ok || (id.Value != "inputs" && id.Value != "steps" && id.Value != "vars") {
			return
		}
		if prop, ok := m.Property.(*ast.StringNode); ok {
			out = append(out, nameRef{root: id.Value, name: prop.Value, offset: prop.Location().From})
		}
	})
	return out
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(*n) }

func walkAll(n ast.Node, f func(ast.Node)) {
	ast.Walk(&n, visitFunc(f))
}

// compileExpr compiles e against env, with the node limit and the
// functions funcs; asBool makes the result a bool. Errors are returned with
// their file position.
func compileExpr(e *expression, env types.Map, maxNodes int, funcs []expr.Option, asBool bool) (Pos, error) {
	opts := make([]expr.Option, 0, len(funcs)+3)
	opts = append(opts, expr.Env(env), expr.MaxNodes(uint(maxNodes)))
	opts = append(opts, funcs...)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	prog, err := expr.Compile(e.src, opts...)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			msg := strings.TrimSpace(fe.Message)
			if strings.Contains(msg, "exceeds maximum allowed nodes") {
				return e.filePos(fe.Line, fe.Column), &LimitError{Setting: "MaxExprNodes", Message: fmt.Sprintf("%s: more than %d", msg, maxNodes)}
			}
			return e.filePos(fe.Line, fe.Column), errors.New(compilerFault(msg))
		}
		return e.pos, errors.New(compilerFault(err.Error()))
	}
	e.prog = prog
	return e.pos, nil
}

// compilerFault keeps the first line of a panic that expr's compiler
// caught (it appends the goroutine's stack to the message): an author
// needs the position and the fault, not the compiler's call stack.
func compilerFault(msg string) string {
	first, _, found := strings.Cut(msg, "\ngoroutine ")
	if !found {
		return msg
	}
	return strings.TrimSpace(first) + " (the expression compiler failed on this expression; rewrite it, and please report it to the runflow developers)"
}

// resultType returns the Go type a compiled expression yields (an
// interface type when the checker cannot tell), or nil if it did not compile.
func resultType(e *expression) reflect.Type {
	if e.prog == nil {
		return nil
	}
	return e.prog.Node().Type()
}

// fieldRef is a read of steps.<id>.<field>.
type fieldRef struct {
	id, field string
	offset    int
}

// stepFieldRefs returns the steps.<id>.<field> reads of an expression and
// the offsets of every other use of steps (steps[x], steps.x[f], steps.x as
// a whole, ...). Which fields of a step result are kept is decided from the
// reads, so any other use is refused at load: it could read a field the
// engine did not keep.
func stepFieldRefs(tree *parser.Tree) (reads []fieldRef, other []int) {
	seen := map[*ast.IdentifierNode]bool{}
	walkAll(tree.Node, func(n ast.Node) {
		if root, id, field, ok := stepRead(n); ok {
			seen[root] = true
			reads = append(reads, fieldRef{id: id.Value, field: field.Value, offset: field.Location().From})
		}
	})
	walkAll(tree.Node, func(n ast.Node) {
		if id, ok := n.(*ast.IdentifierNode); ok && id.Value == "steps" && !seen[id] {
			other = append(other, id.Location().From)
		}
	})
	return reads, other
}

// stepRead matches n against steps.<id>.<field> with both names written
// out (a dot or a string key, not a computed one) and returns its parts:
// the steps identifier, the step id and the field.
func stepRead(n ast.Node) (root *ast.IdentifierNode, id, field *ast.StringNode, ok bool) {
	outer, ok := n.(*ast.MemberNode)
	if !ok {
		return nil, nil, nil, false
	}
	inner, ok := outer.Node.(*ast.MemberNode)
	if !ok {
		return nil, nil, nil, false
	}
	root, ok = inner.Node.(*ast.IdentifierNode)
	if !ok || root.Value != "steps" {
		return nil, nil, nil, false
	}
	id, ok1 := inner.Property.(*ast.StringNode)
	field, ok2 := outer.Property.(*ast.StringNode)
	if !ok1 || !ok2 {
		return nil, nil, nil, false
	}
	return root, id, field, true
}
