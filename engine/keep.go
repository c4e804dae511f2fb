package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/tidwall/gjson"
)

// What a paused state keeps of a step's body: when every expression reads
// it as json(steps.<id>.body, '<path>') with literal, plain paths (keys
// joined by dots), the state keeps only the values at those paths, in a
// JSON object on which the same paths give the same values. Any other
// read (the body as text, a computed path, a gjson query) keeps it whole.
// create-event keeps {"timeZone": ...} of the mailbox settings instead of
// the whole answer, with its automatic-reply texts.

// bodyReads records the reads of step bodies in tree (checker.expr).
func (t *Template) noteBodyReads(tree *parser.Tree) {
	if t.bodyPaths == nil {
		t.bodyPaths, t.wholeBody = map[string][]string{}, map[string]bool{}
	}
	counted := map[ast.Node]bool{}
	walkAll(tree.Node, func(n ast.Node) {
		call, ok := n.(*ast.CallNode)
		if !ok || len(call.Arguments) != 2 {
			return
		}
		if callee, ok := call.Callee.(*ast.IdentifierNode); !ok || callee.Value != "json" {
			return
		}
		id, ok := bodyMember(call.Arguments[0])
		if !ok {
			return
		}
		path, ok := call.Arguments[1].(*ast.StringNode)
		if !ok || !isPlainPath(path.Value) {
			return
		}
		counted[call.Arguments[0]] = true
		if !slices.Contains(t.bodyPaths[id], path.Value) {
			t.bodyPaths[id] = append(t.bodyPaths[id], path.Value)
		}
	})
	walkAll(tree.Node, func(n ast.Node) {
		if id, ok := n.(*ast.IdentifierNode); ok && id.Value == "$env" {
			t.keepWholeBodies = true
		}
		if id, ok := bodyMember(n); ok && !counted[n] {
			t.wholeBody[id] = true
		}
	})
}

// bodyMember recognises steps.<id>.body.
func bodyMember(n ast.Node) (string, bool) {
	body, ok := n.(*ast.MemberNode)
	if !ok {
		return "", false
	}
	if field, ok := body.Property.(*ast.StringNode); !ok || field.Value != "body" {
		return "", false
	}
	result, ok := body.Node.(*ast.MemberNode)
	if !ok {
		return "", false
	}
	if root, ok := result.Node.(*ast.IdentifierNode); !ok || root.Value != "steps" {
		return "", false
	}
	id, ok := result.Property.(*ast.StringNode)
	if !ok {
		return "", false
	}
	return id.Value, true
}

// keptBody is the part of step id's body a state keeps.
func (t *Template) keptBody(id, body string) string {
	if t.keepWholeBodies || t.wholeBody[id] {
		return body
	}
	paths := t.bodyPaths[id]
	if len(paths) == 0 {
		return "" // nothing reads the body
	}
	if !gjson.Valid(body) {
		return body // json() reports it as not JSON; keep that behaviour
	}
	root := &keptNode{}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted) // "a" before "a.b": a whole value covers its parts
	for _, p := range sorted {
		r := gjson.Get(body, p)
		if !r.Exists() {
			continue
		}
		root.set(strings.Split(p, "."), r.Raw)
	}
	var b strings.Builder
	root.write(&b)
	return b.String()
}

// keptNode is an object being rebuilt: keys in first-set order, each a
// raw JSON value or an object of its own.
type keptNode struct {
	raw  string
	keys []string
	kids map[string]*keptNode
}

func (n *keptNode) set(keys []string, raw string) {
	if n.raw != "" {
		return // an enclosing value is kept whole
	}
	if len(keys) == 0 {
		n.raw = raw
		return
	}
	if n.kids == nil {
		n.kids = map[string]*keptNode{}
	}
	kid := n.kids[keys[0]]
	if kid == nil {
		kid = &keptNode{}
		n.kids[keys[0]] = kid
		n.keys = append(n.keys, keys[0])
	}
	kid.set(keys[1:], raw)
}

func (n *keptNode) write(b *strings.Builder) {
	if n.raw != "" {
		b.WriteString(n.raw)
		return
	}
	b.WriteByte('{')
	for i, k := range n.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k) // plain keys (isPlainPath) need no escaping
		b.WriteString(`":`)
		n.kids[k].write(b)
	}
	b.WriteByte('}')
}
