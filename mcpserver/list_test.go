package mcpserver_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
)

const listInput = `id: shopping
name: Shopping list
description: Gives back the list it is given.
scopes: []
inputs:
  - {name: items, type: list, prompt: "What to buy?"}
steps:
  - say: done
output:
  items: ${ inputs.items }
`

// TestListInput: a list input is a JSON array of strings in the tool's
// schemas, given as an array, asked in a form as one comma-separated
// string, and given back as an array, in both revisions.
func TestListInput(t *testing.T) {
	tpl, err := engine.Load("shopping.yaml", []byte(listInput))
	if err != nil {
		t.Fatal(err)
	}
	// maxItems: input.MaxListItems, JSON numbers once through JSON.
	array := map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "maxItems": float64(500)}
	want := []any{"milk", "eggs"}
	for _, rev := range revisions {
		t.Run(rev, func(t *testing.T) {
			r := newRig(t, nil, func(o *mcpserver.Options) { o.Templates = []*engine.Template{tpl} })
			a := &asker{}
			a.answers = append(a.answers, func(p *mcp.ElicitParams) *mcp.ElicitResult {
				prop := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)["items"].(map[string]any)
				if prop["type"] != "string" {
					t.Errorf("the form asks items as %v, want one string", prop["type"])
				}
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"items": "milk, eggs"}}
			})
			cs := r.connect(rev, a)
			tools, err := cs.ListTools(context.Background(), nil)
			if err != nil || len(tools.Tools) != 1 {
				t.Fatalf("tools/list: %v, %v", tools, err)
			}
			for what, schema := range map[string]any{"input": tools.Tools[0].InputSchema, "output": tools.Tools[0].OutputSchema} {
				got := jsonValue(t, schema).(map[string]any)["properties"].(map[string]any)["items"].(map[string]any)
				delete(got, "description")
				if !reflect.DeepEqual(got, array) {
					t.Errorf("%s schema of items = %v, want %v", what, got, array)
				}
			}
			for _, args := range []map[string]any{{"items": []any{"milk", "eggs"}}, nil} {
				res := call(t, cs, "shopping", args)
				if res.IsError {
					t.Fatalf("tool error with %v: %s", args, text(res))
				}
				if got := structured(t, res)["items"]; !reflect.DeepEqual(got, want) {
					t.Errorf("with %v: items = %#v, want %#v", args, got, want)
				}
			}
			if len(a.asked) != 1 {
				t.Errorf("asked %d questions, want 1", len(a.asked))
			}
		})
	}
}

// jsonValue is v as encoding/json decodes its JSON.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestListInputRules: a list input's own rules bound its schema, so that
// an assistant sees the limits its arguments are checked against, and the
// engine still refuses arguments past them.
func TestListInputRules(t *testing.T) {
	tpl, err := engine.Load("guests.yaml", []byte(`id: guests
name: Guests
description: Gives back the guests it is given.
scopes: []
inputs:
  - {name: guests, type: list, prompt: "Who comes?", max_items: 3, min_item_length: 2, max_item_length: 12}
steps:
  - say: done
output:
  guests: ${ inputs.guests }
`))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, nil, func(o *mcpserver.Options) { o.Templates = []*engine.Template{tpl} })
	cs := r.connect(revisions[0], &asker{})
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil || len(tools.Tools) != 1 {
		t.Fatalf("tools/list: %v, %v", tools, err)
	}
	got := jsonValue(t, tools.Tools[0].InputSchema).(map[string]any)["properties"].(map[string]any)["guests"].(map[string]any)
	delete(got, "description")
	want := map[string]any{"type": "array", "maxItems": float64(3),
		"items": map[string]any{"type": "string", "minLength": float64(2), "maxLength": float64(12)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schema of guests = %v, want %v", got, want)
	}
	if res := call(t, cs, "guests", map[string]any{"guests": []any{"Ann", "Bob", "Cy", "Dee"}}); !res.IsError || !strings.Contains(text(res), "at most 3") {
		t.Errorf("four guests: error %v, %q; want the engine's refusal naming at most 3", res.IsError, text(res))
	}
	res := call(t, cs, "guests", map[string]any{"guests": "Ann, Bob"})
	if res.IsError {
		t.Fatalf("guests as one comma-separated string: %s", text(res))
	}
	if got := structured(t, res)["guests"]; !reflect.DeepEqual(got, []any{"Ann", "Bob"}) {
		t.Errorf("guests as one comma-separated string = %#v, want [Ann Bob]", got)
	}
}
