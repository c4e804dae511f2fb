package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a Problem stops a template from loading.
type Severity int

const (
	// Error problems make Load fail.
	Error Severity = iota
	// Warning problems are reported by Check but do not stop Load.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a template, at a position in its file.
type Problem struct {
	File     string
	Line     int // 1-based; 0 when the problem concerns the whole file
	Col      int // 1-based
	Severity Severity
	Message  string

	// limit is the Limits field the problem is over, if any: LoadError
	// then unwraps to a *LimitError for it.
	limit string
}

// String formats the problem as "file:line:col: message"; warnings are
// prefixed with "warning: ".
func (p Problem) String() string {
	msg := p.Message
	if p.Severity == Warning {
		msg = "warning: " + msg
	}
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, msg)
}

// LoadError is returned by Load when a template has errors. It lists every
// problem found, errors and warnings, sorted by position.
type LoadError struct {
	Problems []Problem
}

// Error lists the errors (not the warnings), one per line.
func (e *LoadError) Error() string {
	var b strings.Builder
	for _, p := range e.Problems {
		if p.Severity != Error {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns a *LimitError for each error that is over a limit of
// Limits (MaxTemplateBytes, MaxAliasNodes, MaxExprNodes), so that
// errors.As finds them; its Message is the positioned problem.
func (e *LoadError) Unwrap() []error {
	var out []error
	for _, p := range e.Problems {
		if p.Severity == Error && p.limit != "" {
			msg := strings.Replace(p.String(), " (Limits."+p.limit+")", "", 1)
			out = append(out, &LimitError{Setting: p.limit, Message: msg})
		}
	}
	return out
}

// problems collects what the loader finds.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) errorf(pos Pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: pos.Line, Col: pos.Col, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// limitf records an error over the limit setting; the message must name
// it as "(Limits.<setting>)".
func (ps *problems) limitf(pos Pos, setting, format string, args ...any) {
	ps.errorf(pos, format, args...)
	ps.list[len(ps.list)-1].limit = setting
}

func (ps *problems) warnf(pos Pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: pos.Line, Col: pos.Col, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) hasErrors() bool {
	for _, p := range ps.list {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// sorted returns the problems by position, without exact duplicates.
func (ps *problems) sorted() []Problem {
	out := append([]Problem(nil), ps.list...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	dedup := out[:0]
	for i, p := range out {
		if i > 0 && p == out[i-1] {
			continue
		}
		dedup = append(dedup, p)
	}
	return dedup
}

// Pos is a position in a template file.
type Pos struct {
	Line, Col int
}

// String formats the position as "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }
