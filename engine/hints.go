package engine

import (
	"fmt"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// bodyFieldReads finds steps.<id>.body.<field> (and .items.<field>): the
// body and the items are raw JSON text, so such a read fails with expr's
// "type string has no field ..."; the message says how to read it instead.
func bodyFieldReads(tree *parser.Tree) (offsets []int, msgs []string) {
	walkAll(tree.Node, func(n ast.Node) {
		outer, ok := n.(*ast.MemberNode)
		if !ok {
			return
		}
		_, id, field, ok := stepRead(outer.Node)
		if !ok || (field.Value != "body" && field.Value != "items") {
			return
		}
		path := "@this"
		if key, ok := outer.Property.(*ast.StringNode); ok {
			path = key.Value
			if field.Value == "items" {
				path = "#." + key.Value
			}
		}
		msgs = append(msgs, fmt.Sprintf("steps.%s.%s is the raw JSON text of the response, not a map: read a field with json(steps.%s.%s, '%s')", id.Value, field.Value, id.Value, field.Value, path))
		offsets = append(offsets, outer.Property.Location().From)
	})
	return offsets, msgs
}
