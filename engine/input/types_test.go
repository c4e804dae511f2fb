package input

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTypeAndTypes(t *testing.T) {
	want := []string{"string", "text", "integer", "number", "boolean", "email", "emails", "list", "date", "time", "datetime", "duration", "choice", "file", "files"}
	got := Types()
	if len(got) != len(want) {
		t.Fatalf("Types() has %d types, want %d", len(got), len(want))
	}
	for i, name := range want {
		if string(got[i]) != name {
			t.Errorf("Types()[%d] = %q, want %q", i, got[i], name)
		}
		typ, ok := ParseType(name)
		if !ok || typ != got[i] {
			t.Errorf("ParseType(%q) = %q, %v", name, typ, ok)
		}
	}
	got[0] = "changed"
	if Types()[0] != String {
		t.Error("Types() returns a shared slice")
	}
	for _, bad := range []string{"", "String", "int", "bool", "lists", " string"} {
		if typ, ok := ParseType(bad); ok {
			t.Errorf("ParseType(%q) = %q, true; want false", bad, typ)
		}
	}
}

func TestBlankAnswers(t *testing.T) {
	choices := []Option{{Value: "a"}}
	for _, typ := range Types() {
		for _, answer := range []string{"", "  ", "\t\n"} {
			v, err := Parse(typ, answer, Context{Choices: choices})
			if err != nil {
				t.Errorf("optional %s %q: %v", typ, answer, err)
			}
			var want any
			switch typ {
			case String, Text:
				want = ""
			case Emails, List:
				want = []string{}
			case Files:
				want = []FileValue{}
			}
			if !reflect.DeepEqual(v, want) {
				t.Errorf("optional %s %q = %#v, want %#v", typ, answer, v, want)
			}
			_, err = Parse(typ, answer, Context{Choices: choices, Required: true})
			wantUserError(t, err, "needed")
		}
	}
	// "none" empties an optional list of emails, and only that.
	v, err := Parse(Emails, " None ", Context{})
	if err != nil || !reflect.DeepEqual(v, []string{}) {
		t.Errorf(`optional emails "None" = %#v, %v; want an empty list`, v, err)
	}
	_, err = Parse(Emails, "none", Context{Required: true})
	wantUserError(t, err, "At least one email address")
	v, err = Parse(String, "none", Context{Required: true})
	if err != nil || v != "none" {
		t.Errorf(`string "none" = %#v, %v`, v, err)
	}
}

func TestUnknownType(t *testing.T) {
	for _, answer := range []string{"", "x"} {
		_, err := Parse("lists", answer, Context{})
		if err == nil || !strings.Contains(err.Error(), `unknown type "lists"`) {
			t.Errorf("Parse(lists, %q) error = %v, want unknown type", answer, err)
		}
	}
}

func TestAnswerLimits(t *testing.T) {
	tests := []struct {
		typ   Type
		limit int
	}{
		{String, MaxLineBytes}, {Email, MaxLineBytes}, {DateTime, MaxLineBytes}, {Integer, MaxLineBytes},
		{Choice, MaxLineBytes}, {Emails, MaxEmailsBytes}, {Text, MaxTextBytes},
	}
	for _, tc := range tests {
		atLimit := strings.Repeat("a", tc.limit)
		if tc.typ == String || tc.typ == Text {
			if v, err := Parse(tc.typ, atLimit, Context{}); err != nil || v != atLimit {
				t.Errorf("%s of %d bytes: %v", tc.typ, tc.limit, err)
			}
		}
		_, err := Parse(tc.typ, atLimit+"a", Context{})
		wantUserError(t, err, "too long", sizeText(tc.limit))
	}
	for _, typ := range Types() {
		_, err := Parse(typ, "ab\xffcd", Context{})
		wantUserError(t, err, "not valid UTF-8")
		_, err = Parse(typ, "a\x00b", Context{})
		wantUserError(t, err, "NUL")
	}
}

func TestStringAndText(t *testing.T) {
	good := []struct {
		typ          Type
		answer, want string
	}{
		{String, "  Quarterly review  ", "Quarterly review"},
		{String, "tab\tinside", "tab\tinside"},
		{String, "Ünïcödé ✓ 日本", "Ünïcödé ✓ 日本"},
		{Text, "  line one\r\nline two\rline three\n", "line one\nline two\nline three"},
		{Text, "para\n\n  indented", "para\n\n  indented"},
	}
	for _, tc := range good {
		v, err := Parse(tc.typ, tc.answer, Context{Required: true})
		if err != nil || v != tc.want {
			t.Errorf("%s %q = %q, %v; want %q", tc.typ, tc.answer, v, err, tc.want)
		}
	}
	bad := []struct {
		typ       Type
		answer    string
		fragments []string
	}{
		{String, "two\nlines", []string{"one line"}},
		{String, "carriage\rreturn", []string{"one line"}},
		{String, "line\u2028separator", []string{"one line"}},
		{String, "bell\a", []string{"control character", "U+0007"}},
		{Text, "escape\x1b[31m", []string{"control character", "U+001B"}},
	}
	for _, tc := range bad {
		_, err := Parse(tc.typ, tc.answer, Context{})
		wantUserError(t, err, tc.fragments...)
	}
}
