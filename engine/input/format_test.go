package input

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// equalValues compares parsed values; times must be the same instant in the
// same zone.
func equalValues(a, b any) bool {
	ta, okA := a.(time.Time)
	tb, okB := b.(time.Time)
	if okA || okB {
		return okA && okB && ta.Equal(tb) && ta.Location().String() == tb.Location().String()
	}
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb && math.Signbit(fa) == math.Signbit(fb))
	}
	return reflect.DeepEqual(a, b)
}

// roundTrip checks Parse → Format → Parse gives the same value.
func roundTrip(t *testing.T, typ Type, answer string, c Context) {
	t.Helper()
	v, err := Parse(typ, answer, c)
	if err != nil {
		t.Errorf("Parse(%s, %q): %v", typ, answer, err)
		return
	}
	text := Format(typ, v)
	again, err := Parse(typ, text, c)
	if err != nil {
		t.Errorf("%s %q → %#v → %q: %v", typ, answer, v, text, err)
		return
	}
	if !equalValues(v, again) {
		t.Errorf("%s %q → %#v → %q → %#v", typ, answer, v, text, again)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	samples := map[Type][]string{
		String:   {"Quarterly review", "  spaced  ", "tab\there", "日本語", "none"},
		Text:     {"one\ntwo", "a\r\nb", "  x  "},
		Integer:  {"42", "-3", "+7", "9223372036854775807", "-9223372036854775808", "0"},
		Number:   {"4.5", "-0", "1e21", "1e-7", ".1", "1.7976931348623157e308", "123456789.123456789"},
		Boolean:  {"yes", "N", "TRUE"},
		Email:    {"ada@example.com", "Ada <Ada@Example.com>", "jürgen@müller.de"},
		Emails:   {"a@x.io, b@x.io", `"Doe, J" <j@x.io>; k@x.io`, "none", ""},
		Date:     {"2026-12-01", "tomorrow", "next monday", "feb 29", "in 3 days"},
		Time:     {"15:00", "9:30 pm", "midnight", "2026-12-01T10:00:00.5+05:30"},
		DateTime: {"2026-12-01 15:00", "tomorrow 9am", "in 2 hours", "now", "2026-10-25 02:30", "2026-12-01T15:00:00.123456789Z"},
		Duration: {"30m", "1h30m", "1.5µs", "90 minutes", "366 days", "1ns", "1h0m0.5s"},
		Choice:   {"1", "Tasks", "3", "plain"},
	}
	choices := []Option{{"AAMkAD1", "Tasks"}, {"AAMkAD2", "Groceries"}, {"3", "Three"}, {" plain ", ""}}
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"} {
		loc := mustZone(t, zone)
		c := Context{Now: time.Date(2026, 11, 25, 20, 0, 0, 123, loc), Zone: loc, Choices: choices}
		for typ, answers := range samples {
			for _, a := range answers {
				roundTrip(t, typ, a, c)
			}
		}
	}
}

func TestFormat(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	tests := []struct {
		typ  Type
		v    any
		want string
	}{
		{String, nil, ""},
		{Integer, int64(-42), "-42"},
		{Integer, 42, "42"},
		{Integer, 42.0, "42"},
		{Number, 4.5, "4.5"},
		{Number, 1e21, "1e+21"},
		{Boolean, true, "yes"},
		{Boolean, false, "no"},
		{Emails, []string{"a@x.io", "b@x.io"}, "a@x.io, b@x.io"},
		{Emails, []string{}, ""},
		{Date, time.Date(2026, 12, 1, 0, 0, 0, 0, berlin), "2026-12-01"},
		{DateTime, time.Date(2026, 12, 1, 15, 0, 0, 0, berlin), "2026-12-01T15:00:00+01:00"},
		{Time, time.Date(2026, 7, 1, 9, 30, 0, 500, berlin), "2026-07-01T09:30:00.0000005+02:00"},
		// Local mean time has a seconds offset RFC 3339 cannot write: UTC keeps the instant.
		{DateTime, time.Date(1890, 1, 1, 12, 0, 0, 0, berlin), "1890-01-01T11:06:32Z"},
		{Duration, 90 * time.Minute, "1h30m0s"},
		{Choice, "AAMkAD1", "AAMkAD1"},
		{String, struct{ A int }{1}, "{1}"},
	}
	for _, tc := range tests {
		if got := Format(tc.typ, tc.v); got != tc.want {
			t.Errorf("Format(%s, %#v) = %q, want %q", tc.typ, tc.v, got, tc.want)
		}
	}
}

func TestFromJSON(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{Now: wednesday(berlin), Zone: berlin, Choices: []Option{{"1", "One"}, {"2", "Two"}}}
	tests := []struct {
		typ  Type
		in   any
		want any
	}{
		{String, "  hi ", "hi"},
		{String, 2026.0, "2026"},
		{String, true, "true"},
		{Text, 12, "12"},
		{Integer, 42.0, int64(42)},
		{Integer, 42, int64(42)},
		{Integer, int64(-7), int64(-7)},
		{Integer, uint64(7), int64(7)},
		{Integer, json.Number("12"), int64(12)},
		{Integer, "13", int64(13)},
		{Number, 4.5, 4.5},
		{Number, 3, 3.0},
		{Number, json.Number("1.25"), 1.25},
		{Boolean, true, true},
		{Boolean, "no", false},
		{Emails, []any{" a@x.io ", "A@X.io", "b@x.io"}, []string{"a@x.io", "b@x.io"}},
		{Emails, []string{"a@x.io"}, []string{"a@x.io"}},
		{Emails, "a@x.io; b@x.io", []string{"a@x.io", "b@x.io"}},
		{Emails, []any{}, []string{}},
		{Email, []any{"a@x.io"}, "a@x.io"},
		{Choice, 2, "2"},
		{Choice, "one", "1"},
		{Date, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, berlin)},
		{DateTime, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)},
		{DateTime, "tomorrow 9am", time.Date(2026, 11, 26, 9, 0, 0, 0, berlin)},
		{Duration, "1h30m", 90 * time.Minute},
		{Duration, 90 * time.Minute, 90 * time.Minute},
		{String, nil, ""},
		{Integer, nil, nil},
	}
	for _, tc := range tests {
		got, err := FromJSON(tc.typ, tc.in, c)
		if err != nil || !equalValues(got, tc.want) {
			t.Errorf("FromJSON(%s, %#v) = %#v, %v; want %#v", tc.typ, tc.in, got, err, tc.want)
		}
	}
	bad := []struct {
		typ       Type
		in        any
		fragments []string
	}{
		{Integer, 4.5, []string{"4.5 is not a whole number"}},
		{Integer, 1e19, []string{"too large"}},
		{Integer, uint64(math.MaxUint64), []string{"too large"}},
		{Integer, true, []string{"Expected a whole number, got true"}},
		{Number, math.Inf(1), []string{"not a number"}},
		{Number, math.NaN(), []string{"not a number"}},
		{Boolean, 1, []string{"Expected true or false, got 1"}},
		{Duration, 90, []string{`Expected a duration such as "30m", got 90`}},
		{Date, 20261201, []string{"Expected a date"}},
		{Emails, []any{"a@x.io", 3}, []string{"Item 2 of the list is a number"}},
		{Emails, []any{"a@x.io", "nope"}, []string{`Address 2, "nope"`}},
		{Emails, map[string]any{"a": 1}, []string{"got a map"}},
		{String, []any{"a", "b"}, []string{"Expected text, got a list"}},
		{Integer, nil, nil},
		{Choice, 3, []string{"There is no option 3"}},
		{Boolean, time.Now(), []string{"Expected true or false, got a date"}},
	}
	for _, tc := range bad {
		if tc.fragments == nil {
			_, err := FromJSON(tc.typ, tc.in, Context{Required: true})
			wantUserError(t, err, "needed")
			continue
		}
		_, err := FromJSON(tc.typ, tc.in, c)
		wantUserError(t, err, tc.fragments...)
	}
}

// TestFromYAML feeds FromJSON what the YAML decoder really produces for an
// --input file.
func TestFromYAML(t *testing.T) {
	doc := `
count: 3
ratio: 0.5
notify: yes
attendees: [" ada@example.com", "grace@example.com "]
day: 2026-12-01
start: 2026-12-01T15:00:00+01:00
length: 90m
`
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{Now: wednesday(berlin), Zone: berlin}
	want := map[string]struct {
		typ Type
		v   any
	}{
		"count":     {Integer, int64(3)},
		"ratio":     {Number, 0.5},
		"notify":    {Boolean, true},
		"attendees": {Emails, []string{"ada@example.com", "grace@example.com"}},
		"day":       {Date, time.Date(2026, 12, 1, 0, 0, 0, 0, berlin)},
		"start":     {DateTime, time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)},
		"length":    {Duration, 90 * time.Minute},
	}
	for key, w := range want {
		got, err := FromJSON(w.typ, m[key], c)
		if err != nil || !equalValues(got, w.v) {
			t.Errorf("%s (%T %v) as %s = %#v, %v; want %#v", key, m[key], m[key], w.typ, got, err, w.v)
		}
	}
}
