package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"

	"go.yaml.in/yaml/v3"
)

// A template's version (Template.Hash) is a hash of its parsed content in
// a canonical form: comments, key order, quoting styles, indentation and
// other whitespace outside values do not count, so that such edits keep
// paused sessions resuming. Values, list orders and types do count ("5"
// and 5 differ); aliases count as the content they stand for.

// canonicalHash returns the version of the YAML document root, or "" when
// the document reaches more than budget nodes (an alias bomb, refused by
// the loader anyway).
func canonicalHash(root *yaml.Node, budget int) string {
	c := canonicalizer{budget: budget}
	var buf bytes.Buffer
	if !c.write(&buf, root) {
		return ""
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:16])
}

type canonicalizer struct{ budget int }

func (c *canonicalizer) write(b *bytes.Buffer, n *yaml.Node) bool {
	if c.budget--; c.budget < 0 || n == nil {
		return n == nil && c.budget >= 0
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, x := range n.Content {
			if !c.write(b, x) {
				return false
			}
		}
	case yaml.AliasNode:
		return c.write(b, n.Alias)
	case yaml.ScalarNode:
		b.WriteByte('s')
		writeString(b, n.ShortTag())
		writeString(b, n.Value)
	case yaml.SequenceNode:
		b.WriteByte('q')
		writeLen(b, len(n.Content))
		for _, x := range n.Content {
			if !c.write(b, x) {
				return false
			}
		}
	case yaml.MappingNode:
		type pair struct{ k, v []byte }
		pairs := make([]pair, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			var k, v bytes.Buffer
			if !c.write(&k, n.Content[i]) || !c.write(&v, n.Content[i+1]) {
				return false
			}
			pairs = append(pairs, pair{k.Bytes(), v.Bytes()})
		}
		sort.Slice(pairs, func(i, j int) bool { return bytes.Compare(pairs[i].k, pairs[j].k) < 0 })
		b.WriteByte('m')
		writeLen(b, len(pairs))
		for _, p := range pairs {
			b.Write(p.k)
			b.Write(p.v)
		}
	}
	return true
}

func writeLen(b *bytes.Buffer, n int) {
	b.Write(binary.AppendUvarint(nil, uint64(n)))
}

func writeString(b *bytes.Buffer, s string) {
	writeLen(b, len(s))
	b.WriteString(s)
}
