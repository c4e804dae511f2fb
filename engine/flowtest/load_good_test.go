package flowtest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadFileDecodesEveryKey(t *testing.T) {
	c, err := LoadFile("testdata/good/full.flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	q := c.Turns[1].Question
	checks := []struct {
		name      string
		got, want any
	}{
		{"template", c.Template, "../templates/x.yaml"},
		{"template line", c.TemplateLine, 1},
		{"description", c.Description, "every key of the format"},
		{"now read in zone", c.Now.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, berlin)), true},
		{"zone", c.Zone, "Europe/Berlin"},
		{"user", c.User, "adele@contoso.com"},
		{"inputs", fmt.Sprintf("%v", inputTexts(c.Inputs)), "[subject=Planning count=3 to=a@contoso.com, b@contoso.com answer=yes]"},
		{"input JSON", string(c.Inputs[2].JSON), `["a@contoso.com","b@contoso.com"]`},
		{"input JSON number", string(c.Inputs[1].JSON), `3`},
		{"options", [3]bool{c.NoInput, c.AutoConfirm, c.DryRun}, [3]bool{true, true, true}},
		{"auth", c.Auth, AuthSpec{SignedIn: false, MagicCode: "493817"}},
		{"turn kinds", []TurnKind{c.Turns[0].Kind, c.Turns[1].Kind, c.Turns[2].Kind}, []TurnKind{TurnSignIn, TurnQuestion, TurnQuestion}},
		{"sign-in", words(*c.Turns[0].SignIn.URLContains, c.Turns[0].SignIn.Scopes, *c.Turns[0].SignIn.MagicCode), "/authorize [Tasks.Read] true"},
		{"sign-in answer", c.Turns[0].Answer, "493817"},
		{"question", words(*q.Input, *q.Type, *q.Text, *q.TextContains, *q.Attempt, *q.Error, *q.ErrorContains, q.Choices), "start datetime When? hen 2 Bad. Ba [A B]"},
		{"list answer", c.Turns[1].Answer, "x, y"},
		{"turn messages", *c.Turns[1].Messages, []string{"hello"}},
		{"empty question asserts nothing", c.Turns[2].Question, QuestionExpect{}},
		{"null answer", c.Turns[2].Answer, ""},
		{"turn line", c.Turns[1].Line, 16},
		{"method upper-cased", c.Graph[0].Request.Method, "GET"},
		{"query", c.Graph[0].Request.Query, map[string][]string{"$top": {"10"}, "$select": {"id", "subject"}}},
		{"headers canonical", c.Graph[0].Request.Headers, map[string]string{"Prefer": `outlook.timezone="UTC"`}},
		{"body null asserted", words(c.Graph[0].Request.BodySet, string(c.Graph[0].Request.Body)), "true null"},
		{"response", words(c.Graph[0].Response.Status, c.Graph[0].Response.Headers, string(c.Graph[0].Response.Body)), "429 map[Retry-After:0] {\"value\": []}\n"},
		{"body JSON keeps text and order", string(c.Graph[1].Request.Body), `{"when":"2026-12-01T09:00:00","n":1.5,"ok":true,"none":null,"big":12345678901234567890}`},
		{"default status", c.Graph[1].Response.Status, 200},
		{"body_text", string(c.Graph[1].Response.Body), "not json"},
		{"expect status", c.Expect.Status, "cancelled"},
		{"outputs", words(c.Expect.Outputs[0].Name, string(c.Expect.Outputs[0].JSON), c.Expect.Outputs[1].Name, string(c.Expect.Outputs[1].JSON)), `count 2 when "2026-12-01T09:00:00+01:00"`},
		{"columns", c.Expect.Columns, map[string][]string{"lists": {"name", "default"}}},
		{"messages", *c.Expect.Messages, []string{"a", "b"}},
		{"messages_contain", c.Expect.MessagesContain, []string{"one"}},
		{"error", words(*c.Expect.Error.Status, *c.Expect.Error.Code, *c.Expect.Error.MessageContains), "403 ErrorAccessDenied denied"},
		{"dry_run", words(c.Expect.DryRun.Method, c.Expect.DryRun.Path, string(c.Expect.DryRun.Body)), `POST /me/sendMail {"a":1}`},
		{"requests", *c.Expect.Requests, 3},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func inputTexts(in []InputValue) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = v.Name + "=" + v.Text
	}
	return out
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse("min.flow.yaml", []byte("template: t\ngraph: []\nexpect: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Now.Equal(DefaultNow) || c.Zone != "UTC" || c.Expect.Status != "completed" || !c.Auth.SignedIn || c.Expect.Requests != nil {
		t.Errorf("defaults: now %v zone %q status %q auth %+v requests %v", c.Now, c.Zone, c.Expect.Status, c.Auth, c.Expect.Requests)
	}
}

// words renders values separated by spaces.
func words(vs ...any) string { return strings.TrimSuffix(fmt.Sprintln(vs...), "\n") }
