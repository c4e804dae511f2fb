package input

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// Fuzz targets: no answer may panic, every refusal is an *Error, and every
// accepted answer survives Parse → Format → Parse. Seed corpora live in
// testdata/fuzz/<target>/.

var fuzzZones = []string{"UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago", "Australia/Lord_Howe", "W. Europe Standard Time"}

var fuzzChoices = []Option{{"AAMkAD1", "Tasks"}, {"2", "Groceries"}, {"g", "groceries"}, {"x y", ""}}

// fuzzContext derives a context from fuzzed numbers: a zone from the list and
// a "now" between 1900 and 2200.
func fuzzContext(t *testing.T, zone uint8, now int64, required bool) Context {
	loc, err := LoadZone(fuzzZones[int(zone)%len(fuzzZones)])
	if err != nil {
		t.Fatal(err)
	}
	const start, span = -2208988800, 300 * 365 * 24 * 3600 // 1900-01-01, 300 years
	if now < 0 {
		now = -(now + 1)
	}
	return Context{Now: time.Unix(start+now%span, now%1e9), Zone: loc, Choices: fuzzChoices, Required: required}
}

// checkParse runs the properties every target shares.
func checkParse(t *testing.T, typ Type, answer string, c Context) any {
	v, err := Parse(typ, answer, c)
	if err != nil {
		var ue *Error
		if !errors.As(err, &ue) || ue.Message == "" {
			t.Fatalf("Parse(%s, %q) error %v (%T) is not a user message", typ, answer, err, err)
		}
		if len(ue.Message) > 2000 {
			t.Fatalf("Parse(%s, %q) message is %d bytes long", typ, answer, len(ue.Message))
		}
		return nil
	}
	text := Format(typ, v)
	again, err := Parse(typ, text, c)
	if err != nil {
		t.Fatalf("Parse(%s, %q) = %#v, Format = %q, which Parse refuses: %v", typ, answer, v, text, err)
	}
	if !equalValues(v, again) {
		t.Fatalf("Parse(%s, %q) = %#v, Format = %q, Parse again = %#v", typ, answer, v, text, again)
	}
	return v
}

func FuzzParse(f *testing.F) {
	for i, g := range goldenAnswers {
		f.Add(uint8(i), g.answer, uint8(i), int64(1795636800), i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, typ uint8, answer string, zone uint8, now int64, required bool) {
		types := Types()
		checkParse(t, types[int(typ)%len(types)], answer, fuzzContext(t, zone, now, required))
	})
}

func FuzzParseDateTime(f *testing.F) {
	for _, a := range []string{"2026-12-01 15:00", "tomorrow 9am", "next monday 14:30", "in 2 hours", "2026-03-29 02:30",
		"dec 1", "1 december 2026 at 9:30 am", "9.30pm", "01/02/2026", "now", "feb 29", "3 days ago", "2026-12-01T15:00:00.5+05:30"} {
		f.Add(a, uint8(len(a)), int64(1795636800), uint8(len(a)/2))
	}
	f.Fuzz(func(t *testing.T, answer string, zone uint8, now int64, kind uint8) {
		c := fuzzContext(t, zone, now, true)
		typ := []Type{Date, Time, DateTime}[int(kind)%3]
		v := checkParse(t, typ, answer, c)
		if tm, ok := v.(time.Time); ok {
			if tm.Location() != c.zone() {
				t.Fatalf("%s %q is in %v, not %v", typ, answer, tm.Location(), c.zone())
			}
			if typ == Date {
				if prev := tm.Add(-time.Nanosecond).In(c.zone()); prev.Day() == tm.Day() {
					t.Fatalf("date %q = %v is not the start of its day", answer, tm)
				}
			}
		}
	})
}

func FuzzParseEmails(f *testing.F) {
	for _, a := range []string{"ada@example.com", " a@x.io ; b@x.io, A@X.IO", `"Doe, J" <j@x.io>, k@x.io`, "John Doe", "a@b", "none", "<>", `"\"<a@b.io>`} {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		c := Context{Required: true}
		if v, ok := checkParse(t, Emails, answer, c).([]string); ok {
			seen := map[string]bool{}
			for _, a := range v {
				if checkAddress(a) != "" || strings.ContainsAny(a, " ,;<>\"") {
					t.Fatalf("%q gave the bad address %q", answer, a)
				}
				if seen[strings.ToLower(a)] {
					t.Fatalf("%q gave %q twice", answer, a)
				}
				seen[strings.ToLower(a)] = true
			}
		}
		checkParse(t, Email, answer, c)
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, a := range []string{"42", "-3", "4.5", "1e6", "4,5", "1,000", "NaN", "1e999", "9223372036854775808", "-0", ".5", "0x10"} {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		if v, ok := checkParse(t, Number, answer, Context{}).(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("number %q = %v", answer, v)
		}
		checkParse(t, Integer, answer, Context{})
		checkParse(t, Duration, answer, Context{})
	})
}
