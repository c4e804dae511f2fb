package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/runflow/runflow/engine/input"
)

// choice(inputs.<name>) is the item of choices_from that the answer to a
// choice input picked (the whole item, e.g. the event whose id is the
// answer). The checker allows it only for a choice input with
// choices_from, where inputs.<name> is available; it is compiled as a
// read of the variable choiceItemVar(name), which the session sets when
// the answer is accepted (and which is kept in the state with the other
// variables).

// choiceItemVar is the variable holding the picked item of input name. A
// variable name of a template cannot hold "$", so it cannot clash.
func choiceItemVar(name string) string { return name + "$item" }

// choiceCalls checks the choice(...) calls of an expression; it returns
// the offsets and messages of bad ones.
func (c *checker) choiceCalls(tree *parser.Tree) (offsets []int, msgs []string) {
	walkAll(tree.Node, func(n ast.Node) {
		call, ok := n.(*ast.CallNode)
		if !ok {
			return
		}
		callee, ok := call.Callee.(*ast.IdentifierNode)
		if !ok || callee.Value != "choice" {
			return
		}
		name, ok := choiceArg(call)
		if !ok {
			offsets = append(offsets, callee.Location().From)
			msgs = append(msgs, "choice() takes one choice input written out, as in choice(inputs.event)")
			return
		}
		in := c.t.inputByName[name]
		if in == nil {
			return // reported as an unknown input
		}
		if in.typ != "choice" || in.choicesFrom == nil {
			offsets = append(offsets, callee.Location().From)
			msgs = append(msgs, fmt.Sprintf("choice(inputs.%s): input %s has no choices_from; choice() gives the item a choices_from answer picked", name, name))
		}
	})
	return offsets, msgs
}

// choiceArg returns name when call is choice(inputs.<name>).
func choiceArg(call *ast.CallNode) (string, bool) {
	if len(call.Arguments) != 1 {
		return "", false
	}
	m, ok := call.Arguments[0].(*ast.MemberNode)
	if !ok {
		return "", false
	}
	root, ok := m.Node.(*ast.IdentifierNode)
	prop, ok2 := m.Property.(*ast.StringNode)
	if !ok || !ok2 || root.Value != "inputs" {
		return "", false
	}
	return prop.Value, true
}

// choicePatch compiles choice(inputs.<name>) as vars["<name>$item"].
type choicePatch struct{}

func (choicePatch) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	if callee, ok := call.Callee.(*ast.IdentifierNode); !ok || callee.Value != "choice" {
		return
	}
	name, ok := choiceArg(call)
	if !ok {
		return
	}
	ast.Patch(node, &ast.MemberNode{Node: &ast.IdentifierNode{Value: "vars"}, Property: &ast.StringNode{Value: choiceItemVar(name)}})
}

// chosenItem returns the item of in's choices_from whose value is value.
func (s *session) chosenItem(in *inputDef, value string) (any, bool, error) {
	cf := in.choicesFrom
	v, err := s.eval(cf.items)
	if err != nil {
		return nil, false, err
	}
	items, err := asList(v)
	if err != nil {
		return nil, false, fmt.Errorf("input %s choices_from items: %v", in.name, err)
	}
	defer delete(s.env, "item")
	for _, it := range items {
		s.env["item"] = it
		val, err := s.evalText(cf.value)
		if err != nil {
			return nil, false, err
		}
		if val == value {
			return it, true, nil
		}
	}
	return nil, false, nil
}

// readAs tells, after a refused date or time answer, how the answer was
// read ("4pm" was read as Fri 4 Dec 2026 16:00), so that a person whose
// "4pm" meant another day sees why it was refused.
func readAs(answer string, v any, typ input.Type) string {
	t, ok := v.(time.Time)
	if !ok || t.IsZero() || strings.TrimSpace(answer) == "" {
		return ""
	}
	layout := "Mon 2 Jan 2006 15:04"
	if typ == input.Date {
		layout = "Mon 2 Jan 2006"
	}
	answer = strings.TrimSpace(answer)
	if r := []rune(answer); len(r) > 40 {
		answer = string(r[:40]) + "…"
	}
	return fmt.Sprintf(" (%q was read as %s.)", answer, t.Format(layout))
}
