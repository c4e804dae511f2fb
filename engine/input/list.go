package input

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxListItems bounds the items of one List answer, whatever the input's
// own max_items says.
const MaxListItems = 500

// ListRules are the item rules of a List input. Zero fields are not
// checked (MaxListItems always is).
type ListRules struct {
	// MaxItems is the most items an answer may have.
	MaxItems int
	// MinItemLength and MaxItemLength bound each item's length in
	// characters (Unicode code points), after trimming.
	MinItemLength, MaxItemLength int
}

// parseList reads a list of texts: items separated by commas or
// semicolons, each trimmed, empty ones dropped, and later items equal to
// an earlier one ignoring case dropped (the first spelling is kept), as
// for Emails. Then the rules in c.List are checked.
func parseList(s string, c Context) (any, error) {
	return textList(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }), c)
}

// textList trims, de-duplicates and checks items.
func textList(items []string, c Context) (any, error) {
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	r := c.List
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if strings.ContainsAny(it, "\n\r") {
			return nil, errorf("Item %d, %s, holds a line break: give each item on one line, separated by commas.", len(out)+1, quote(it))
		}
		key := strings.ToLower(it)
		if seen[key] {
			continue
		}
		seen[key] = true
		n := utf8.RuneCountInString(it)
		switch {
		case r.MaxItemLength > 0 && n > r.MaxItemLength:
			return nil, errorf("Item %d, %s, is too long: at most %s.", len(out)+1, quote(it), plural(r.MaxItemLength, "character"))
		case r.MinItemLength > 0 && n < r.MinItemLength:
			return nil, errorf("Item %d, %s, is too short: at least %s.", len(out)+1, quote(it), plural(r.MinItemLength, "character"))
		}
		out = append(out, it)
		if max := r.maxItems(); len(out) > max {
			return nil, errorf("Too many items: at most %d.", max)
		}
	}
	if len(out) == 0 && c.Required {
		return nil, errorf("At least one item is needed here, separated by commas.")
	}
	return out, nil
}

// Max returns the most items an answer may have: MaxItems, or
// MaxListItems when MaxItems is 0 or more than that.
func (r ListRules) Max() int { return r.maxItems() }

func (r ListRules) maxItems() int {
	if r.MaxItems > 0 && r.MaxItems < MaxListItems {
		return r.MaxItems
	}
	return MaxListItems
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
