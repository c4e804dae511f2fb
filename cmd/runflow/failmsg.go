package main

import (
	"errors"
	"fmt"

	"github.com/runflow/runflow/engine"
)

// failStepError is what a user is shown when a template's fail step ends
// the flow, or a value given for an input is refused: the template's
// own message (or the input and why), without the step and the
// file:line:col the engine adds for authors (shown with -v, and in the
// JSON error's step and position).
func failStepError(err error, verbose bool) error {
	msg, ok := userMessage(err)
	if verbose || !ok {
		return fmt.Errorf("the flow failed: %w", err)
	}
	return &plainFail{msg: "the flow failed: " + msg, err: err}
}

// userMessage is the message of a fail step or a refused input value,
// which are written for the person running the flow.
func userMessage(err error) (string, bool) {
	var fs *engine.FailStepError
	if errors.As(err, &fs) {
		return fs.Message, true
	}
	var ie *engine.InputError
	if errors.As(err, &ie) {
		return ie.Error(), true
	}
	return "", false
}

// plainFail prints the fail step's message and unwraps to the whole
// engine error (for errors.As and exit codes).
type plainFail struct {
	msg string
	err error
}

func (p *plainFail) Error() string { return p.msg }
func (p *plainFail) Unwrap() error { return p.err }

// failPosition sets the step and position of a failed flow's JSON error,
// and drops the position from the message of a fail step or a refused
// input value.
func failPosition(doc *errorDoc, err error) {
	var fe *engine.FlowError
	if errors.As(err, &fe) && fe.Step != "" {
		doc.Step, doc.Position = fe.Step, fe.Pos
	}
	if msg, ok := userMessage(err); ok {
		doc.Message = msg
	}
}
