package bot

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runflow/runflow/templates"
)

// hello is a template of a --templates directory; id is its id.
func hello(id string) string {
	return "id: " + id + `
name: Say hello
description: Greets.
scopes: []
steps:
  - say: Hello!
`
}

func writeTemplate(t *testing.T, dir, file, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// LoadTemplates: the built-ins, a directory's templates added or replacing
// a built-in of the same id, sorted by id; a bad directory refused.
func TestLoadTemplates(t *testing.T) {
	ids := func(dir string) []string {
		t.Helper()
		ts, err := LoadTemplates(dir, nil)
		if err != nil {
			t.Fatalf("LoadTemplates(%q): %v", dir, err)
		}
		var out []string
		for _, tp := range ts {
			out = append(out, tp.ID())
		}
		return out
	}
	builtins := templates.IDs()
	if got := ids(""); !slices.Equal(got, builtins) || !slices.IsSorted(got) {
		t.Errorf("without a directory: %v, want the built-ins %v, sorted", got, builtins)
	}

	dir := t.TempDir()
	writeTemplate(t, dir, "hello.yaml", hello("hello"))
	writeTemplate(t, dir, "mine.yaml", hello("whoami"))
	writeTemplate(t, dir, "notes.txt", "not a template")
	ts, err := LoadTemplates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(builtins), "hello")))
	var got []string
	for _, tp := range ts {
		got = append(got, tp.ID())
		if tp.ID() == "whoami" && tp.Source() != filepath.Join(dir, "mine.yaml") {
			t.Errorf("whoami comes from %s, want the directory's file", tp.Source())
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("with a directory: %v, want %v", got, want)
	}

	empty := t.TempDir()
	twice := t.TempDir()
	writeTemplate(t, twice, "a.yaml", hello("same"))
	writeTemplate(t, twice, "b.yaml", hello("same"))
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(dir, "missing"), "not a directory"},
		{filepath.Join(dir, "hello.yaml"), "not a directory"},
		{empty, "no *.yaml file in it"},
		{twice, `id "same" is already used by`},
	} {
		_, err := LoadTemplates(tc.dir, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadTemplates(%s): %v, want an error saying %q", tc.dir, err, tc.want)
		}
	}
}
