package input

import (
	"fmt"
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

var allTypes = []Type{String, Text, Integer, Number, Boolean, Email, Emails, List, Date, Time, DateTime, Duration, Choice, File, Files}

// Types returns every input type, in the order the documentation lists them.
// The slice is a fresh copy.
func Types() []Type {
	return append([]Type(nil), allTypes...)
}

// ParseType returns the Type named s (exactly as a template writes it, e.g.
// "datetime") and whether s names a type at all.
func ParseType(s string) (Type, bool) {
	for _, t := range allTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
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
	switch t {
	case Text:
		return MaxTextBytes
	case Emails, List:
		return MaxEmailsBytes
	}
	return MaxLineBytes
}

// Parse turns an answer typed by a person into a value of type t:
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
	switch t {
	case String:
		return parseString(trimmed)
	case Text:
		return parseText(trimmed)
	case Integer:
		return parseInteger(trimmed)
	case Number:
		return parseNumber(trimmed)
	case Boolean:
		return parseBoolean(trimmed)
	case Email:
		return parseEmail(trimmed)
	case Emails:
		return parseEmails(trimmed, c)
	case List:
		return parseList(trimmed, c)
	case Date:
		return parseDate(trimmed, c)
	case Time:
		return parseTime(trimmed, c)
	case DateTime:
		return parseDateTime(trimmed, c)
	case Duration:
		return parseDuration(trimmed)
	case Choice:
		return parseChoice(trimmed, c)
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
