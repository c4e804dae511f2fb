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

// problems collects what the loader finds.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) errorf(pos Pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: pos.Line, Col: pos.Col, Severity: Error, Message: fmt.Sprintf(format, args...)})
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
