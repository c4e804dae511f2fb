// Package engine loads runflow templates and runs them.
//
// A template is a YAML file (the language is described in docs/templates.md)
// that declares the inputs a flow needs and the steps it takes against
// Microsoft Graph. Load parses and checks a template once: every problem is
// reported with its file:line:col, every expression is compiled against a
// typed environment. The resulting *Template is immutable and may be shared
// by any number of sessions on any number of goroutines.
//
// An Engine runs templates. Start begins a session and returns a Turn: a
// question for the user, a sign-in request, or the end of the flow (done or
// failed). A paused Turn carries State, a small versioned JSON document with
// no tokens in it; Resume continues the session from that state with the
// user's answer, on this machine or another. Run is the one-call form for
// non-interactive use.
//
// The position of a session is a cursor of plain data (a stack of frames
// naming blocks of steps by stable keys), never the Go call stack, so a
// session can pause at any question and resume later.
package engine
