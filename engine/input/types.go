package input

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Type names the kind of value an input holds. Its text is the word a
// template author writes after `type:`.
type Type string

// The input types a template can declare.
const (
	String   Type = "string"   // one line of text
	Text     Type = "text"     // several lines of text
	Integer  Type = "integer"  // a whole number (int64)
	Number   Type = "number"   // a decimal number (float64)
	Boolean  Type = "boolean"  // yes or no (bool)
	Email    Type = "email"    // one email address (string)
	Emails   Type = "emails"   // a list of email addresses ([]string)
	List     Type = "list"     // a list of texts ([]string), separated like emails
	Date     Type = "date"     // a calendar day (time.Time at the start of the day)
	Time     Type = "time"     // a time of day, today unless a date is given (time.Time)
	DateTime Type = "datetime" // a date and a time (time.Time)
	Duration Type = "duration" // a positive length of time (time.Duration)
	Choice   Type = "choice"   // one of a list of options (the option's value, a string)
)

// typeInfo is what runflow knows about one input type, beyond its parser's
// rules: typeTable holds one row per type, so that adding a type adds a
// row here (and its parser), and the engine, the CLI and the MCP server
// learn it from the Type's methods instead of switching on its name.
type typeInfo struct {
	typ Type
	// zero is the value of an optional input left empty; its Go type is
	// the type of every value of t (what Parse and FromJSON give).
	zero any
	// parse reads a trimmed, non-blank answer; nil for the file types,
	// whose answers are JSON (file.go).
	parse    func(trimmed string, c Context) (any, error)
	maxBytes int    // the longest answer accepted
	expected string // names a good value in FromJSON's messages
	// json and format are the JSON Schema type and format of a value as
	// JSON carries it; item is a list's item type (its JSON Schema is an
	// array of those, of at most maxItems when that is not 0).
	json, format string
	item         Type
	maxItems     int
	// describe says what a text answer looks like when json and format
	// cannot.
	describe string
}

var typeTable = [...]typeInfo{
	{typ: String, zero: "", parse: parseString, maxBytes: MaxLineBytes, expected: "text", json: "string"},
	{typ: Text, zero: "", parse: parseText, maxBytes: MaxTextBytes, expected: "text", json: "string"},
	{typ: Integer, zero: int64(0), parse: parseInteger, maxBytes: MaxLineBytes, expected: "a whole number", json: "integer"},
	{typ: Number, zero: float64(0), parse: parseNumber, maxBytes: MaxLineBytes, expected: "a number", json: "number"},
	{typ: Boolean, zero: false, parse: parseBoolean, maxBytes: MaxLineBytes, expected: "true or false", json: "boolean"},
	{typ: Email, zero: "", parse: parseEmail, maxBytes: MaxLineBytes, expected: "an email address", json: "string", format: "email"},
	{typ: Emails, zero: []string{}, parse: parseEmails, maxBytes: MaxEmailsBytes, expected: "a list of email addresses", item: Email, maxItems: MaxEmails},
	{typ: List, zero: []string{}, parse: parseList, maxBytes: MaxEmailsBytes, expected: "a list of texts", item: String, maxItems: MaxListItems},
	{typ: Date, zero: time.Time{}, parse: parseDate, maxBytes: MaxLineBytes, expected: "a date", json: "string", format: "date"},
	{typ: Time, zero: time.Time{}, parse: parseTime, maxBytes: MaxLineBytes, expected: "a time", json: "string",
		describe: "A time of day, e.g. 14:30 or 9am."},
	{typ: DateTime, zero: time.Time{}, parse: parseDateTime, maxBytes: MaxLineBytes, expected: "a date and time", json: "string", format: "date-time"},
	{typ: Duration, zero: time.Duration(0), parse: parseDuration, maxBytes: MaxLineBytes, expected: "a duration such as \"30m\"", json: "string",
		describe: "A length of time, e.g. 30m or 1h30m."},
	{typ: Choice, zero: "", parse: parseChoice, maxBytes: MaxLineBytes, expected: "one of the options", json: "string"},
	{typ: File, zero: FileValue{}, expected: "a file", json: "object"},
	{typ: Files, zero: []FileValue{}, expected: "one or more files", item: File, maxItems: MaxFiles},
}

// info returns t's row, or nil when t is no type.
func (t Type) info() *typeInfo {
	for i := range typeTable {
		if typeTable[i].typ == t {
			return &typeTable[i]
		}
	}
	return nil
}

// Types returns every input type, in the order the documentation lists them.
// The slice is a fresh copy.
func Types() []Type {
	out := make([]Type, len(typeTable))
	for i := range typeTable {
		out[i] = typeTable[i].typ
	}
	return out
}

// ParseType returns the Type named s (exactly as a template writes it, e.g.
// "datetime") and whether s names a type at all.
func ParseType(s string) (Type, bool) {
	if r := Type(s).info(); r != nil {
		return r.typ, true
	}
	return "", false
}

// GoType is the Go type of every value of type t: what Parse and FromJSON
// give, what an expression reads (string, int64, float64, bool, []string,
// time.Time, time.Duration, FileValue, []FileValue). It is nil when t is no
// type.
func (t Type) GoType() reflect.Type {
	if r := t.info(); r != nil {
		return reflect.TypeOf(r.zero)
	}
	return nil
}

// Zero is the value an optional input of type t holds when it is left
// empty: "", 0, false, the zero time or duration, an empty FileValue, or an
// empty (not nil) list. It is nil when t is no type.
func (t Type) Zero() any {
	if r := t.info(); r != nil {
		return r.zero
	}
	return nil
}

// Holds reports whether v is a value of type t: whether its Go type is
// t.GoType(). A saved session's values are checked with it when they are
// read back.
func (t Type) Holds(v any) bool {
	gt := t.GoType()
	return gt != nil && reflect.TypeOf(v) == gt
}

// JSONSchema returns the JSON Schema of a value of type t as JSON carries
// it (an MCP tool's arguments, for one): its type, the format where JSON
// Schema names one (email, date, date-time), a list's items, a file's
// fields. A type it does not know is a string. Each call returns a new map,
// the caller's to extend: a Choice's options, say, belong to the input, not
// to the type.
func (t Type) JSONSchema() map[string]any {
	r := t.info()
	switch {
	case r == nil:
		return map[string]any{"type": "string"}
	case r.item != "":
		s := map[string]any{"type": "array", "items": r.item.JSONSchema()}
		if r.maxItems > 0 {
			s["maxItems"] = r.maxItems
		}
		return s
	case r.json == "object": // a file, the one object (file.go)
		return fileSchema()
	}
	s := map[string]any{"type": r.json}
	if r.format != "" {
		s["format"] = r.format
	}
	return s
}

// Describe is a sentence saying what an answer of type t looks like, for
// the types whose JSON Schema does not say (a time of day, a duration);
// it is empty for the others.
func (t Type) Describe() string {
	if r := t.info(); r != nil {
		return r.describe
	}
	return ""
}

// Option is one option of a Choice input: the Value the flow receives and the
// Label shown to the person (the Value is shown when Label is empty). (It is
// not named Choice because that is the name of the Type.)
type Option struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
}

// display is the text shown for the option.
func (c Option) display() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}

// Context is what Parse needs besides the answer itself.
type Context struct {
	// Now is the reference time for relative answers ("tomorrow", "in 2
	// hours", a time of day meaning today). The zero time means time.Now().
	Now time.Time
	// Zone is the zone answers are read in and times are returned in.
	// nil means UTC.
	Zone *time.Location
	// Choices are the options of a Choice input, in the order shown.
	Choices []Option
	// Required makes an empty answer an error. When false, an empty answer
	// gives no value (see Parse).
	Required bool
	// List holds the item rules of a List input.
	List ListRules
	// Base, when set, is what a Time or DateTime answer without a day is
	// relative to (the start of an event, for its end): a time of day
	// alone ("4pm") is on Base's day, and a duration ("1h", "90 min") is that long after
	// Base. Answers that name a day, and "in 2 hours", are read as
	// without Base.
	Base time.Time
	// MaxFileBytes is the size limit of each file of a File or Files input
	// (0: DefaultMaxFileBytes; at most MaxFileBytes).
	MaxFileBytes int64
	// Accept are the media types a File or Files input takes ("image/*"
	// wildcards allowed); empty takes any.
	Accept []string
}

func (c Context) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// now is the reference time in the answer's zone.
func (c Context) now() time.Time {
	n := c.Now
	if n.IsZero() {
		n = time.Now()
	}
	return n.In(c.zone())
}

// Error is a mistake in an answer. Its Message is written for the person who
// typed the answer, to be shown with the same question again.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Size limits on answers, in bytes, checked before anything else.
const (
	MaxLineBytes   = 1 << 10  // one-line types: string, email, numbers, dates, choice...
	MaxEmailsBytes = 16 << 10 // a list of email addresses
	MaxTextBytes   = 64 << 10 // text
	MaxEmails      = 500      // addresses in one list (Exchange Online's default recipient limit per message)
)

func maxBytes(t Type) int {
	if r := t.info(); r != nil {
		return r.maxBytes
	}
	return MaxLineBytes
}

// Parse turns an answer typed by a person into a value of type t, of Go
// type t.GoType():
//
//	String, Text, Email, Choice → string
//	Integer → int64, Number → float64, Boolean → bool
//	Emails, List → []string (never nil)
//	Date, Time, DateTime → time.Time in c.Zone
//	Duration → time.Duration
//
// A blank answer is an error when c.Required; otherwise it gives no value:
// "" for String and Text, an empty list for Emails, and nil for every other
// type (the caller then uses the input's default or leaves it unset).
//
// Every error is an *Error whose message says what was wrong and shows an
// example of a good answer.
func Parse(t Type, answer string, c Context) (any, error) {
	if isFileType(t) {
		return parseFileAnswer(t, answer, c) // file.go
	}
	if !utf8.ValidString(answer) {
		return nil, errorf("The answer is not valid UTF-8 text.")
	}
	if limit := maxBytes(t); len(answer) > limit {
		return nil, errorf("The answer is too long: at most %s.", sizeText(limit))
	}
	if strings.IndexByte(answer, 0) >= 0 {
		return nil, errorf("The answer contains a NUL character.")
	}
	trimmed := strings.TrimSpace(answer)
	if trimmed == "" || ((t == Emails || t == List) && strings.EqualFold(trimmed, "none")) {
		return blank(t, trimmed, c)
	}
	if r := t.info(); r != nil && r.parse != nil {
		return r.parse(trimmed, c)
	}
	return nil, fmt.Errorf("input: unknown type %q", string(t))
}

// blank answers an empty answer (or "none" for Emails).
func blank(t Type, trimmed string, c Context) (any, error) {
	if c.Required {
		if t == Emails {
			if trimmed != "" {
				return nil, errorf("At least one email address is needed here.")
			}
			return nil, errorf("An answer is needed: give one or more email addresses, separated by commas.")
		}
		if t == List {
			return nil, errorf("An answer is needed: give one or more items, separated by commas.")
		}
		return nil, errorf("An answer is needed.")
	}
	switch t {
	case String, Text:
		return "", nil
	case Emails, List:
		return []string{}, nil
	}
	if _, ok := ParseType(string(t)); !ok {
		return nil, fmt.Errorf("input: unknown type %q", string(t))
	}
	return nil, nil
}

func sizeText(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d bytes", n)
}

// quote shows (a bounded prefix of) an answer inside a message.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
