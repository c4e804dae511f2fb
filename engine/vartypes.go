package engine

import (
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/types"
)

// A set variable's type is that of its first assignment, in document order,
// reduced to one of these classes. Later assignments must give the same
// class (or a value whose type is only known while running); expressions
// reading vars.<name> are compiled against it, so list and map operations
// check at load.
type varClass int

const (
	classAny varClass = iota // not known until the flow runs (json(), nil)
	classString
	classInt
	classFloat
	classBool
	classTime
	classDuration
	classList
	classMap
)

var varClassNames = [...]string{"a value of any type", "a string", "an integer", "a number", "a boolean", "a time", "a duration", "a list", "a map"}

func (k varClass) String() string { return varClassNames[k] }

// exprType is the type expressions see for a variable of class k. Lists
// and maps are seen as []any and map[string]any whatever their elements:
// the value a later assignment gives may hold other element types.
func (k varClass) exprType() types.Type {
	switch k {
	case classString:
		return types.String
	case classInt:
		return types.Int
	case classFloat:
		return types.Float64
	case classBool:
		return types.Bool
	case classTime:
		return typeTime
	case classDuration:
		return typeDuration
	case classList:
		return types.TypeOf([]any{})
	case classMap:
		return types.TypeOf(map[string]any{})
	}
	return types.Any
}

// classOfType reduces a Go type to its variable class.
func classOfType(t reflect.Type) varClass {
	if t == nil {
		return classAny
	}
	switch t {
	case reflect.TypeOf(time.Time{}):
		return classTime
	case reflect.TypeOf(time.Duration(0)):
		return classDuration
	}
	switch t.Kind() {
	case reflect.String:
		return classString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return classInt
	case reflect.Float32, reflect.Float64:
		return classFloat
	case reflect.Bool:
		return classBool
	case reflect.Slice, reflect.Array:
		return classList
	case reflect.Map:
		return classMap
	}
	return classAny
}

// classOfValue is the class of what v gives when evaluated (after its
// expressions were compiled).
func classOfValue(v *value) varClass {
	if v == nil {
		return classAny
	}
	switch v.kind {
	case valLiteral:
		if v.lit == nil {
			return classAny
		}
		return classOfType(reflect.TypeOf(v.lit))
	case valExpr:
		return classOfType(resultType(v.expr))
	case valInterp:
		return classString
	case valList:
		return classList
	case valMap:
		return classMap
	}
	return classAny
}

// varType is a variable's class and the assignment that decided it.
type varType struct {
	class varClass
	pos   Pos
}

// typeVar records the class of an assignment to vars.<name>: the first
// one decides it, and a later one of another known class is an error.
func (c *checker) typeVar(v setVar) {
	got := classOfValue(v.val)
	prev, seen := c.varTypes[v.name]
	if !seen {
		c.varTypes[v.name] = varType{class: got, pos: v.pos}
		return
	}
	if prev.class == classAny || got == classAny || got == prev.class {
		return
	}
	if prev.class == classFloat && got == classInt {
		return // numbers: an integer fits where a float is expected
	}
	c.ps.errorf(v.pos, "set %s: this gives %s, but vars.%s is %s (from its first assignment at line %d); give it values of one type", v.name, got, v.name, prev.class, prev.pos.Line)
}

// listPatch turns a + b, where one side is a list and the other a list or
// a value whose type is known only while running, into concat(a, b): expr
// has no + for lists, and `vars.slots + [x]` is how authors write it.
type listPatch struct{}

func (listPatch) Visit(node *ast.Node) {
	n, ok := (*node).(*ast.BinaryNode)
	if !ok || n.Operator != "+" {
		return
	}
	l, r := listKind(n.Left.Type()), listKind(n.Right.Type())
	if l == notList || r == notList || (l == mayBeList && r == mayBeList) {
		return
	}
	ast.Patch(node, &ast.BuiltinNode{Name: "concat", Arguments: []ast.Node{n.Left, n.Right}})
}

const (
	notList = iota
	isList
	mayBeList
)

func listKind(t reflect.Type) int {
	switch {
	case t == nil || t.Kind() == reflect.Interface:
		return mayBeList
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return isList
	}
	return notList
}

// varsEnv is the type of vars in an expression: the variables set on every
// path to it, each with its class.
func (c *checker) varsEnv(sc *scope) types.Map {
	vars := types.Map{}
	for name := range sc.vars {
		vars[name] = c.varTypes[name].class.exprType()
	}
	for name := range sc.inputs {
		if in := c.t.inputByName[name]; in != nil && in.choicesFrom != nil {
			vars[choiceItemVar(name)] = types.Any
		}
	}
	return vars
}

// collectVarSteps records, for every variable, the set steps that set it,
// in document order.
func collectVarSteps(b *block, out map[string][]*step) {
	if b == nil {
		return
	}
	for _, s := range b.steps {
		for _, v := range s.set {
			out[v.name] = append(out[v.name], s)
		}
		for _, child := range s.children() {
			collectVarSteps(child, out)
		}
	}
}

// unsetVarProblem says why vars.<name> has no value here and how to fix
// it: which set step sets it, and, in an input asked at the start (before
// any step runs), that the input needs an ask step after that one.
func (c *checker) unsetVarProblem(name string) string {
	setters := c.varSteps[name]
	where := "the set step that sets it"
	line := 0
	if len(setters) > 0 {
		line = setters[0].pos.Line
		where = fmt.Sprintf("the set step at line %d", line)
	}
	if in := c.startInput; in != nil && line > 0 {
		return fmt.Sprintf("vars.%s may not be set here: input %s is asked at the start, before any step runs, and vars.%s is set by %s; add `- ask: %s` after that step to ask it there", name, in.name, name, where, in.name)
	}
	return fmt.Sprintf("vars.%s may not be set here: it is set by %s, which has not run on every path to this point", name, where)
}
