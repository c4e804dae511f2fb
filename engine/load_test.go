package engine

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestLoadErrorsGolden checks every problem Check reports for the files in
// testdata/errors against their .golden files (go test -update rewrites
// them). Each file shows one class of load-time problem.
func TestLoadErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			problems := Check(filepath.Base(f), src)
			var lines []string
			for _, p := range problems {
				lines = append(lines, p.String())
			}
			got := strings.Join(lines, "\n") + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
			if len(problems) == 0 {
				t.Fatal("an error example must have problems")
			}
			// Sorted by position.
			for i := 1; i < len(problems); i++ {
				a, b := problems[i-1], problems[i]
				if a.Line > b.Line || (a.Line == b.Line && a.Col > b.Col) {
					t.Errorf("problems not sorted: %v before %v", a, b)
				}
			}
			// Load agrees with Check: it fails exactly when there are errors.
			hasErr := false
			for _, p := range problems {
				hasErr = hasErr || p.Severity == Error
			}
			_, err = Load(filepath.Base(f), src)
			var le *LoadError
			if hasErr != (err != nil) || (err != nil && !errors.As(err, &le)) {
				t.Fatalf("Load error %v, want a *LoadError: %v", err, hasErr)
			}
		})
	}
}

// TestValidTemplates loads every template in testdata/templates with no
// problem at all.
func TestValidTemplates(t *testing.T) {
	files, _ := filepath.Glob("../testdata/templates/*.yaml")
	if len(files) == 0 {
		t.Fatal("no templates")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range Check(filepath.Base(f), src) {
			t.Errorf("%s", p)
		}
		if _, err := LoadFile(f); err != nil {
			t.Errorf("LoadFile: %v", err)
		}
	}
}

func TestLoadLimits(t *testing.T) {
	src := []byte("id: x\n" + strings.Repeat("# padding\n", 200))
	_, err := LoadWithLimits("big.yaml", src, Limits{MaxTemplateBytes: 100})
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 100") {
		t.Fatalf("got %v", err)
	}
	long := "id: x\nname: x\ndescription: x\nscopes: [User.Read]\nsteps:\n  - say: ${ " + strings.Repeat("1 + ", 300) + "1 }\n"
	_, err = LoadWithLimits("long.yaml", []byte(long), Limits{MaxExprNodes: 50})
	if err == nil || !strings.Contains(err.Error(), "long.yaml:6:") {
		t.Fatalf("got %v", err)
	}
}
