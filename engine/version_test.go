package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// Comments, key order, quoting and indentation do not change a template's
// version; values, types and list order do.
func TestTemplateVersionIsItsContent(t *testing.T) {
	src, err := os.ReadFile("../templates/create-todo-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := mustLoadBytes(t, string(src)).Hash()
	same := map[string]string{
		"comment":     strings.Replace(string(src), "steps:\n", "# the steps\nsteps: # here\n", 1),
		"blank lines": strings.Replace(string(src), "steps:\n", "\n\nsteps:\n", 1),
		"key order":   strings.Replace(strings.Replace(string(src), "version: 1\n", "", 1), "id: create-todo-list\n", "version: 1\nid: create-todo-list\n", 1),
		"quoting":     strings.Replace(string(src), "type: string", `type: "string"`, 1),
		"flow style":  strings.Replace(string(src), "scopes: [Tasks.ReadWrite]", "scopes:\n  - Tasks.ReadWrite", 1),
		"anchor":      strings.Replace(string(src), "type: string", "type: &t string", 1),
	}
	for name, edited := range same {
		if edited == string(src) {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		if h := mustLoadBytes(t, edited).Hash(); h != base {
			t.Errorf("%s: version %s, want %s", name, h, base)
		}
	}
	differ := map[string]string{
		"a value":    strings.Replace(string(src), "Groceries", "Shopping", 1),
		"version":    strings.Replace(string(src), "version: 1", `version: 2`, 1),
		"a new step": strings.Replace(string(src), "  - say:", "  - say: hello\n  - say:", 1),
	}
	for name, edited := range differ {
		if h := mustLoadBytes(t, edited).Hash(); h == base {
			t.Errorf("%s: the version did not change", name)
		}
	}
	// "1" and 1 are different values.
	a := mustLoadBytes(t, "id: x\nname: x\ndescription: x\nscopes: [User.Read]\nsteps:\n  - set: {v: 1}\n").Hash()
	b := mustLoadBytes(t, "id: x\nname: x\ndescription: x\nscopes: [User.Read]\nsteps:\n  - set: {v: '1'}\n").Hash()
	if a == b {
		t.Error("1 and '1' have the same version")
	}
}

func mustLoadBytes(t *testing.T, src string) *Template {
	t.Helper()
	tp, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// A rolling deploy: replica A runs the old template, replica B the new
// one with the old kept loaded; both share one store. A comment-only edit
// changes nothing; after a real change, sessions started on the old
// version finish on it on either replica, sessions started on the new one
// finish on B, and A leaves them untouched for B.
func TestRollingDeploy(t *testing.T) {
	src, err := os.ReadFile("../templates/create-todo-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v1 := mustLoadBytes(t, string(src))
	commented := mustLoadBytes(t, "# reviewed\n"+strings.Replace(string(src), "steps:", "steps: # the write", 1))
	v2 := mustLoadBytes(t, strings.Replace(string(src), `Created the list`, `Made the list`, 1))
	if commented.Hash() != v1.Hash() || v2.Hash() == v1.Hash() {
		t.Fatal("versions")
	}
	g, created := listsGraphSlow(t, 0)
	store := new(MemorySessionStore)
	ctx := context.Background()
	a := convEngine(t, g, nil, v1)
	b := convEngine(t, g, nil, v1, v2)

	// Comment-only edit: B started with the edited file, A resumes.
	if _, err := b.StartFlow(ctx, store, "c0", commented, StartOptions{}, ""); err != nil {
		t.Fatal(err)
	}
	if turn, err := a.HandleMessage(ctx, store, "c0", Message{Text: "one"}); err != nil || turn.Status != StatusCompleted {
		t.Fatalf("comment-only edit: %+v, %v", turn, err)
	}
	// Old session, resumed by the new replica: on the old version.
	a.StartFlow(ctx, store, "c1", v1, StartOptions{}, "")
	turn, err := b.HandleMessage(ctx, store, "c1", Message{Text: "two"})
	if err != nil || turn.Status != StatusCompleted || !strings.HasPrefix(turn.Messages[0], "Created") {
		t.Fatalf("old session on the new replica: %+v, %v", turn, err)
	}
	// New session, reaching the old replica first: refused, kept, then
	// finished by the new replica.
	b.StartFlow(ctx, store, "c2", v2, StartOptions{}, "")
	before, _ := store.Load(ctx, "c2")
	if _, err := a.HandleMessage(ctx, store, "c2", Message{ID: "x", Text: "three"}); !errors.Is(err, ErrTemplateChanged) {
		t.Fatalf("new session on the old replica: %v", err)
	}
	if after, _ := store.Load(ctx, "c2"); after.Seq != before.Seq {
		t.Fatal("the old replica changed the record")
	}
	turn, err = b.HandleMessage(ctx, store, "c2", Message{ID: "x", Text: "three"})
	if err != nil || turn.Status != StatusCompleted || !strings.HasPrefix(turn.Messages[0], "Made") {
		t.Fatalf("new session on the new replica: %+v, %v", turn, err)
	}
	if n := created.Load(); n != 3 {
		t.Errorf("%d lists created, want 3", n)
	}
}
