package flowtest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runflow/runflow/engine/flowtest"
	"github.com/runflow/runflow/templates"
)

// flowsDir holds the repository's flow tests: one directory per built-in
// template, and engine/ for the engine's own features.
const flowsDir = "../../testdata/flows"

// TestFlows runs every testdata/flows/**/*.flow.yaml file.
func TestFlows(t *testing.T) {
	files, err := flowtest.FindFiles(flowsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no flow tests under %s", flowsDir)
	}
	opts := flowtest.Options{Resolve: flowtest.IDResolver(templates.Get)}
	for _, file := range files {
		name, _ := filepath.Rel(flowsDir, file)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			res := flowtest.RunFile(context.Background(), file, opts)
			if !res.Passed() {
				t.Error("\n" + res.String())
			}
		})
	}
}

// TestDocsExample runs the complete example of docs/flowtests.md, so that
// the reference never shows a flow test that fails.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/flowtests.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## A complete example\n```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/flowtests.md has no complete example")
	}
	path := filepath.Join(t.TempDir(), "example.flow.yaml")
	if err := os.WriteFile(path, []byte(example), 0o644); err != nil {
		t.Fatal(err)
	}
	res := flowtest.RunFile(context.Background(), path, flowtest.Options{Resolve: flowtest.IDResolver(templates.Get)})
	if !res.Passed() || res.Turns != 2 || res.Requests != 1 {
		t.Errorf("the documented example does not pass (turns %d, requests %d):\n%s", res.Turns, res.Requests, res)
	}
}
