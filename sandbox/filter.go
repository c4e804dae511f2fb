package sandbox

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The sandbox understands the part of OData $filter that Graph's Outlook
// and To Do collections support and flows use: comparisons (eq, ne, gt, lt,
// ge, le) of a property path with a literal, startswith(path,'text'), and,
// or, not and parentheses. Literals: 'strings' ('' escapes a quote),
// numbers, true, false, null and DateTimeOffset (2024-05-01T00:00:00Z).

type predicate func(Object) bool

type filterToken struct {
	kind string // "ident", "string", "number", "datetime", "(", ")", ","
	text string
	pos  int
}

func filterError(format string, args ...any) *graphError {
	e := newError(400, "BadRequest", format, args...)
	e.message = "Invalid filter clause: " + e.message
	return e
}

func tokenizeFilter(s string) ([]filterToken, *graphError) {
	var toks []filterToken
	for i := 0; i < len(s); {
		ch := rune(s[i])
		switch {
		case ch == ' ' || ch == '\t':
			i++
		case ch == '(' || ch == ')' || ch == ',':
			toks = append(toks, filterToken{kind: string(ch), text: string(ch), pos: i})
			i++
		case ch == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, filterError("unterminated string literal starting at position %d.", i)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, filterToken{kind: "string", text: b.String(), pos: i})
			i = j + 1
		case unicode.IsDigit(ch) || ch == '-':
			j := i + 1
			for j < len(s) && strings.ContainsRune("0123456789.-:+TZtz", rune(s[j])) {
				j++
			}
			text := s[i:j]
			kind := "number"
			if strings.ContainsAny(text, "T:") || strings.Count(text, "-") >= 2 {
				kind = "datetime"
			}
			toks = append(toks, filterToken{kind: kind, text: text, pos: i})
			i = j
		case unicode.IsLetter(ch) || ch == '_' || ch == '@':
			j := i + 1
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || strings.ContainsRune("_/.@", rune(s[j]))) {
				j++
			}
			toks = append(toks, filterToken{kind: "ident", text: s[i:j], pos: i})
			i = j
		default:
			return nil, filterError("unexpected character '%c' at position %d.", ch, i)
		}
	}
	return toks, nil
}

type filterParser struct {
	toks []filterToken
	i    int
	kind *entityKind
}

func parseFilter(raw string, k *entityKind) (predicate, *graphError) {
	if len(raw) > 4096 {
		return nil, filterError("the expression is longer than 4096 characters.")
	}
	toks, err := tokenizeFilter(raw)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, kind: k}
	pred, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, filterError("unexpected '%s' at position %d.", p.toks[p.i].text, p.toks[p.i].pos)
	}
	return pred, nil
}

func (p *filterParser) peekKeyword(kw string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == "ident" && strings.EqualFold(p.toks[p.i].text, kw)
}

func (p *filterParser) next() (filterToken, bool) {
	if p.i >= len(p.toks) {
		return filterToken{}, false
	}
	t := p.toks[p.i]
	p.i++
	return t, true
}

const maxFilterDepth = 32

func (p *filterParser) parseOr(depth int) (predicate, *graphError) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.peekKeyword("or") {
		p.i++
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		l := left
		left = func(o Object) bool { return l(o) || right(o) }
	}
	return left, nil
}

func (p *filterParser) parseAnd(depth int) (predicate, *graphError) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.peekKeyword("and") {
		p.i++
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		l := left
		left = func(o Object) bool { return l(o) && right(o) }
	}
	return left, nil
}

func (p *filterParser) parseUnary(depth int) (predicate, *graphError) {
	if depth > maxFilterDepth {
		return nil, filterError("the expression nests too deeply.")
	}
	if p.peekKeyword("not") {
		p.i++
		inner, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return func(o Object) bool { return !inner(o) }, nil
	}
	t, ok := p.next()
	if !ok {
		return nil, filterError("the expression ends too early.")
	}
	switch {
	case t.kind == "(":
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if c, ok := p.next(); !ok || c.kind != ")" {
			return nil, filterError("missing ')' for the '(' at position %d.", t.pos)
		}
		return inner, nil
	case t.kind == "ident" && strings.EqualFold(t.text, "startswith"):
		return p.parseStartsWith(t)
	case t.kind == "ident" && p.i < len(p.toks) && p.toks[p.i].kind == "(":
		return nil, filterError("the function '%s' is not supported by the sandbox (supported: startswith).", t.text)
	case t.kind == "ident":
		return p.parseComparison(t)
	}
	return nil, filterError("expected a property name at position %d, found '%s'.", t.pos, t.text)
}

func (p *filterParser) parseStartsWith(fn filterToken) (predicate, *graphError) {
	if t, ok := p.next(); !ok || t.kind != "(" {
		return nil, filterError("startswith needs '(' at position %d.", fn.pos)
	}
	pt, ok := p.next()
	if !ok || pt.kind != "ident" {
		return nil, filterError("startswith needs a property as its first argument.")
	}
	path, err := propPath(pt.text, p.kind)
	if err != nil {
		return nil, err
	}
	if t, ok := p.next(); !ok || t.kind != "," {
		return nil, filterError("startswith needs two arguments.")
	}
	lit, ok := p.next()
	if !ok || lit.kind != "string" {
		return nil, filterError("startswith needs a 'string' as its second argument.")
	}
	if t, ok := p.next(); !ok || t.kind != ")" {
		return nil, filterError("missing ')' after startswith's arguments.")
	}
	prefix := strings.ToLower(lit.text)
	pred := func(o Object) bool {
		s, ok := lookupPath(o, path).(string)
		return ok && strings.HasPrefix(strings.ToLower(s), prefix)
	}
	// "startswith(...) eq true" is also valid OData.
	if p.i+1 < len(p.toks) && p.toks[p.i].kind == "ident" && (strings.EqualFold(p.toks[p.i].text, "eq") || strings.EqualFold(p.toks[p.i].text, "ne")) {
		op := strings.ToLower(p.toks[p.i].text)
		b := p.toks[p.i+1]
		if b.kind == "ident" && (strings.EqualFold(b.text, "true") || strings.EqualFold(b.text, "false")) {
			p.i += 2
			want := strings.EqualFold(b.text, "true") == (op == "eq")
			inner := pred
			pred = func(o Object) bool { return inner(o) == want }
		}
	}
	return pred, nil
}

var comparisonOps = map[string]bool{"eq": true, "ne": true, "gt": true, "lt": true, "ge": true, "le": true}

func (p *filterParser) parseComparison(prop filterToken) (predicate, *graphError) {
	path, err := propPath(prop.text, p.kind)
	if err != nil {
		return nil, err
	}
	opTok, ok := p.next()
	if !ok || opTok.kind != "ident" || !comparisonOps[strings.ToLower(opTok.text)] {
		return nil, filterError("expected eq, ne, gt, lt, ge or le after '%s'.", prop.text)
	}
	op := strings.ToLower(opTok.text)
	lit, ok := p.next()
	if !ok {
		return nil, filterError("expected a value after '%s %s'.", prop.text, opTok.text)
	}
	var cmp func(v any) (int, bool) // compares property value v with the literal
	switch lit.kind {
	case "string":
		want := strings.ToLower(lit.text)
		cmp = func(v any) (int, bool) {
			s, ok := v.(string)
			return strings.Compare(strings.ToLower(s), want), ok
		}
	case "number":
		n, err := strconv.ParseFloat(lit.text, 64)
		if err != nil {
			return nil, filterError("'%s' is not a number.", lit.text)
		}
		cmp = func(v any) (int, bool) {
			f, ok := toFloat(v)
			return cmpFloat(f, n), ok
		}
	case "datetime":
		t, err := time.Parse(time.RFC3339Nano, lit.text)
		if err != nil {
			return nil, filterError("'%s' is not a DateTimeOffset (want e.g. 2024-05-01T00:00:00Z).", lit.text)
		}
		cmp = func(v any) (int, bool) {
			vt, ok := parseStoredTime(v)
			return vt.Compare(t), ok
		}
	case "ident":
		switch strings.ToLower(lit.text) {
		case "true", "false":
			want := strings.EqualFold(lit.text, "true")
			cmp = func(v any) (int, bool) {
				b, ok := v.(bool)
				if !ok || b != want {
					return 1, ok
				}
				return 0, true
			}
			if op != "eq" && op != "ne" {
				return nil, filterError("booleans can only be compared with eq or ne.")
			}
		case "null":
			if op != "eq" && op != "ne" {
				return nil, filterError("null can only be compared with eq or ne.")
			}
			isNull := op == "eq"
			return func(o Object) bool { return (lookupPath(o, path) == nil) == isNull }, nil
		default:
			return nil, filterError("comparing two properties ('%s' and '%s') is not supported.", prop.text, lit.text)
		}
	default:
		return nil, filterError("expected a value after '%s %s', found '%s'.", prop.text, opTok.text, lit.text)
	}
	return func(o Object) bool {
		c, ok := cmp(lookupPath(o, path))
		if !ok {
			return op == "ne"
		}
		switch op {
		case "eq":
			return c == 0
		case "ne":
			return c != 0
		case "gt":
			return c > 0
		case "lt":
			return c < 0
		case "ge":
			return c >= 0
		default:
			return c <= 0
		}
	}, nil
}

// parseStoredTime reads a time the sandbox wrote: RFC 3339, or Graph's
// offset-less dateTime (UTC in the views filters run on).
func parseStoredTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.9999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
