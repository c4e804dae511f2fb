package engine

import "time"

// Limits bound what a template and a session may consume. A zero field means
// the default given in DefaultLimits.
type Limits struct {
	// MaxPages caps the pages an http step with paging follows (a template's
	// paging.max_pages may ask for less, never more).
	MaxPages int
	// MaxItems caps the items collected by one paging http step.
	MaxItems int
	// MaxForeach caps the items of one foreach (a template's max may ask for
	// less, never more).
	MaxForeach int
	// MaxAttempts is the default number of answers an input accepts before
	// the flow fails.
	MaxAttempts int
	// MaxExprNodes caps the size of one expression (checked at load).
	MaxExprNodes int
	// MaxStateBytes caps a saved session state.
	MaxStateBytes int
	// MaxTemplateBytes caps a template file (checked at load).
	MaxTemplateBytes int
	// MaxMemory is the memory budget of one expression evaluation, in
	// expr's allocation units.
	MaxMemory uint
	// StepTimeout bounds one http step, all its pages and retries included.
	StepTimeout time.Duration
	// FlowTimeout bounds one Start, Resume or Run call (the time a session
	// waits for an answer is not counted).
	FlowTimeout time.Duration
}

// DefaultLimits returns the limits used for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxPages:         50,
		MaxItems:         10000,
		MaxForeach:       1000,
		MaxAttempts:      3,
		MaxExprNodes:     2000,
		MaxStateBytes:    1 << 20,
		MaxTemplateBytes: 1 << 20,
		MaxMemory:        1_000_000,
		StepTimeout:      2 * time.Minute,
		FlowTimeout:      10 * time.Minute,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxItems <= 0 {
		l.MaxItems = d.MaxItems
	}
	if l.MaxForeach <= 0 {
		l.MaxForeach = d.MaxForeach
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = d.MaxAttempts
	}
	if l.MaxExprNodes <= 0 {
		l.MaxExprNodes = d.MaxExprNodes
	}
	if l.MaxStateBytes <= 0 {
		l.MaxStateBytes = d.MaxStateBytes
	}
	if l.MaxTemplateBytes <= 0 {
		l.MaxTemplateBytes = d.MaxTemplateBytes
	}
	if l.MaxMemory == 0 {
		l.MaxMemory = d.MaxMemory
	}
	if l.StepTimeout <= 0 {
		l.StepTimeout = d.StepTimeout
	}
	if l.FlowTimeout <= 0 {
		l.FlowTimeout = d.FlowTimeout
	}
	return l
}
