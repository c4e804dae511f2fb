package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestReplies checks how every kind of turn is shown, against
// testdata/replies.golden (go test -run TestReplies -update rewrites it).
func TestReplies(t *testing.T) {
	when := time.Date(2026, 3, 2, 15, 30, 0, 0, time.FixedZone("PST", -8*3600))
	rows := make([]any, maxOutputRows+2)
	for i := range rows {
		rows[i] = map[string]any{"name": fmt.Sprintf("List %d", i+1), "default": i == 0, "shared": false, "id": "AAMk"}
	}
	cases := []struct {
		name string
		turn *engine.Turn
	}{
		{"question with hint", &engine.Turn{Kind: engine.KindQuestion, Question: &engine.Question{
			Input: "name", Type: "string", Text: "What should the list be called?", Hint: `e.g. "Groceries"`,
			Required: true, Attempt: 1, MaxAttempts: 3}}},
		{"question asked again", &engine.Turn{Kind: engine.KindQuestion, Messages: []string{"You have 3 lists."}, Question: &engine.Question{
			Input: "list", Type: "choice", Text: "Which list?", Required: true, Attempt: 2, MaxAttempts: 3,
			Error:   `"7" is not one of the options.`,
			Choices: []input.Option{{Value: "AAMk1", Label: "Tasks"}, {Value: "AAMk2", Label: "Groceries"}, {Value: "plain"}}}}},
		{"question with default", &engine.Turn{Kind: engine.KindQuestion, Question: &engine.Question{
			Input: "max", Type: "integer", Text: "How many at most?", Default: "100", Attempt: 1, MaxAttempts: 3}}},
		{"optional question", &engine.Turn{Kind: engine.KindQuestion, Question: &engine.Question{
			Input: "cc", Type: "emails", Text: "Anyone in copy?", Attempt: 1, MaxAttempts: 3}}},
		{"confirm", &engine.Turn{Kind: engine.KindQuestion, Question: &engine.Question{
			Type: "confirm", Text: `Send "Lunch" to alex@contoso.com?`, Required: true, Attempt: 1, MaxAttempts: 3}}},
		{"sign-in with magic code", &engine.Turn{Kind: engine.KindSignIn, SignIn: &engine.SignIn{
			URL: "https://login.example/authorize?state=abc", Reason: "sign in to continue", MagicCode: true}}},
		{"sign-in for more scopes", &engine.Turn{Kind: engine.KindSignIn, SignIn: &engine.SignIn{
			URL: "https://login.example/authorize?state=def", Reason: "the sign-in does not grant Mail.Send.", MagicCode: true}}},
		{"sign-in waiting for the code", &engine.Turn{Kind: engine.KindSignIn, SignIn: &engine.SignIn{
			Reason: "that is not the code shown after signing in; type the 6-digit code from the sign-in page (2 tries left)", MagicCode: true}}},
		{"device code sign-in", &engine.Turn{Kind: engine.KindSignIn, SignIn: &engine.SignIn{
			URL: "https://microsoft.com/devicelogin", Reason: "enter the code ABCD-EFGH"}}},
		{"done with outputs", &engine.Turn{Kind: engine.KindDone, Status: engine.StatusCompleted,
			Messages: []string{`Created the list "Trip".`},
			Outputs: []engine.Output{
				{Name: "name", Value: "Trip"}, {Name: "start_time", Value: when}, {Name: "to", Value: []string{"a@x.com", "b@x.com"}},
				{Name: "cc", Value: []string{}}, {Name: "job_title", Value: nil}, {Name: "count", Value: 3},
				{Name: "attendees", Value: []any{"a@x.com", map[string]any{"b": 1}}},
				{Name: "names", Value: []any{"Tasks", "Groceries"}},
				{Name: "body", Value: map[string]any{"contentType": "text", "content": "<hi>"}},
			}}},
		{"done with a table", &engine.Turn{Kind: engine.KindDone, Status: engine.StatusCompleted, Outputs: []engine.Output{
			{Name: "lists", Value: rows, Columns: []string{"name", "default"}},
			{Name: "no_columns", Value: []any{map[string]any{"b": 2, "a": "x"}}},
			{Name: "empty", Value: []any{}},
		}}},
		{"done, nothing to say", &engine.Turn{Kind: engine.KindDone, Status: engine.StatusCompleted}},
		{"cancelled", &engine.Turn{Kind: engine.KindDone, Status: engine.StatusCancelled}},
		{"dry run", &engine.Turn{Kind: engine.KindDone, Status: engine.StatusDryRun}},
		{"failed on Graph", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed, Messages: []string{"Looking..."},
			Err: &engine.FlowError{Step: "create", Pos: "t.yaml:9:5", Err: &graph.Error{Status: 403, Code: "ErrorAccessDenied", Message: "Access is denied.", RequestID: "req-1"}}}},
		{"failed on answers", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed,
			Err: &engine.FlowError{Err: &engine.InputError{Input: "to", Message: "not an email address", Attempts: 3}}}},
		{"fail step", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed,
			Err: &engine.FlowError{Step: "#3", Err: &engine.FailStepError{Message: "You have no To Do lists yet."}}}},
		{"missing inputs", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed,
			Err: &engine.MissingInputsError{Names: []string{"to", "subject"}}}},
		{"token endpoint failure", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed,
			Err: &engine.FlowError{Step: "create", Err: &auth.TokenError{Op: "refreshing", Kind: auth.KindServer, Status: 500,
				Description: "AADSTS90033: A transient error has occurred.", Hint: "try again in a few minutes"}}}},
		{"other failure", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed, Err: errors.New("engine: flow timed out after 10m0s")}},
		{"failure without a cause", &engine.Turn{Kind: engine.KindFailed, Status: engine.StatusFailed}},
	}
	var b strings.Builder
	for _, c := range cases {
		r := replyFor("Create a To Do list", c.turn)
		fmt.Fprintf(&b, "== %s\nkind: %s\n", c.name, r.Kind)
		if len(r.Choices) > 0 {
			fmt.Fprintf(&b, "choices: %q\n", r.Choices)
		}
		if r.SignInURL != "" {
			fmt.Fprintf(&b, "sign_in_url: %s\n", r.SignInURL)
		}
		fmt.Fprintf(&b, "%s\n\n", r.Text)
	}
	golden(t, filepath.Join("testdata", "replies.golden"), b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s", path, got)
	}
}
