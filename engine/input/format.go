package input

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Format writes v, a value of type t as Parse returns it, as canonical text
// that Parse reads back to an equal value (with the same Context zone):
//
//	String, Text, Email, Choice → the text itself
//	Integer → decimal digits; Number → shortest decimal ("4.5", "1e+21")
//	Boolean → "yes" or "no"
//	Emails, List → items joined by ", "
//	Date → "2006-01-02"
//	Time, DateTime → RFC 3339 with nanoseconds and offset
//	Duration → Go notation ("1h30m0s")
//
// nil (no value) gives "". A value of another Go type is written with
// fmt's %v, so Format never fails.
func Format(t Type, v any) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case FileValue:
		return x.Name
	case []FileValue:
		names := make([]string, len(x))
		for i, f := range x {
			names[i] = f.Name
		}
		return strings.Join(names, ", ")
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		if t == Integer && x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []string:
		return strings.Join(x, ", ")
	case time.Time:
		if t == Date {
			return x.Format(time.DateOnly)
		}
		if _, off := x.Zone(); off%60 != 0 {
			// RFC 3339 offsets have no seconds; historical local mean times
			// do (Berlin before 1893 was +00:53:28). UTC keeps the instant.
			x = x.UTC()
		}
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	}
	return fmt.Sprint(v)
}

// FromJSON converts a preset value decoded from JSON or YAML (an --input file,
// values given to Start) into a value of type t. Strings go through Parse, so
// a preset is checked exactly like a typed answer; numbers, booleans, lists of
// strings and times are accepted where they fit the type (1.0 for an
// integer, ["a@x.com"] for emails, a YAML timestamp for a date). nil is an
// empty answer.
func FromJSON(t Type, v any, c Context) (any, error) {
	if isFileType(t) {
		return fileFromJSON(t, v, c) // file.go
	}
	switch x := v.(type) {
	case nil:
		return Parse(t, "", c)
	case string:
		return Parse(t, x, c)
	case bool:
		if t == Boolean {
			return x, nil
		}
		return scalarAsText(t, strconv.FormatBool(x), c)
	case json.Number:
		return numberFromJSON(t, string(x), c)
	case float64:
		return floatFromJSON(t, x, c)
	case float32:
		return floatFromJSON(t, float64(x), c)
	case int:
		return intFromJSON(t, int64(x), c)
	case int64:
		return intFromJSON(t, x, c)
	case int32:
		return intFromJSON(t, int64(x), c)
	case uint64:
		if x > math.MaxInt64 {
			return nil, errorf("%d is too large: the largest whole number is %d.", x, int64(math.MaxInt64))
		}
		return intFromJSON(t, int64(x), c)
	case uint:
		return FromJSON(t, uint64(x), c)
	case []string:
		return listFromJSON(t, x, c)
	case []any:
		items := make([]string, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return nil, errorf("Item %d of the list is %s, not text.", i+1, describe(item))
			}
			items[i] = s
		}
		return listFromJSON(t, items, c)
	case time.Time:
		return timeFromJSON(t, x, c)
	case time.Duration:
		if t == Duration {
			return Parse(t, x.String(), c)
		}
	}
	return nil, errorf("Expected %s, got %s.", expected(t), describe(v))
}

func numberFromJSON(t Type, s string, c Context) (any, error) {
	switch t {
	case Integer, Number:
		return Parse(t, s, c)
	}
	return scalarAsText(t, s, c)
}

func floatFromJSON(t Type, f float64, c Context) (any, error) {
	switch t {
	case Number:
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errorf("%v is not a number.", f)
		}
		return f, nil
	case Integer:
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errorf("%v is not a whole number.", f)
		}
		if f >= 1<<63 || f < -(1<<63) {
			return nil, errorf("%v is too large for a whole number.", f)
		}
		return int64(f), nil
	}
	return scalarAsText(t, strconv.FormatFloat(f, 'g', -1, 64), c)
}

func intFromJSON(t Type, n int64, c Context) (any, error) {
	switch t {
	case Integer:
		return n, nil
	case Number:
		return float64(n), nil
	}
	return scalarAsText(t, strconv.FormatInt(n, 10), c)
}

// scalarAsText lets a YAML author write `subject: 2026` or a choice value 3
// without quotes; for the other types a number or boolean is a mistake.
func scalarAsText(t Type, text string, c Context) (any, error) {
	switch t {
	case String, Text, Choice:
		return Parse(t, text, c)
	}
	return nil, errorf("Expected %s, got %s.", expected(t), text)
}

func listFromJSON(t Type, items []string, c Context) (any, error) {
	switch t {
	case Emails:
		if len(items) > MaxEmails*2 {
			return nil, errorf("Too many addresses: at most %d.", MaxEmails)
		}
		for i, s := range items {
			if len(s) > MaxLineBytes {
				return nil, errorf("Address %d is too long.", i+1)
			}
		}
		return emailList(items, c)
	case List:
		if len(items) > MaxListItems*2 {
			return nil, errorf("Too many items: at most %d.", c.List.maxItems())
		}
		for i, s := range items {
			if len(s) > MaxLineBytes {
				return nil, errorf("Item %d is too long.", i+1)
			}
		}
		return textList(items, c)
	case Email, Choice, String:
		if len(items) == 1 {
			return Parse(t, items[0], c)
		}
	}
	return nil, errorf("Expected %s, got a list.", expected(t))
}

// timeFromJSON accepts a YAML timestamp. For a Date only its calendar day
// counts (YAML reads 2026-12-01 as midnight UTC).
func timeFromJSON(t Type, x time.Time, c Context) (any, error) {
	if msg := yearsMessage(x); msg != "" {
		return nil, errorf("%s is not a date: %s.", x.Format(time.RFC3339), msg)
	}
	switch t {
	case Date:
		return startOfDay(dayOf(x), c.zone()), nil
	case Time, DateTime:
		if msg := yearsMessage(x.In(c.zone())); msg != "" {
			return nil, errorf("%s is not a date: %s.", x.Format(time.RFC3339), msg)
		}
		return x.In(c.zone()), nil
	case String, Text:
		return Parse(t, x.Format(time.RFC3339Nano), c)
	}
	return nil, errorf("Expected %s, got a date.", expected(t))
}

// expected names a good value of type t in FromJSON's messages.
func expected(t Type) string {
	if r := t.info(); r != nil {
		return r.expected
	}
	return "a value of type " + string(t)
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case bool:
		return "true or false"
	case string:
		return "text"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "a map"
	case float64, float32, int, int64, int32, uint64, uint, json.Number:
		return "a number"
	}
	return fmt.Sprintf("a value of Go type %T", v)
}
