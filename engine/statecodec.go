package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// The state is written and read by hand rather than through
// encoding/json's reflection: Resume reads one state and writes another on
// every message, and the reflective paths cost about half of its time and
// most of its allocations. The format is the JSON of savedState (state.go),
// with the values of codec.go; TestStateCodecMatchesJSON checks that
// encoding/json reads back what appendState writes.

// appendState appends the session's state to buf.
func (s *session) appendState(buf []byte) ([]byte, error) {
	b := append(buf, `{"v":`...)
	b = strconv.AppendInt(b, stateVersion, 10)
	b = appendStrField(b, "template", s.t.id)
	b = appendStrField(b, "hash", s.t.hash)
	b = appendStrField(b, "session", s.sessionID())
	b = strconv.AppendUint(appendKey(b, "seq"), s.seq, 10)
	b = appendOptStrField(b, "zone", s.opts.Zone)
	if s.user != "me" {
		b = appendStrField(b, "user", s.user)
	}
	b = appendOptStrField(b, "subject", s.opts.Subject)
	b = appendOptStrField(b, "conversation", s.opts.Conversation)
	b = appendFlagField(b, "no_input", s.opts.NoInput)
	b = appendFlagField(b, "auto_confirm", s.opts.AutoConfirm)
	b = appendFlagField(b, "dry_run", s.opts.DryRun)
	b = append(b, `,"cursor":[`...)
	for i, f := range s.stack {
		b = appendComma(b, i)
		b = append(b, `{"b":`...)
		b = appendJSONString(b, f.blk.key)
		b = appendIntField(b, "i", int64(f.idx))
		if len(f.items) > 0 {
			var err error
			if b, err = appendValue(appendKey(b, "items"), f.items, 0); err != nil {
				return nil, fmt.Errorf("saving the session: foreach item: %v", err)
			}
		}
		b = appendOptIntField(b, "n", int64(f.n))
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendStrField(b, "wait", s.wait)
	b = appendOptIntField(b, "attempt", int64(s.attempt))
	var err error
	for _, m := range []struct {
		name string
		m    map[string]any
	}{{"inputs", s.inputs}, {"presets", s.presets}, {"vars", s.vars}} {
		if len(m.m) == 0 {
			continue
		}
		if b, err = appendMap(appendKey(b, m.name), m.m, 0); err != nil {
			return nil, fmt.Errorf("saving the session: %s: %v", m.name, err)
		}
	}
	first := true
	for _, id := range sortedKeys(s.steps) {
		if !s.t.keepSteps[id] {
			continue
		}
		if first {
			b = append(b, `,"steps":{`...)
			first = false
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, id)
		b = append(b, ':')
		b = s.appendStepResult(b, id, s.steps[id].(*stepResult))
	}
	if !first {
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// appendStepResult writes r, with its body cut to what later expressions
// read (keep.go): the cut is made once and kept in the session too, where
// it reads the same.
func (s *session) appendStepResult(b []byte, id string, r *stepResult) []byte {
	if !r.kept {
		if kept := s.t.keptBody(id, r.Body); len(kept) != len(r.Body) {
			r.Body, r.bodyValid = kept, 0
		}
		r.kept = true
	}
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	if len(r.Headers) > 0 {
		b = append(appendKey(b, "headers"), '{')
		for i, k := range sortedKeys(r.Headers) {
			b = appendJSONString(appendComma(b, i), k)
			b = appendJSONString(append(b, ':'), r.Headers[k])
		}
		b = append(b, '}')
	}
	b = appendOptStrField(b, "body", r.Body)
	if r.Items != "[]" {
		b = appendOptStrField(b, "items", r.Items)
	}
	b = appendOptIntField(b, "count", int64(r.Count))
	b = appendFlagField(b, "truncated", r.Truncated)
	return append(b, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) > 1 {
		sort.Strings(keys)
	}
	return keys
}

// appendKey writes the comma and the key of a field after an object's
// first: ,"name":
func appendKey(b []byte, name string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// appendComma writes the comma before the i'th item of a list or object
// (none before the first).
func appendComma(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return b
}

func appendStrField(b []byte, name, v string) []byte {
	return appendJSONString(appendKey(b, name), v)
}

func appendIntField(b []byte, name string, n int64) []byte {
	return strconv.AppendInt(appendKey(b, name), n, 10)
}

// appendOptStrField, appendOptIntField and appendFlagField leave out a
// field that holds its zero value, which reads back the same.
func appendOptStrField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendStrField(b, name, v)
}

func appendOptIntField(b []byte, name string, n int64) []byte {
	if n == 0 {
		return b
	}
	return appendIntField(b, name, n)
}

func appendFlagField(b []byte, name string, on bool) []byte {
	if !on {
		return b
	}
	return append(appendKey(b, name), "true"...)
}

func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, k := range sortedKeys(m) {
		b = appendJSONString(appendComma(b, i), k)
		if b, err = appendValue(append(b, ':'), m[k], depth+1); err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
	}
	return append(b, '}'), nil
}

// appendValue writes v in the codec's form (codec.go).
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxCodecDepth {
		return nil, fmt.Errorf("values nested too deeply")
	}
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("cannot save the number %v", x)
		}
		return appendFloat(b, x), nil
	case []string:
		b = append(b, `{"$s":[`...)
		for i, s := range x {
			b = appendJSONString(appendComma(b, i), s)
		}
		return append(b, ']', '}'), nil
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if b, err = appendValue(appendComma(b, i), it, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		b = append(b, `{"$m":`...)
		if b, err = appendMap(b, x, depth); err != nil {
			return nil, err
		}
		return append(b, '}'), nil
	}
	if b, ok := appendTextTag(b, v); ok {
		return b, nil
	}
	// The rarer types (float32, int32, []int, map[string]string...):
	// through encodeValue and encoding/json.
	e, err := encodeValue(v)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append(b, raw...), nil
}

// appendTextTag writes the values that codec.go tags with their text,
// such as {"$i":"42"}, and reports whether v is one of them.
func appendTextTag(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int:
		b = strconv.AppendInt(append(b, `{"$i":"`...), int64(x), 10)
	case int64:
		b = strconv.AppendInt(append(b, `{"$I":"`...), x, 10)
	case time.Time:
		b = x.AppendFormat(append(b, `{"$t":"`...), time.RFC3339Nano)
	case time.Duration:
		b = append(append(b, `{"$d":"`...), x.String()...)
	default:
		return b, false
	}
	return append(b, '"', '}'), true
}

// appendFloat writes a float64 as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped, <, > and & too (as encoding/json does, so
// that a state can sit in HTML), invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// parsedState is a state as parseState reads it: savedState with its
// values already decoded.
type parsedState struct {
	V                                 int64
	Template, Hash, Session, Zone     string
	User, Subject, Conversation, Wait string
	Seq                               uint64
	NoInput, AutoConfirm, DryRun      bool
	Cursor                            []parsedFrame
	Attempt                           int64
	Inputs, Presets, Vars             map[string]any
	Steps                             map[string]*stepResult
	haveV                             bool
}

type parsedFrame struct {
	Block string
	Index int64
	Items []any
	N     int64
}

// parseState reads a state (without its signature). signed says that the
// engine's key signed it: the engine wrote it, so it is valid JSON and the
// pass that checks that is skipped.
func parseState(data []byte, signed bool) (*parsedState, error) {
	text := string(data)
	if !signed && !gjson.Valid(text) {
		return nil, fmt.Errorf("it is not JSON")
	}
	root := gjson.Parse(text)
	if !root.IsObject() {
		return nil, fmt.Errorf("it is not a JSON object")
	}
	st := &parsedState{}
	// The version says which fields there are: a state of another version
	// is reported as that, not by the first field this version lacks.
	if v := root.Get("v"); v.Type == gjson.Number && v.Num != stateVersion && v.Num == math.Trunc(v.Num) {
		st.V, st.haveV = v.Int(), true
		return st, nil
	}
	if err := readObject(st, root, stateFields); err != nil {
		return nil, err
	}
	if !st.haveV {
		return nil, fmt.Errorf("no format version")
	}
	return st, nil
}

// stateFields are the fields of a state (savedState, state.go): where each
// goes and how it is read.
var stateFields = []field[parsedState]{
	{"v", func(st *parsedState, k string, v gjson.Result) error {
		st.haveV = true
		return read(&st.V, k, v, jsonInt)
	}},
	{"template", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Template, k, v, jsonStr) }},
	{"hash", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Hash, k, v, jsonStr) }},
	{"session", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Session, k, v, jsonStr) }},
	{"seq", func(st *parsedState, k string, v gjson.Result) error {
		n, err := jsonInt(k, v)
		if n < 0 {
			err = fmt.Errorf("seq: a negative number")
		}
		st.Seq = uint64(n)
		return err
	}},
	{"zone", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Zone, k, v, jsonStr) }},
	{"user", func(st *parsedState, k string, v gjson.Result) error { return read(&st.User, k, v, jsonStr) }},
	{"subject", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Subject, k, v, jsonStr) }},
	{"conversation", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Conversation, k, v, jsonStr) }},
	{"no_input", func(st *parsedState, k string, v gjson.Result) error { return read(&st.NoInput, k, v, jsonBool) }},
	{"auto_confirm", func(st *parsedState, k string, v gjson.Result) error { return read(&st.AutoConfirm, k, v, jsonBool) }},
	{"dry_run", func(st *parsedState, k string, v gjson.Result) error { return read(&st.DryRun, k, v, jsonBool) }},
	{"cursor", func(st *parsedState, _ string, v gjson.Result) error { return st.cursor(v) }},
	{"wait", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Wait, k, v, jsonStr) }},
	{"attempt", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Attempt, k, v, jsonInt) }},
	{"inputs", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Inputs, k, v, jsonMap) }},
	{"presets", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Presets, k, v, jsonMap) }},
	{"vars", func(st *parsedState, k string, v gjson.Result) error { return read(&st.Vars, k, v, jsonMap) }},
	{"steps", func(st *parsedState, _ string, v gjson.Result) error { return st.steps(v) }},
	{"sig", func(_ *parsedState, k string, v gjson.Result) error { // statesig.go
		_, err := jsonStr(k, v)
		return err
	}},
}

// frameFields are the fields of a cursor frame.
var frameFields = []field[parsedFrame]{
	{"b", func(f *parsedFrame, _ string, v gjson.Result) error {
		return read(&f.Block, "cursor block", v, jsonStr)
	}},
	{"i", func(f *parsedFrame, _ string, v gjson.Result) error {
		return read(&f.Index, "cursor index", v, jsonInt)
	}},
	{"n", func(f *parsedFrame, _ string, v gjson.Result) error { return read(&f.N, "cursor n", v, jsonInt) }},
	{"items", func(f *parsedFrame, _ string, v gjson.Result) error {
		if v.Type == gjson.Null {
			return nil
		}
		if !v.IsArray() {
			return fmt.Errorf("foreach items: not a list")
		}
		d, err := gjsonValue(v, 0)
		if err == nil {
			f.Items = d.([]any)
		}
		return err
	}},
}

// resultFields are the fields of a step's saved result.
var resultFields = []field[stepResult]{
	{"status", func(r *stepResult, k string, v gjson.Result) error { return read(&r.Status, k, v, jsonSmallInt) }},
	{"headers", func(r *stepResult, _ string, v gjson.Result) error {
		if !v.IsObject() {
			return fmt.Errorf("headers: not an object")
		}
		r.Headers = map[string]string{}
		return each(v, func(k string, hv gjson.Result) (err error) {
			r.Headers[k], err = jsonStr("header", hv)
			return err
		})
	}},
	{"body", func(r *stepResult, k string, v gjson.Result) error { return read(&r.Body, k, v, jsonStr) }},
	{"items", func(r *stepResult, k string, v gjson.Result) error { return read(&r.Items, k, v, jsonStr) }},
	{"count", func(r *stepResult, k string, v gjson.Result) error { return read(&r.Count, k, v, jsonSmallInt) }},
	{"truncated", func(r *stepResult, k string, v gjson.Result) error { return read(&r.Truncated, k, v, jsonBool) }},
}

// field is one field of a saved object of type T: its name and how its
// value is read into the object.
type field[T any] struct {
	name string
	read func(into *T, name string, v gjson.Result) error
}

// read stores at p what decode reads from the field name's value v.
func read[T any](p *T, name string, v gjson.Result, decode func(string, gjson.Result) (T, error)) (err error) {
	*p, err = decode(name, v)
	return err
}

// readObject reads the JSON object v into *into, each field with its
// reader in fields; a field with none is an *unknownField error.
func readObject[T any](into *T, v gjson.Result, fields []field[T]) error {
	return each(v, func(name string, x gjson.Result) error {
		for i := range fields {
			if fields[i].name == name {
				return fields[i].read(into, name, x)
			}
		}
		return &unknownField{name: name}
	})
}

// unknownField is the error of a field no reader reads; where, when set,
// says in what (such as `cursor: `).
type unknownField struct{ where, name string }

func (e *unknownField) Error() string {
	return fmt.Sprintf("%sunknown field %q", e.where, e.name)
}

func (st *parsedState) cursor(v gjson.Result) error {
	if v.Type == gjson.Null {
		return nil
	}
	if !v.IsArray() {
		return fmt.Errorf("cursor: not a list")
	}
	var err error
	v.ForEach(func(_, fv gjson.Result) bool {
		if !fv.IsObject() {
			err = fmt.Errorf("cursor: a frame is not an object")
			return false
		}
		// Read into the frame in place: a local one would be moved to the
		// heap, as readObject's readers are called through a table.
		st.Cursor = append(st.Cursor, parsedFrame{})
		err = readObject(&st.Cursor[len(st.Cursor)-1], fv, frameFields)
		if u, ok := err.(*unknownField); ok {
			u.where = "cursor: "
		}
		// Past 256 frames, stop reading: Resume refuses a cursor that deep.
		return err == nil && len(st.Cursor) <= 256
	})
	return err
}

func (st *parsedState) steps(v gjson.Result) error {
	if v.Type == gjson.Null {
		return nil
	}
	if !v.IsObject() {
		return fmt.Errorf("steps: not an object")
	}
	st.Steps = map[string]*stepResult{}
	return each(v, func(id string, rv gjson.Result) error {
		if !rv.IsObject() {
			return fmt.Errorf("step %q: not an object", id)
		}
		r := &stepResult{kept: true}
		st.Steps[id] = r
		err := readObject(r, rv, resultFields)
		if u, ok := err.(*unknownField); ok {
			u.where = fmt.Sprintf("step %q: ", id)
		}
		return err
	})
}

// each calls f with each key (empty in a list) and value of the JSON
// object or list v, and stops at the first error f returns, which it
// returns.
func each(v gjson.Result, f func(key string, x gjson.Result) error) error {
	var err error
	v.ForEach(func(k, x gjson.Result) bool {
		err = f(k.Str, x)
		return err == nil
	})
	return err
}

func jsonStr(name string, v gjson.Result) (string, error) {
	if v.Type != gjson.String {
		return "", fmt.Errorf("%s: not a string", name)
	}
	return v.Str, nil
}

func jsonBool(name string, v gjson.Result) (bool, error) {
	if v.Type != gjson.True && v.Type != gjson.False {
		return false, fmt.Errorf("%s: not a boolean", name)
	}
	return v.Type == gjson.True, nil
}

func jsonInt(name string, v gjson.Result) (int64, error) {
	if v.Type != gjson.Number {
		return 0, fmt.Errorf("%s: not a number", name)
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: not a whole number", name)
	}
	return n, nil
}

// jsonSmallInt is jsonInt for the fields held in an int.
func jsonSmallInt(name string, v gjson.Result) (int, error) {
	n, err := jsonInt(name, v)
	return int(n), err
}

func jsonMap(name string, v gjson.Result) (map[string]any, error) {
	if v.Type == gjson.Null {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("%s: not an object", name)
	}
	out := make(map[string]any, 8)
	err := each(v, func(k string, x gjson.Result) error {
		d, err := gjsonValue(x, 0)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", name, k, err)
		}
		out[k] = d
		return nil
	})
	return out, err
}

// gjsonValue decodes a value of the codec (codec.go) from its JSON.
func gjsonValue(v gjson.Result, depth int) (any, error) {
	if depth > maxCodecDepth {
		return nil, fmt.Errorf("values nested too deeply")
	}
	switch v.Type {
	case gjson.Null:
		return nil, nil
	case gjson.False, gjson.True:
		return v.Type == gjson.True, nil
	case gjson.String:
		return v.Str, nil
	case gjson.Number:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %s", v.Raw)
		}
		return f, nil
	}
	if v.IsArray() {
		out := []any{}
		err := each(v, func(_ string, x gjson.Result) error {
			d, err := gjsonValue(x, depth+1)
			out = append(out, d)
			return err
		})
		return out, err
	}
	// A tagged object: exactly one key.
	var tag string
	var raw gjson.Result
	n := 0
	v.ForEach(func(k, x gjson.Result) bool {
		tag, raw = k.Str, x
		n++
		return n < 2
	})
	if n != 1 {
		return nil, fmt.Errorf("a tagged value has %d keys", n)
	}
	switch tag {
	case "$f", "$F": // files.go
		var x any
		if err := json.Unmarshal([]byte(raw.Raw), &x); err != nil {
			return nil, fmt.Errorf("malformed file")
		}
		return decodeFileTag(tag, x)
	case "$s":
		if !raw.IsArray() {
			break
		}
		out := []string{}
		err := each(raw, func(_ string, x gjson.Result) error {
			if x.Type != gjson.String {
				return fmt.Errorf("a string list holds a %s", x.Type)
			}
			out = append(out, x.Str)
			return nil
		})
		return out, err
	case "$m":
		if !raw.IsObject() {
			break
		}
		out := map[string]any{}
		err := each(raw, func(k string, x gjson.Result) error {
			d, err := gjsonValue(x, depth+1)
			out[k] = d
			return err
		})
		return out, err
	}
	if raw.Type == gjson.String {
		return decodeTagged(tag, raw.Str, depth)
	}
	return nil, fmt.Errorf("unknown or malformed tag %q", tag)
}
