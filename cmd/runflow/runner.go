package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
)

// runner drives one session: it answers questions on the terminal and
// prints the result.
type runner struct {
	e           *env
	o           *runOptions
	eng         *engine.Engine
	t           *engine.Template
	loc         *time.Location
	tr          *tracer
	prompt      *prompter
	interactive bool
	// signIn signs the user in when the flow asks, on a terminal (the
	// backend's: nil without a profile).
	signIn signInFunc

	messages []string
	// shown counts the messages already printed before a question.
	shown int
}

func (r *runner) run(ctx context.Context, values map[string]any) error {
	opts := engine.StartOptions{
		Inputs:      values,
		User:        r.o.user,
		NoInput:     !r.interactive,
		AutoConfirm: r.o.yes || r.o.dryRun, // a dry run writes nothing to confirm
		DryRun:      r.o.dryRun,
	}
	if r.loc != nil {
		// --zone is the conversation's zone: dates typed are read in it,
		// also where the template would read them in the mailbox's.
		opts.Zone = r.loc.String()
	}
	turn, err := r.eng.Start(ctx, r.t, opts)
	if err != nil {
		return usageErrorf("%v", err)
	}
	for {
		// The progress line goes before anything the turn prints: the
		// messages said before a question, the question, the result.
		r.tr.done()
		r.collect(turn)
		switch turn.Kind {
		case engine.KindQuestion:
			if !r.interactive {
				r.tr.done()
				return r.finishUnanswered(turn.Question)
			}
			r.tr.done()
			answer, err := r.prompt.ask(ctx, turn.Question)
			if err != nil {
				return r.finishInterrupted(err)
			}
			turn, err = r.eng.Resume(ctx, turn.State, answer)
			if err != nil {
				return fmt.Errorf("resuming the flow: %w", err)
			}
		case engine.KindSignIn:
			r.tr.done()
			if !r.interactive || r.signIn == nil {
				return r.finishSignIn(turn.SignIn)
			}
			answer, err := r.signIn(ctx, turn.SignIn)
			if err != nil {
				if ctx.Err() != nil {
					return r.finishInterrupted(ctx.Err())
				}
				return signInError(err)
			}
			turn, err = r.eng.Resume(ctx, turn.State, answer)
			if err != nil {
				return fmt.Errorf("resuming the flow after sign-in: %w", err)
			}
		default:
			r.tr.done()
			if ctx.Err() != nil && turn.Kind == engine.KindFailed {
				var maybe *graph.MaybeSentError
				if errors.As(turn.Err, &maybe) {
					return r.finishInterruptedMidWrite(maybe)
				}
				return r.finishInterrupted(ctx.Err())
			}
			return r.finish(turn)
		}
	}
}

// collect keeps the messages said; in interactive text mode they are shown
// at once, so that they come before the next question.
func (r *runner) collect(turn *engine.Turn) {
	r.messages = append(r.messages, turn.Messages...)
	if r.interactive && r.o.output == "text" && turn.Kind == engine.KindQuestion {
		for _, m := range turn.Messages {
			fmt.Fprintln(r.e.stdout, cleanMessage(m))
		}
		r.shown = len(r.messages)
	}
}

// finish prints the outcome of a finished flow and maps it to an error
// (and so an exit code).
func (r *runner) finish(turn *engine.Turn) error {
	res := result{Template: r.t.ID(), Status: string(turn.Status), Messages: r.messages}
	for _, o := range turn.Outputs {
		res.Outputs = append(res.Outputs, outputItem{Name: o.Name, Value: o.Value, Columns: o.Columns})
	}
	var exit error
	switch {
	case turn.Kind == engine.KindFailed:
		res.Status = string(engine.StatusFailed)
		res.Error = errorDocOf(turn.Err)
		failPosition(res.Error, turn.Err)
		exit = &exitError{code: failureCode(turn.Err), err: failStepError(turn.Err, r.o.verbose)}
	case turn.Status == engine.StatusCancelled:
		exit = &exitError{code: exitCancelled, err: errors.New("the flow was cancelled; nothing more was sent")}
	}
	if err := r.print(res, turn.DryRun); err != nil {
		return err
	}
	if ee, ok := exit.(*exitError); ok && r.o.output == "json" {
		ee.reported = true // the document says it all
	}
	return exit
}

// failureCode is 2 for values the user gave that were refused (a bad
// --set), 3 when a sign-in is needed, 1 for everything else.
func failureCode(err error) int {
	var mi *engine.MissingInputsError
	var ie *engine.InputError
	switch {
	case errors.As(err, &mi):
		return exitUsage
	case errors.As(err, &ie) && ie.Attempts == 0:
		return exitUsage
	}
	if _, ok := auth.IsSignInRequired(err); ok {
		return exitSignIn
	}
	return exitFailed
}

// errorDocOf builds the error of the JSON document: Graph's status, code,
// message and request id when Graph answered, else the message.
func errorDocOf(err error) *errorDoc {
	if err == nil {
		return &errorDoc{Message: "the flow failed"}
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return &errorDoc{Status: ge.Status, Code: ge.Code, Message: ge.Message, RequestID: ge.RequestID}
	}
	return &errorDoc{Message: err.Error()}
}

// finishUnanswered ends a non-interactive run that reached a question the
// presets do not answer (a confirmation without --yes).
func (r *runner) finishUnanswered(q *engine.Question) error {
	if q.Type == "confirm" {
		return usageErrorf("the flow asks %q and cannot ask here (no terminal, or --no-input); give --yes to confirm; nothing was sent", cleanText(q.Text))
	}
	return usageErrorf("the flow asks for %s (%q) and cannot ask here; give --set %s=...; nothing was sent", q.Input, cleanText(q.Text), q.Input)
}

// finishSignIn ends a run that needs a sign-in (exit 3).
func (r *runner) finishSignIn(s *engine.SignIn) error {
	msg := "a sign-in is needed"
	if s != nil {
		if s.Reason != "" {
			msg += ": " + s.Reason
		}
		if len(s.Scopes) > 0 {
			msg += " (scopes " + strings.Join(s.Scopes, " ") + ")"
		}
		if s.URL != "" {
			msg += "\nsign in at: " + s.URL
		}
	}
	return signInError(errors.New(msg + "\n" + notSignedInHelp))
}

// finishInterruptedMidWrite ends a run stopped by Ctrl-C while a write
// was in flight (exit 4): Graph may have applied it, and the user must be
// told, not reassured that nothing was sent.
func (r *runner) finishInterruptedMidWrite(maybe *graph.MaybeSentError) error {
	msg := fmt.Sprintf("cancelled while %s %s was in flight: it may have been sent; check whether it took effect before running the flow again", maybe.Method, maybe.URL)
	res := result{Template: r.t.ID(), Status: string(engine.StatusCancelled), Messages: r.messages, Error: &errorDoc{Message: msg}}
	if err := r.print(res, nil); err != nil {
		return err
	}
	return &exitError{code: exitCancelled, err: errors.New(msg), reported: r.o.output == "json"}
}

// finishInterrupted ends a run stopped by Ctrl-C or the end of stdin (exit 4).
func (r *runner) finishInterrupted(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, errEndOfInput) {
		res := result{Template: r.t.ID(), Status: string(engine.StatusCancelled), Messages: r.messages}
		if err := r.print(res, nil); err != nil {
			return err
		}
		return &exitError{code: exitCancelled, err: errors.New("cancelled; nothing more was sent"), reported: r.o.output == "json"}
	}
	return err
}

// print writes the result in the chosen format.
func (r *runner) print(res result, planned *engine.PlannedRequest) error {
	if r.o.output == "json" {
		return writeJSON(r.e.stdout, res, r.loc, plannedDoc(planned))
	}
	res.Messages = res.Messages[r.shown:]
	var b strings.Builder
	if err := writeText(&b, res, textStyle{loc: r.loc, maxCell: 60}); err != nil {
		return err
	}
	if r.e.stdoutTTY && res.Status == string(engine.StatusCompleted) {
		if tl := dayTimeline(res, r.loc); tl != "" {
			b.WriteString("\n" + tl)
		}
	}
	if planned != nil {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if err := writePlanned(&b, planned); err != nil {
			return err
		}
	}
	_, err := io.WriteString(r.e.stdout, b.String())
	return err
}
