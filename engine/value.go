package engine

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// valueKind says how a value in a template is made at run time.
type valueKind int

const (
	valLiteral valueKind = iota // a YAML scalar without ${}
	valExpr                     // a scalar that is exactly ${ ... }: a typed value
	valInterp                   // text with ${ ... } inside: a string
	valList                     // a YAML sequence of values
	valMap                      // a YAML mapping of values (ordered)
)

// value is a piece of YAML that may hold expressions, e.g. an http body.
type value struct {
	kind  valueKind
	pos   Pos
	lit   any         // valLiteral: string, int, float64, bool or nil
	expr  *expression // valExpr
	parts []textPart  // valInterp
	items []*value    // valList
	keys  []string    // valMap
	vals  []*value    // valMap
}

// textPart is literal text or an expression inside a string.
type textPart struct {
	text string
	expr *expression
}

// exprs returns every expression in v, depth first.
func (v *value) exprs(out []*expression) []*expression {
	if v == nil {
		return out
	}
	switch v.kind {
	case valExpr:
		out = append(out, v.expr)
	case valInterp:
		for _, p := range v.parts {
			if p.expr != nil {
				out = append(out, p.expr)
			}
		}
	case valList:
		for _, it := range v.items {
			out = it.exprs(out)
		}
	case valMap:
		for _, it := range v.vals {
			out = it.exprs(out)
		}
	}
	return out
}

// isConst reports whether v has no expression.
func (v *value) isConst() bool { return len(v.exprs(nil)) == 0 }

// decodeValue turns any YAML node into a value.
func (d *decoder) decodeValue(n *yaml.Node, what string) *value {
	n = d.resolve(n)
	pos := posOf(n)
	switch n.Kind {
	case yaml.SequenceNode:
		v := &value{kind: valList, pos: pos}
		for _, it := range n.Content {
			v.items = append(v.items, d.decodeValue(it, what))
		}
		return v
	case yaml.MappingNode:
		v := &value{kind: valMap, pos: pos}
		kvs, _ := d.mapping(n, what, nil)
		for _, kv := range kvs {
			v.keys = append(v.keys, kv.key)
			v.vals = append(v.vals, d.decodeValue(kv.value, what+"."+kv.key))
		}
		return v
	case yaml.ScalarNode:
		return d.decodeScalar(n, what)
	}
	d.ps.errorf(pos, "%s: unexpected YAML", what)
	return &value{kind: valLiteral, pos: pos}
}

// decodeScalar decodes a scalar: a typed literal, one expression or text
// with expressions inside.
func (d *decoder) decodeScalar(n *yaml.Node, what string) *value {
	pos := posOf(n)
	switch n.Tag {
	case "!!null":
		return &value{kind: valLiteral, pos: pos}
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return &value{kind: valLiteral, pos: pos, lit: b}
	case "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			d.ps.errorf(pos, "%s: %s is not an integer this engine can hold", what, n.Value)
		}
		return &value{kind: valLiteral, pos: pos, lit: int(i)}
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			d.ps.errorf(pos, "%s: %s is not a number", what, n.Value)
		}
		return &value{kind: valLiteral, pos: pos, lit: f}
	}
	return d.decodeText(n, what, true)
}

// decodeText decodes a string that may hold ${ ... }. When typed is true, a
// string that is exactly one ${ ... } yields the expression's typed value.
func (d *decoder) decodeText(n *yaml.Node, what string, typed bool) *value {
	pos := posOf(n)
	s := n.Value
	base := scalarBase(n)
	parts, ok := d.splitText(s, base, what)
	if !ok {
		return &value{kind: valLiteral, pos: pos, lit: s}
	}
	if len(parts) == 0 {
		return &value{kind: valLiteral, pos: pos, lit: ""}
	}
	if len(parts) == 1 && parts[0].expr == nil {
		return &value{kind: valLiteral, pos: pos, lit: parts[0].text}
	}
	if typed && len(parts) == 1 && parts[0].expr != nil {
		return &value{kind: valExpr, pos: pos, expr: parts[0].expr}
	}
	return &value{kind: valInterp, pos: pos, parts: parts}
}

// scalarBase returns where the first character of a scalar's value is in
// the file, and whether offsets inside it map to columns one to one (plain
// and simply quoted scalars on one line).
type textBase struct {
	pos   Pos
	exact bool
}

func scalarBase(n *yaml.Node) textBase {
	b := textBase{pos: posOf(n)}
	if strings.Contains(n.Value, "\n") {
		return b
	}
	switch n.Style {
	case 0, yaml.TaggedStyle:
		b.exact = true
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		if !strings.ContainsAny(n.Value, `'\"`) {
			b.pos.Col++
			b.exact = true
		}
	}
	return b
}

// at returns the file position of byte offset off in the scalar text.
func (b textBase) at(s string, off int) Pos {
	if !b.exact {
		return b.pos
	}
	return Pos{Line: b.pos.Line, Col: b.pos.Col + utf8.RuneCountInString(s[:off])}
}

// splitText cuts s into literal text and ${ ... } expressions. "$${" is a
// literal "${". The end of an expression is the first "}" outside string
// literals and nested braces.
func (d *decoder) splitText(s string, base textBase, what string) ([]textPart, bool) {
	var parts []textPart
	var lit strings.Builder
	searchFrom := base.pos
	i := 0
	for i < len(s) {
		if strings.HasPrefix(s[i:], "$${") {
			lit.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			lit.WriteByte(s[i])
			i++
			continue
		}
		end, ok := exprEnd(s, i+2)
		if !ok {
			d.ps.errorf(base.at(s, i), "%s: ${ is not closed by }", what)
			return nil, false
		}
		src := s[i+2 : end]
		lead := len(src) - len(strings.TrimLeft(src, " \t\n"))
		trimmed := strings.TrimSpace(src)
		if trimmed == "" {
			d.ps.errorf(base.at(s, i), "%s: empty expression ${}", what)
			return nil, false
		}
		if off, deep := nestingTooDeep(trimmed, d.maxDepth); deep {
			d.ps.limitf(base.at(s, i+2+lead+off), "MaxExpressionDepth", "%s: the expression is nested more than %d deep (Limits.MaxExpressionDepth)", what, d.maxDepth)
			return nil, false
		}
		if lit.Len() > 0 {
			parts = append(parts, textPart{text: lit.String()})
			lit.Reset()
		}
		e := &expression{src: trimmed, pos: base.at(s, i+2+lead), exact: base.exact}
		if !base.exact {
			// Block and escaped strings: find the expression's text in the
			// file, after the previous one, to point at it exactly.
			if p, ok := d.locate(searchFrom, trimmed); ok {
				e.pos, e.exact = p, !strings.Contains(trimmed, "\n")
				searchFrom = Pos{Line: p.Line, Col: p.Col + 1}
			}
		}
		parts = append(parts, textPart{expr: e})
		i = end + 1
	}
	if lit.Len() > 0 {
		parts = append(parts, textPart{text: lit.String()})
	}
	return parts, true
}

// exprEnd finds the "}" closing an expression that starts at s[start:].
func exprEnd(s string, start int) (int, bool) {
	depth := 0
	var quote byte
	for i := start; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '{', '(', '[':
			depth++
		case ')', ']':
			depth--
		case '}':
			if depth == 0 {
				return i, true
			}
			depth--
		}
	}
	return 0, false
}

// maxLocateLines bounds how far locate looks for an expression's text.
const maxLocateLines = 500

// locate finds needle in the source at or after from, returning where it
// starts. Only needles on one line are looked for.
func (d *decoder) locate(from Pos, needle string) (Pos, bool) {
	if strings.Contains(needle, "\n") || from.Line < 1 {
		return Pos{}, false
	}
	for ln := from.Line; ln <= len(d.lines) && ln < from.Line+maxLocateLines; ln++ {
		line := d.lines[ln-1]
		start := 0
		if ln == from.Line {
			start = byteOffset(line, from.Col-1)
		}
		if k := strings.Index(line[start:], needle); k >= 0 {
			return Pos{Line: ln, Col: utf8.RuneCountInString(line[:start+k]) + 1}, true
		}
	}
	return Pos{}, false
}

// byteOffset returns the byte offset of the n-th rune of s (clamped).
func byteOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
