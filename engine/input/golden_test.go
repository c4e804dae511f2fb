package input

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenAnswers are answers whose outcome (value or message) is kept in
// testdata/answers.golden, so a change in any message shows up in review.
var goldenAnswers = []struct {
	typ    Type
	answer string
}{
	{String, ""}, {String, "Team lunch"}, {String, "two\nlines"},
	{Text, "a\r\nb"},
	{Integer, "42"}, {Integer, "4.5"}, {Integer, "1,000"}, {Integer, "99999999999999999999"}, {Integer, "lots"},
	{Number, "4.5"}, {Number, "4,5"}, {Number, "1,000"}, {Number, "NaN"}, {Number, "1e999"},
	{Boolean, "Yes"}, {Boolean, "maybe"},
	{Email, "Ada <ada@example.com>"}, {Email, "John Doe"}, {Email, "ada@example"}, {Email, "a@b.io, c@d.io"},
	{Emails, " ada@example.com ; grace@example.com, ADA@example.com"}, {Emails, "ada@example.com, bob@"}, {Emails, "none"},
	{Date, "tomorrow"}, {Date, "next monday"}, {Date, "dec 1"}, {Date, "31/02"}, {Date, "01/02/2026"}, {Date, "2026-02-29"}, {Date, "9am"},
	{Time, "9:30 pm"}, {Time, "at 9"}, {Time, "13pm"},
	{DateTime, "tomorrow 9am"}, {DateTime, "next monday 14:30"}, {DateTime, "in 2 hours"}, {DateTime, "2026-12-01T15:00:00Z"},
	{DateTime, "tomorrow"}, {DateTime, "2026-03-29 02:30"}, {DateTime, "2026-10-25 02:30"}, {DateTime, "whenever"},
	{Duration, "1h30m"}, {Duration, "90 minutes"}, {Duration, "0m"}, {Duration, "30"}, {Duration, "2 fortnights"}, {Duration, "400 days"},
	{Choice, "2"}, {Choice, "groceries"}, {Choice, "9"}, {Choice, "shopping"}, {Choice, "ta"}, {Choice, "groc"},
}

func TestAnswersGolden(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{
		Now:      time.Date(2026, 11, 25, 20, 0, 0, 0, berlin),
		Zone:     berlin,
		Required: true,
		Choices:  []Option{{"t", "Tasks"}, {"g1", "Groceries"}, {"g2", "groceries"}},
	}
	var b strings.Builder
	for _, g := range goldenAnswers {
		v, err := Parse(g.typ, g.answer, c)
		if err != nil {
			fmt.Fprintf(&b, "%-8s %q\n  error: %s\n", g.typ, g.answer, err)
			continue
		}
		fmt.Fprintf(&b, "%-8s %q\n  value: %q\n", g.typ, g.answer, Format(g.typ, v))
	}
	path := filepath.Join("testdata", "answers.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestAnswersGolden -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("answers differ from %s (run with -update if the change is intended):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
