// Package bench measures runflow as a whole process: `runflow run` of a
// one-request template against a loopback server, beside the plain
// net/http + gjson program (./plainget) doing the same request, run in
// turns so that both see the same machine. CPU time (user + system of the
// child, from its rusage) is compared, not wall-clock time; see
// BENCHMARKS.md for the command and the figures.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enginebench "github.com/runflow/runflow/engine/bench"
)

// setup is what both programs run against: a loopback Graph, the template
// file, and the two binaries.
type setup struct {
	root     string   // the service root, http://127.0.0.1:port/v1.0
	dir      string   // HOME and config directory of the children
	template string   // the template file
	runflow  string   // the runflow binary
	others   []string // other runflow binaries to compare with
	plain    string   // the plainget binary
}

// newSetup builds both programs (runflow from this tree, unless
// RUNFLOW_BENCH_BIN names another binary) and starts the server.
// RUNFLOW_BENCH_BEFORE may name runflow binaries built from other commits
// (a list, separated as in PATH), which the benchmark then runs in the same
// turns, reported under their file names.
func newSetup(tb testing.TB) *setup {
	tb.Helper()
	dir := tb.TempDir()
	s := &setup{dir: dir, template: filepath.Join(dir, "me.yaml")}
	if err := os.WriteFile(s.template, []byte(enginebench.MeTemplate), 0o600); err != nil {
		tb.Fatal(err)
	}
	s.runflow = os.Getenv("RUNFLOW_BENCH_BIN")
	if s.runflow == "" {
		s.runflow = build(tb, dir, "github.com/runflow/runflow/cmd/runflow")
	}
	s.others = filepath.SplitList(os.Getenv("RUNFLOW_BENCH_BEFORE"))
	s.plain = build(tb, dir, "github.com/runflow/runflow/cmd/runflow/bench/plainget")

	// The flow and the loopback Graph of the in-process benchmark.
	srv := httptest.NewServer(enginebench.MeHandler())
	tb.Cleanup(srv.Close)
	s.root = srv.URL + "/v1.0"
	return s
}

// build compiles pkg into dir and returns the binary's path.
func build(tb testing.TB, dir, pkg string) string {
	tb.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// command returns the process for one of the programs: "plain", "run"
// (runflow run of the template), "version" (runflow version), or
// "NAME-run" and "NAME-version": the same with the binary of
// RUNFLOW_BENCH_BEFORE whose file name is NAME.
func (s *setup) command(which string) *exec.Cmd {
	var cmd *exec.Cmd
	if which == "plain" {
		cmd = exec.Command(s.plain, s.root)
	} else {
		bin, what := s.runflow, which
		for _, other := range s.others {
			if rest, ok := strings.CutPrefix(which, filepath.Base(other)+"-"); ok {
				bin, what = other, rest
			}
		}
		switch what {
		case "run":
			cmd = exec.Command(bin, "run", s.template, "--graph-url", s.root, "--output", "json")
		case "version":
			cmd = exec.Command(bin, "version")
		default:
			panic("unknown program " + which)
		}
	}
	// A clean environment: no profile, no zone, nothing from the caller's
	// config directory.
	cmd.Env = []string{"HOME=" + s.dir, "XDG_CONFIG_HOME=" + s.dir, "RUNFLOW_TOKEN=" + enginebench.Token, "TZ=UTC", "PATH=" + os.Getenv("PATH")}
	return cmd
}

// runOnce runs one program and returns its standard output and the CPU time
// (user + system) it used.
func (s *setup) runOnce(tb testing.TB, which string) ([]byte, time.Duration) {
	out, cpu, _ := s.runMeasured(tb, which)
	return out, cpu
}

// runMeasured is runOnce that also returns the child's minor page faults.
func (s *setup) runMeasured(tb testing.TB, which string) ([]byte, time.Duration, int64) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	cmd := s.command(which)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v\n%s", which, err, stderr.Bytes())
	}
	return stdout.Bytes(), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), minorFaults(cmd.ProcessState)
}

// TestBothProgramsReadTheSameFields checks the harness: both programs do
// the request and print the same two fields, so the benchmark compares
// equal work.
func TestBothProgramsReadTheSameFields(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries; skipped with -short")
	}
	s := newSetup(t)
	want := map[string]string{"name": "Adele Vance", "mail": "AdeleV@contoso.com"}

	plainOut, _ := s.runOnce(t, "plain")
	var plain map[string]string
	if err := json.Unmarshal(plainOut, &plain); err != nil {
		t.Fatalf("plainget printed %q: %v", plainOut, err)
	}
	if fmt.Sprint(plain) != fmt.Sprint(want) {
		t.Errorf("plainget read %v, want %v", plain, want)
	}

	runOut, _ := s.runOnce(t, "run")
	var run struct {
		Status  string            `json:"status"`
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(runOut, &run); err != nil {
		t.Fatalf("runflow run printed %q: %v", runOut, err)
	}
	if run.Status != "completed" || fmt.Sprint(run.Outputs) != fmt.Sprint(want) {
		t.Errorf("runflow run: status %q, outputs %v; want completed, %v", run.Status, run.Outputs, want)
	}
}

// BenchmarkStartup runs, in each iteration, the plain program, `runflow
// run` and `runflow version` one after the other (and the same two of
// each binary of RUNFLOW_BENCH_BEFORE), and reports the median CPU time of each
// and the median of the per-iteration ratios to the plain program, and the
// median of each one's minor page faults (NAME-faults), which depend far
// less on the machine's load than times do. Run it
// with a fixed count of iterations, e.g.
//
//	go test -run='^$' -bench=Startup -benchtime=40x ./cmd/runflow/bench/
func BenchmarkStartup(b *testing.B) {
	s := newSetup(b)
	programs := []string{"run", "version"}
	for _, other := range s.others {
		programs = append(programs, filepath.Base(other)+"-run", filepath.Base(other)+"-version")
	}
	cpu := map[string][]float64{}
	ratio := map[string][]float64{}
	faults := map[string][]float64{}
	for b.Loop() {
		_, p, pf := s.runMeasured(b, "plain")
		cpu["plain"] = append(cpu["plain"], ms(p))
		faults["plain"] = append(faults["plain"], float64(pf))
		for _, which := range programs {
			_, c, f := s.runMeasured(b, which)
			cpu[which] = append(cpu[which], ms(c))
			ratio[which] = append(ratio[which], ms(c)/ms(p))
			faults[which] = append(faults[which], float64(f))
		}
	}
	b.ReportMetric(median(cpu["plain"]), "plain-cpu-ms")
	b.ReportMetric(median(faults["plain"]), "plain-faults")
	for _, which := range programs {
		b.ReportMetric(median(cpu[which]), which+"-cpu-ms")
		b.ReportMetric(median(ratio[which]), which+"/plain")
		b.ReportMetric(median(faults[which]), which+"-faults")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median returns the middle value (the mean of the two middle ones for an
// even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
