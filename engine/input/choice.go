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
// whose value or label equals the answer ignoring case; then options whose
// value or label starts with the answer ignoring case ("groc" for
// "Groceries"). Several different options matching by label, or by
// prefix, is an error that lists them.
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
	if len(matches) == 0 && !isNumber {
		matches = prefixMatches(c.Choices, s)
		if len(matches) > 1 {
			return nil, errorf("%s is the start of several options: %s. Give more of it, or the number.", quote(s), listChoices(c.Choices, matches))
		}
	}
	switch len(matches) {
	case 1:
		return c.Choices[matches[0]].Value, nil
	case 0:
		all := make([]int, len(c.Choices))
		for i := range all {
			all[i] = i
		}
		if isNumber {
			return nil, errorf("There is no option %s; the options are %s (answer with a number from 1 to %d, the value or the label).", s, listChoices(c.Choices, all), len(c.Choices))
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

// prefixMatches returns the options whose value or label starts with s,
// ignoring case (each option once).
func prefixMatches(choices []Option, s string) []int {
	prefix := strings.ToLower(s)
	var out []int
	seen := map[string]bool{}
	for i, ch := range choices {
		if seen[ch.Value] {
			continue
		}
		if strings.HasPrefix(strings.ToLower(ch.Value), prefix) || strings.HasPrefix(strings.ToLower(ch.Label), prefix) {
			seen[ch.Value] = true
			out = append(out, i)
		}
	}
	return out
}
