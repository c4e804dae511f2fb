package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseInputData: any --input content gives values or a usage error
// naming the file, never a panic.
func FuzzParseInputData(f *testing.F) {
	for _, seed := range []string{
		`{"name": "Trip", "max": 5, "to": ["a@x.com"]}`,
		"name: Trip\nonline: yes\n",
		"- a\n- b\n",
		"a: &x [*x]\n",
		"name: [unclosed\n",
		"? complex key\n: value\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		values, err := parseInputData("in.yaml", data)
		if err != nil {
			if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), "in.yaml") {
				t.Fatalf("error %q: want a usage error naming the file", err)
			}
			return
		}
		for name := range values {
			if name == "" {
				t.Fatal("an empty input name was accepted")
			}
		}
	})
}

// FuzzCleanText: text printed to a terminal holds no control character.
func FuzzCleanText(f *testing.F) {
	for _, seed := range []string{"plain", "\x1b[2J\x1b[31mred", "tab\tnew\nline\r", "\u0085\u009b31m", "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{cleanText(s), cleanMessage(s)} {
			for _, r := range out {
				if unsafeRune(r) && r != '\n' {
					t.Fatalf("control character %U left in %q", r, out)
				}
			}
		}
		if strings.Contains(cleanText(s), "\n") {
			t.Fatalf("cleanText kept a line break: %q", cleanText(s))
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(cleanText(s)) > utf8.RuneCountInString(s) {
			t.Fatal("cleanText made the text longer")
		}
	})
}
