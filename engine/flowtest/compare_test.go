package flowtest

import (
	"strings"
	"testing"
)

func TestDiffJSON(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes: clipped on a rune boundary
	tests := []struct {
		name, want, got string
		diffs           []string
	}{
		{"equal with other key order and number forms", `{"a":1,"b":[true,null,"x"]}`, `{"b":[true,null,"x"],"a":1.0}`, nil},
		{"nested difference", `{"a":{"b":[1,{"c":"x"}]}}`, `{"a":{"b":[1,{"c":"y"}]}}`, []string{`body.a.b[1].c: expected "x", got "y"`}},
		{"keys that are not identifiers", `{"@odata.type":"#x","1st":1}`, `{"@odata.type":"#y","1st":2}`, []string{`body["1st"]: expected 1, got 2`, `body["@odata.type"]: expected "#x", got "#y"`}},
		{"type change", `{"a":[1]}`, `{"a":{"0":1}}`, []string{`body.a: expected [1], got {"0":1}`}},
		{"missing and extra", `{"a":1}`, `{"b":2}`, []string{`body.a: missing, expected 1`, `body.b: not expected, got 2`}},
		{"lengths", `[1,2]`, `[1]`, []string{`body: expected 2 items, got 1: [1]`}},
		{"long values are clipped", `"a"`, `"` + long + `"`, []string{`body: expected "a", got "` + strings.Repeat("é", 99) + `... (302 bytes)`}},
		{"many differences are capped", `[1,2,3,4,5,6,7,8,9,10]`, `[0,0,0,0,0,0,0,0,0,0]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := decodeJSON([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			g, err := decodeJSON([]byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			got := diffJSON("body", w, g)
			if tt.name == "many differences are capped" {
				if len(got) != maxDiffs+1 || got[maxDiffs] != "... and more differences" {
					t.Errorf("got %d lines: %q", len(got), got)
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(tt.diffs, "\n") {
				t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.diffs, "\n"))
			}
		})
	}
	if _, err := decodeJSON([]byte(`{} {}`)); err == nil {
		t.Error("two values accepted as one")
	}
}
