package engine

import (
	"strconv"
	"strings"
)

// FlowStep is one step of a template with the blocks nested in it: the
// shape of the flow, for `runflow describe` and for drawing it.
type FlowStep struct {
	// Key is the author's id, or "#n" (the step's number in the file).
	Key string
	// ID is the author's id ("" when none).
	ID string
	// Kind is http, set, if, switch, foreach, ask, confirm, say, end or
	// fail.
	Kind string
	// Summary is the one-line description StepInfo has.
	Summary string
	// Line is the step's line in the template file.
	Line int
	// Method and Path are an http step's method and path as written
	// (expressions shown as ${ ... }); Paging says it follows nextLinks.
	Method, Path string
	Paging       bool
	// Input is the input an ask step asks.
	Input string
	// Text is what a say, confirm or fail step says, as written.
	Text string
	// Condition is an if's condition, a switch's subject or a foreach's
	// items, as written; As is a foreach's item name.
	Condition, As string
	// Vars are the variables a set step sets, in order.
	Vars []string
	// Branches are the nested blocks, in document order: an if's then
	// and else, a switch's cases and default, a foreach's body, an http
	// step's on_error rules.
	Branches []FlowBranch
}

// FlowBranch is one block nested in a step.
type FlowBranch struct {
	// Kind is then, else, case, default, each or on_error.
	Kind string
	// Label says when the block runs: "then", "else", "case high",
	// "default", "each list", "on error 404" or "on error ErrorItemNotFound".
	Label string
	// Value is a case's value.
	Value string
	// Continue is an on_error rule that goes on with the next step
	// (it has no steps).
	Continue bool
	Steps    []FlowStep
}

// Flow returns the template's steps as a tree, in document order (the
// inputs asked at the start are not steps: see Inputs).
func (t *Template) Flow() []FlowStep {
	return flowOf(t.userSteps)
}

func flowOf(b *block) []FlowStep {
	if b == nil {
		return nil
	}
	out := make([]FlowStep, 0, len(b.steps))
	for _, s := range b.steps {
		if s.synthetic {
			continue
		}
		out = append(out, s.flowStep())
	}
	return out
}

func (s *step) flowStep() FlowStep {
	f := FlowStep{Key: s.key, ID: s.id, Kind: s.kind.String(), Summary: s.summary(), Line: s.pos.Line}
	switch s.kind {
	case stepHTTP:
		if s.http != nil {
			f.Method, f.Path, f.Paging = s.http.method, pathSource(s.http.path), s.http.paging != nil
		}
		for _, r := range s.onError {
			f.Branches = append(f.Branches, FlowBranch{Kind: "on_error", Label: "on error " + r.label(), Continue: r.cont, Steps: flowOf(r.body)})
		}
	case stepSet:
		for _, v := range s.set {
			f.Vars = append(f.Vars, v.name)
		}
	case stepIf:
		if s.cond != nil {
			f.Condition = s.cond.src
		}
		f.Branches = append(f.Branches, FlowBranch{Kind: "then", Label: "then", Steps: flowOf(s.then)})
		if s.els != nil {
			f.Branches = append(f.Branches, FlowBranch{Kind: "else", Label: "else", Steps: flowOf(s.els)})
		}
	case stepSwitch:
		if s.subject != nil {
			f.Condition = s.subject.src
		}
		for _, cs := range s.cases {
			f.Branches = append(f.Branches, FlowBranch{Kind: "case", Label: "case " + cs.text, Value: cs.text, Steps: flowOf(cs.body)})
		}
		if s.defaultBlk != nil {
			f.Branches = append(f.Branches, FlowBranch{Kind: "default", Label: "default", Steps: flowOf(s.defaultBlk)})
		}
	case stepForeach:
		if s.items != nil {
			f.Condition = s.items.src
		}
		f.As = s.as
		f.Branches = append(f.Branches, FlowBranch{Kind: "each", Label: "each " + s.as, Steps: flowOf(s.body)})
	case stepAsk:
		if s.ask != nil {
			f.Input = s.ask.name
		}
	case stepConfirm, stepSay, stepFail:
		f.Text = valueSource(s.text)
	}
	return f
}

// label is "404", "ErrorItemNotFound" or "404 ErrorItemNotFound".
func (r *errorRule) label() string {
	var parts []string
	for _, st := range r.statuses {
		parts = append(parts, strconv.Itoa(st))
	}
	parts = append(parts, r.codes...)
	return strings.Join(parts, ", ")
}
