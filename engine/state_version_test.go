package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
)

// TestStateOfAnotherVersion: a state written by the first release
// (version 1, with the fields it had then) or by a newer engine is
// refused as a state of another version, not as a malformed one.
func TestStateOfAnotherVersion(t *testing.T) {
	tp := loadInlineScopes(t, "[]", "inputs:\n  - {name: a, type: string, prompt: A}\nsteps:\n  - say: hi\n")
	e, err := New(Config{GraphURL: "https://graph.microsoft.com/v1.0", Auth: auth.Static("test-token"), Templates: []*Template{tp}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ state, want string }{
		{`{"v":1,"template":"edge","hash":"` + tp.Hash() + `","session":"abc","seq":1,"now":"2026-11-25T10:00:00Z","zone":"UTC","cursor":[{"b":"main","i":0}],"wait":"input"}`,
			"state version 1 is not supported (this engine reads version 2)"},
		{`{"v":3,"template":"edge","new_field":true}`, "state version 3 is not supported"},
		// Not a version: read as a malformed state.
		{`{"v":2.5,"template":"edge"}`, "not a runflow session state"},
	} {
		_, err := e.Resume(context.Background(), []byte(c.state), "x")
		var se *StateError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resume: %v; want a *StateError saying %q", err, c.want)
		}
		if isVersion := !strings.Contains(c.want, "not a runflow"); errors.Is(err, ErrStateVersion) != isVersion {
			t.Errorf("Resume: %v; errors.Is ErrStateVersion = %v, want %v", err, !isVersion, isVersion)
		}
	}
}
