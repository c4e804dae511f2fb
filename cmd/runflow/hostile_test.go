package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A template whose expression is nested hundreds of thousands deep is
// refused with a positioned message and exit code 2; expr's parser used to
// overflow the stack, killing the process with a fatal error.
func TestDeeplyNestedExpressionIsRefused(t *testing.T) {
	for _, c := range []struct {
		name        string
		open, close string
		n           int
	}{
		{"400,000 brackets", "[", "]", 400_000},
		{"520,000 parentheses", "(", ")", 520_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "deep.yaml")
			src := "id: deep\nname: Deep\ndescription: Nested.\nscopes: [User.Read]\nsteps:\n  - say: '${ " +
				strings.Repeat(c.open, c.n) + "1" + strings.Repeat(c.close, c.n) + " }'\n"
			if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"validate", file}, {"run", file, "--sandbox", "--no-input"}} {
				o := newCLI(t).run("", args...).wantCode(t, exitUsage)
				want := "deep.yaml:6:114: say step: the expression is nested more than 100 deep (Limits.MaxExpressionDepth)"
				if !strings.Contains(o.stdout+o.stderr, want) {
					t.Errorf("%s: stdout %.300q, stderr %.300q: want %q", args[0], o.stdout, o.stderr, want)
				}
			}
		})
	}
}
