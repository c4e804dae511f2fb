package flowtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailingCasesReportWhatDiffered runs flow tests that are wrong on
// purpose and compares the report with golden text.
func TestFailingCasesReportWhatDiffered(t *testing.T) {
	files, err := FindFiles("testdata/failing")
	if err != nil || len(files) == 0 {
		t.Fatalf("no failing cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			res := RunFile(context.Background(), file, Options{})
			if res.Passed() {
				t.Fatalf("a case that is wrong on purpose passed")
			}
			for _, f := range res.Failures {
				if f.Where == "" || f.Message == "" {
					t.Errorf("failure without place or message: %+v", f)
				}
			}
			checkGolden(t, strings.TrimSuffix(file, ".flow.yaml")+".golden", res.String())
		})
	}
}

func TestRunDir(t *testing.T) {
	results, err := RunDir("testdata/failing", Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := FindFiles("testdata/failing")
	if len(results) != len(files) {
		t.Fatalf("%d results for %d files", len(results), len(files))
	}
	for i, r := range results {
		if r.File != files[i] || r.Passed() {
			t.Errorf("result %d: file %s passed=%v, want %s failed", i, r.File, r.Passed(), files[i])
		}
	}
	if _, err := RunDir(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "no *.flow.yaml") {
		t.Errorf("empty directory: got %v", err)
	}
	if _, err := RunDir(filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestPassingCaseCountsTurnsAndRequests(t *testing.T) {
	dir := t.TempDir()
	tpl, err := os.ReadFile("testdata/templates/todo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "todo.yaml"), tpl, 0o644); err != nil {
		t.Fatal(err)
	}
	flow := `template: todo.yaml
turns:
  - question: {input: name, type: string, attempt: 1, text: "What should the list be called?"}
    answer: "  Groceries "
graph:
  - request: {method: POST, path: /me/todo/lists, body: {displayName: Groceries}}
    response: {status: 201, body: {id: L1, displayName: Groceries}}
expect:
  outputs: {id: L1, name: Groceries}
  messages: ['Created the list "Groceries".']
  requests: 1
`
	path := filepath.Join(dir, "ok.flow.yaml")
	if err := os.WriteFile(path, []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	res := RunFile(context.Background(), path, Options{})
	if !res.Passed() || res.Turns != 1 || res.Requests != 1 || res.Status != "completed" {
		t.Fatalf("got %+v\n%s", res, res)
	}
	if got := res.String(); got != "PASS "+path+"\n" {
		t.Errorf("String() = %q", got)
	}
}
