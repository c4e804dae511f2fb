package engine

import (
	"fmt"
	"time"
)

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
	// MaxAliasNodes caps the YAML nodes a template may reach through
	// aliases (checked at load): a "billion laughs" is refused.
	MaxAliasNodes int
	// MaxValueBytes caps the text one evaluation of one expression may
	// build and yield. Every + that joins texts and every text returned by
	// replace, repeat, join, upper, lower, trim, trimPrefix, trimSuffix,
	// string, toJSON, toBase64, fromBase64, formatTime, graphDateTime and
	// odataString is charged to one budget of this size per evaluation
	// (replace, repeat and join before they build it; none of them may
	// exceed the limit the template was loaded with). A text an
	// expression yields, and a string made of several ${ }, are bounded
	// by it too.
	MaxValueBytes int
	// MaxValueDataBytes caps, per evaluation of one expression, the text
	// a list or map it yields holds in all (keys included; a text held
	// twice counts twice, as it would be sent twice), and the data json()
	// copies out of texts. It is larger than MaxValueBytes because such
	// values are mostly read from Graph (MaxItems items of a paged step),
	// not built; a yielded text alone is bounded by MaxValueBytes.
	MaxValueDataBytes int
	// MaxExpressionDepth caps how deeply the brackets, parentheses and
	// braces of one expression may nest (checked at load, in one pass over
	// the source before the expression is parsed: a parser descending
	// hundreds of thousands of levels would overflow the stack).
	MaxExpressionDepth int
	// MaxEvalSteps caps the steps of one evaluation of one expression:
	// every element a predicate of map, filter, reduce, all, any, sortBy,
	// groupBy ... is run on counts one, nested ones included, so that
	// reduce(r, reduce(r, ...)) stops instead of running for hours. The
	// evaluation also stops, every few hundred steps, when the call is
	// cancelled or reaches Limits.FlowTimeout.
	MaxEvalSteps int
	// MaxSessionBytes caps the data a session holds while it runs: the
	// texts of its variables, answers and step results together, checked
	// each time one is set (MaxStateBytes bounds only the saved state).
	MaxSessionBytes int
	// ClaimGrace is added to FlowTimeout before a write's claim in a
	// SessionStore counts as abandoned (StartFlow, HandleMessage): an
	// engine that stopped while sending a write blocks its conversation
	// for FlowTimeout plus ClaimGrace, then the next message ends the flow
	// as "may have been sent". The grace covers what a live engine may
	// still need past FlowTimeout (returning from the cancelled request
	// and recording the outcome in the store) and the disagreement of the
	// clocks of engines sharing the store; it must be at least
	// MinClaimGrace. Shorter unblocks a dead engine's conversations
	// sooner; too short for the slack ends live turns as "may have been
	// sent" (never twice sent: the write is still not repeated).
	ClaimGrace time.Duration
}

// MinClaimGrace is the smallest Limits.ClaimGrace New accepts: under it, a
// healthy engine recording a turn right at FlowTimeout would find its
// claim already ended by another engine.
const MinClaimGrace = time.Second

// LimitError is a limit of Limits (or of the Graph client settings) that a
// template or a session reached. Its message names the setting to raise.
type LimitError struct {
	// Setting is the Limits field, e.g. "MaxForeach" or "StepTimeout".
	Setting string
	// Message says what went over the limit.
	Message string
	// Err is the underlying error, if any: for the timeouts, the request's
	// error, which wraps context.DeadlineExceeded.
	Err error
}

// Error says what went over which limit.
func (e *LimitError) Error() string {
	msg := fmt.Sprintf("%s (Limits.%s)", e.Message, e.Setting)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *LimitError) Unwrap() error { return e.Err }

// DefaultLimits returns the limits used for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxPages:          50,
		MaxItems:          10000,
		MaxForeach:        1000,
		MaxAttempts:       3,
		MaxExprNodes:      2000,
		MaxStateBytes:     1 << 20,
		MaxTemplateBytes:  1 << 20,
		MaxMemory:         1_000_000,
		StepTimeout:       2 * time.Minute,
		FlowTimeout:       10 * time.Minute,
		MaxAliasNodes:     10000,
		MaxValueBytes:     1 << 20,
		MaxValueDataBytes: 32 << 20,

		MaxExpressionDepth: 100,
		MaxEvalSteps:       1_000_000,
		MaxSessionBytes:    64 << 20,
		ClaimGrace:         time.Minute,
	}
}

// withDefaults fills zero (or negative) fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxPages, d.MaxPages)
	orDefault(&l.MaxItems, d.MaxItems)
	orDefault(&l.MaxForeach, d.MaxForeach)
	orDefault(&l.MaxAttempts, d.MaxAttempts)
	orDefault(&l.MaxExprNodes, d.MaxExprNodes)
	orDefault(&l.MaxStateBytes, d.MaxStateBytes)
	orDefault(&l.MaxTemplateBytes, d.MaxTemplateBytes)
	orDefault(&l.MaxMemory, d.MaxMemory)
	orDefault(&l.StepTimeout, d.StepTimeout)
	orDefault(&l.FlowTimeout, d.FlowTimeout)
	orDefault(&l.MaxAliasNodes, d.MaxAliasNodes)
	orDefault(&l.MaxValueBytes, d.MaxValueBytes)
	orDefault(&l.MaxValueDataBytes, d.MaxValueDataBytes)
	orDefault(&l.MaxExpressionDepth, d.MaxExpressionDepth)
	orDefault(&l.MaxEvalSteps, d.MaxEvalSteps)
	orDefault(&l.MaxSessionBytes, d.MaxSessionBytes)
	orDefault(&l.ClaimGrace, d.ClaimGrace)
	return l
}

// orDefault sets *v to def when *v is not a usable (positive) setting.
func orDefault[T int | uint | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
