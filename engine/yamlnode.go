package engine

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/internal/suggest"
	"github.com/runflow/runflow/internal/yamldoc"
)

// decoder turns yaml.Nodes into the template model, reporting every problem
// with the node's position and carrying on, so that one pass finds them all.
type decoder struct {
	ps    *problems
	lines []string // the source, for positions inside block strings
	// aliasLimit (Limits.MaxAliasNodes) bounds how many nodes may be
	// reached through YAML aliases, so that a few lines of nested aliases
	// (an "alias bomb") cannot expand into millions of nodes; aliasBudget
	// is what is left of it.
	aliasLimit  int
	aliasBudget int
	aliasBroken bool
	// maxDepth (Limits.MaxExpressionDepth) bounds the nesting of an
	// expression's brackets, checked before expr parses it (depth.go).
	maxDepth int
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// resolve follows an alias node, charging the alias budget for every node
// under the alias target.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.AliasNode {
		return n
	}
	target := n.Alias
	d.aliasBudget -= countNodes(target, d.aliasBudget+1)
	if d.aliasBudget < 0 {
		if !d.aliasBroken {
			d.ps.limitf(posOf(n), "MaxAliasNodes", "YAML aliases expand to more than %d nodes (Limits.MaxAliasNodes); write the template without so many aliases", d.aliasLimit)
			d.aliasBroken = true
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	}
	if target != nil && target.Kind == yaml.AliasNode {
		return d.resolve(target)
	}
	return target
}

// countNodes counts the nodes under n (aliases expanded), stopping at limit.
func countNodes(n *yaml.Node, limit int) int {
	if n == nil {
		return 0
	}
	total := 1
	stack := []*yaml.Node{n}
	depth := 0
	for len(stack) > 0 && total <= limit {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if cur.Kind == yaml.AliasNode {
			depth++
			if depth > limit || cur.Alias == nil {
				continue
			}
			stack = append(stack, cur.Alias)
			continue
		}
		for _, c := range cur.Content {
			total++
			stack = append(stack, c)
		}
	}
	return total
}

// kindName says what a node is in the template decoder's messages: its
// kind ("a mapping", "an integer", ...), not its text.
var kindName = yamldoc.Kind

// keyValue is one entry of a mapping.
type keyValue struct {
	key   string
	kpos  Pos
	value *yaml.Node
}

// mapping checks that n is a mapping with string keys among known, reporting
// duplicates and unknown keys (with a did-you-mean), and returns its entries.
func (d *decoder) mapping(n *yaml.Node, what string, known []string) ([]keyValue, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.MappingNode {
		d.ps.errorf(posOf(n), "%s must be a mapping, not %s", what, kindName(n))
		return nil, false
	}
	var out []keyValue
	for _, p := range yamldoc.Pairs(n, d.resolve, known, func(k *yaml.Node, why yamldoc.KeyProblem, _ *yaml.Node) {
		switch why {
		case yamldoc.NotScalar:
			d.ps.errorf(posOf(k), "%s: keys must be plain words, not %s", what, kindName(k))
		case yamldoc.Repeated:
			d.ps.errorf(posOf(k), "%s: key %q appears twice", what, k.Value)
		case yamldoc.Unknown:
			d.ps.errorf(posOf(k), "%s: unknown key %q%s", what, k.Value, didYouMean(k.Value, known))
		}
	}) {
		out = append(out, keyValue{key: p.Key.Value, kpos: posOf(p.Key), value: p.Value})
	}
	return out, true
}

// nameHint is how the engine's messages hint at the name meant: the
// closest known name, else the sorted list of them, else that none are
// declared.
var nameHint = suggest.Hint{
	Found:  "; did you mean %q?",
	List:   " (expected one of: %s)",
	Sorted: true,
	None:   " (none are declared)",
}

// didYouMean is the hint after an unknown name s (nameHint).
func didYouMean(s string, known []string) string {
	return nameHint.For(s, known)
}

// str decodes a scalar string (numbers and booleans are taken as their text).
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.ps.errorf(posOf(n), "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.ps.errorf(posOf(n), "%s must be true or false, not %s", what, kindName(n))
		return false, false
	}
	b, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return b, true
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int) (int, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.ps.errorf(posOf(n), "%s must be an integer, not %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil || v < int64(lo) || v > int64(hi) {
		d.ps.errorf(posOf(n), "%s must be an integer from %d to %d, not %s", what, lo, hi, n.Value)
		return 0, false
	}
	return int(v), true
}

// seq checks that n is a list and returns its items.
func (d *decoder) seq(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.ps.errorf(posOf(n), "%s must be a list, not %s", what, kindName(n))
		return nil, false
	}
	return n.Content, true
}

// strList decodes a list of strings; a single string is accepted as a list
// of one when single is true.
func (d *decoder) strList(n *yaml.Node, what string) ([]string, []Pos, bool) {
	items, ok := d.seq(n, what)
	if !ok {
		return nil, nil, false
	}
	var out []string
	var poss []Pos
	for _, it := range items {
		s, ok := d.str(it, what+" item")
		if ok {
			out = append(out, s)
			poss = append(poss, posOf(d.resolve(it)))
		}
	}
	return out, poss, true
}
