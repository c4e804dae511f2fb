package input

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseChoice(t *testing.T) {
	lists := []Option{
		{Value: "AAMkAD1", Label: "Tasks"},
		{Value: "AAMkAD2", Label: "Groceries"},
		{Value: "AAMkAD3", Label: "groceries"}, // same label, other case
		{Value: "3", Label: "Three"},           // a value that looks like a number
		{Value: "plain"},                       // no label: the value is shown
	}
	c := Context{Choices: lists, Required: true}
	good := map[string]string{
		"1":         "AAMkAD1",
		" 2 ":       "AAMkAD2",
		"3":         "3", // an exact value wins over the number shown
		"4":         "3", // the fourth option
		"5":         "plain",
		"tasks":     "AAMkAD1",
		"  TASKS  ": "AAMkAD1",
		"aamkad2":   "AAMkAD2",
		"AAMkAD3":   "AAMkAD3",
		"three":     "3",
		"PLAIN":     "plain",
	}
	for answer, want := range good {
		v, err := Parse(Choice, answer, c)
		if err != nil || v != want {
			t.Errorf("choice %q = %#v, %v; want %q", answer, v, err, want)
		}
	}
	bad := map[string][]string{
		"groceries": {`"groceries" matches several options`, "2. Groceries, 3. groceries", "Answer with the number"},
		"6":         {"There is no option 6", "from 1 to 5"},
		"0":         {"There is no option 0"},
		"-1":        {"There is no option -1"},
		"shopping":  {`"shopping" is not one of the options`, "1. Tasks, 2. Groceries, 3. groceries, 4. Three, 5. plain"},
	}
	for answer, fragments := range bad {
		_, err := Parse(Choice, answer, c)
		wantUserError(t, err, fragments...)
	}
	_, err := Parse(Choice, "x", Context{})
	wantUserError(t, err, "no options to choose from")

	// A number beyond the list can still be a label.
	years := Context{Choices: []Option{{"y24", "2024"}, {"y25", "2025"}}}
	if v, err := Parse(Choice, "2025", years); err != nil || v != "y25" {
		t.Errorf(`choice "2025" = %#v, %v; want "y25"`, v, err)
	}
	if v, err := Parse(Choice, "1", years); err != nil || v != "y24" {
		t.Errorf(`choice "1" = %#v, %v; want "y24"`, v, err)
	}
}

func TestChoiceListIsBounded(t *testing.T) {
	var opts []Option
	for i := 1; i <= 40; i++ {
		opts = append(opts, Option{Value: fmt.Sprint("v", i), Label: strings.Repeat("L", 100) + fmt.Sprint(i)})
	}
	_, err := Parse(Choice, "nothing", Context{Choices: opts})
	wantUserError(t, err, "1. "+strings.Repeat("L", 60)+"…", "10. ", "and 30 more")
	if msg := err.Error(); strings.Contains(msg, "11. ") || len(msg) > 1000 {
		t.Errorf("message lists too much (%d bytes): %s", len(msg), msg)
	}
}
