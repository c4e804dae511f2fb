package flowtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/internal/suggest"
	"github.com/runflow/runflow/internal/yamldoc"
)

// Problem is one thing wrong in a flow test file, with its position.
type Problem struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.File + ": " + p.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
}

// LoadError lists every problem found in a flow test file, sorted by
// position.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// decoder walks a YAML node tree and collects problems instead of stopping
// at the first one.
type decoder struct {
	file     string
	problems []Problem
	// jsonNodes counts the nodes written by toJSON, aliases expanded, so
	// that a file of nested aliases cannot blow up into billions of values.
	jsonNodes int
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	p := Problem{File: d.file, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

func (d *decoder) err() error {
	if len(d.problems) == 0 {
		return nil
	}
	sort.SliceStable(d.problems, func(i, j int) bool {
		a, b := d.problems[i], d.problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &LoadError{Problems: d.problems}
}

// resolve follows aliases.
var resolve = yamldoc.Resolve

// fields checks that n is a mapping whose keys are all in known, and returns
// the value nodes by key. Unknown and duplicate keys are reported; unknown
// keys get a did-you-mean suggestion.
func (d *decoder) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	n = resolve(n)
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping (key: value lines), got %s", what, yamldoc.Describe(n))
		return out
	}
	for _, p := range yamldoc.Pairs(n, resolve, known, func(k *yaml.Node, why yamldoc.KeyProblem, first *yaml.Node) {
		switch why {
		case yamldoc.NotScalar:
			d.errorf(k, "%s: keys must be plain words", what)
		case yamldoc.Repeated:
			d.errorf(k, "%s: key %q is repeated (first at line %d)", what, k.Value, first.Line)
		case yamldoc.Unknown:
			d.errorf(k, "%s: unknown key %q%s", what, k.Value, keyHint.For(k.Value, known))
		}
	}) {
		out[p.Key.Value] = p.Value
	}
	return out
}

// keyNode returns the key node of key in mapping n, for positions.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return n
}

// keyHint and valueHint are how a flow test's messages hint at the key or
// value meant: the likely one (a typo, or a word cut short), and for a key
// the list of the known ones too.
var (
	keyHint   = suggest.Hint{Prefixes: true, Found: " (did you mean %q?)", List: "; expected one of: %s", ListAlways: true}
	valueHint = suggest.Hint{Prefixes: true, Found: " (did you mean %q?)"}
)

// str decodes a scalar as text. Any scalar is accepted (an answer "yes" or
// 42 is the text the user typed); mappings and lists are not.
func (d *decoder) str(n *yaml.Node, what string) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s must be text, got %s", what, yamldoc.Describe(n))
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	n = resolve(n)
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n, "%s must be true or false, got %s", what, yamldoc.Describe(n))
	}
	return b
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int) int {
	n = resolve(n)
	i, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		d.errorf(n, "%s must be a whole number, got %s", what, yamldoc.Describe(n))
		return 0
	}
	if i < lo || i > hi {
		d.errorf(n, "%s must be between %d and %d, got %d", what, lo, hi, i)
	}
	return i
}

// strList decodes a list of texts; a single scalar is accepted as a list of
// one when single is true.
func (d *decoder) strList(n *yaml.Node, what string, single bool) []string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && single && n.Tag != "!!null" {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, got %s", what, yamldoc.Describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		out = append(out, d.str(c, fmt.Sprintf("%s[%d]", what, i)))
	}
	return out
}

// toJSON writes the YAML node as JSON text, keeping the order of mapping
// keys. Timestamps stay the text that was written; YAML-only values (such as
// .inf) are reported.
func (d *decoder) toJSON(n *yaml.Node, what string) []byte {
	var buf bytes.Buffer
	d.writeJSON(&buf, n, what, 0)
	return buf.Bytes()
}

const (
	maxYAMLDepth = 64
	maxJSONNodes = 100_000 // larger bodies belong in a body_file
)

func (d *decoder) writeJSON(buf *bytes.Buffer, n *yaml.Node, what string, depth int) {
	n = resolve(n)
	d.jsonNodes++
	if d.jsonNodes == maxJSONNodes {
		d.errorf(n, "%s: the file expands to more than %d values (aliases inside aliases?)", what, maxJSONNodes)
	}
	if d.jsonNodes >= maxJSONNodes {
		buf.WriteString("null")
		return
	}
	if depth > maxYAMLDepth {
		d.errorf(n, "%s is nested more than %d levels deep", what, maxYAMLDepth)
		buf.WriteString("null")
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := map[string]bool{}
		first := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				d.errorf(k, "%s: JSON object keys must be text", what)
				continue
			}
			if seen[k.Value] {
				d.errorf(k, "%s: key %q is repeated", what, k.Value)
				continue
			}
			seen[k.Value] = true
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeString(buf, k.Value)
			buf.WriteByte(':')
			d.writeJSON(buf, n.Content[i+1], what+"."+k.Value, depth+1)
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			d.writeJSON(buf, c, fmt.Sprintf("%s[%d]", what, i), depth+1)
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		d.writeScalar(buf, n, what)
	default:
		d.errorf(n, "%s: unsupported YAML", what)
		buf.WriteString("null")
	}
}

func (d *decoder) writeScalar(buf *bytes.Buffer, n *yaml.Node, what string) {
	switch n.Tag {
	case "!!null":
		buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			d.errorf(n, "%s: %v", what, err)
		}
		buf.WriteString(strconv.FormatBool(b))
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var u uint64
			if err2 := n.Decode(&u); err2 != nil {
				d.errorf(n, "%s: %q is not a number JSON can carry", what, n.Value)
			}
			buf.WriteString(strconv.FormatUint(u, 10))
			return
		}
		buf.WriteString(strconv.FormatInt(i, 10))
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			d.errorf(n, "%s: %q is not a number JSON can carry", what, n.Value)
			buf.WriteString("null")
			return
		}
		buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	default: // !!str, !!timestamp, !!binary and custom tags: the text as written
		writeString(buf, n.Value)
	}
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}
