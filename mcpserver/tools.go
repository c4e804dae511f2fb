package mcpserver

import (
	"reflect"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// tool is one template exposed as an MCP tool.
type tool struct {
	t    *engine.Template
	def  *mcp.Tool
	ins  map[string]engine.InputInfo
	name []string // input names in declaration order
	// confirms: the template has a confirm step.
	confirms bool
}

func newTool(t *engine.Template) *tool {
	tl := &tool{t: t, ins: map[string]engine.InputInfo{}}
	for _, in := range t.Inputs() {
		tl.ins[in.Name] = in
		tl.name = append(tl.name, in.Name)
	}
	tl.confirms = t.HasConfirm()
	tl.def = &mcp.Tool{
		Name:         t.ID(),
		Title:        t.Name(),
		Description:  t.Description(),
		InputSchema:  inputSchema(t),
		OutputSchema: outputSchema(t),
		Annotations:  annotations(t),
	}
	return tl
}

// inputSchema is the tool's inputSchema: one property per input; required
// are the inputs that are required and have no default.
func inputSchema(t *engine.Template) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, in := range t.Inputs() {
		p := typeSchema(input.Type(in.Type), in.Choices, false)
		if input.Type(in.Type) == input.List {
			narrowList(p, in.List)
		}
		if d := describeInput(in); d != "" {
			p["description"] = d
		}
		if v, ok := literalDefault(in); ok {
			p["default"] = v
		}
		props[in.Name] = p
		if in.Required && in.Default == "" {
			required = append(required, in.Name)
		}
	}
	return map[string]any{
		"type":                 "object",
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}
}

// typeSchema is the JSON Schema of a value of type typ (a choice's
// options added). In a form (elicitation), lists and files are one string,
// since forms hold only flat values: a list of emails comma-separated, a
// file as its answer's JSON text, {"name": ..., "base64": ...}.
func typeSchema(typ input.Type, choices []input.Option, form bool) map[string]any {
	if typ == input.Choice && len(choices) > 0 {
		return choiceSchema(choices)
	}
	s := typ.JSONSchema()
	if form && (s["type"] == "array" || s["type"] == "object") {
		return map[string]any{"type": "string"}
	}
	return s
}

// narrowList bounds a list input's array schema by the input's rules, so
// that an assistant sees the limits its arguments are checked against.
// (Items are also trimmed and de-duplicated ignoring case, which a schema
// cannot say.)
func narrowList(s map[string]any, r input.ListRules) {
	s["maxItems"] = r.Max()
	items, _ := s["items"].(map[string]any)
	if items == nil {
		return
	}
	if r.MinItemLength > 0 {
		items["minLength"] = r.MinItemLength
	}
	if r.MaxItemLength > 0 {
		items["maxLength"] = r.MaxItemLength
	}
}

// choiceSchema is a string that is one of the options' values: an enum,
// or, when options have labels, one const per option with its title.
func choiceSchema(choices []input.Option) map[string]any {
	labelled := false
	values := make([]any, len(choices))
	for i, c := range choices {
		values[i] = c.Value
		labelled = labelled || c.Label != ""
	}
	if !labelled {
		return map[string]any{"type": "string", "enum": values}
	}
	one := make([]any, len(choices))
	for i, c := range choices {
		title := c.Label
		if title == "" {
			title = c.Value
		}
		one[i] = map[string]any{"const": c.Value, "title": title}
	}
	return map[string]any{"type": "string", "oneOf": one}
}

// describeInput is an input's property description: its question, its
// hint, and what the text types expect.
func describeInput(in engine.InputInfo) string {
	parts := []string{}
	if in.Prompt != "" {
		parts = append(parts, in.Prompt)
	}
	if in.Hint != "" {
		parts = append(parts, "("+in.Hint+")")
	}
	if d := input.Type(in.Type).Describe(); d != "" {
		parts = append(parts, d)
	}
	if in.ChoicesFromSteps {
		parts = append(parts, "One of the options the flow finds while running.")
	}
	if in.Default != "" {
		switch _, ok := literalDefault(in); {
		case ok:
		case strings.Contains(in.Default, "${"):
			parts = append(parts, "Left out, the template computes a default.")
		default:
			parts = append(parts, "Default: "+in.Default+".")
		}
	}
	return strings.Join(parts, " ")
}

// literalDefault is the default as a JSON value, when it is a literal of
// a type JSON has (not an expression, not a date or a duration).
func literalDefault(in engine.InputInfo) (any, bool) {
	if in.Default == "" || strings.Contains(in.Default, "${") {
		return nil, false
	}
	switch typ := input.Type(in.Type); typ.GoType() {
	case reflect.TypeFor[string](), reflect.TypeFor[int64](), reflect.TypeFor[float64](), reflect.TypeFor[bool]():
		v, err := input.Parse(typ, in.Default, input.Context{Choices: in.Choices})
		if err != nil || v == nil {
			return nil, false
		}
		return v, true
	}
	return nil, false
}

// outputSchema describes the outputs: the type of an output that is an
// input's value, the columns of a list of records; other outputs are
// computed and may be any JSON value.
func outputSchema(t *engine.Template) map[string]any {
	outs := t.Outputs()
	if len(outs) == 0 {
		return nil
	}
	types := map[string]string{}
	for _, in := range t.Inputs() {
		types[in.Name] = in.Type
	}
	props := map[string]any{}
	for _, o := range outs {
		switch {
		case o.Input != "":
			props[o.Name] = typeSchema(input.Type(types[o.Input]), nil, false)
		case len(o.Columns) > 0:
			cols := map[string]any{}
			for _, c := range o.Columns {
				cols[c] = map[string]any{}
			}
			props[o.Name] = map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": cols}}
		default:
			props[o.Name] = map[string]any{}
		}
	}
	return map[string]any{"type": "object", "properties": props}
}

// annotations: read-only when every request is a GET, destructive when
// one is a DELETE; every template reaches Microsoft Graph (open world).
func annotations(t *engine.Template) *mcp.ToolAnnotations {
	writes, deletes := false, false
	for _, s := range t.Steps() {
		if s.Kind != "http" {
			continue
		}
		method, _, _ := strings.Cut(s.Summary, " ")
		switch strings.ToUpper(method) {
		case "GET":
		case "DELETE":
			writes, deletes = true, true
		default:
			writes = true
		}
	}
	a := &mcp.ToolAnnotations{Title: t.Name(), ReadOnlyHint: !writes, OpenWorldHint: ptr(true)}
	if writes {
		a.DestructiveHint = ptr(deletes)
	}
	return a
}

func ptr[T any](v T) *T { return &v }
