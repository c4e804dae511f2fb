package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFunctions(t *testing.T) {
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		fn   func(...any) (any, error)
		args []any
		want any
		err  string
	}{
		{"json string", fnJSON, []any{`{"a":{"b":"x"}}`, "a.b"}, "x", ""},
		{"json number", fnJSON, []any{`{"n":2}`, "n"}, 2.0, ""},
		{"json list", fnJSON, []any{`{"v":[{"id":"1"},{"id":"2"}]}`, "v.#.id"}, []any{"1", "2"}, ""},
		{"json missing", fnJSON, []any{`{}`, "nope"}, nil, ""},
		{"json invalid", fnJSON, []any{`{nope`, "a"}, nil, "not valid JSON"},
		{"graphDateTime Windows zone", fnGraphDateTime, []any{at, "W. Europe Standard Time"}, "2026-12-01T15:00:00.0000000", ""},
		{"graphDateTime bad zone", fnGraphDateTime, []any{at, "Nowhere/Special"}, nil, "graphDateTime"},
		{"graphTime", fnGraphTime, []any{"2026-12-01T15:00:00.0000000", "Europe/Berlin"}, at, ""},
		{"graphTime short", fnGraphTime, []any{"2026-12-01T15:00", "Europe/Berlin"}, at, ""},
		{"graphTime bad", fnGraphTime, []any{"noon", "UTC"}, nil, "not a Graph dateTime"},
		{"formatTime", fnFormatTime, []any{at, "Mon 2 Jan 15:04", "Asia/Tokyo"}, "Tue 1 Dec 23:00", ""},
		{"odataString", fnODataString, []any{"O'Brien"}, "'O''Brien'", ""},
		{"inZone", fnInZone, []any{at, "America/New_York"}, at, ""},
		{"zone too long", fnInZone, []any{at, strings.Repeat("x", 200)}, nil, "too long"},
	}
	for _, c := range cases {
		got, err := c.fn(c.args...)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tm, ok := c.want.(time.Time); ok {
			if g, ok := got.(time.Time); !ok || !g.Equal(tm) {
				t.Errorf("%s = %v, want %v", c.name, got, tm)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, got, c.want)
		}
	}
	if got, _ := fnInZone(at, "America/New_York"); got.(time.Time).Location().String() != "America/New_York" {
		t.Errorf("inZone kept %v", got.(time.Time).Location())
	}
}

func TestTextForms(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, ""}, {"s", "s"}, {true, "true"}, {3, "3"}, {int64(-4), "-4"}, {2.0, "2"}, {2.5, "2.5"},
		{time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), "2026-12-01T15:00:00Z"}, {90 * time.Minute, "1h30m0s"},
		{[]string{"a", "b"}, "a, b"}, {[]any{"a", "b"}, "a, b"}, {[]any{1, "b"}, `[1,"b"]`}, {map[string]any{"a": 1}, `{"a":1}`},
	}
	for _, c := range cases {
		if got := textOf(c.v); got != c.want {
			t.Errorf("textOf(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{0: "PT0S", 90 * time.Minute: "PT1H30M", 26 * time.Hour: "P1DT2H", 1500 * time.Millisecond: "PT1.5S"} {
		if got := isoDuration(d); got != want {
			t.Errorf("isoDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
