package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
)

// Reply statuses.
const (
	StatusQuestion  = "question"
	StatusSignIn    = "sign_in"
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	StatusIdle      = "idle"
)

// Reply is what the HTTP API answers about a conversation: its status and
// what to show. Exactly one of Question, SignIn, Outputs, Error is set,
// according to Status (none for idle, cancelled, or done without outputs).
type Reply struct {
	Conversation string         `json:"conversation"`
	Status       string         `json:"status"`
	Messages     []string       `json:"messages"`
	Question     *Question      `json:"question"`
	SignIn       *SignIn        `json:"sign_in"`
	Outputs      map[string]any `json:"outputs"`
	Error        *ErrorInfo     `json:"error"`
}

// Question is what the flow asks (status "question").
type Question struct {
	// Input is the input's name; "" for a confirmation.
	Input string `json:"input"`
	Text  string `json:"text"`
	// Type is the input type ("text", "choice", "datetime"...) or "confirm".
	Type string `json:"type"`
	// Choices are the options of a choice (and yes/no for a confirm).
	Choices []Choice `json:"choices"`
	// Hint, Default, Required and Problem (why the previous answer was
	// refused) help a client show the question.
	Hint     string `json:"hint,omitempty"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required"`
	Problem  string `json:"problem,omitempty"`
}

// Choice is one option of a question: answer with its value.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// SignIn is the link to open (status "sign_in"); after signing in, the
// page shows a code to send as the next message. URL is "" while the
// same sign-in waits for its code (a mistyped code).
type SignIn struct {
	URL    string `json:"url"`
	Reason string `json:"reason,omitempty"`
}

// ErrorInfo says why a flow failed (status "failed"): Code is stable, for
// programs; Message is for people.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes of a failed Reply.
const (
	CodeGraph         = "graph_error"    // Graph refused a request (Message has its code and request id)
	CodeMaybeSent     = "maybe_sent"     // a write may have been applied and was not sent again
	CodeInput         = "invalid_input"  // no valid answer after the allowed attempts, or a bad preset
	CodeMissingInputs = "missing_inputs" // required inputs not given
	CodeFailStep      = "flow_failed"    // the template's own fail step
	CodeSignIn        = "sign_in_failed" // the identity platform gave no token
	CodeCannotResume  = "cannot_resume"  // the conversation's flow cannot be resumed (template changed, unknown, bad state)
	CodeInternal      = "internal"       // anything else
)

// replyFor builds the Reply of a Turn.
func replyFor(conversation string, t *engine.Turn) Reply {
	r := Reply{Conversation: conversation, Messages: append([]string{}, t.Messages...)}
	switch t.Kind {
	case engine.KindQuestion:
		r.Status = StatusQuestion
		r.Question = questionOf(t.Question)
	case engine.KindSignIn:
		r.Status = StatusSignIn
		r.SignIn = &SignIn{URL: t.SignIn.URL, Reason: t.SignIn.Reason}
	case engine.KindDone:
		switch t.Status {
		case engine.StatusCancelled:
			r.Status = StatusCancelled
			r.Messages = append(r.Messages, "Cancelled: nothing was changed.")
		default:
			r.Status = StatusDone
			if len(t.Outputs) > 0 {
				r.Outputs = make(map[string]any, len(t.Outputs))
				for _, o := range t.Outputs {
					r.Outputs[o.Name] = o.Value
				}
			}
			if t.OutputsDropped {
				r.Messages = append(r.Messages, "The flow finished; its outputs were too large to keep for a repeated message.")
			}
		}
	case engine.KindFailed:
		r.Status = StatusFailed
		r.Error = errorInfo(t.Err)
	default: // KindIdle
		r.Status = StatusIdle
	}
	return r
}

func questionOf(q *engine.Question) *Question {
	out := &Question{Input: q.Input, Text: q.Text, Type: q.Type, Choices: []Choice{},
		Hint: q.Hint, Default: q.Default, Required: q.Required, Problem: q.Error}
	if q.Type == "confirm" {
		out.Choices = append(out.Choices, Choice{"yes", "Yes"}, Choice{"no", "No"})
	}
	for _, c := range q.Choices {
		label := c.Label
		if label == "" {
			label = c.Value
		}
		out.Choices = append(out.Choices, Choice{Value: c.Value, Label: label})
	}
	return out
}

// errorInfo classifies why a flow failed.
func errorInfo(err error) *ErrorInfo {
	var (
		gerr    *graph.Error
		maybe   *graph.MaybeSentError
		inErr   *engine.InputError
		failErr *engine.FailStepError
		missing *engine.MissingInputsError
		tokErr  *auth.TokenError
	)
	switch {
	case err == nil:
		return &ErrorInfo{Code: CodeInternal, Message: "the flow failed and gave no reason"}
	case errors.As(err, &maybe):
		return &ErrorInfo{Code: CodeMaybeSent, Message: fmt.Sprintf("%s %s may have been sent: it was not sent again; check before trying again", maybe.Method, maybe.URL)}
	case errors.As(err, &tokErr):
		msg := "the Microsoft sign-in service did not give a token"
		if tokErr.Description != "" {
			msg += " (" + strings.TrimSuffix(tokErr.Description, ".") + ")"
		}
		return &ErrorInfo{Code: CodeSignIn, Message: msg}
	case errors.As(err, &failErr):
		return &ErrorInfo{Code: CodeFailStep, Message: failErr.Message}
	case errors.As(err, &inErr):
		return &ErrorInfo{Code: CodeInput, Message: inErr.Error()}
	case errors.As(err, &missing):
		return &ErrorInfo{Code: CodeMissingInputs, Message: missing.Error()}
	case errors.As(err, &gerr):
		msg := fmt.Sprintf("Microsoft Graph answered %d %s: %s", gerr.Status, gerr.Code, gerr.Message)
		if gerr.RequestID != "" {
			msg += " (request-id " + gerr.RequestID + ")"
		}
		return &ErrorInfo{Code: CodeGraph, Message: msg}
	}
	return &ErrorInfo{Code: CodeInternal, Message: err.Error()}
}

// resumeFailure is the Reply for a conversation whose flow cannot be
// resumed by this engine (HandleMessage's error).
func resumeFailure(conversation string, err error) Reply {
	msg := "The flow of this conversation could not be resumed"
	var se *engine.StateError
	switch {
	case errors.Is(err, engine.ErrTemplateChanged):
		msg = "The flow was updated while it waited for you, so it cannot go on"
	case errors.Is(err, engine.ErrUnknownTemplate):
		msg = "The flow of this conversation is no longer available"
	case errors.Is(err, engine.ErrStateVersion):
		msg = "The flow was saved by another version of runflow, so it cannot go on"
	case errors.As(err, &se):
		msg = "The saved state of this conversation was refused (damaged, or saved with another key)"
	}
	return Reply{Conversation: conversation, Status: StatusFailed, Messages: []string{},
		Error: &ErrorInfo{Code: CodeCannotResume, Message: msg + `; send "run ID" to start a flow again.`}}
}

// statusLabel is the metrics label of a Reply's status.
func statusLabel(r Reply) string { return r.Status }

// since is a duration in seconds for the histogram.
func since(start time.Time) float64 { return time.Since(start).Seconds() }
