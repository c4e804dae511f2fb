package input

import (
	"testing"
	"time"
)

// The baselines do the narrowest equivalent job with the standard library,
// so the ratio shows what the friendlier parsing costs.

var benchSink any

func BenchmarkParseDateTimeISO(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	c := Context{Now: wednesday(loc), Zone: loc}
	b.ReportAllocs()
	for b.Loop() {
		v, err := Parse(DateTime, "2026-12-01 15:00", c)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}

func BenchmarkBaselineTimeParseInLocation(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	b.ReportAllocs()
	for b.Loop() {
		v, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-01 15:00", loc)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}

func BenchmarkParseDateTimeWords(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	c := Context{Now: wednesday(loc), Zone: loc}
	b.ReportAllocs()
	for b.Loop() {
		v, err := Parse(DateTime, "next monday at 2:30 pm", c)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}

func BenchmarkParseEmails(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		v, err := Parse(Emails, " ada@example.com ; Grace Hopper <grace@example.com>, linus@example.org", Context{})
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}
