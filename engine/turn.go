package engine

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/runflow/runflow/engine/input"
)

// TurnKind says what a Turn is.
type TurnKind int

const (
	// KindQuestion: the flow waits for an answer to Turn.Question.
	KindQuestion TurnKind = iota + 1
	// KindSignIn: the flow waits for the user to sign in (Turn.SignIn).
	KindSignIn
	// KindDone: the flow finished (Status completed, cancelled or dry-run).
	KindDone
	// KindFailed: the flow failed (Turn.Err says why).
	KindFailed
	// KindIdle: no flow is running in the conversation (HandleMessage,
	// Conversation): the message was not for a flow; offer one.
	KindIdle
	// KindBusy: another delivery of the conversation is sending a write
	// right now (HandleMessage, StartFlow, Conversation); nothing was done.
	// Ask again in a moment (Conversation), or tell the user to wait.
	KindBusy
)

// String returns "question", "sign-in", "done", "failed", "idle" or "busy".
func (k TurnKind) String() string {
	switch k {
	case KindQuestion:
		return "question"
	case KindSignIn:
		return "sign-in"
	case KindDone:
		return "done"
	case KindFailed:
		return "failed"
	case KindIdle:
		return "idle"
	case KindBusy:
		return "busy"
	}
	return fmt.Sprintf("TurnKind(%d)", int(k))
}

// Status is how a finished flow ended.
type Status string

const (
	StatusCompleted Status = "completed" // ran to the end
	StatusCancelled Status = "cancelled" // the user said no to a confirm step, or a cancel word
	StatusDryRun    Status = "dry-run"   // stopped before the first write (Turn.DryRun)
	StatusFailed    Status = "failed"    // see Turn.Err
)

// Turn is the result of Start, Resume or Run: exactly one of a question, a
// sign-in request, or the end of the flow.
type Turn struct {
	Kind     TurnKind
	Question *Question // KindQuestion
	SignIn   *SignIn   // KindSignIn
	Status   Status    // KindDone, KindFailed
	Outputs  []Output  // KindDone with StatusCompleted, in template order
	Messages []string  // said by say steps during this call
	// Err says why the flow failed (KindFailed): a *FlowError wrapping a
	// *graph.Error, *MissingInputsError, *InputError, *FailStepError or
	// another cause.
	Err error
	// DryRun is the first write the flow would have sent (StatusDryRun).
	DryRun *PlannedRequest
	// State is the paused session (KindQuestion, KindSignIn): store it and
	// pass it to Resume with the answer. With a SessionStore (HandleMessage,
	// StartFlow) the store keeps it and State is nil.
	State []byte
	// Session is the session's id: random, fixed for the flow's life, the
	// same in every Turn of it (and session.id in expressions). Empty for
	// a flow run by Start or Run that ended without pausing.
	Session string
	// Seq is the turn's number: with a SessionStore, the conversation's
	// SessionRecord.Seq once this turn is saved (it grows with every turn
	// of every flow of the conversation); without one, the session's turn
	// count (1 for Start, +1 per Resume). A saved state carries it, and
	// HandleMessage refuses a state whose Seq is not the record's.
	Seq uint64
	// Template is the id of the template of the flow the turn belongs to,
	// for every turn of Start, Resume, Run, StartFlow and HandleMessage,
	// for replayed turns, for KindBusy (the flow whose write is in
	// flight) and for a flow ended as abandoned; "" for KindIdle and for
	// a replayed turn stored by an engine that did not record it. Hosts
	// label metrics and logs with it.
	Template string
	// Replay is set on a Turn that was not made for this call: the answer
	// already given to the same message id, or, for a delivery that lost
	// the race for its conversation and for Conversation, the turn the
	// conversation stands at. Nothing was sent for it.
	Replay bool
	// OutputsDropped is set on a replayed Turn whose outputs were too big
	// to keep (over 16 KiB) for a replay.
	OutputsDropped bool
}

// Question asks the user for one value.
type Question struct {
	// Input is the input's name; "" for a confirm step.
	Input string
	// Type is the input type, or "confirm".
	Type string
	// Text is the prompt, or the confirm step's question.
	Text string
	Hint string
	// Choices are the options of a choice input, in the order to show
	// them (numbered from 1).
	Choices []input.Option
	// Attempt counts from 1; MaxAttempts is when the flow gives up.
	Attempt, MaxAttempts int
	// Error says why the previous answer was refused ("" on the first ask).
	Error string
	// Default is what an empty answer gives, as text ("" when none).
	Default string
	// Required is false when an empty answer is accepted.
	Required bool
	// StepID is the key of the step asking (the ask or confirm step; for
	// inputs asked at the start, "input:<name>").
	StepID string
	// MaxSize (bytes per file) and Accept (media types; empty: any) bound
	// the answer of a file or files question: check them before reading
	// a file.
	MaxSize int64
	Accept  []string
}

// SignIn asks the user to sign in; the flow then resumes at the same step.
type SignIn struct {
	// URL is where to send the user ("" when the provider has no link, e.g.
	// the CLI with no profile signed in).
	URL    string
	Scopes []string
	Reason string
	// MagicCode: after signing in the user is shown a code to type back;
	// pass it to Resume as the answer.
	MagicCode bool
}

// Output is one named value of the flow's output.
type Output struct {
	Name  string
	Value any
	// Columns says how to print a list of maps as a table.
	Columns []string
}

// PlannedRequest is a request a dry run did not send.
type PlannedRequest struct {
	Method string
	URL    string
	// Header never holds Authorization.
	Header http.Header
	Body   []byte
}

// FlowError is why a flow failed: the step, its position and the cause.
type FlowError struct {
	// Step is the key of the failing step ("" when the flow failed before
	// any step, e.g. missing inputs).
	Step string
	// Pos is "file:line:col" of the step.
	Pos string
	Err error
}

// Error says which step failed, where, and why.
func (e *FlowError) Error() string {
	if e.Step == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("step %s (%s): %v", e.Step, e.Pos, e.Err)
}

// Unwrap returns the cause, for errors.As (e.g. *graph.Error).
func (e *FlowError) Unwrap() error { return e.Err }

// ErrAppOnlyNeedsUser fails a flow started with an app-only provider
// (client credentials) and no StartOptions.User: such tokens cannot use /me,
// so the flow must name the mailbox it acts on.
var ErrAppOnlyNeedsUser = errors.New("app-only sign-in (client credentials) cannot act on /me: give the mailbox to act on (StartOptions.User, or --user in the CLI) as a user id or userPrincipalName")

// MissingInputsError lists required inputs that have no value when the flow
// may not ask (StartOptions.NoInput).
type MissingInputsError struct {
	Names []string
}

// Error lists the missing inputs.
func (e *MissingInputsError) Error() string {
	word := "input"
	if len(e.Names) > 1 {
		word = "inputs"
	}
	return fmt.Sprintf("missing required %s: %s", word, strings.Join(e.Names, ", "))
}

// InputError is a value refused for an input when it cannot be asked again:
// a bad preset in a non-interactive run, or too many bad answers.
type InputError struct {
	Input    string
	Message  string
	Attempts int // answers given; 0 for a preset
}

// Error names the input and why its value was refused.
func (e *InputError) Error() string {
	if e.Attempts > 0 {
		return fmt.Sprintf("input %s: no valid answer after %d attempts: %s", e.Input, e.Attempts, e.Message)
	}
	return fmt.Sprintf("input %s: %s", e.Input, e.Message)
}

// FailStepError is the message of a fail step.
type FailStepError struct {
	Message string
}

// Error returns the fail step's message.
func (e *FailStepError) Error() string { return e.Message }

// ErrTemplateChanged is returned by Resume when the state was saved by a
// template that is no longer loaded in that version.
var ErrTemplateChanged = errors.New("engine: the template changed since this session was saved; start the flow again")

// ErrUnknownTemplate is returned by Resume when no loaded template has the
// state's template id.
var ErrUnknownTemplate = errors.New("engine: the session's template is not loaded in this engine")

// ErrStateVersion is the cause (StateError.Err) of a state that another
// version of runflow saved, in a format this engine does not read.
var ErrStateVersion = errors.New("engine: the state was saved by another version of runflow")

// StateError says why a saved state cannot be resumed.
type StateError struct {
	Reason string
	// Err is the cause, if any: a *LimitError for a state over
	// Limits.MaxStateBytes, ErrStateVersion for another format version.
	Err error
}

// Error says why the state cannot be resumed.
func (e *StateError) Error() string { return "engine: bad session state: " + e.Reason }

// Unwrap returns the cause, for errors.As.
func (e *StateError) Unwrap() error { return e.Err }
