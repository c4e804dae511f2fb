package main

import (
	"errors"
	"fmt"

	"github.com/runflow/runflow/engine"
)

// failStepError is what a user is shown when a template's fail step ends
// the flow: the template's own message, without the step and the
// file:line:col the engine adds for authors (shown with -v, and in the
// JSON error's step and position).
func failStepError(err error, verbose bool) error {
	var fs *engine.FailStepError
	if verbose || !errors.As(err, &fs) {
		return fmt.Errorf("the flow failed: %w", err)
	}
	return &plainFail{msg: "the flow failed: " + fs.Message, err: err}
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
// and drops the position from a fail step's message.
func failPosition(doc *errorDoc, err error) {
	var fe *engine.FlowError
	if errors.As(err, &fe) && fe.Step != "" {
		doc.Step, doc.Position = fe.Step, fe.Pos
	}
	var fs *engine.FailStepError
	if errors.As(err, &fs) {
		doc.Message = fs.Message
	}
}
