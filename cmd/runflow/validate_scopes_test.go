package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `runflow validate` refuses User.Read for another user's profile
// (GET /users/{id} with the id from an expression) and names the least
// privileged permission that allows it (issue 14).
func TestValidateOtherUserNeedsDirectoryScope(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	write := func(name, scopes string) string {
		path := filepath.Join(dir, name)
		src := "id: lookup\nname: Look up\ndescription: Shows a colleague.\nscopes: " + scopes + "\n" +
			"inputs:\n  - {name: who, type: email, prompt: \"Who?\"}\nsteps:\n  - http: {method: GET, path: \"/users/${ inputs.who }\"}\n"
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	o := c.run("", "validate", write("weak.yaml", "[User.Read]"))
	if o.code == 0 || !strings.Contains(o.stdout+o.stderr, "GET /users/{id} is not allowed by the declared scopes: add User.ReadBasic.All") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", o.code, o.stdout, o.stderr)
	}
	c.run("", "validate", write("ok.yaml", "[User.ReadBasic.All]")).wantCode(t, 0)
}
