package mcpserver

import (
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// formFor is the form-mode elicitation of a question: the template's
// question as the message (after the reason the last answer was refused),
// a schema holding the one input, or a boolean for a confirm step.
func formFor(q *engine.Question) *mcp.ElicitParams {
	msg := q.Text
	if q.Error != "" {
		msg = q.Error + "\n" + q.Text
	}
	if q.Type == "confirm" {
		return &mcp.ElicitParams{Mode: "form", Message: msg, RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{"confirm": map[string]any{
				"type": "boolean", "title": "Confirm", "description": q.Text,
			}},
			"required": []string{"confirm"},
		}}
	}
	prop := typeSchema(input.Type(q.Type), q.Choices, true)
	prop["title"] = q.Input
	desc := []string{}
	if q.Hint != "" {
		desc = append(desc, q.Hint)
	}
	switch input.Type(q.Type) {
	case input.Emails:
		desc = append(desc, "Separate addresses with commas.")
	case input.List:
		desc = append(desc, "Separate items with commas.")
	}
	if q.Default != "" {
		desc = append(desc, fmt.Sprintf("Leave empty for %s.", q.Default))
	}
	if len(desc) > 0 {
		prop["description"] = strings.Join(desc, " ")
	}
	schema := map[string]any{"type": "object", "properties": map[string]any{q.Input: prop}}
	if q.Required {
		schema["required"] = []string{q.Input}
	}
	return &mcp.ElicitParams{Mode: "form", Message: msg, RequestedSchema: schema}
}

// urlFor is the URL-mode elicitation of a sign-in: the user opens the
// link, signs in, and accepts.
func urlFor(si *engine.SignIn, callID string, seq uint64) *mcp.ElicitParams {
	msg := "Sign in to Microsoft to continue"
	if si.Reason != "" {
		msg += ": " + si.Reason
	}
	if len(si.Scopes) > 0 {
		msg += " (permissions: " + strings.Join(si.Scopes, ", ") + ")"
	}
	return &mcp.ElicitParams{Mode: "url", Message: msg + ".", URL: si.URL, ElicitationID: fmt.Sprintf("%s-%d", callID, seq)}
}

// codeForm asks for the code a sign-in page shows (a bot's magic code).
func codeForm() *mcp.ElicitParams {
	return &mcp.ElicitParams{Mode: "form", Message: "Type the code shown after signing in.", RequestedSchema: map[string]any{
		"type":       "object",
		"properties": map[string]any{"code": map[string]any{"type": "string", "title": "Code"}},
		"required":   []string{"code"},
	}}
}
