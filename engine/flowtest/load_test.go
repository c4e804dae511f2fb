package flowtest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

func TestLoadFileReportsEveryProblem(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.flow.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad flow files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := LoadFile(file)
			if err == nil {
				t.Fatalf("LoadFile accepted a bad file: %+v", c)
			}
			if _, ok := err.(*LoadError); !ok {
				t.Fatalf("error is %T, want *LoadError: %v", err, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, file+":") {
					t.Errorf("problem does not start with the file name: %q", line)
				}
			}
			checkGolden(t, strings.TrimSuffix(file, ".flow.yaml")+".golden", err.Error()+"\n")
		})
	}
}
