package input_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/runflow/runflow/engine/input"
)

func ExampleParse() {
	// The mailbox's time zone, as Graph's mailboxSettings returns it.
	zone, err := input.LoadZone("W. Europe Standard Time")
	if err != nil {
		panic(err)
	}
	c := input.Context{
		Now:      time.Date(2026, 11, 25, 20, 0, 0, 0, zone), // a Wednesday
		Zone:     zone,
		Required: true,
	}
	for _, answer := range []string{"tomorrow 9am", "next monday 14:30", "in 2 hours", "31/02"} {
		v, err := input.Parse(input.DateTime, answer, c)
		if err != nil {
			fmt.Println(err) // an *input.Error: show it and ask again
			continue
		}
		fmt.Println(v.(time.Time).Format(time.RFC3339))
	}
	emails, _ := input.Parse(input.Emails, " ada@example.com ; Grace <grace@example.com>, ADA@example.com", c)
	fmt.Printf("%q\n", emails)
	// Output:
	// 2026-11-26T09:00:00+01:00
	// 2026-11-30T14:30:00+01:00
	// 2026-11-25T22:00:00+01:00
	// "31/02" is not a date and time: try 2026-12-01 15:00, tomorrow 9am or next monday 14:30.
	// ["ada@example.com" "grace@example.com"]
}

func ExampleParse_choice() {
	c := input.Context{Choices: []input.Option{
		{Value: "AAMkADI1", Label: "Tasks"},
		{Value: "AAMkADI2", Label: "Groceries"},
	}}
	for _, answer := range []string{"2", "tasks", "shopping"} {
		v, err := input.Parse(input.Choice, answer, c)
		fmt.Println(v, err)
	}
	// Output:
	// AAMkADI2 <nil>
	// AAMkADI1 <nil>
	// <nil> "shopping" is not one of the options: 1. Tasks, 2. Groceries.
}

func ExampleFormat() {
	c := input.Context{Zone: time.UTC, Now: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)}
	for _, a := range []struct {
		t      input.Type
		answer string
	}{
		{input.DateTime, "tomorrow 3pm"},
		{input.Date, "dec 1"},
		{input.Duration, "90 minutes"},
		{input.Boolean, "Y"},
	} {
		v, _ := input.Parse(a.t, a.answer, c)
		text := input.Format(a.t, v) // what a saved session keeps
		again, _ := input.Parse(a.t, text, c)
		fmt.Println(text, input.Format(a.t, again) == text)
	}
	// Output:
	// 2026-11-26T15:00:00Z true
	// 2026-12-01 true
	// 1h30m0s true
	// yes true
}

func ExampleFromJSON() {
	// Values from an --input file, as encoding/json decodes them.
	v, err := input.FromJSON(input.Integer, 3.0, input.Context{})
	fmt.Printf("%T %v %v\n", v, v, err)
	v, err = input.FromJSON(input.Emails, []any{" a@example.com", "b@example.com"}, input.Context{})
	fmt.Printf("%q %v\n", v, err)
	_, err = input.FromJSON(input.Integer, 2.5, input.Context{})
	fmt.Println(err)
	// Output:
	// int64 3 <nil>
	// ["a@example.com" "b@example.com"] <nil>
	// 2.5 is not a whole number.
}

func ExampleType_GoType() {
	// What a program holding an input's value needs to know of its type.
	for _, t := range []input.Type{input.Integer, input.Emails, input.Date, input.Duration} {
		fmt.Printf("%-8s %-15v zero %#v\n", t, t.GoType(), t.Zero())
	}
	v, _ := input.Parse(input.Integer, "42", input.Context{})
	fmt.Println(input.Integer.Holds(v), input.Number.Holds(v))
	// Output:
	// integer  int64           zero 0
	// emails   []string        zero []string{}
	// date     time.Time       zero time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	// duration time.Duration   zero 0
	// true false
}

func ExampleType_JSONSchema() {
	for _, t := range []input.Type{input.Number, input.Emails, input.DateTime, input.Time} {
		b, _ := json.Marshal(t.JSONSchema())
		fmt.Printf("%s %s\n", t, b)
	}
	// Where the format cannot say what the text looks like:
	fmt.Println(input.Time.Describe())
	// Output:
	// number {"type":"number"}
	// emails {"items":{"format":"email","type":"string"},"maxItems":500,"type":"array"}
	// datetime {"format":"date-time","type":"string"}
	// time {"type":"string"}
	// A time of day, e.g. 14:30 or 9am.
}

func ExampleLoadZone() {
	for _, name := range []string{"Pacific Standard Time", "India Standard Time", "Europe/Berlin"} {
		loc, err := input.LoadZone(name)
		if err != nil {
			panic(err)
		}
		win, _ := input.WindowsZoneName(loc)
		fmt.Printf("%s → %s → %s\n", name, loc, win)
	}
	// Output:
	// Pacific Standard Time → America/Los_Angeles → Pacific Standard Time
	// India Standard Time → Asia/Kolkata → India Standard Time
	// Europe/Berlin → Europe/Berlin → W. Europe Standard Time
}
