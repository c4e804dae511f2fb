package yamlerr

import (
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"colon in a value", "id: x\nsteps:\n  - say: Name: ${ inputs.name }\n", 3, 14,
			`mapping values are not allowed in this context: the value holds ": ", which YAML reads as the start of another key; quote the whole value, as in say: "Name: ${ inputs.name }"`},
		{"colon in a value with double quotes", "steps:\n  - say: Say: \"hi\"\n", 2, 13,
			`mapping values are not allowed in this context: the value holds ": ", which YAML reads as the start of another key; quote the whole value, as in say: 'Say: "hi"'`},
		{"unclosed flow mapping", "template: x\ngraph:\n  - request: {method: GET, path: /me\nexpect: {status: completed}\n", 3, 14,
			`did not find expected ',' or '}' in the {...} or [...] that starts here (look for a missing closing bracket, or for unquoted text holding ?, ": " or # inside it: write text: "Send it?")`},
		{"backquote", "id: x\nname: `x`\n", 2, 7,
			"found character that cannot start any token (a value starting with @, backquote or % must be quoted: write \"@team\" or '${ ... }')"},
		{"bad indentation", "id: x\nsteps:\n  - say: a\n   - say: b\n", 3, 1,
			"did not find expected '-' indicator (check the indentation of this line against the lines above: keys of one mapping, and items of one list, start in the same column)"},
		{"unterminated quote", "id: broken\nname: \"unterminated\nsteps: []\n", 2, 1, "found unexpected end of stream"},
	}
	for _, tc := range tests {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.src), &n)
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		line, col, msg := Describe(err, []byte(tc.src))
		if line != tc.line || col != tc.col || msg != tc.msg {
			t.Errorf("%s (%v):\n got %d:%d: %s\nwant %d:%d: %s", tc.name, err, line, col, msg, tc.line, tc.col, tc.msg)
		}
	}
}

// The faulty line of a large file is found without copying the file per
// line, and a line past the end gives column 1.
func TestDescribeLargeFile(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 50000; i++ {
		b.WriteString("k" + strconv.Itoa(i) + ": v\n")
	}
	b.WriteString("bad: Name: x\n")
	src := []byte(b.String())
	var n yaml.Node
	err := yaml.Unmarshal(src, &n)
	if err == nil {
		t.Fatal("no error")
	}
	line, col, _ := Describe(err, src)
	if line != 50001 || col != 10 {
		t.Errorf("got %d:%d, want 50001:10", line, col)
	}
	if got := lineOf(src, 60000); got != "" {
		t.Errorf("line past the end = %q", got)
	}
}
