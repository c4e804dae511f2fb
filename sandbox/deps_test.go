package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNothingOfTheEngine: the sandbox is a stand-in for Microsoft
// Graph and must not share code paths with the engine it tests; what both
// need to know about Graph lives in internal/graphref.
func TestImportsNothingOfTheEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/runflow/runflow/engine" || strings.HasPrefix(pkg, "github.com/runflow/runflow/engine/") {
			t.Errorf("the sandbox imports %s", pkg)
		}
	}
}
