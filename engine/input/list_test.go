package input

import (
	"reflect"
	"testing"
)

func TestList(t *testing.T) {
	rules := ListRules{MaxItems: 3, MinItemLength: 2, MaxItemLength: 10}
	tests := []struct {
		answer string
		rules  ListRules
		want   []string
		err    string
	}{
		{"socks, toothbrush; charger", ListRules{}, []string{"socks", "toothbrush", "charger"}, ""},
		{" socks ,, Socks ; ", ListRules{}, []string{"socks"}, ""},
		{"none", ListRules{}, []string{}, ""},
		{"a, b, c, d", ListRules{MaxItems: 3}, nil, "Too many items: at most 3."},
		{"a, a, b, c", ListRules{MaxItems: 3}, []string{"a", "b", "c"}, ""},
		{"ok, x", rules, nil, `Item 2, "x", is too short: at least 2 characters.`},
		{"ok, passport holder", rules, nil, `Item 2, "passport holder", is too long: at most 10 characters.`},
		{"käse, übel", ListRules{MaxItemLength: 4}, []string{"käse", "übel"}, ""},
	}
	for _, tc := range tests {
		got, err := Parse(List, tc.answer, Context{List: tc.rules})
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.answer, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %#v, %v; want %#v", tc.answer, got, err, tc.want)
		}
	}
	if _, err := Parse(List, "none", Context{Required: true}); err == nil {
		t.Error(`required list "none" accepted`)
	}
	// Presets: a JSON list goes through the same rules; Format reads back.
	got, err := FromJSON(List, []any{" a ", "b"}, Context{})
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("FromJSON = %#v, %v", got, err)
	}
	if _, err := FromJSON(List, []any{"a", "b"}, Context{List: ListRules{MaxItems: 1}}); err == nil {
		t.Error("FromJSON ignored max items")
	}
	back, err := Parse(List, Format(List, got), Context{})
	if err != nil || !reflect.DeepEqual(back, got) {
		t.Errorf("Format/Parse round trip = %#v, %v", back, err)
	}
}
