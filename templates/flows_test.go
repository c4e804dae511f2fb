package templates

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/runflow/runflow/engine/flowtest"
)

// TestBuiltinFlows runs the flow tests of every built-in template
// (testdata/flows/<id>/*.flow.yaml) and checks that each template has
// some.
func TestBuiltinFlows(t *testing.T) {
	opts := flowtest.Options{Resolve: flowtest.IDResolver(Get)}
	for _, id := range IDs() {
		dir := filepath.Join("..", "testdata", "flows", id)
		files, err := flowtest.FindFiles(dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if len(files) < 3 {
			t.Errorf("%s: %d flow tests in %s; every built-in needs at least a happy path, a bad answer or a Graph error, and one more", id, len(files), dir)
		}
		for _, file := range files {
			t.Run(id+"/"+filepath.Base(file), func(t *testing.T) {
				t.Parallel()
				res := flowtest.RunFile(context.Background(), file, opts)
				if !res.Passed() {
					t.Error("\n" + res.String())
				}
			})
		}
	}
}
