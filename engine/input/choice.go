package input

import (
	"strconv"
	"strings"
)

// maxListedChoices bounds how many options an error message lists.
const maxListedChoices = 10

// parseChoice finds the option an answer names. In order: an option whose
// value is exactly the answer (so stored values always read back to
// themselves); the 1-based number shown next to an option; then options
// whose value or label equals the answer ignoring case. Several different
// options matching by label is an error that lists them.
func parseChoice(s string, c Context) (any, error) {
	if len(c.Choices) == 0 {
		return nil, errorf("There are no options to choose from.")
	}
	for _, ch := range c.Choices {
		if ch.Value == s || strings.TrimSpace(ch.Value) == s {
			return ch.Value, nil
		}
	}
	n, err := strconv.Atoi(s)
	isNumber := err == nil && integerPattern.MatchString(s)
	if isNumber && n >= 1 && n <= len(c.Choices) {
		return c.Choices[n-1].Value, nil
	}
	var matches []int
	seen := map[string]bool{}
	for i, ch := range c.Choices {
		if (strings.EqualFold(ch.Value, s) || strings.EqualFold(ch.Label, s)) && !seen[ch.Value] {
			seen[ch.Value] = true
			matches = append(matches, i)
		}
	}
	switch len(matches) {
	case 1:
		return c.Choices[matches[0]].Value, nil
	case 0:
		if isNumber {
			return nil, errorf("There is no option %s: choose a number from 1 to %d.", s, len(c.Choices))
		}
		all := make([]int, len(c.Choices))
		for i := range all {
			all[i] = i
		}
		return nil, errorf("%s is not one of the options: %s.", quote(s), listChoices(c.Choices, all))
	}
	return nil, errorf("%s matches several options: %s. Answer with the number.", quote(s), listChoices(c.Choices, matches))
}

// listChoices writes "1. Low, 2. Normal, …" for the options at indexes,
// bounded to maxListedChoices.
func listChoices(choices []Option, indexes []int) string {
	var b strings.Builder
	for k, i := range indexes {
		if k == maxListedChoices {
			b.WriteString(", and " + strconv.Itoa(len(indexes)-k) + " more")
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		label := choices[i].display()
		if len([]rune(label)) > 60 {
			label = string([]rune(label)[:60]) + "…"
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + label)
	}
	return b.String()
}
