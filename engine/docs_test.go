package engine

import (
	"os"
	"strings"
	"testing"

	"github.com/expr-lang/expr/builtin"
)

// docs/templates.md lists every function a template may call: the
// engine's own and every expr builtin that is not disabled.
func TestDocsListEveryFunction(t *testing.T) {
	doc, err := os.ReadFile("../docs/templates.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(doc), "### Functions")
	j := strings.Index(string(doc), "## Inputs")
	if i < 0 || j < i {
		t.Fatal("docs/templates.md has no Functions section before Inputs")
	}
	section := string(doc[i:j])
	names := []string{"json", "graphDateTime", "graphTime", "formatTime", "odataString", "inZone", "atTime", "formatDuration", "choice"}
	for _, f := range builtin.Builtins {
		if f.Name != "now" {
			names = append(names, f.Name)
		}
	}
	for _, name := range names {
		if !strings.Contains(section, "`"+name+"(") && !strings.Contains(section, "`"+name+"`") {
			t.Errorf("docs/templates.md does not document %s()", name)
		}
	}
	// And the engine's own are the ones it declares.
	tp, err := Load("f.yaml", []byte("id: f\nname: F\ndescription: F.\nscopes: [User.Read]\nsteps:\n  - say: '${ formatDuration(duration(\"1h\")) } ${ atTime(now, \"09:00\", \"UTC\") }'\n"))
	if err != nil || tp == nil {
		t.Fatalf("the documented functions do not load: %v", err)
	}
}
