package flowtest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no flow test file, however broken, may panic the loader, and a
// rejected file always says where and why.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.flow.yaml", "../../testdata/flows/engine/*.flow.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("template: x\ngraph: [{request: {method: GET, path: /me}, response: {body: &a [*a]}}]\nexpect: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.flow.yaml", data)
		if err != nil {
			le, ok := err.(*LoadError)
			if !ok || len(le.Problems) == 0 {
				t.Fatalf("error %T without problems: %v", err, err)
			}
			for _, p := range le.Problems {
				if p.Message == "" || p.File != "fuzz.flow.yaml" {
					t.Fatalf("problem without message or file: %+v", p)
				}
			}
			return
		}
		if c.Template == "" {
			t.Fatal("a case without a template was accepted")
		}
	})
}
