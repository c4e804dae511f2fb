package main

import (
	"errors"
	"fmt"
)

// Exit codes, documented in docs/cli.md.
const (
	exitOK        = 0 // the flow completed (or the command succeeded)
	exitFailed    = 1 // the flow failed (a Graph error, a fail step, too many bad answers)
	exitUsage     = 2 // bad command line, bad input values or a template with errors
	exitSignIn    = 3 // a sign-in is needed before the flow can run
	exitCancelled = 4 // the flow was cancelled (a confirmation answered no, Ctrl-C)
)

// exitError carries the exit code an error maps to. main only maps errors to
// codes; commands say which code by the error type they return.
type exitError struct {
	code int
	err  error
	// reported is true when the command already told the user (for example
	// in the --output json document), so main prints nothing more.
	reported bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a bad command line or bad values (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// templateError reports a template that does not load (exit 2).
func templateError(err error) error {
	return &exitError{code: exitUsage, err: err}
}

// exitCodeOf maps an error to the process exit code.
func exitCodeOf(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, errCancelled) {
		return exitCancelled
	}
	return exitFailed
}

// errCancelled is returned when the user stops a run (Ctrl-C).
var errCancelled = errors.New("cancelled")

// reportError prints err on stderr (unless already reported) and returns
// its exit code.
func reportError(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	reported := errors.As(err, &ee) && ee.reported
	if !reported {
		fmt.Fprintf(e.stderr, "runflow: %v\n", err)
	}
	return exitCodeOf(err)
}
