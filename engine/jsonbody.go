package engine

import (
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/tidwall/gjson"
)

// json(steps.<id>.body, path) is the usual way to read a response, often
// several times per step. json() checks that its text is valid JSON, which
// costs a pass over the whole body; for a step body the answer is kept in
// the step result, so the pass is made once per response. A patch done at
// compile time turns the call into jsonBody(steps, "<id>", path): the
// function looks the result up itself, which spares expr's reflective
// fetch of steps.<id> (and the copy of the map element it makes).

// jsonBodyFunc is the name of the patched call; it holds a character
// templates cannot write in an identifier, so only the patch makes it.
const jsonBodyFunc = "json$body"

// jsonBodyOptions are the compile options of the json(steps.<id>.body, ...)
// rewrite.
var jsonBodyOptions = []expr.Option{
	dataFunction(jsonBodyFunc, fnJSONBody, new(func(map[string]any, string, string) any)),
	expr.Patch(jsonBodyPatch{}),
}

type jsonBodyPatch struct{}

func (jsonBodyPatch) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || len(call.Arguments) != 2 {
		return
	}
	if callee, ok := call.Callee.(*ast.IdentifierNode); !ok || callee.Value != "json" {
		return
	}
	body, ok := call.Arguments[0].(*ast.MemberNode)
	if !ok || body.Optional {
		return
	}
	if field, ok := body.Property.(*ast.StringNode); !ok || field.Value != "body" {
		return
	}
	result, ok := body.Node.(*ast.MemberNode)
	if !ok || result.Optional {
		return
	}
	if root, ok := result.Node.(*ast.IdentifierNode); !ok || root.Value != "steps" {
		return
	}
	id, ok := result.Property.(*ast.StringNode)
	if !ok {
		return
	}
	patched := &ast.CallNode{Callee: &ast.IdentifierNode{Value: jsonBodyFunc}, Arguments: []ast.Node{
		&ast.IdentifierNode{Value: "steps"}, &ast.StringNode{Value: id.Value}, call.Arguments[1]}}
	ast.Patch(node, patched)
}

// fnJSONBody is json() on a step result's body, validating it once.
func fnJSONBody(args ...any) (any, error) {
	steps, _ := args[0].(map[string]any)
	id, path := args[1].(string), args[2].(string)
	r, _ := steps[id].(*stepResult)
	if r == nil {
		return nil, fmt.Errorf("json: the step has no result")
	}
	if r.bodyValid == 0 {
		r.bodyValid = 2
		if gjson.Valid(r.Body) {
			r.bodyValid = 1
		}
	}
	if r.bodyValid != 1 {
		return nil, fmt.Errorf("json: the text is not valid JSON")
	}
	v := gjson.Get(r.Body, path)
	if !v.Exists() {
		return nil, nil
	}
	return v.Value(), nil
}
