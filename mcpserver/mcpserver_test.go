package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var update = flag.Bool("update", false, "rewrite testdata/tools.golden.json")

// TestToolsList: every built-in is a tool with its schemas and
// annotations, the same for both revisions (golden file).
func TestToolsList(t *testing.T) {
	r := newRig(t, nil)
	var first []byte
	for _, rev := range revisions {
		cs := r.connect(rev, nil)
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(res.Tools, func(i, j int) bool { return res.Tools[i].Name < res.Tools[j].Name })
		got, err := json.MarshalIndent(res.Tools, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		if first == nil {
			first = got
		} else if !bytes.Equal(first, got) {
			t.Errorf("tools/list differs between revisions %s and %s", revisions[0], rev)
		}
	}
	golden := filepath.Join("testdata", "tools.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, first, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(first, want) {
		t.Errorf("tools/list differs from %s (run go test -update and review the diff):\n%s", golden, first)
	}
}

// TestSeedTemplates calls each of the seed's five actions with all its
// inputs as arguments: no question, structured outputs, what the flow said.
func TestSeedTemplates(t *testing.T) {
	tests := []struct {
		tool    string
		args    map[string]any
		answers []func(*mcp.ElicitParams) *mcp.ElicitResult
		outputs []string
		said    string
	}{
		{tool: "list-events", args: map[string]any{"from": "2026-06-15", "to": "2026-06-19"}, outputs: []string{"events", "count", "time_zone"}},
		{tool: "list-todo-lists", outputs: []string{"lists", "count"}},
		{tool: "create-todo-list", args: map[string]any{"name": "Groceries"}, outputs: []string{"id", "name"}, said: "Groceries"},
		{tool: "create-event", args: map[string]any{"subject": "Team lunch", "start": "2026-06-16T12:00:00-07:00", "attendees": []any{"ann@contoso.com"}}, outputs: []string{"id", "subject", "start", "end", "attendees"}, said: "Invitations went to ann@contoso.com."},
		{tool: "send-mail", args: map[string]any{"to": []any{"ann@contoso.com"}, "subject": "Seed mail", "body": "Hello"}, answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{say(true)}, outputs: []string{"subject", "to", "cc"}, said: `Sent "Seed mail" to ann@contoso.com.`},
	}
	for _, rev := range revisions {
		r := newRig(t, nil)
		for _, tc := range tests {
			t.Run(rev+"/"+tc.tool, func(t *testing.T) {
				a := &asker{answers: tc.answers}
				res := call(t, r.connect(rev, a), tc.tool, tc.args)
				if res.IsError {
					t.Fatalf("tool error: %s", text(res))
				}
				out := structured(t, res)
				for _, name := range tc.outputs {
					if _, ok := out[name]; !ok {
						t.Errorf("output %s missing from %v", name, out)
					}
				}
				if !strings.Contains(text(res), tc.said) {
					t.Errorf("text %q does not say %q", text(res), tc.said)
				}
				if len(a.answers) != 0 {
					t.Errorf("%d answers left: the questions were %d", len(a.answers), len(a.asked))
				}
			})
		}
		if got := r.sent("Seed mail"); got != 1 {
			t.Errorf("%s: %d mails in Sent Items, want 1", rev, got)
		}
	}
}

// TestAskAgain: missing required inputs are asked through elicitation; a
// bad answer gets the validation message and the same question again; the
// confirmation is a boolean.
func TestAskAgain(t *testing.T) {
	for _, rev := range revisions {
		t.Run(rev, func(t *testing.T) {
			r := newRig(t, nil)
			a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{
				say("not-an-address"),  // to: refused
				say("ann@contoso.com"), // to, again
				say(strings.Repeat("x", 300)),
				say("Asked mail"),
				say("Hello Ann"),
				say(true),
			}}
			res := call(t, r.connect(rev, a), "send-mail", nil)
			if res.IsError {
				t.Fatalf("tool error: %s", text(res))
			}
			want := []struct{ field, message string }{
				{"to", "Who should receive it?"},
				{"to", "\nWho should receive it?"},
				{"subject", "What is the subject?"},
				{"subject", "A subject has 1 to 255 characters.\nWhat is the subject?"},
				{"body", "What should the message say?"},
				{"confirm", `Send "Asked mail" to ann@contoso.com?`},
			}
			if len(a.asked) != len(want) {
				t.Fatalf("asked %d questions, want %d: %+v", len(a.asked), len(want), a.asked)
			}
			for i, w := range want {
				p := a.asked[i]
				props := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)
				if _, ok := props[w.field]; !ok || len(props) != 1 || p.Mode != "form" {
					t.Errorf("question %d: mode %s, schema %v, want the one field %s", i+1, p.Mode, props, w.field)
				}
				if !strings.HasSuffix(p.Message, w.message) {
					t.Errorf("question %d: message %q, want it to end with %q", i+1, p.Message, w.message)
				}
			}
			if !strings.HasPrefix(a.asked[1].Message, "not-an-address") && !strings.Contains(a.asked[1].Message, "address") {
				t.Errorf("the re-ask %q does not say what was wrong", a.asked[1].Message)
			}
			if typ := a.asked[5].RequestedSchema.(map[string]any)["properties"].(map[string]any)["confirm"].(map[string]any)["type"]; typ != "boolean" {
				t.Errorf("confirm field type %v, want boolean", typ)
			}
			if got := r.sent("Asked mail"); got != 1 {
				t.Errorf("%d mails in Sent Items, want 1", got)
			}
		})
	}
}

// TestDeclined: a confirmation answered no, declined or cancelled ends the
// call with nothing sent.
func TestDeclined(t *testing.T) {
	answers := map[string]func(*mcp.ElicitParams) *mcp.ElicitResult{
		"no":      say(false),
		"decline": act("decline"),
		"cancel":  act("cancel"),
	}
	for _, rev := range revisions {
		r := newRig(t, nil)
		for name, answer := range answers {
			t.Run(rev+"/"+name, func(t *testing.T) {
				subject := "Declined " + name
				a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{answer}}
				res := call(t, r.connect(rev, a), "send-mail", map[string]any{"to": "ann@contoso.com", "subject": subject, "body": "x"})
				if !res.IsError || !strings.Contains(text(res), "declined") {
					t.Errorf("result %v %q, want a tool error saying the user declined", res.IsError, text(res))
				}
				if got := r.sent(subject); got != 0 {
					t.Errorf("%d mails in Sent Items, want none", got)
				}
			})
		}
		if w := r.writes(); w != 0 {
			t.Errorf("%s: %d writes reached Graph, want none", rev, w)
		}
	}
}

// TestNoElicitation: a client that cannot be asked gets a tool error naming
// the missing inputs, or the confirmation it cannot give; nothing is sent.
func TestNoElicitation(t *testing.T) {
	for _, rev := range revisions {
		t.Run(rev, func(t *testing.T) {
			r := newRig(t, nil)
			cs := r.connect(rev, nil)
			res := call(t, cs, "send-mail", map[string]any{"subject": "x"})
			if !res.IsError || !strings.Contains(text(res), "missing required inputs: to, body") {
				t.Errorf("got %v %q, want a tool error naming to and body", res.IsError, text(res))
			}
			res = call(t, cs, "send-mail", map[string]any{"to": "ann@contoso.com", "subject": "No client", "body": "x"})
			if !res.IsError || !strings.Contains(text(res), "asks the user to confirm") {
				t.Errorf("got %v %q, want a tool error about the confirmation", res.IsError, text(res))
			}
			res = call(t, cs, "create-todo-list", nil)
			if !res.IsError || !strings.Contains(text(res), "missing required input: name") {
				t.Errorf("got %v %q, want a tool error naming name", res.IsError, text(res))
			}
			if w := r.writes(); w != 0 {
				t.Errorf("%d writes reached Graph, want none", w)
			}
		})
	}
}

// TestBadArguments: arguments go through the inputs' validation; a wrong
// type or value is a tool error naming the input, before any write. Type
// and format errors, and the rules of inputs asked at the start, are found
// before any request; the rules of an input asked later in the flow run
// where the template asks it (create-event's end, after reading the
// mailbox's zone).
func TestBadArguments(t *testing.T) {
	tests := []struct {
		tool  string
		args  map[string]any
		want  string
		reads bool // the refusal comes after the template's first reads
	}{
		{"list-events", map[string]any{"max": "lots"}, "input max:", false},
		{"list-events", map[string]any{"max": 5000}, "input max: Give a number from 1 to 1000.", true},
		{"list-events", map[string]any{"from": "2026-06-20", "to": "2026-06-10"}, "input to: The last day cannot be before the first day.", true},
		{"list-events", map[string]any{"mx": 5}, `tool list-events has no input "mx"`, false},
		{"send-mail", map[string]any{"to": []any{"ann@contoso.com", 7}, "subject": "x", "body": "x"}, "input to:", false},
		{"send-mail", map[string]any{"to": "not an address", "subject": "x", "body": "x"}, "input to:", false},
		{"send-mail", map[string]any{"to": []any{}, "subject": "x", "body": "x"}, "input to: At least one email address is needed here.", false},
		{"create-todo-list", map[string]any{"name": "  "}, "input name: An answer is needed.", false},
		{"create-todo-list", map[string]any{"name": strings.Repeat("x", 256)}, "input name: A list name has 1 to 255 characters.", false},
		{"create-event", map[string]any{"subject": "x", "start": "2026-06-16T12:00:00Z", "end": "2026-06-16T11:00:00Z"}, "input end: The end must be after the start", true},
	}
	for _, rev := range revisions {
		r := newRig(t, nil)
		a := &asker{}
		cs := r.connect(rev, a)
		for _, tc := range tests {
			before := len(r.sb.Requests())
			res := call(t, cs, tc.tool, tc.args)
			if !res.IsError || !strings.Contains(text(res), tc.want) {
				t.Errorf("%s %s %v: got %v %q, want a tool error with %q", rev, tc.tool, tc.args, res.IsError, text(res), tc.want)
			}
			if n := len(r.sb.Requests()) - before; !tc.reads && n != 0 {
				t.Errorf("%s %s %v: %d requests reached Graph, want none", rev, tc.tool, tc.args, n)
			}
		}
		if len(a.asked) != 0 {
			t.Errorf("%s: the user was asked %d questions about bad arguments", rev, len(a.asked))
		}
		if w := r.writes(); w != 0 {
			t.Errorf("%s: %d writes reached Graph, want none", rev, w)
		}
	}
}

// TestUnknownTool is a protocol error naming the tool.
func TestUnknownTool(t *testing.T) {
	r := newRig(t, nil)
	for _, rev := range revisions {
		cs := r.connect(rev, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mails"})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "send-mails") {
			t.Errorf("%s: error %v, want one naming the unknown tool", rev, err)
		}
	}
}

// TestChoiceFromSteps: a choice whose options the flow reads from Graph is
// asked as a titled enum of those options; the client picks one.
func TestChoiceFromSteps(t *testing.T) {
	for _, rev := range revisions {
		t.Run(rev, func(t *testing.T) {
			r := newRig(t, nil)
			var picked string
			a := &asker{answers: []func(*mcp.ElicitParams) *mcp.ElicitResult{func(p *mcp.ElicitParams) *mcp.ElicitResult {
				prop := p.RequestedSchema.(map[string]any)["properties"].(map[string]any)["list"].(map[string]any)
				options, _ := prop["oneOf"].([]any)
				if len(options) == 0 {
					t.Errorf("the list question has no options: %v", prop)
					return &mcp.ElicitResult{Action: "cancel"}
				}
				first := options[0].(map[string]any)
				picked, _ = first["title"].(string)
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"list": first["const"]}}
			}}}
			res := call(t, r.connect(rev, a), "create-task", map[string]any{"title": "Buy milk"})
			if res.IsError {
				t.Fatalf("create-task: %s", text(res))
			}
			if picked == "" || !strings.Contains(text(res), "Buy milk") {
				t.Errorf("picked %q; result %q", picked, text(res))
			}
		})
	}
}
