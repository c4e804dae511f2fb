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
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, s.seq, 10)
	if s.opts.Zone != "" {
		b = appendStrField(b, "zone", s.opts.Zone)
	}
	if s.user != "me" {
		b = appendStrField(b, "user", s.user)
	}
	if s.opts.Subject != "" {
		b = appendStrField(b, "subject", s.opts.Subject)
	}
	if s.opts.Conversation != "" {
		b = appendStrField(b, "conversation", s.opts.Conversation)
	}
	if s.opts.NoInput {
		b = append(b, `,"no_input":true`...)
	}
	if s.opts.AutoConfirm {
		b = append(b, `,"auto_confirm":true`...)
	}
	if s.opts.DryRun {
		b = append(b, `,"dry_run":true`...)
	}
	b = append(b, `,"cursor":[`...)
	for i, f := range s.stack {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"b":`...)
		b = appendJSONString(b, f.blk.key)
		b = append(b, `,"i":`...)
		b = strconv.AppendInt(b, int64(f.idx), 10)
		if len(f.items) > 0 {
			b = append(b, `,"items":`...)
			var err error
			if b, err = appendValue(b, f.items, 0); err != nil {
				return nil, fmt.Errorf("saving the session: foreach item: %v", err)
			}
		}
		if f.n != 0 {
			b = append(b, `,"n":`...)
			b = strconv.AppendInt(b, int64(f.n), 10)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendStrField(b, "wait", s.wait)
	if s.attempt != 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(s.attempt), 10)
	}
	var err error
	for _, m := range []struct {
		name string
		m    map[string]any
	}{{"inputs", s.inputs}, {"presets", s.presets}, {"vars", s.vars}} {
		if len(m.m) == 0 {
			continue
		}
		b = append(b, ',', '"')
		b = append(b, m.name...)
		b = append(b, '"', ':')
		if b, err = appendMap(b, m.m, 0); err != nil {
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
		b = append(b, `,"headers":{`...)
		for i, k := range sortedKeys(r.Headers) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, r.Headers[k])
		}
		b = append(b, '}')
	}
	if r.Body != "" {
		b = appendStrField(b, "body", r.Body)
	}
	if r.Items != "" && r.Items != "[]" {
		b = appendStrField(b, "items", r.Items)
	}
	if r.Count != 0 {
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(r.Count), 10)
	}
	if r.Truncated {
		b = append(b, `,"truncated":true`...)
	}
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

func appendStrField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if b, err = appendValue(b, m[k], depth+1); err != nil {
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
	case int:
		b = append(b, `{"$i":"`...)
		b = strconv.AppendInt(b, int64(x), 10)
		return append(b, '"', '}'), nil
	case int64:
		b = append(b, `{"$I":"`...)
		b = strconv.AppendInt(b, x, 10)
		return append(b, '"', '}'), nil
	case time.Time:
		b = append(b, `{"$t":"`...)
		b = x.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"', '}'), nil
	case time.Duration:
		b = append(b, `{"$d":"`...)
		b = append(b, x.String()...)
		return append(b, '"', '}'), nil
	case []string:
		b = append(b, `{"$s":[`...)
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']', '}'), nil
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendValue(b, it, depth+1); err != nil {
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
	V                                    int64
	Template, Hash, Session, Zone        string
	User, Subject, Conversation, Wait    string
	Seq                                  uint64
	NoInput, AutoConfirm, DryRun         bool
	Cursor                               []parsedFrame
	Attempt                              int64
	Inputs, Presets, Vars                map[string]any
	Steps                                map[string]*stepResult
	haveTemplate, haveHash, haveSession  bool
	haveCursor, haveWait, haveV, haveSeq bool
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
	var err error
	root.ForEach(func(k, v gjson.Result) bool {
		err = st.field(k.Str, v)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if !st.haveV {
		return nil, fmt.Errorf("no format version")
	}
	return st, nil
}

func (st *parsedState) field(name string, v gjson.Result) error {
	var err error
	switch name {
	case "v":
		st.V, err = jsonInt(name, v)
		st.haveV = true
	case "template":
		st.Template, err = jsonStr(name, v)
		st.haveTemplate = true
	case "hash":
		st.Hash, err = jsonStr(name, v)
		st.haveHash = true
	case "session":
		st.Session, err = jsonStr(name, v)
		st.haveSession = true
	case "seq":
		var n int64
		n, err = jsonInt(name, v)
		if n < 0 {
			err = fmt.Errorf("seq: a negative number")
		}
		st.Seq, st.haveSeq = uint64(n), true
	case "zone":
		st.Zone, err = jsonStr(name, v)
	case "user":
		st.User, err = jsonStr(name, v)
	case "subject":
		st.Subject, err = jsonStr(name, v)
	case "conversation":
		st.Conversation, err = jsonStr(name, v)
	case "no_input":
		st.NoInput, err = jsonBool(name, v)
	case "auto_confirm":
		st.AutoConfirm, err = jsonBool(name, v)
	case "dry_run":
		st.DryRun, err = jsonBool(name, v)
	case "wait":
		st.Wait, err = jsonStr(name, v)
		st.haveWait = true
	case "attempt":
		st.Attempt, err = jsonInt(name, v)
	case "cursor":
		st.haveCursor = true
		err = st.cursor(v)
	case "inputs":
		st.Inputs, err = jsonMap(name, v)
	case "presets":
		st.Presets, err = jsonMap(name, v)
	case "vars":
		st.Vars, err = jsonMap(name, v)
	case "steps":
		err = st.steps(v)
	case "sig":
		_, err = jsonStr(name, v)
	default:
		err = fmt.Errorf("unknown field %q", name)
	}
	return err
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
		var f parsedFrame
		fv.ForEach(func(k, x gjson.Result) bool {
			switch k.Str {
			case "b":
				f.Block, err = jsonStr("cursor block", x)
			case "i":
				f.Index, err = jsonInt("cursor index", x)
			case "n":
				f.N, err = jsonInt("cursor n", x)
			case "items":
				if x.Type == gjson.Null {
					break
				}
				if !x.IsArray() {
					err = fmt.Errorf("foreach items: not a list")
					break
				}
				var d any
				if d, err = gjsonValue(x, 0); err == nil {
					f.Items = d.([]any)
				}
			default:
				err = fmt.Errorf("cursor: unknown field %q", k.Str)
			}
			return err == nil
		})
		st.Cursor = append(st.Cursor, f)
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
	var err error
	v.ForEach(func(id, rv gjson.Result) bool {
		if !rv.IsObject() {
			err = fmt.Errorf("step %q: not an object", id.Str)
			return false
		}
		r := &stepResult{kept: true}
		rv.ForEach(func(k, x gjson.Result) bool {
			var n int64
			switch k.Str {
			case "status":
				n, err = jsonInt("status", x)
				r.Status = int(n)
			case "count":
				n, err = jsonInt("count", x)
				r.Count = int(n)
			case "body":
				r.Body, err = jsonStr("body", x)
			case "items":
				r.Items, err = jsonStr("items", x)
			case "truncated":
				r.Truncated, err = jsonBool("truncated", x)
			case "headers":
				if !x.IsObject() {
					err = fmt.Errorf("headers: not an object")
					break
				}
				r.Headers = map[string]string{}
				x.ForEach(func(hk, hv gjson.Result) bool {
					r.Headers[hk.Str], err = jsonStr("header", hv)
					return err == nil
				})
			default:
				err = fmt.Errorf("step %q: unknown field %q", id.Str, k.Str)
			}
			return err == nil
		})
		st.Steps[id.Str] = r
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
	switch v.Type {
	case gjson.True:
		return true, nil
	case gjson.False:
		return false, nil
	}
	return false, fmt.Errorf("%s: not a boolean", name)
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

func jsonMap(name string, v gjson.Result) (map[string]any, error) {
	if v.Type == gjson.Null {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("%s: not an object", name)
	}
	out := make(map[string]any, 8)
	var err error
	v.ForEach(func(k, x gjson.Result) bool {
		var d any
		if d, err = gjsonValue(x, 0); err != nil {
			err = fmt.Errorf("%s: %s: %v", name, k.Str, err)
			return false
		}
		out[k.Str] = d
		return true
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
	case gjson.False:
		return false, nil
	case gjson.True:
		return true, nil
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
		var err error
		v.ForEach(func(_, x gjson.Result) bool {
			var d any
			d, err = gjsonValue(x, depth+1)
			out = append(out, d)
			return err == nil
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
		var err error
		raw.ForEach(func(_, x gjson.Result) bool {
			if x.Type != gjson.String {
				err = fmt.Errorf("a string list holds a %s", x.Type)
				return false
			}
			out = append(out, x.Str)
			return true
		})
		return out, err
	case "$m":
		if !raw.IsObject() {
			break
		}
		out := map[string]any{}
		var err error
		raw.ForEach(func(k, x gjson.Result) bool {
			var d any
			d, err = gjsonValue(x, depth+1)
			out[k.Str] = d
			return err == nil
		})
		return out, err
	}
	if raw.Type == gjson.String {
		return decodeTagged(tag, raw.Str, depth)
	}
	return nil, fmt.Errorf("unknown or malformed tag %q", tag)
}
