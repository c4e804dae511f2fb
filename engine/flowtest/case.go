package flowtest

import (
	"encoding/json"
	"time"
)

// DefaultNow is the engine clock of a flow test that does not set `now`:
// Monday 15 June 2026, 09:00 UTC.
var DefaultNow = time.Date(2026, time.June, 15, 9, 0, 0, 0, time.UTC)

// BaseURLPlaceholder is replaced, in response bodies and response header
// values, by the fake Graph server's service root (for example
// "http://127.0.0.1:41234/v1.0"), so that @odata.nextLink can point back at
// the server.
const BaseURLPlaceholder = "{{base_url}}"

// Case is one decoded flow test file.
type Case struct {
	// File is the path the case was loaded from.
	File string
	// Template is a built-in template id or a path relative to the file.
	Template     string
	TemplateLine int
	// Description says what the case shows.
	Description string
	// Now is the engine clock; Zone the engine's default time zone.
	Now  time.Time
	Zone string
	// User is the mailbox the flow acts on ("" means the engine default).
	User string
	// Inputs are the values given up front, in file order.
	Inputs []InputValue
	// NoInput, AutoConfirm and DryRun are the run options.
	NoInput, AutoConfirm, DryRun bool
	// ConversationZone is the conversation's own zone
	// (engine.StartOptions.Zone: a bot user's, runflow --zone); "" means
	// none, so the flow reads answers in Zone.
	ConversationZone string
	// Auth says whether the user starts signed in.
	Auth AuthSpec
	// Turns are the pauses expected, in order, with the answers given.
	Turns []Turn
	// Graph is the scripted exchanges, in the order they must happen.
	Graph []Exchange
	// Expect is what the flow must end with.
	Expect Expect
	// Line is where each top-level section starts (for failure messages).
	Line map[string]int
}

// InputValue is a value given up front (like `runflow run --set`).
type InputValue struct {
	Name string
	// Text is the value as the user would type it. For a YAML list it is
	// the items joined with ", "; for a mapping, its JSON text.
	Text string
	// JSON is the value as JSON (a string, number, bool, list or map).
	JSON json.RawMessage
	Line int
}

// AuthSpec configures the test's auth provider.
type AuthSpec struct {
	// SignedIn is false when the flow starts with nobody signed in: the
	// first token request then asks for a sign-in.
	SignedIn bool
	// MagicCode, when set, is the code the user must type back after
	// signing in: the engine must pass the answer of the sign-in turn to
	// the provider, which accepts only this code.
	MagicCode string
}

// TurnKind says what kind of pause a turn expects.
type TurnKind string

// The kinds of pause a flow test can expect.
const (
	TurnQuestion TurnKind = "question"
	TurnSignIn   TurnKind = "sign_in"
)

// Turn is one expected pause and the answer given to it.
type Turn struct {
	Kind     TurnKind
	Question QuestionExpect
	SignIn   SignInExpect
	// Answer is what the user types.
	Answer string
	// Messages, when not nil, are the messages said since the previous
	// pause, exactly.
	Messages *[]string
	Line     int
}

// QuestionExpect holds the asserted fields of a question; nil means not
// asserted.
type QuestionExpect struct {
	Input         *string
	Type          *string
	Text          *string
	TextContains  *string
	Attempt       *int
	Error         *string
	ErrorContains *string
	// Choices are the labels offered, in order (nil: not asserted).
	Choices []string
}

// SignInExpect holds the asserted fields of a sign-in turn.
type SignInExpect struct {
	URLContains *string
	Scopes      []string
	MagicCode   *bool
}

// Exchange is one scripted Graph exchange: the request expected and the
// response served.
type Exchange struct {
	Request  RequestExpect
	Response Response
	Line     int
}

// RequestExpect holds the asserted parts of a request.
type RequestExpect struct {
	Method string
	// Path is relative to the service root. When it contains '%' it is
	// compared with the request's escaped path, otherwise with the decoded
	// path.
	Path string
	// Query values that must be present (subset), by parameter name.
	Query map[string][]string
	// Headers that must be present (subset), by canonical name.
	Headers map[string]string
	// Body, when BodySet, is the JSON the request must carry; the JSON
	// literal null asserts that no body is sent.
	Body    json.RawMessage
	BodySet bool
	// Upload says the request goes to an upload session's pre-authenticated
	// URL (an http step's upload): it must carry no Authorization header.
	Upload bool
	Line   int
}

// Response is what the fake Graph server answers.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
	Line    int
}

// Expect is what the flow must end with.
type Expect struct {
	// Status is completed, failed or cancelled.
	Status string
	// Outputs are asserted by name (subset), as JSON.
	Outputs []NamedJSON
	// Columns are the table columns asserted by output name.
	Columns map[string][]string
	// Messages, when not nil, is the exact list of every message said.
	Messages *[]string
	// MessagesContain are substrings that must appear, in this order,
	// across the messages said.
	MessagesContain []string
	Error           *ErrorExpect
	DryRun          *RequestExpect
	// Requests, when not nil, is the number of Graph requests; otherwise
	// it must equal len(Graph).
	Requests *int
	Line     int
	// KeyLine is the line of each key written under expect.
	KeyLine map[string]int
}

// line returns the line of key under expect, or of expect itself.
func (e Expect) line(key string) int {
	if l, ok := e.KeyLine[key]; ok {
		return l
	}
	return e.Line
}

// NamedJSON is one expected output.
type NamedJSON struct {
	Name string
	JSON json.RawMessage
	Line int
}

// ErrorExpect holds the asserted fields of the error of a failed flow.
type ErrorExpect struct {
	Status          *int
	Code            *string
	MessageContains *string
}
