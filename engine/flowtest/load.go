package flowtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/internal/yamldoc"
	"github.com/runflow/runflow/internal/yamlerr"
)

// Limits on what a flow test file may hold; they keep a bad or hostile file
// from exhausting memory.
const (
	MaxFileBytes     = 4 << 20
	MaxBodyFileBytes = 8 << 20
	MaxTurns         = 1000
	MaxExchanges     = 1000
)

// LoadFile reads and checks one flow test file. A bad file gives a
// *LoadError listing every problem with file:line:col.
func LoadFile(path string) (*Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flowtest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("flowtest: reading %s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, &LoadError{Problems: []Problem{{File: path, Message: fmt.Sprintf("the file is larger than %d bytes", MaxFileBytes)}}}
	}
	return Parse(path, data)
}

// Parse decodes a flow test from data; file names it in messages and is the
// base of relative paths (template, body_file).
func Parse(file string, data []byte) (*Case, error) {
	d := &decoder{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.problems = append(d.problems, yamlProblem(file, data, err))
		return nil, d.err()
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.errorf(nil, "the file is empty; a flow test needs at least template, graph (may be empty) and expect")
		return nil, d.err()
	}
	c := d.decodeCase(doc.Content[0])
	c.File = file
	if err := d.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// yamlProblem turns a YAML syntax error into a Problem, with the hints
// templates get (internal/yamlerr).
func yamlProblem(file string, data []byte, err error) Problem {
	line, col, msg := yamlerr.Describe(err, data)
	return Problem{File: file, Line: line, Column: col, Message: "YAML syntax: " + msg}
}

var caseKeys = []string{"template", "description", "now", "zone", "user", "inputs", "options", "auth", "turns", "graph", "expect"}

func (d *decoder) decodeCase(root *yaml.Node) *Case {
	c := &Case{Now: DefaultNow, Zone: "UTC", Auth: AuthSpec{SignedIn: true}, Line: map[string]int{}}
	f := d.fields(root, "the flow test", caseKeys...)
	for k := range f {
		c.Line[k] = keyNode(root, k).Line
	}
	if n, ok := f["template"]; ok {
		c.Template = d.str(n, "template")
		c.TemplateLine = n.Line
		if c.Template == "" {
			d.errorf(n, "template must name a built-in template id or a path to a template file")
		}
	} else if resolve(root).Kind == yaml.MappingNode {
		d.errorf(root, "the flow test has no template: add `template: <built-in id or relative path>`")
	}
	if n, ok := f["description"]; ok {
		c.Description = d.str(n, "description")
	}
	if n, ok := f["zone"]; ok {
		c.Zone = d.str(n, "zone")
	}
	if n, ok := f["now"]; ok {
		c.Now = d.decodeNow(n, c.Zone)
	}
	if n, ok := f["user"]; ok {
		c.User = d.str(n, "user")
	}
	if n, ok := f["inputs"]; ok {
		c.Inputs = d.decodeInputs(n)
	}
	if n, ok := f["options"]; ok {
		o := d.fields(n, "options", "no_input", "auto_confirm", "dry_run", "zone")
		if v, ok := o["no_input"]; ok {
			c.NoInput = d.boolean(v, "options.no_input")
		}
		if v, ok := o["auto_confirm"]; ok {
			c.AutoConfirm = d.boolean(v, "options.auto_confirm")
		}
		if v, ok := o["dry_run"]; ok {
			c.DryRun = d.boolean(v, "options.dry_run")
		}
		if v, ok := o["zone"]; ok {
			c.ConversationZone = d.str(v, "options.zone")
			if _, err := input.LoadZone(c.ConversationZone); err != nil {
				d.errorf(v, "options.zone: %v", err)
			}
		}
	}
	if n, ok := f["auth"]; ok {
		a := d.fields(n, "auth", "signed_in", "magic_code")
		if v, ok := a["signed_in"]; ok {
			c.Auth.SignedIn = d.boolean(v, "auth.signed_in")
		}
		if v, ok := a["magic_code"]; ok {
			c.Auth.MagicCode = d.str(v, "auth.magic_code")
		}
	}
	if n, ok := f["turns"]; ok {
		c.Turns = d.decodeTurns(n)
	}
	if n, ok := f["graph"]; ok {
		c.Graph = d.decodeGraph(n)
	} else if resolve(root).Kind == yaml.MappingNode {
		d.errorf(root, "the flow test has no graph section: list the Graph exchanges in order, or write `graph: []` when the flow sends no request")
	}
	if n, ok := f["expect"]; ok {
		c.Expect = d.decodeExpect(n)
	} else {
		c.Expect = Expect{Status: "completed"}
		if resolve(root).Kind == yaml.MappingNode {
			d.errorf(root, "the flow test has no expect section: say at least `expect: {status: completed}`")
		}
	}
	if c.Expect.DryRun != nil && !c.DryRun {
		d.errorf(keyNode(f["expect"], "dry_run"), "expect.dry_run needs `options: {dry_run: true}`")
	}
	return c
}

// decodeNow reads the engine clock: RFC 3339, or a date-time without offset
// read in the file's zone.
func (d *decoder) decodeNow(n *yaml.Node, zone string) time.Time {
	s := d.str(n, "now")
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if loc, err := time.LoadLocation(zone); err == nil {
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t
			}
		}
	}
	d.errorf(n, "now must be a date-time such as 2026-12-01T09:00:00Z (RFC 3339), or 2026-12-01T09:00:00 read in the file's IANA zone; got %q", s)
	return DefaultNow
}

func (d *decoder) decodeInputs(n *yaml.Node) []InputValue {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "inputs must be a mapping of input name to value, got %s", yamldoc.Describe(n))
		return nil
	}
	var out []InputValue
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if seen[k.Value] {
			d.errorf(k, "inputs: %q is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		in := InputValue{Name: k.Value, Line: k.Line, JSON: d.toJSON(v, "inputs."+k.Value)}
		switch v.Kind {
		case yaml.ScalarNode:
			in.Text = v.Value
		case yaml.SequenceNode:
			if hasMapping(v) { // files: a list of {name, base64} or generated_file
				in.Text = string(in.JSON)
				break
			}
			in.Text = strings.Join(d.strList(v, "inputs."+k.Value, false), ", ")
		default:
			in.Text = string(in.JSON)
		}
		out = append(out, in)
	}
	return out
}

// boundedList returns the items of the list at n, or reports (naming key,
// what it must be, and the limit on its items) why it is not one.
func (d *decoder) boundedList(n *yaml.Node, key, mustBe, items string, limit int) ([]*yaml.Node, bool) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be %s, got %s", key, mustBe, yamldoc.Describe(n))
		return nil, false
	}
	if len(n.Content) > limit {
		d.errorf(n, "%s: more than %d %s", key, limit, items)
		return nil, false
	}
	return n.Content, true
}

func (d *decoder) decodeTurns(n *yaml.Node) []Turn {
	items, ok := d.boundedList(n, "turns", "a list of pauses (each `question:` or `sign_in:` with an `answer:`)", "turns", MaxTurns)
	if !ok {
		return nil
	}
	out := make([]Turn, 0, len(items))
	for i, tn := range items {
		what := fmt.Sprintf("turns[%d]", i)
		t := Turn{Line: resolve(tn).Line}
		f := d.fields(tn, what, "question", "sign_in", "answer", "messages")
		q, isQ := f["question"]
		s, isS := f["sign_in"]
		switch {
		case isQ && isS:
			d.errorf(tn, "%s: a turn is either a question or a sign_in, not both", what)
		case isQ:
			t.Kind = TurnQuestion
			t.Question = d.decodeQuestion(q, what+".question")
			if _, ok := f["answer"]; !ok {
				d.errorf(tn, "%s: a question needs an answer (write answer: \"\" for an empty one)", what)
			}
		case isS:
			t.Kind = TurnSignIn
			t.SignIn = d.decodeSignIn(s, what+".sign_in")
		default:
			if resolve(tn).Kind == yaml.MappingNode {
				d.errorf(tn, "%s: say what pause is expected: `question: {...}` or `sign_in: {}`", what)
			}
		}
		if a, ok := f["answer"]; ok {
			t.Answer = d.answer(a, what+".answer")
		}
		if m, ok := f["messages"]; ok {
			msgs := d.strList(m, what+".messages", false)
			t.Messages = &msgs
		}
		out = append(out, t)
	}
	return out
}

// answer reads what the user types: any scalar as written (yes, 42, 9am).
// A list is joined with ", " (handy for email lists).
func (d *decoder) answer(n *yaml.Node, what string) string {
	n = resolve(n)
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return ""
	case n.Kind == yaml.SequenceNode:
		return strings.Join(d.strList(n, what, false), ", ")
	}
	return d.str(n, what)
}

var questionKeys = []string{"input", "type", "text", "text_contains", "attempt", "error", "error_contains", "choices"}

func (d *decoder) decodeQuestion(n *yaml.Node, what string) QuestionExpect {
	var q QuestionExpect
	if resolve(n).Kind == yaml.ScalarNode && resolve(n).Tag == "!!null" {
		return q // `question:` alone: any question
	}
	f := d.fields(n, what, questionKeys...)
	strp := func(key string) *string {
		if v, ok := f[key]; ok {
			s := d.str(v, what+"."+key)
			return &s
		}
		return nil
	}
	q.Input, q.Type, q.Text, q.TextContains = strp("input"), strp("type"), strp("text"), strp("text_contains")
	q.Error, q.ErrorContains = strp("error"), strp("error_contains")
	if v, ok := f["attempt"]; ok {
		a := d.integer(v, what+".attempt", 1, 1000)
		q.Attempt = &a
	}
	if v, ok := f["choices"]; ok {
		q.Choices = d.strList(v, what+".choices", false)
	}
	return q
}

func (d *decoder) decodeSignIn(n *yaml.Node, what string) SignInExpect {
	var s SignInExpect
	if resolve(n).Kind == yaml.ScalarNode && resolve(n).Tag == "!!null" {
		return s
	}
	f := d.fields(n, what, "url_contains", "scopes", "magic_code")
	if v, ok := f["url_contains"]; ok {
		u := d.str(v, what+".url_contains")
		s.URLContains = &u
	}
	if v, ok := f["scopes"]; ok {
		s.Scopes = d.strList(v, what+".scopes", true)
	}
	if v, ok := f["magic_code"]; ok {
		b := d.boolean(v, what+".magic_code")
		s.MagicCode = &b
	}
	return s
}

func (d *decoder) decodeGraph(n *yaml.Node) []Exchange {
	items, ok := d.boundedList(n, "graph", "a list of exchanges (each with request and response)", "exchanges", MaxExchanges)
	if !ok {
		return nil
	}
	out := make([]Exchange, 0, len(items))
	for i, en := range items {
		what := fmt.Sprintf("graph[%d]", i)
		e := Exchange{Line: resolve(en).Line}
		f := d.fields(en, what, "request", "response")
		if r, ok := f["request"]; ok {
			e.Request = d.decodeRequest(r, what+".request", true)
		} else if resolve(en).Kind == yaml.MappingNode {
			d.errorf(en, "%s: missing request (the method and path expected)", what)
		}
		if r, ok := f["response"]; ok {
			e.Response = d.decodeResponse(r, what+".response")
		} else {
			e.Response = Response{Status: http.StatusOK, Line: e.Line}
			if resolve(en).Kind == yaml.MappingNode {
				d.errorf(en, "%s: missing response (at least `response: {status: 204}`)", what)
			}
		}
		out = append(out, e)
	}
	return out
}

var methods = []string{"GET", "POST", "PATCH", "PUT", "DELETE"}

func (d *decoder) decodeRequest(n *yaml.Node, what string, needPath bool) RequestExpect {
	r := RequestExpect{Line: resolve(n).Line}
	f := d.fields(n, what, "method", "path", "query", "headers", "body", "upload")
	if v, ok := f["method"]; ok {
		r.Method = strings.ToUpper(d.str(v, what+".method"))
		if r.Method != "" && !slices.Contains(methods, r.Method) {
			d.errorf(v, "%s.method: %q is not one of %s", what, r.Method, strings.Join(methods, ", "))
		}
	} else if needPath && resolve(n).Kind == yaml.MappingNode {
		d.errorf(n, "%s: missing method (GET, POST, PATCH, PUT or DELETE)", what)
	}
	if v, ok := f["path"]; ok {
		r.Path = d.str(v, what+".path")
		if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
			d.errorf(v, "%s.path must start with / and be relative to the Graph service root (e.g. /me/events), got %q", what, r.Path)
		}
		if strings.ContainsAny(r.Path, "?#") {
			d.errorf(v, "%s.path must not hold a query; put parameters under query:", what)
		}
	} else if needPath && resolve(n).Kind == yaml.MappingNode {
		d.errorf(n, "%s: missing path (relative to the service root, e.g. /me/events)", what)
	}
	if v, ok := f["query"]; ok {
		r.Query = map[string][]string{}
		q := resolve(v)
		if q.Kind != yaml.MappingNode {
			d.errorf(v, "%s.query must be a mapping of parameter to value, got %s", what, yamldoc.Describe(v))
		}
		for i := 0; q.Kind == yaml.MappingNode && i+1 < len(q.Content); i += 2 {
			k := resolve(q.Content[i]).Value
			r.Query[k] = d.strList(q.Content[i+1], what+".query."+k, true)
		}
	}
	if v, ok := f["headers"]; ok {
		r.Headers = d.headers(v, what+".headers")
	}
	if v, ok := f["body"]; ok {
		r.Body = d.toJSON(v, what+".body")
		r.BodySet = true
	}
	if v, ok := f["upload"]; ok {
		r.Upload = d.boolean(v, what+".upload")
	}
	return r
}

func (d *decoder) headers(n *yaml.Node, what string) map[string]string {
	out := map[string]string{}
	h := resolve(n)
	if h.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping of header name to value, got %s", what, yamldoc.Describe(n))
		return out
	}
	for i := 0; i+1 < len(h.Content); i += 2 {
		k := resolve(h.Content[i])
		name := http.CanonicalHeaderKey(k.Value)
		if _, dup := out[name]; dup {
			d.errorf(k, "%s: header %s is given twice", what, name)
		}
		out[name] = d.str(h.Content[i+1], what+"."+k.Value)
	}
	return out
}

func (d *decoder) decodeResponse(n *yaml.Node, what string) Response {
	r := Response{Status: http.StatusOK, Line: resolve(n).Line}
	f := d.fields(n, what, "status", "headers", "body", "body_file", "body_text")
	if v, ok := f["status"]; ok {
		r.Status = d.integer(v, what+".status", 100, 599)
	}
	if v, ok := f["headers"]; ok {
		r.Headers = d.headers(v, what+".headers")
	}
	bodies := 0
	if v, ok := f["body"]; ok {
		bodies++
		r.Body = d.toJSON(v, what+".body")
	}
	if v, ok := f["body_text"]; ok {
		bodies++
		r.Body = []byte(d.str(v, what+".body_text"))
	}
	if v, ok := f["body_file"]; ok {
		bodies++
		r.Body = d.readBodyFile(v, what+".body_file")
	}
	if bodies > 1 {
		d.errorf(n, "%s: give only one of body, body_text and body_file", what)
	}
	return r
}

func (d *decoder) readBodyFile(n *yaml.Node, what string) []byte {
	name := d.str(n, what)
	if name == "" {
		return nil
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), name)
	}
	f, err := os.Open(path)
	if err != nil {
		d.errorf(n, "%s: %v", what, errors.Unwrap(err))
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBodyFileBytes+1))
	if err != nil {
		d.errorf(n, "%s: reading %s: %v", what, name, err)
		return nil
	}
	if len(data) > MaxBodyFileBytes {
		d.errorf(n, "%s: %s is larger than %d bytes", what, name, MaxBodyFileBytes)
		return nil
	}
	return data
}

var expectKeys = []string{"status", "outputs", "columns", "messages", "messages_contain", "error", "dry_run", "requests"}

var statuses = []string{"completed", "failed", "cancelled", "dry-run"}

func (d *decoder) decodeExpect(n *yaml.Node) Expect {
	e := Expect{Status: "completed", Line: resolve(n).Line, KeyLine: map[string]int{}}
	f := d.fields(n, "expect", expectKeys...)
	for k := range f {
		e.KeyLine[k] = keyNode(n, k).Line
	}
	if v, ok := f["status"]; ok {
		e.Status = d.str(v, "expect.status")
		if !slices.Contains(statuses, e.Status) {
			d.errorf(v, "expect.status: %q is not one of %s%s", e.Status, strings.Join(statuses, ", "), valueHint.For(e.Status, statuses))
		}
	}
	if v, ok := f["outputs"]; ok {
		o := resolve(v)
		if o.Kind != yaml.MappingNode {
			d.errorf(v, "expect.outputs must be a mapping of output name to value, got %s", yamldoc.Describe(v))
		}
		for i := 0; o.Kind == yaml.MappingNode && i+1 < len(o.Content); i += 2 {
			k := resolve(o.Content[i])
			e.Outputs = append(e.Outputs, NamedJSON{Name: k.Value, Line: k.Line, JSON: d.toJSON(o.Content[i+1], "expect.outputs."+k.Value)})
		}
	}
	if v, ok := f["columns"]; ok {
		e.Columns = map[string][]string{}
		o := resolve(v)
		if o.Kind != yaml.MappingNode {
			d.errorf(v, "expect.columns must be a mapping of output name to a list of columns, got %s", yamldoc.Describe(v))
		}
		for i := 0; o.Kind == yaml.MappingNode && i+1 < len(o.Content); i += 2 {
			k := resolve(o.Content[i]).Value
			e.Columns[k] = d.strList(o.Content[i+1], "expect.columns."+k, false)
		}
	}
	if v, ok := f["messages"]; ok {
		m := d.strList(v, "expect.messages", false)
		e.Messages = &m
	}
	if v, ok := f["messages_contain"]; ok {
		e.MessagesContain = d.strList(v, "expect.messages_contain", true)
	}
	if v, ok := f["error"]; ok {
		e.Error = d.decodeErrorExpect(v)
	}
	if v, ok := f["dry_run"]; ok {
		r := d.decodeRequest(v, "expect.dry_run", false)
		e.DryRun = &r
		if _, set := f["status"]; !set {
			e.Status = "dry-run" // the flow stopped before the planned write
		}
	}
	if v, ok := f["requests"]; ok {
		r := d.integer(v, "expect.requests", 0, MaxExchanges)
		e.Requests = &r
	}
	return e
}

func (d *decoder) decodeErrorExpect(n *yaml.Node) *ErrorExpect {
	e := &ErrorExpect{}
	if r := resolve(n); r.Kind == yaml.ScalarNode && r.Tag != "!!null" {
		s := r.Value // `error: text` is short for message_contains
		e.MessageContains = &s
		return e
	}
	f := d.fields(n, "expect.error", "status", "code", "message_contains")
	if v, ok := f["status"]; ok {
		s := d.integer(v, "expect.error.status", 100, 599)
		e.Status = &s
	}
	if v, ok := f["code"]; ok {
		s := d.str(v, "expect.error.code")
		e.Code = &s
	}
	if v, ok := f["message_contains"]; ok {
		s := d.str(v, "expect.error.message_contains")
		e.MessageContains = &s
	}
	return e
}

// compactJSON returns data with insignificant space removed (for messages).
func compactJSON(data []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, data) != nil {
		return string(data)
	}
	return buf.String()
}
