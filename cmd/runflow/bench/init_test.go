package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ownInitAllocBudget bounds the heap allocations that package
// initialisation of runflow's own packages makes, summed, before main
// runs. Every command pays it, `runflow version` included, so tables and
// regular expressions are built on first use (internal/lazyregexp,
// sync.OnceValue, the sandbox's lazyType), not in package variables. It
// was 874 when first set at 1,200, and 213 when lowered to 400; a single
// regexp.MustCompile of a media-type pattern in a package variable cost
// about 4,100.
const ownInitAllocBudget = 400

const modulePath = "github.com/runflow/runflow"

// initAllocs is one line of GODEBUG=inittrace=1: a package and the heap
// allocations its initialisation made.
type initAllocs struct {
	pkg    string
	allocs int
}

// parseInitTrace reads the runtime's inittrace lines:
//
//	init github.com/runflow/runflow/engine @16 ms, 0.22 ms clock, 18816 bytes, 355 allocs
func parseInitTrace(trace []byte) ([]initAllocs, error) {
	var out []initAllocs
	sc := bufio.NewScanner(bytes.NewReader(trace))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[10] != "allocs" {
			continue
		}
		n, err := strconv.Atoi(f[9])
		if err != nil {
			return nil, fmt.Errorf("inittrace line %q: %v", sc.Text(), err)
		}
		out = append(out, initAllocs{pkg: f[1], allocs: n})
	}
	return out, sc.Err()
}

func TestParseInitTrace(t *testing.T) {
	got, err := parseInitTrace([]byte("init runtime @2.4 ms, 0.18 ms clock, 0 bytes, 0 allocs\n" +
		"runflow devel\n" +
		"init github.com/runflow/runflow/engine @16 ms, 0.22 ms clock, 18816 bytes, 355 allocs\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []initAllocs{{"runtime", 0}, {modulePath + "/engine", 355}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
}

// TestOwnPackagesInitCheaply runs `runflow version` with the runtime's
// init trace and holds the allocations of runflow's own packages'
// initialisation to ownInitAllocBudget. Allocation counts, unlike times,
// do not depend on the machine's load.
func TestOwnPackagesInitCheaply(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runflow binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := build(t, dir, modulePath+"/cmd/runflow")
	cmd := exec.Command(bin, "version")
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "PATH=" + os.Getenv("PATH"), "GODEBUG=inittrace=1"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("runflow version: %v\n%s", err, stderr.Bytes())
	}
	trace, err := parseInitTrace(stderr.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	total, own := 0, 0
	var lines []string
	for _, p := range trace {
		if p.pkg == modulePath || strings.HasPrefix(p.pkg, modulePath+"/") {
			own++
			total += p.allocs
			lines = append(lines, fmt.Sprintf("%s: %d", p.pkg, p.allocs))
		}
	}
	if own == 0 {
		t.Fatalf("the init trace names none of runflow's packages; is GODEBUG=inittrace=1 honoured?\n%s", stderr.Bytes())
	}
	t.Logf("%d own packages, %d allocations at init", own, total)
	if total > ownInitAllocBudget {
		t.Errorf("runflow's own packages allocate %d times at init, more than the budget of %d; build tables on first use:\n%s",
			total, ownInitAllocBudget, strings.Join(lines, "\n"))
	}
}
