package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cleaning writer removes what a terminal would obey, and keeps text,
// newlines, tabs and every printable rune, even one cut between writes.
func TestCleanWriter(t *testing.T) {
	for _, c := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"plain text", []string{"Réunion à 10 h, 東京 🙂\n\tok"}, "Réunion à 10 h, 東京 🙂\n\tok"},
		{"OSC 52 clipboard write", []string{"a\x1b]52;c;ZXZpbA==\x07b"}, "a]52;c;ZXZpbA==b"},
		{"screen clear", []string{"\x1b[2J\x1b[Hx"}, "[2J[Hx"},
		{"carriage return overwriting a line", []string{"rm -rf /\rok"}, "rm -rf /ok"},
		{"backspace, bell, NUL, DEL", []string{"a\bb\x07c\x00d\x7fe"}, "abcde"},
		{"8-bit CSI (U+009B)", []string{"a\u009b2Jb"}, "a2Jb"},
		{"bidi override", []string{"invoice\u202Efdp.exe\u2066x\u2069"}, "invoicefdp.exex"},
		{"bytes that are not UTF-8", []string{"a\xff\x9bb"}, "a\uFFFD\uFFFDb"},
		{"a rune cut between writes", []string{"caf\xc3", "\xa9 \xe2\x80", "\xae"}, "café "},
		{"a C1 control cut between writes", []string{"x\xc2", "\x9by"}, "xy"},
		{"an escape cut between writes", []string{"x\x1b", "[31my"}, "x[31my"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := newCleanWriter(&buf)
			for _, s := range c.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if buf.String() != c.want {
				t.Errorf("wrote %q, want %q", buf.String(), c.want)
			}
		})
	}
}

// Nothing the CLI prints reaches the terminal with a control character:
// fail: messages, run-time expression errors, messages and load errors,
// whatever put the control characters there (here the template; in the
// issue, a mail subject from Graph interpolated into fail:).
func TestCLIOutputIsCleaned(t *testing.T) {
	const osc52 = `\e]52;c;ZXZpbA==\a`
	const clear = `\e[2J\e[H`
	cases := []struct {
		name, template string
		args           []string
		code           int
		want           string // seen on stdout or stderr, cleaned
	}{
		{"fail step", `steps:
  - fail: "` + osc52 + `Mail from ` + clear + `Mallory\rOK"`, nil, 1, "]52;c;ZXZpbA==Mail from [2J[HMalloryOK"},
		{"run-time expression error", `steps:
  - say: '${ int(vars.x) }'`, nil, 1, `[2J`},
		{"message", `steps:
  - say: "before ` + clear + ` after \u009b1m"`, nil, 0, ""},
		// Load errors quote what they cite; the file's name is printed
		// as it is, and may come from anywhere.
		{"load error in a hostile file name", `steps:
  - say: ${ nope }`, []string{"validate"}, 2, "]52;c;ZXZpbA==.yaml:6:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := newCLI(t)
			src := "id: hostile\nname: Hostile\ndescription: Prints hostile text.\nscopes: [User.Read]\n" + c.template + "\n"
			if c.name == "run-time expression error" {
				src = "id: hostile\nname: Hostile\ndescription: Prints hostile text.\nscopes: [User.Read]\nsteps:\n  - set:\n      x: \"" + clear + "12\"\n  - say: '${ int(vars.x) }'\n"
			}
			file := filepath.Join(t.TempDir(), "hostile.yaml")
			if c.args != nil {
				file = filepath.Join(t.TempDir(), "\x1b]52;c;ZXZpbA==\x07.yaml")
			}
			if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			args := c.args
			if args == nil {
				args = []string{"run", file, "--sandbox", "--no-input"}
			} else {
				args = append(args, file)
			}
			o := cl.run("", args...).wantCode(t, c.code)
			for _, out := range []string{o.stdout, o.stderr} {
				if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && r != '\t' && unsafeRune(r) }); i >= 0 {
					t.Errorf("output holds a control character at %d: %q", i, out)
				}
			}
			if !strings.Contains(o.stdout+o.stderr, c.want) {
				t.Errorf("stdout %q, stderr %q: want them to hold %q", o.stdout, o.stderr, c.want)
			}
		})
	}
}
