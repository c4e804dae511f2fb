package engine

import (
	"strings"
	"testing"
)

// YAML syntax errors point at the right line: yaml.v3 reports parser
// errors one line early (0-based), scanner errors on their line. Each case
// is a real broken template; line is where the problem (or the collection
// holding it) starts.
func TestYAMLErrorLines(t *testing.T) {
	head := "id: x\nname: X\ndescription: d\nscopes: []\n"
	for _, c := range []struct {
		name, src string
		line      int
		contains  string
	}{
		{"unquoted ? in a flow mapping", head + "steps:\n  - confirm: {text: Send it?, yes: 1}\n  - say: hi\n", 6, "unquoted text holding ?"},
		{"flow mapping on line 1", "a: {b: c?, d: e}\n", 1, "did not find expected ',' or '}'"},
		{"flow mapping over two lines", head + "steps:\n  - http:\n      method: POST\n      path: /me/events\n      body: {a: 1,\n        b: what?, c: 2}\n", 9, "{...}"},
		{"unclosed flow sequence", head + "steps:\n  - foreach: [a, b\n  - say: hi\n", 6, "did not find expected ',' or ']'"},
		{"a list item where a key belongs", head + "steps:\n  - say: hi\n    - bad\n", 6, "did not find expected key"},
		{"closing bracket alone", head + "steps:\n  - say: hi\n  - ]\n", 7, "did not find expected node content"},
		{"undefined tag", "id: x\nname: !x!y z\n", 2, "undefined tag handle"},
		{"tab indentation (scanner)", head + "steps:\n\t- say: hi\n", 6, "cannot start any token"},
		{"colon in a plain value (scanner)", "id: x\nname: a: b\n", 2, "mapping values are not allowed"},
		{"unterminated string (scanner)", "id: x\nname: \"abc\nsteps: []\n", 2, "unexpected end of stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := Check("t.yaml", []byte(c.src))
			if len(ps) != 1 {
				t.Fatalf("want one problem, got %v", ps)
			}
			if ps[0].Line != c.line || !strings.Contains(ps[0].Message, c.contains) {
				t.Errorf("got %v, want line %d containing %q", ps[0], c.line, c.contains)
			}
		})
	}
}
