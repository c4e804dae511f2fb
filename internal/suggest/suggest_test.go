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
