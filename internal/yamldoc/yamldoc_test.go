package yamldoc

import (
	"fmt"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestPairs(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		known  []string
		want   []string // accepted keys, in order
		reject []string // "key@line:col why [first line]"
	}{
		{name: "all known", src: "a: 1\nb: 2\n", known: []string{"a", "b"}, want: []string{"a", "b"}},
		{name: "nil known takes any key", src: "x: 1\ny: 2\n", want: []string{"x", "y"}},
		{name: "empty known takes none", src: "x: 1\n", known: []string{}, reject: []string{"x@1:1 unknown"}},
		{name: "unknown key", src: "a: 1\nz: 2\n", known: []string{"a"}, want: []string{"a"}, reject: []string{"z@2:1 unknown"}},
		{name: "repeated key names the first", src: "a: 1\nb: 2\na: 3\n", known: []string{"a", "b"},
			want: []string{"a", "b"}, reject: []string{"a@3:1 repeated first@1"}},
		{name: "non-scalar key", src: "? [x]\n: 1\na: 2\n", known: []string{"a"}, want: []string{"a"}, reject: []string{"@1:3 notscalar"}},
		{name: "alias key is resolved", src: "a: &k b\n*k : 2\n", known: []string{"a", "b"}, want: []string{"a", "b"}},
		{name: "empty mapping", src: "{}\n", known: []string{"a"}},
	}
	names := map[KeyProblem]string{NotScalar: "notscalar", Repeated: "repeated", Unknown: "unknown"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.src), &doc); err != nil {
				t.Fatal(err)
			}
			var rejected []string
			pairs := Pairs(Resolve(doc.Content[0]), nil, tc.known, func(k *yaml.Node, why KeyProblem, first *yaml.Node) {
				s := fmt.Sprintf("%s@%d:%d %s", k.Value, k.Line, k.Column, names[why])
				if first != nil {
					s += fmt.Sprintf(" first@%d", first.Line)
				}
				rejected = append(rejected, s)
			})
			var got []string
			for _, p := range pairs {
				got = append(got, p.Key.Value)
				if p.Value == nil {
					t.Errorf("key %s has no value", p.Key.Value)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("accepted %q, want %q", got, tc.want)
			}
			if !reflect.DeepEqual(rejected, tc.reject) {
				t.Errorf("rejected %q, want %q", rejected, tc.reject)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x hi\nb: *x\n"), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0]
	if got := Resolve(m.Content[3]); got.Kind != yaml.ScalarNode || got.Value != "hi" {
		t.Errorf("Resolve(*x) = %v %q, want the scalar hi", got.Kind, got.Value)
	}
	if Resolve(nil) != nil {
		t.Error("Resolve(nil) != nil")
	}
}

func TestKindAndDescribe(t *testing.T) {
	var doc yaml.Node
	src := "[{a: 1}, [1], ~, true, 42, 1.5, text, '42', &x y, *x]"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	items := doc.Content[0].Content
	kinds := []string{"a mapping", "a list", "nothing (null)", "a boolean", "an integer", "a number", "a string", "a string", "a string", "a string"}
	texts := []string{"a mapping", "a list", "nothing (null)", `"true"`, `"42"`, `"1.5"`, `"text"`, `"42"`, `"y"`, `"y"`}
	for i, n := range items {
		if got := Kind(n); got != kinds[i] {
			t.Errorf("Kind(item %d) = %q, want %q", i, got, kinds[i])
		}
		if got := Describe(n); got != texts[i] {
			t.Errorf("Describe(item %d) = %q, want %q", i, got, texts[i])
		}
	}
	if got := Kind(&doc); got != "something else" {
		t.Errorf("Kind(document) = %q", got)
	}
}
