package mcpserver

import (
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
	for _, st := range t.Steps() {
		tl.confirms = tl.confirms || st.Kind == "confirm"
	}
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

// typeSchema is the JSON Schema of a value of type typ. In a form
// (elicitation), lists of emails are one comma-separated string, since
// forms hold only flat values.
func typeSchema(typ input.Type, choices []input.Option, form bool) map[string]any {
	switch typ {
	case input.Integer, input.Number, input.Boolean:
		return map[string]any{"type": string(typ)}
	case input.Email:
		return map[string]any{"type": "string", "format": "email"}
	case input.Emails:
		if form {
			return map[string]any{"type": "string"}
		}
		return map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "email"}}
	case input.File, input.Files:
		// A file is given as its bytes, the way a host answers a file
		// question (engine/input/file.go). A form holds primitives only: there
		// it is the answer's JSON text, {"name": ..., "base64": ...}.
		if form {
			return map[string]any{"type": "string"}
		}
		file := map[string]any{"type": "object", "required": []any{"name", "base64"}, "properties": map[string]any{
			"name":         map[string]any{"type": "string"},
			"content_type": map[string]any{"type": "string"},
			"base64":       map[string]any{"type": "string", "contentEncoding": "base64"},
		}}
		if typ == input.File {
			return file
		}
		return map[string]any{"type": "array", "items": file, "maxItems": input.MaxFiles}
	case input.Date:
		return map[string]any{"type": "string", "format": "date"}
	case input.DateTime:
		return map[string]any{"type": "string", "format": "date-time"}
	case input.Choice:
		if len(choices) == 0 {
			return map[string]any{"type": "string"}
		}
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
	return map[string]any{"type": "string"}
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
	switch input.Type(in.Type) {
	case input.Time:
		parts = append(parts, "A time of day, e.g. 14:30 or 9am.")
	case input.Duration:
		parts = append(parts, "A length of time, e.g. 30m or 1h30m.")
	case input.Choice:
		if in.ChoicesFromSteps {
			parts = append(parts, "One of the options the flow finds while running.")
		}
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
// a type JSON has (not an expression, not a date).
func literalDefault(in engine.InputInfo) (any, bool) {
	if in.Default == "" || strings.Contains(in.Default, "${") {
		return nil, false
	}
	switch typ := input.Type(in.Type); typ {
	case input.String, input.Text, input.Email, input.Choice, input.Integer, input.Number, input.Boolean:
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
