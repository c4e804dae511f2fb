package engine

import (
	"reflect"
	"testing"
)

// Template.Flow gives the steps as a tree: each step's blocks with their
// labels, the http method and path, the ask's input.
func TestFlow(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - name: mode
    type: choice
    prompt: Mode?
    choices: [a, b]
steps:
  - id: lists
    http:
      method: GET
      path: /me/todo/lists
      paging: true
    on_error:
      - status: [404]
        continue: true
  - switch: ${ inputs.mode }
    cases:
      - value: a
        steps:
          - say: A
    default:
      - foreach: ${ json(steps.lists.items, '@this') }
        as: l
        steps:
          - if: ${ l.id == "x" }
            then:
              - fail: X
            else:
              - id: del
                http:
                  method: DELETE
                  path: /me/todo/lists/${ l.id }
`)
	type node struct {
		Kind, Label string
		Children    []node
	}
	var shape func(steps []FlowStep) []node
	shape = func(steps []FlowStep) []node {
		var out []node
		for _, s := range steps {
			n := node{Kind: s.Kind, Label: s.Method + " " + s.Path}
			for _, b := range s.Branches {
				n.Children = append(n.Children, node{Kind: b.Kind, Label: b.Label, Children: shape(b.Steps)})
			}
			out = append(out, n)
		}
		return out
	}
	want := []node{
		{Kind: "http", Label: "GET /me/todo/lists", Children: []node{{Kind: "on_error", Label: "on error 404"}}},
		{Kind: "switch", Label: " ", Children: []node{
			{Kind: "case", Label: "case a", Children: []node{{Kind: "say", Label: " "}}},
			{Kind: "default", Label: "default", Children: []node{
				{Kind: "foreach", Label: " ", Children: []node{{Kind: "each", Label: "each l", Children: []node{
					{Kind: "if", Label: " ", Children: []node{
						{Kind: "then", Label: "then", Children: []node{{Kind: "fail", Label: " "}}},
						{Kind: "else", Label: "else", Children: []node{{Kind: "http", Label: "DELETE /me/todo/lists/{l.id}"}}},
					}},
				}}}},
			}},
		}},
	}
	got := shape(tp.Flow())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Flow() shape\n got %+v\nwant %+v", got, want)
	}
	f := tp.Flow()
	if !f[0].Paging || !f[0].Branches[0].Continue || f[1].Condition != "inputs.mode" || f[1].Branches[0].Value != "a" {
		t.Errorf("Flow() details: %+v", f[:2])
	}
}
