package input

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleAnswers holds one good answer of every type. A type added without
// a sample fails TestTypesHoldWhatParseGives, which is the point: a new
// type's row must agree with its parser.
var sampleAnswers = map[Type]string{
	String:   "Weekly sync",
	Text:     "line one\nline two",
	Integer:  "42",
	Number:   "4.5",
	Boolean:  "yes",
	Email:    "ada@example.com",
	Emails:   "ada@example.com, grace@example.com",
	List:     "milk, eggs",
	Date:     "2026-12-01",
	Time:     "14:30",
	DateTime: "tomorrow 9am",
	Duration: "90 min",
	Choice:   "2",
	File:     `{"name": "a.txt", "base64": "aGk="}`,
	Files:    `[{"name": "a.txt", "base64": "aGk="}, {"name": "b.txt", "base64": "aG8="}]`,
}

func sampleContext(required bool) Context {
	return Context{
		Now:      time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC),
		Choices:  []Option{{Value: "a"}, {Value: "b"}},
		Required: required,
	}
}

// TestTypesHoldWhatParseGives checks every type's row against its parser:
// the value of a good answer, the same value through FromJSON, and the
// value of a blank answer are all of the type's Go type.
func TestTypesHoldWhatParseGives(t *testing.T) {
	for _, typ := range Types() {
		answer, ok := sampleAnswers[typ]
		if !ok {
			t.Errorf("%s: no sample answer; add one to sampleAnswers", typ)
			continue
		}
		if typ.GoType() == nil {
			t.Errorf("%s: GoType() is nil", typ)
			continue
		}
		v, err := Parse(typ, answer, sampleContext(true))
		if err != nil {
			t.Errorf("Parse(%s, %q): %v", typ, answer, err)
			continue
		}
		if !typ.Holds(v) {
			t.Errorf("Parse(%s, %q) gives %T, but GoType() is %v", typ, answer, v, typ.GoType())
		}
		if w, err := FromJSON(typ, answer, sampleContext(true)); err != nil || !typ.Holds(w) {
			t.Errorf("FromJSON(%s, %q) = %T, %v; want a %v", typ, answer, w, err, typ.GoType())
		}
		if b, err := Parse(typ, "", sampleContext(false)); err != nil || (b != nil && !typ.Holds(b)) {
			t.Errorf("Parse(%s, blank) = %T, %v; want nil or a %v", typ, b, err, typ.GoType())
		}
	}
	for typ := range sampleAnswers {
		if _, ok := ParseType(string(typ)); !ok {
			t.Errorf("sampleAnswers has %q, which is no type", typ)
		}
	}
}

func TestZero(t *testing.T) {
	for _, typ := range Types() {
		z := typ.Zero()
		if z == nil || !typ.Holds(z) {
			t.Errorf("%s: Zero() = %#v, not a %v", typ, z, typ.GoType())
			continue
		}
		rv := reflect.ValueOf(z)
		switch {
		case rv.Kind() == reflect.Slice:
			if rv.IsNil() || rv.Len() != 0 {
				t.Errorf("%s: Zero() = %#v, want an empty, non-nil list", typ, z)
			}
		case !rv.IsZero():
			t.Errorf("%s: Zero() = %#v, not the zero value", typ, z)
		}
	}
}

func TestHoldsRefusesOtherTypes(t *testing.T) {
	for _, typ := range Types() {
		for _, v := range []any{nil, 1, int32(1), float32(1), []any{"a"}, map[string]any{}, &FileValue{}} {
			if typ.Holds(v) {
				t.Errorf("%s holds %#v", typ, v)
			}
		}
	}
	if !Integer.Holds(int64(3)) || Integer.Holds(time.Duration(3)) || Duration.Holds(int64(3)) {
		t.Error("Holds confuses int64 and time.Duration")
	}
	if Files.Holds([]string{}) || Emails.Holds([]FileValue{}) {
		t.Error("Holds confuses lists of strings and of files")
	}
}

func TestUnknownTypeMethods(t *testing.T) {
	for _, typ := range []Type{"", "int", "String"} {
		if typ.GoType() != nil || typ.Zero() != nil || typ.Holds("") || typ.Holds(nil) || typ.Describe() != "" {
			t.Errorf("%q: GoType %v, Zero %#v, Holds(\"\") %v, Describe %q; want nothing", typ, typ.GoType(), typ.Zero(), typ.Holds(""), typ.Describe())
		}
		if got := typ.JSONSchema(); !reflect.DeepEqual(got, map[string]any{"type": "string"}) {
			t.Errorf("%q: JSONSchema() = %v, want a string", typ, got)
		}
		if _, err := Parse(typ, "x", Context{}); err == nil || !strings.Contains(err.Error(), "unknown type") {
			t.Errorf("Parse(%q) error = %v, want unknown type", typ, err)
		}
	}
}

func TestJSONSchema(t *testing.T) {
	want := map[Type]string{
		String:   `{"type":"string"}`,
		Integer:  `{"type":"integer"}`,
		Number:   `{"type":"number"}`,
		Boolean:  `{"type":"boolean"}`,
		Email:    `{"format":"email","type":"string"}`,
		Emails:   `{"items":{"format":"email","type":"string"},"maxItems":500,"type":"array"}`,
		List:     `{"items":{"type":"string"},"maxItems":500,"type":"array"}`,
		Date:     `{"format":"date","type":"string"}`,
		DateTime: `{"format":"date-time","type":"string"}`,
		Time:     `{"type":"string"}`,
		File:     `{"properties":{"base64":{"contentEncoding":"base64","type":"string"},"content_type":{"type":"string"},"name":{"type":"string"}},"required":["name","base64"],"type":"object"}`,
		Files:    `{"items":{"properties":{"base64":{"contentEncoding":"base64","type":"string"},"content_type":{"type":"string"},"name":{"type":"string"}},"required":["name","base64"],"type":"object"},"maxItems":20,"type":"array"}`,
	}
	for typ, w := range want {
		b, err := json.Marshal(typ.JSONSchema())
		if err != nil || string(b) != w {
			t.Errorf("%s: JSONSchema() = %s, %v; want %s", typ, b, err, w)
		}
	}
	for _, typ := range Types() {
		s := typ.JSONSchema()
		switch s["type"] {
		case "string", "integer", "number", "boolean", "array", "object":
		default:
			t.Errorf("%s: JSONSchema() has type %v", typ, s["type"])
		}
		s["description"] = "changed"
		if _, shared := typ.JSONSchema()["description"]; shared {
			t.Errorf("%s: JSONSchema() returns a shared map", typ)
		}
	}
}

// TestDescribe checks that the types whose JSON Schema says only "a
// string" of a particular shape describe that shape in words.
func TestDescribe(t *testing.T) {
	for _, typ := range Types() {
		s := typ.JSONSchema()
		_, hasFormat := s["format"]
		textual := s["type"] == "string" && !hasFormat && typ.GoType() != reflect.TypeFor[string]()
		if d := typ.Describe(); textual != (d != "") {
			t.Errorf("%s: Describe() = %q; a string value of Go type %v without a format should be described, and only it", typ, d, typ.GoType())
		}
	}
}

// TestExpected checks FromJSON's messages name every type in words.
func TestExpected(t *testing.T) {
	for _, typ := range Types() {
		if e := expected(typ); e == "" || strings.Contains(e, "value of type") {
			t.Errorf("%s: expected() = %q", typ, e)
		}
		if maxBytes(typ) <= 0 && typ.info().parse != nil {
			t.Errorf("%s: no size limit", typ)
		}
	}
}
