package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
)

// Reply is what the bot answers to one message.
type Reply struct {
	// Kind is "question", "sign_in", "done", "failed" or "info" (help,
	// cancellation, a refused message).
	Kind string `json:"kind"`
	// Text is the message to show, ready for a chat client. Choices and
	// the sign-in link are in it too, for clients that show only text.
	Text string `json:"text"`
	// Choices are the options of a question, numbered from 1 in Text; the
	// user may answer with the number, the value or the label.
	Choices []string `json:"choices,omitempty"`
	// SignInURL is the link to open to sign in (Kind "sign_in"); empty
	// while the same sign-in still waits for its code.
	SignInURL string `json:"sign_in_url,omitempty"`
}

// Reply kinds.
const (
	KindQuestion = "question"
	KindSignIn   = "sign_in"
	KindDone     = "done"
	KindFailed   = "failed"
	KindInfo     = "info"
)

// skipAnswer is what a user sends for "no answer": chat clients cannot send
// an empty message, and the engine takes "" as the default (or nothing, for
// an optional input).
const skipAnswer = "-"

// maxOutputRows caps the rows of a list shown in a reply; the rest are
// counted, not shown.
const maxOutputRows = 25

// replyFor turns an engine Turn into the reply to send; flow names the
// running flow in failures.
func replyFor(flow string, turn *engine.Turn) Reply {
	switch turn.Kind {
	case engine.KindQuestion:
		return questionReply(turn.Messages, turn.Question)
	case engine.KindSignIn:
		return signInReply(turn.Messages, turn.SignIn)
	case engine.KindDone:
		return doneReply(turn)
	default:
		return Reply{Kind: KindFailed, Text: joinLines(turn.Messages, "Sorry, "+flow+" failed: "+failureText(turn.Err))}
	}
}

func questionReply(said []string, q *engine.Question) Reply {
	r := Reply{Kind: KindQuestion}
	var b strings.Builder
	if q.Error != "" {
		fmt.Fprintf(&b, "%s\n", q.Error)
	}
	b.WriteString(q.Text)
	if q.Hint != "" {
		fmt.Fprintf(&b, " (%s)", q.Hint)
	}
	switch {
	case q.Type == "confirm":
		r.Choices = []string{"yes", "no"}
	case len(q.Choices) > 0:
		for _, c := range q.Choices {
			label := c.Label
			if label == "" {
				label = c.Value
			}
			r.Choices = append(r.Choices, label)
		}
	}
	for i, c := range r.Choices {
		fmt.Fprintf(&b, "\n%d. %s", i+1, c)
	}
	switch {
	case q.Default != "":
		fmt.Fprintf(&b, "\nSend %s to keep %q.", skipAnswer, q.Default)
	case !q.Required:
		fmt.Fprintf(&b, "\nSend %s to skip.", skipAnswer)
	}
	if q.Attempt > 1 {
		fmt.Fprintf(&b, "\n(try %d of %d)", q.Attempt, q.MaxAttempts)
	}
	r.Text = joinLines(said, b.String())
	return r
}

func signInReply(said []string, s *engine.SignIn) Reply {
	r := Reply{Kind: KindSignIn, SignInURL: s.URL}
	var b strings.Builder
	switch {
	case s.URL == "":
		// The same sign-in still waits (a mistyped code).
		fmt.Fprintf(&b, "Not signed in yet: %s.", strings.TrimSuffix(s.Reason, "."))
	default:
		b.WriteString("Please sign in to continue")
		if why := strings.TrimSuffix(s.Reason, "."); why != "" && !strings.EqualFold(why, "sign in to continue") {
			fmt.Fprintf(&b, " (%s)", why)
		}
		if s.MagicCode {
			fmt.Fprintf(&b, ".\nOpen this link, sign in, then type here the 6-digit code the page shows:\n%s", s.URL)
		} else {
			fmt.Fprintf(&b, ".\nOpen this link and sign in, then send any message:\n%s", s.URL)
		}
	}
	r.Text = joinLines(said, b.String())
	return r
}

func doneReply(turn *engine.Turn) Reply {
	lines := append([]string(nil), turn.Messages...)
	switch turn.Status {
	case engine.StatusCancelled:
		lines = append(lines, "Cancelled: nothing was changed.")
	case engine.StatusCompleted:
		for _, o := range turn.Outputs {
			lines = append(lines, formatOutput(o))
		}
	default:
		lines = append(lines, "Finished ("+string(turn.Status)+").")
	}
	if len(lines) == 0 {
		lines = append(lines, "Done.")
	}
	return Reply{Kind: KindDone, Text: strings.Join(lines, "\n")}
}

// failureText says why a flow failed in words for the person chatting; the
// typed errors are told apart so that a Graph refusal shows Graph's own
// message and the ids support needs.
func failureText(err error) string {
	var (
		gerr    *graph.Error
		inErr   *engine.InputError
		failErr *engine.FailStepError
		missing *engine.MissingInputsError
		tokErr  *auth.TokenError
	)
	switch {
	case err == nil:
		return "no reason given"
	case errors.As(err, &tokErr):
		msg := "the Microsoft sign-in service did not give a token"
		if tokErr.Description != "" {
			msg += " (" + strings.TrimSuffix(tokErr.Description, ".") + ")"
		}
		if tokErr.Hint != "" {
			msg += "; " + tokErr.Hint
		}
		return msg
	case errors.As(err, &failErr):
		return failErr.Message
	case errors.As(err, &inErr):
		return fmt.Sprintf("no valid answer for %s after %d tries (%s)", inErr.Input, inErr.Attempts, inErr.Message)
	case errors.As(err, &missing):
		return "some required values were not given: " + strings.Join(missing.Names, ", ")
	case errors.As(err, &gerr):
		msg := fmt.Sprintf("Microsoft Graph answered %d %s: %s", gerr.Status, gerr.Code, gerr.Message)
		if gerr.RequestID != "" {
			msg += " (request-id " + gerr.RequestID + ")"
		}
		return msg
	}
	return err.Error()
}

// formatOutput shows one output as "name: value", or a list of rows.
func formatOutput(o engine.Output) string {
	label := strings.ReplaceAll(o.Name, "_", " ")
	if rows, ok := o.Value.([]any); ok && hasMaps(rows) {
		if len(rows) == 0 {
			return label + ": none"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s:", label)
		for i, row := range rows {
			if i == maxOutputRows {
				fmt.Fprintf(&b, "\n  ... and %d more", len(rows)-i)
				break
			}
			fmt.Fprintf(&b, "\n  %d. %s", i+1, formatRow(row, o.Columns))
		}
		return b.String()
	}
	return label + ": " + formatValue(o.Value)
}

func hasMaps(list []any) bool {
	for _, e := range list {
		if _, ok := e.(map[string]any); ok {
			return true
		}
	}
	return false
}

// formatRow shows a map by its declared columns, the first one as the
// row's title ("Groceries (default: false)"), or by all its keys, sorted,
// when none are declared; other values as themselves.
func formatRow(row any, columns []string) string {
	m, ok := row.(map[string]any)
	if !ok {
		return formatValue(row)
	}
	if len(columns) == 0 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + formatValue(m[k])
		}
		return strings.Join(parts, ", ")
	}
	title := formatValue(m[columns[0]])
	parts := make([]string, 0, len(columns)-1)
	for _, c := range columns[1:] {
		parts = append(parts, c+": "+formatValue(m[c]))
	}
	if len(parts) == 0 {
		return title
	}
	return title + " (" + strings.Join(parts, ", ") + ")"
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		return x
	case time.Time:
		return x.Format("Mon 2 Jan 2006 15:04 MST")
	case []string:
		if len(x) == 0 {
			return "none"
		}
		return strings.Join(x, ", ")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return fmt.Sprint(x)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	return fmt.Sprint(v)
}

func joinLines(before []string, last string) string {
	return strings.Join(append(append([]string(nil), before...), last), "\n")
}
