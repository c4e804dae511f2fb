// Package yamldoc holds the walk over yaml.v3 nodes that the template
// decoder (engine) and the flow-test loader (engine/flowtest) share: alias
// resolution, the strict mapping (plain, unique, known keys) and the words
// for what a node is ("a list", "an integer"). Each caller words its own
// messages, so this package reports what is wrong with a key and leaves the
// sentence to it.
package yamldoc

import (
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Resolve follows aliases to the node they name. A nil node stays nil.
// (The engine charges an alias budget as it resolves and passes its own
// resolver to Pairs instead.)
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// KeyProblem says why a mapping key was rejected by Pairs.
type KeyProblem int

const (
	// NotScalar: the key is a mapping or a list, not a plain word.
	NotScalar KeyProblem = iota + 1
	// Repeated: the key appeared before in the same mapping.
	Repeated
	// Unknown: the key is not among the known ones.
	Unknown
)

// Pair is one accepted entry of a mapping: its key (resolved) and its
// value (as written, aliases not yet followed).
type Pair struct {
	Key   *yaml.Node
	Value *yaml.Node
}

// Pairs returns the entries of mapping n whose keys are scalars, appear
// once, and are in known (any key when known is nil), in document order.
// n must already be a resolved mapping node. Keys go through resolve (nil
// means Resolve). Each rejected key is passed to reject with the reason and,
// for a repeated key, the first occurrence's key node; the walk then
// carries on, so that one pass finds every problem.
func Pairs(n *yaml.Node, resolve func(*yaml.Node) *yaml.Node, known []string, reject func(key *yaml.Node, why KeyProblem, first *yaml.Node)) []Pair {
	if resolve == nil {
		resolve = Resolve
	}
	var out []Pair
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			reject(k, NotScalar, nil)
			continue
		}
		if prev, dup := first[k.Value]; dup {
			reject(k, Repeated, prev)
			continue
		}
		first[k.Value] = k
		if known != nil && !slices.Contains(known, k.Value) {
			reject(k, Unknown, nil)
			continue
		}
		out = append(out, Pair{Key: k, Value: v})
	}
	return out
}

// Kind says what n is (aliases followed) by its kind, for messages such as
// "x must be a list, not a mapping": "a mapping", "a list", "nothing
// (null)", "a boolean", "an integer", "a number" or "a string".
func Kind(n *yaml.Node) string {
	return describe(n, func(n *yaml.Node) string {
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		}
		return "a string"
	})
}

// Describe is Kind with a scalar shown as its text in quotes, such as
// "yes" or "42", for messages that show what was written.
func Describe(n *yaml.Node) string {
	return describe(n, func(n *yaml.Node) string { return strconv.Quote(n.Value) })
}

// describe says what n is: its kind, with scalars other than null worded
// by scalar.
func describe(n *yaml.Node, scalar func(*yaml.Node) string) string {
	n = Resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return scalar(n)
	}
	return "something else" // not below a document: the decoders never see one
}
