package flowtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
)

// checkTurn compares one pause with the turn the file expects there.
func (r *runner) checkTurn(where string, want Turn, got *engine.Turn) {
	line := want.Line
	fail := func(field, format string, args ...any) {
		r.rec.add(line, where, "%s: %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case want.Kind == TurnQuestion && got.Kind != engine.KindQuestion:
		r.rec.add(line, where, "expected %s, got %s", describeWant(want), describeTurn(got))
		return
	case want.Kind == TurnSignIn && got.Kind != engine.KindSignIn:
		r.rec.add(line, where, "expected %s, got %s", describeWant(want), describeTurn(got))
		return
	}
	if want.Kind == TurnQuestion {
		q, g := want.Question, got.Question
		eq := func(field string, w *string, have string) {
			if w != nil && *w != have {
				fail("question."+field, "expected %s, got %s", quote(*w), quote(have))
			}
		}
		has := func(field string, w *string, have string) {
			if w != nil && !strings.Contains(have, *w) {
				fail("question."+field, "expected text containing %s, got %s", quote(*w), quote(have))
			}
		}
		eq("input", q.Input, g.Input)
		eq("type", q.Type, g.Type)
		eq("text", q.Text, g.Text)
		has("text_contains", q.TextContains, g.Text)
		if q.Attempt != nil && *q.Attempt != g.Attempt {
			fail("question.attempt", "expected %d, got %d", *q.Attempt, g.Attempt)
		}
		eq("error", q.Error, g.Error)
		has("error_contains", q.ErrorContains, g.Error)
		if q.Choices != nil {
			labels := make([]string, len(g.Choices))
			for i, o := range g.Choices {
				labels[i] = o.Label
				if labels[i] == "" {
					labels[i] = o.Value
				}
			}
			if !equalStrings(q.Choices, labels) {
				fail("question.choices", "expected %s, got %s", short(q.Choices), short(labels))
			}
		}
	}
	if want.Kind == TurnSignIn {
		s, g := want.SignIn, got.SignIn
		if s.URLContains != nil && !strings.Contains(g.URL, *s.URLContains) {
			fail("sign_in.url_contains", "expected a URL containing %s, got %s", quote(*s.URLContains), quote(g.URL))
		}
		if s.Scopes != nil && !equalStrings(s.Scopes, g.Scopes) {
			fail("sign_in.scopes", "expected %s, got %s", short(s.Scopes), short(g.Scopes))
		}
		if s.MagicCode != nil && *s.MagicCode != g.MagicCode {
			fail("sign_in.magic_code", "expected %t, got %t", *s.MagicCode, g.MagicCode)
		}
	}
	if want.Messages != nil && !equalStrings(*want.Messages, got.Messages) {
		fail("messages", "expected %s, got %s", short(*want.Messages), short(nonNil(got.Messages)))
	}
}

// checkEnd compares how the flow ended with the file's expect section.
func (r *runner) checkEnd(turn *engine.Turn) {
	e := r.c.Expect
	if got := string(turn.Status); got != e.Status {
		msg := fmt.Sprintf("expected %s, got %s", e.Status, describeEnd(turn))
		r.rec.add(e.line("status"), "expect.status", "%s", msg)
	}
	r.checkOutputs(turn)
	if e.Messages != nil && !equalStrings(*e.Messages, r.messages) {
		r.rec.add(e.line("messages"), "expect.messages", "expected %s, got %s", short(*e.Messages), short(nonNil(r.messages)))
	}
	if len(e.MessagesContain) > 0 {
		r.checkMessagesContain()
	}
	if e.Error != nil {
		r.checkError(turn.Err)
	}
	if e.DryRun != nil {
		r.checkDryRun(turn.DryRun)
	}
	played, served := r.srv.counts()
	r.res.Requests = served
	for i := played; i < len(r.c.Graph); i++ {
		x := r.c.Graph[i]
		r.rec.add(x.Line, fmt.Sprintf("graph[%d]", i), "the expected request %s %s was never made", x.Request.Method, x.Request.Path)
	}
	if e.Requests != nil && *e.Requests != served {
		r.rec.add(e.line("requests"), "expect.requests", "expected %d Graph requests, got %d", *e.Requests, served)
	}
}

func (r *runner) checkOutputs(turn *engine.Turn) {
	e := r.c.Expect
	byName := map[string]engine.Output{}
	var names []string
	for _, o := range turn.Outputs {
		byName[o.Name] = o
		names = append(names, o.Name)
	}
	for _, w := range e.Outputs {
		where := "expect.outputs." + w.Name
		o, ok := byName[w.Name]
		if !ok {
			r.rec.add(w.Line, where, "missing; the flow's outputs are %s", short(nonNil(names)))
			continue
		}
		want, err := decodeJSON(w.JSON)
		if err != nil {
			r.rec.add(w.Line, where, "the expected value is not JSON: %v", err)
			continue
		}
		got, err := normalizeOutput(o.Value)
		if err != nil {
			r.rec.add(w.Line, where, "the output cannot be shown as JSON: %v", err)
			continue
		}
		diffs := diffJSON("", want, got)
		if len(diffs) == 1 && strings.HasPrefix(diffs[0], ": ") {
			r.rec.add(w.Line, where, "%s", strings.TrimPrefix(diffs[0], ": "))
		} else if len(diffs) > 0 {
			r.rec.add(w.Line, where, "differs:\n%s", strings.Join(diffs, "\n"))
		}
	}
	for _, name := range sortedStringKeys(e.Columns) {
		o, ok := byName[name]
		if !ok {
			r.rec.add(e.line("columns"), "expect.columns."+name, "no output %q; the flow's outputs are %s", name, short(nonNil(names)))
			continue
		}
		if !equalStrings(e.Columns[name], o.Columns) {
			r.rec.add(e.line("columns"), "expect.columns."+name, "expected %s, got %s", short(e.Columns[name]), short(nonNil(o.Columns)))
		}
	}
}

// normalizeOutput turns an output value into generic JSON: times become
// RFC 3339 text in their own zone, durations Go duration text.
func normalizeOutput(v any) (any, error) {
	data, err := json.Marshal(normalizeValue(v, 0))
	if err != nil {
		return nil, err
	}
	return decodeJSON(data)
}

func normalizeValue(v any, depth int) any {
	if depth > maxYAMLDepth {
		return v
	}
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeValue(e, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeValue(e, depth+1)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalizeValue(rv.Index(i).Interface(), depth+1)
		}
		return out
	}
	return v
}

// checkMessagesContain finds each expected part in order across the
// messages said.
func (r *runner) checkMessagesContain() {
	e := r.c.Expect
	i := 0
	for _, part := range e.MessagesContain {
		found := false
		for ; i < len(r.messages); i++ {
			if strings.Contains(r.messages[i], part) {
				found = true
				break
			}
		}
		if !found {
			r.rec.add(e.line("messages_contain"), "expect.messages_contain", "no message contains %s (in this order); the messages are %s", quote(part), short(nonNil(r.messages)))
			return
		}
	}
}

func (r *runner) checkError(err error) {
	e := r.c.Expect
	w := e.Error
	if err == nil {
		r.rec.add(e.line("error"), "expect.error", "expected an error, but the flow gave none")
		return
	}
	var ge *graph.Error
	isGraph := errors.As(err, &ge)
	if w.Status != nil {
		switch {
		case !isGraph:
			r.rec.add(e.line("error"), "expect.error.status", "expected Graph status %d, but the error is not from Graph: %s", *w.Status, quote(err.Error()))
		case ge.Status != *w.Status:
			r.rec.add(e.line("error"), "expect.error.status", "expected %d, got %d", *w.Status, ge.Status)
		}
	}
	if w.Code != nil {
		switch {
		case !isGraph:
			r.rec.add(e.line("error"), "expect.error.code", "expected Graph code %s, but the error is not from Graph: %s", *w.Code, quote(err.Error()))
		case ge.Code != *w.Code:
			r.rec.add(e.line("error"), "expect.error.code", "expected %s, got %s", quote(*w.Code), quote(ge.Code))
		}
	}
	if w.MessageContains != nil && !strings.Contains(err.Error(), *w.MessageContains) {
		r.rec.add(e.line("error"), "expect.error.message_contains", "expected an error containing %s, got %s", quote(*w.MessageContains), quote(err.Error()))
	}
}

func (r *runner) checkDryRun(p *engine.PlannedRequest) {
	e := r.c.Expect
	if p == nil {
		r.rec.add(e.DryRun.Line, "expect.dry_run", "expected a planned write, but the flow reported none")
		return
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		r.rec.add(e.DryRun.Line, "expect.dry_run", "the planned URL %s does not parse: %v", quote(p.URL), err)
		return
	}
	base, _ := url.Parse(r.srv.BaseURL())
	if u.Host != base.Host || !strings.HasPrefix(u.Path, ServiceRoot+"/") {
		r.rec.add(e.DryRun.Line, "expect.dry_run", "the planned URL %s is not under the service root %s", quote(p.URL), r.srv.BaseURL())
		return
	}
	diffs := compareRequest(*e.DryRun, p.Method, strings.TrimPrefix(u.EscapedPath(), ServiceRoot),
		strings.TrimPrefix(u.Path, ServiceRoot), u.Query(), p.Header, p.Body)
	if len(diffs) > 0 {
		r.rec.add(e.DryRun.Line, "expect.dry_run", "planned %s differs:\n%s",
			describe(p.Method, strings.TrimPrefix(u.Path, ServiceRoot), u.Query()), strings.Join(diffs, "\n"))
	}
}

// describeTurn says what a turn is, for messages.
func describeTurn(t *engine.Turn) string {
	switch t.Kind {
	case engine.KindQuestion:
		q := t.Question
		if q.Type == "confirm" {
			return fmt.Sprintf("a confirmation %s", quote(q.Text))
		}
		s := fmt.Sprintf("a question for input %q (%s, attempt %d): %s", q.Input, q.Type, q.Attempt, quote(q.Text))
		if q.Error != "" {
			s += " after the error " + quote(q.Error)
		}
		return s
	case engine.KindSignIn:
		return "a sign-in request"
	}
	return "the end of the flow (" + describeEnd(t) + ")"
}

// describeEnd says how a flow ended.
func describeEnd(t *engine.Turn) string {
	switch t.Kind {
	case engine.KindQuestion, engine.KindSignIn:
		return "it is paused"
	}
	s := string(t.Status)
	if t.Err != nil {
		s += ": " + t.Err.Error()
	}
	return s
}

// describeWant says what a turn of the file expects.
func describeWant(t Turn) string {
	if t.Kind == TurnSignIn {
		return "a sign-in request"
	}
	q := t.Question
	switch {
	case q.Type != nil && *q.Type == "confirm":
		return "a confirmation"
	case q.Input != nil:
		return fmt.Sprintf("a question for input %q", *q.Input)
	}
	return "a question"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
