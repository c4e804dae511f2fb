package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// exprError is an expression that failed while running.
type exprError struct {
	file string
	src  string
	pos  Pos
	err  error
}

func (e *exprError) Error() string {
	return fmt.Sprintf("${ %s } (%s:%d:%d): %v", e.src, e.file, e.pos.Line, e.pos.Col, e.err)
}

func (e *exprError) Unwrap() error { return e.err }

func (s *session) eval(e *expression) (any, error) {
	if e == nil || e.prog == nil {
		return nil, fmt.Errorf("expression not compiled")
	}
	s.budget.reset(&s.e.lim)
	v, err := s.vm.Run(e.prog, s.env)
	if err != nil {
		msg := err.Error()
		if fe, ok := asFileError(err); ok {
			msg = fe.Message
		}
		var cause error = errors.New(msg)
		var limit *LimitError
		if s.budget.stopped != nil {
			// Cancelled or out of time (budget.step): the flow's
			// own error, which wraps the context's.
			cause = s.budget.stopped
		} else if errors.As(err, &limit) {
			cause = limit
		} else if strings.Contains(msg, "memory budget exceeded") {
			cause = &LimitError{Setting: "MaxMemory", Message: fmt.Sprintf("memory budget exceeded: the expression used more than %d units", s.e.lim.MaxMemory)}
		}
		return nil, &exprError{file: s.t.source, src: e.src, pos: e.pos, err: cause}
	}
	if err := s.checkValueSize(v); err != nil {
		return nil, &exprError{file: s.t.source, src: e.src, pos: e.pos, err: err}
	}
	return v, nil
}

// checkValueSize bounds what an expression yields: a text by
// MaxValueBytes, the texts of a list or map together by MaxValueDataBytes.
func (s *session) checkValueSize(v any) error {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return nil
	case string:
		if len(x) > s.e.lim.MaxValueBytes {
			return &LimitError{Setting: "MaxValueBytes", Message: fmt.Sprintf("the text is %d bytes, more than the limit of %d", len(x), s.e.lim.MaxValueBytes)}
		}
		return nil
	}
	if valueBytes(v, s.e.lim.MaxValueDataBytes) > s.e.lim.MaxValueDataBytes {
		return &LimitError{Setting: "MaxValueDataBytes", Message: fmt.Sprintf("the value holds more than %d bytes of text, or more than %d elements, or is nested more than %d deep", s.e.lim.MaxValueDataBytes, maxValueElements, maxValueDepth)}
	}
	return nil
}

func (s *session) evalBool(e *expression) (bool, error) {
	v, err := s.eval(e)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, &exprError{file: s.t.source, src: e.src, pos: e.pos, err: fmt.Errorf("expected true or false, got %s", typeName(v))}
	}
	return b, nil
}

// evalValue evaluates a value to Go data: lists are []any, maps
// map[string]any.
func (s *session) evalValue(v *value) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.kind {
	case valLiteral:
		return v.lit, nil
	case valExpr:
		return s.eval(v.expr)
	case valInterp:
		return s.evalText(v)
	case valList:
		out := make([]any, len(v.items))
		for i, it := range v.items {
			x, err := s.evalValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case valMap:
		out := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, err := s.evalValue(v.vals[i])
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown value kind")
}

// evalText evaluates a value to its text form.
func (s *session) evalText(v *value) (string, error) {
	if v == nil {
		return "", nil
	}
	switch v.kind {
	case valInterp:
		var b strings.Builder
		for _, p := range v.parts {
			if p.expr == nil {
				b.WriteString(p.text)
				continue
			}
			x, err := s.eval(p.expr)
			if err != nil {
				return "", err
			}
			b.WriteString(textOf(x))
			if b.Len() > s.e.lim.MaxValueBytes {
				return "", &exprError{file: s.t.source, src: p.expr.src, pos: p.expr.pos,
					err: &LimitError{Setting: "MaxValueBytes", Message: fmt.Sprintf("the text is more than %d bytes", s.e.lim.MaxValueBytes)}}
			}
		}
		return b.String(), nil
	default:
		x, err := s.evalValue(v)
		if err != nil {
			return "", err
		}
		return textOf(x), nil
	}
}

// writeJSON writes v as JSON, keeping the key order of YAML mappings.
func (s *session) writeJSON(buf *bytes.Buffer, v *value) error {
	switch v.kind {
	case valList:
		buf.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := s.writeJSON(buf, it); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case valMap:
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			if err := s.writeJSON(buf, v.vals[i]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	x, err := s.evalValue(v)
	if err != nil {
		return err
	}
	x, _ = withFileBytes(x) // files.go: a file in a body is its bytes, base64
	b, err := json.Marshal(JSONValue(x))
	if err != nil {
		return fmt.Errorf("the value at %d:%d cannot be sent as JSON: %v", v.pos.Line, v.pos.Col, err)
	}
	buf.Write(b)
	// Each value is bounded, but a body can list many of them.
	if buf.Len() > s.e.lim.MaxValueDataBytes {
		return &LimitError{Setting: "MaxValueDataBytes", Message: fmt.Sprintf("the body at %d:%d is more than %d bytes", v.pos.Line, v.pos.Col, s.e.lim.MaxValueDataBytes)}
	}
	return nil
}
