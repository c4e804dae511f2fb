package mcpserver_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
)

// everyType has one required input of each type and outputs them all.
const everyType = `id: every-type
name: Every input type
description: Asks one input of each type and gives them back.
scopes: []
inputs:
  - {name: s, type: string, prompt: "A string?"}
  - {name: t, type: text, prompt: "A text?"}
  - {name: i, type: integer, prompt: "An integer?"}
  - {name: n, type: number, prompt: "A number?"}
  - {name: b, type: boolean, prompt: "A boolean?"}
  - {name: e, type: email, prompt: "An email?"}
  - {name: es, type: emails, prompt: "Emails?"}
  - {name: d, type: date, prompt: "A date?"}
  - {name: tm, type: time, prompt: "A time?"}
  - {name: dt, type: datetime, prompt: "A date and time?"}
  - {name: du, type: duration, prompt: "A duration?"}
  - {name: c, type: choice, prompt: "A choice?", choices: [red, green]}
  - {name: cl, type: choice, prompt: "A labelled choice?", choices: [{value: r, label: Red}, {value: g, label: Green}]}
  - {name: l, type: list, prompt: "A list?"}
  - {name: f, type: file, prompt: "A file?"}
steps:
  - say: done
output:
  s: ${ inputs.s }
  t: ${ inputs.t }
  i: ${ inputs.i }
  n: ${ inputs.n }
  b: ${ inputs.b }
  e: ${ inputs.e }
  es: ${ inputs.es }
  d: ${ inputs.d }
  tm: ${ inputs.tm }
  dt: ${ inputs.dt }
  du: ${ inputs.du }
  c: ${ inputs.c }
  cl: ${ inputs.cl }
  l: ${ inputs.l }
  f: ${ inputs.f.name + " " + string(inputs.f.size) }
`

// TestEveryInputType: each input type is asked with a form the SDK's
// client accepts (it checks the requested schema and the answer against
// it), and the answer comes back as the typed output, in both revisions.
func TestEveryInputType(t *testing.T) {
	tpl, err := engine.Load("every-type.yaml", []byte(everyType))
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]any{
		"s": "plain", "t": "two\nlines", "i": float64(42), "n": 2.5, "b": true,
		"e": "ann@contoso.com", "es": "ann@contoso.com, bob@contoso.com",
		"d": "2026-06-20", "tm": "14:30", "dt": "2026-06-20T09:15:00Z", "du": "1h30m",
		"c": "green", "cl": "g",
		"l": "milk, eggs", "f": `{"name": "note.txt", "base64": "aGVsbG8="}`,
	}
	want := map[string]any{
		"s": "plain", "t": "two\nlines", "i": float64(42), "n": 2.5, "b": true,
		"e": "ann@contoso.com", "es": []any{"ann@contoso.com", "bob@contoso.com"},
		"d": "2026-06-20T00:00:00Z", "tm": "2026-06-15T14:30:00Z", "dt": "2026-06-20T09:15:00Z", "du": "1h30m0s",
		"c": "green", "cl": "g",
		"l": []any{"milk", "eggs"}, "f": "note.txt 5",
	}
	// As tool arguments, lists of emails are arrays.
	args := map[string]any{}
	for k, v := range answers {
		args[k] = v
	}
	args["es"] = []any{"ann@contoso.com", "bob@contoso.com"}
	args["l"] = []any{"milk", "eggs"}
	args["f"] = map[string]any{"name": "note.txt", "base64": "aGVsbG8="}
	names := []string{"s", "t", "i", "n", "b", "e", "es", "d", "tm", "dt", "du", "c", "cl", "l", "f"}
	// The SDK's client gives up after 10 rounds of one call, so each call
	// asks half of the inputs and is given the other half: every type is
	// both asked and given, in both revisions.
	halves := [][]string{names[:8], names[8:]}
	for _, rev := range revisions {
		for h, asked := range halves {
			t.Run(rev, func(t *testing.T) {
				r := newRig(t, nil, func(o *mcpserver.Options) { o.Templates = []*engine.Template{tpl} })
				a := &asker{}
				given := map[string]any{}
				for _, name := range halves[1-h] {
					given[name] = args[name]
				}
				for range asked {
					a.answers = append(a.answers, func(p *mcp.ElicitParams) *mcp.ElicitResult {
						props := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)
						for name := range props {
							return &mcp.ElicitResult{Action: "accept", Content: map[string]any{name: answers[name]}}
						}
						return &mcp.ElicitResult{Action: "cancel"}
					})
				}
				res := call(t, r.connect(rev, a), "every-type", given)
				if res.IsError {
					t.Fatalf("tool error: %s", text(res))
				}
				got := structured(t, res)
				for name, w := range want {
					if !reflect.DeepEqual(got[name], w) {
						t.Errorf("%s = %#v, want %#v", name, got[name], w)
					}
				}
				for _, p := range a.asked {
					props := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)
					if l, isList := props["l"].(map[string]any); isList && !strings.Contains(fmt.Sprint(l["description"]), "Separate items with commas.") {
						t.Errorf("the list question's field %v does not say how to separate the items", l)
					}
				}
				if len(a.asked) != len(asked) {
					t.Errorf("asked %d questions, want %d", len(a.asked), len(asked))
				}
			})
		}
	}
}
