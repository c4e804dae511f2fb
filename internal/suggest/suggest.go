// Package suggest finds the word a person probably meant, for the
// did-you-mean hints of template, flow-test and command-line errors.
package suggest

import (
	"fmt"
	"slices"
	"strings"
)

// Distance is the number of single-character edits (insertions, deletions,
// substitutions and swaps of two neighbours) that turn a into b, counted in
// runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1) // a swap of two neighbours
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Closest returns the candidate nearest to s, ignoring case, when it is at
// most maxDistance edits away; otherwise "". Ties go to the earlier
// candidate.
func Closest(s string, candidates []string, maxDistance int) string {
	best, bestD := "", maxDistance+1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := Distance(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Likely is Closest at two edits or, when nothing is that close and s is
// longer than three characters, the first candidate that begins with s
// (lower-cased) or that s begins with: a word cut short or run on.
func Likely(s string, candidates []string) string {
	if best := Closest(s, candidates, 2); best != "" || len(s) <= 3 {
		return best
	}
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.HasPrefix(c, ls) || strings.HasPrefix(ls, c) {
			return c
		}
	}
	return ""
}

// Hint words the did-you-mean part of a message about an unknown name.
// Each kind of document keeps its own wording, so the sentences are
// fields: the template decoder's "; did you mean "x"?", a flow test's
// " (did you mean "x"?)" followed by the list of known keys, ...
type Hint struct {
	// Prefixes finds the suggestion with Likely instead of Closest (at
	// two edits).
	Prefixes bool
	// Found words a suggestion: a format with one %q verb.
	Found string
	// List words the known names, joined with ", ": a format with one %s
	// verb, or "" for no list. The list is given when there is no
	// suggestion, and after one too when ListAlways is set.
	List       string
	ListAlways bool
	// Sorted lists the known names in sorted order instead of as given.
	Sorted bool
	// None, if not "", is the whole hint when no names are known.
	None string
}

// For returns the hint for the unknown name s among known ("" when it has
// nothing to say).
func (h Hint) For(s string, known []string) string {
	if len(known) == 0 && h.None != "" {
		return h.None
	}
	var best string
	if h.Prefixes {
		best = Likely(s, known)
	} else {
		best = Closest(s, known, 2)
	}
	hint := ""
	if best != "" {
		hint = fmt.Sprintf(h.Found, best)
		if !h.ListAlways {
			return hint
		}
	}
	if h.List == "" {
		return hint
	}
	names := known
	if h.Sorted {
		names = slices.Sorted(slices.Values(known))
	}
	return hint + fmt.Sprintf(h.List, strings.Join(names, ", "))
}
