package flowtest_test

import (
	"context"
	"path/filepath"
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
