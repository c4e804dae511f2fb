package suggest

import (
	"fmt"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"steps", "steps", 0},
		{"step", "steps", 1},  // insertion
		{"stpes", "steps", 1}, // swap of neighbours
		{"stops", "steps", 1}, // substitution
		{"inptus", "inputs", 1},
		{"héllo", "hello", 1}, // runes, not bytes
		{"kitten", "sitting", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"inputs", "steps", "output", "scopes"}
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"Stpes", 2, "steps"},
		{"outputs", 2, "output"},
		{"scope", 1, "scopes"},
		{"zzzzzz", 2, ""},
		{"inptus", 0, ""},
	} {
		if got := Closest(c.s, known, c.max); got != c.want {
			t.Errorf("Closest(%q, max %d) = %q, want %q", c.s, c.max, got, c.want)
		}
	}
}

func ExampleClosest() {
	fmt.Println(Closest("stpes", []string{"inputs", "steps", "output"}, 2))
	// Output: steps
}

func TestLikely(t *testing.T) {
	known := []string{"completed", "failed", "dry-run"}
	for _, c := range []struct{ s, want string }{
		{"complete", "completed"}, // one edit
		{"comp", "completed"},     // cut short
		{"dry-runs-x", "dry-run"}, // run on
		{"fail", "failed"},        // two edits
		{"com", ""},               // too short for a prefix
		{"Compl", "completed"},    // any case
		{"zzzzzz", ""},
	} {
		if got := Likely(c.s, known); got != c.want {
			t.Errorf("Likely(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}

// TestHint pins the two wordings in use: the template decoder's and a
// flow test's.
func TestHint(t *testing.T) {
	template := Hint{Found: "; did you mean %q?", List: " (expected one of: %s)", Sorted: true, None: " (none are declared)"}
	flowKey := Hint{Prefixes: true, Found: " (did you mean %q?)", List: "; expected one of: %s", ListAlways: true}
	flowValue := Hint{Prefixes: true, Found: " (did you mean %q?)"}
	known := []string{"when", "count"}
	for _, c := range []struct {
		h     Hint
		s     string
		known []string
		want  string
	}{
		{template, "cuont", known, `; did you mean "count"?`},
		{template, "nope", known, ` (expected one of: count, when)`},
		{template, "x", nil, ` (none are declared)`},
		{flowKey, "whenever", known, ` (did you mean "when"?); expected one of: when, count`},
		{flowKey, "nope", known, `; expected one of: when, count`},
		{flowKey, "x", nil, `; expected one of: `},
		{flowValue, "coun", known, ` (did you mean "count"?)`},
		{flowValue, "nope", known, ``},
	} {
		if got := c.h.For(c.s, c.known); got != c.want {
			t.Errorf("%+v.For(%q) = %q, want %q", c.h, c.s, got, c.want)
		}
	}
}
