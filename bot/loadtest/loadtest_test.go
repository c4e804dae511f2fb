package loadtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testservices"
)

func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// TestReplicas is the multi-replica proof with a small N (set
// RUNFLOW_LOADTEST_N for more; scripts/replicas.sh runs 1,000).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs five processes; skipped with -short")
	}
	c := testservices.Redis(t)
	n := 90
	if v := os.Getenv("RUNFLOW_LOADTEST_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 3 {
			t.Fatalf("RUNFLOW_LOADTEST_N=%q: want a number of conversations, at least 3", v)
		}
	}
	// A turn slower than this ends as "may have been sent" (the write's
	// outcome is unknown when the turn's time runs out); a replica killed
	// while sending a write blocks its conversation this long plus the
	// claim grace: short here (the replicas share one machine's clock, and
	// their store is local), so that the kill holds the test for seconds,
	// not a minute.
	turnTimeout, claimGrace := 5*time.Second, 2*time.Second
	if v := os.Getenv("RUNFLOW_LOADTEST_TURN_TIMEOUT"); v != "" {
		var err error
		if turnTimeout, err = time.ParseDuration(v); err != nil {
			t.Fatalf("RUNFLOW_LOADTEST_TURN_TIMEOUT=%q: %v", v, err)
		}
	}
	if v := os.Getenv("RUNFLOW_LOADTEST_CLAIM_GRACE"); v != "" {
		var err error
		if claimGrace, err = time.ParseDuration(v); err != nil {
			t.Fatalf("RUNFLOW_LOADTEST_CLAIM_GRACE=%q: %v", v, err)
		}
	}
	dir := t.TempDir()
	bin, err := Build(moduleRoot(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	prefix := testservices.RedisPrefix(t, c, "runflow-loadtest")
	res, err := Run(context.Background(), Config{
		Binary: bin, RedisURL: testservices.RedisURL(), Prefix: prefix,
		Conversations: n, Workers: 12, Replicas: 3, DuplicateRate: 0.1, KillAfter: n / 3,
		TurnTimeout: turnTimeout, ClaimGrace: claimGrace, Dir: dir, Log: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if len(res.Twice) > 0 {
		t.Errorf("written more than once: %v", res.Twice)
	}
	if len(res.Missing) > 0 {
		t.Errorf("reported done but not in the sandbox: %v", res.Missing)
	}
	if res.Ended["done"]+res.MaybeSent != n {
		t.Errorf("ended %v with %d may-have-been-sent; want every other conversation done", res.Ended, res.MaybeSent)
	}
	if res.DuplicateMismatch > 0 {
		t.Errorf("%d of %d messages delivered twice got two different Replies", res.DuplicateMismatch, res.Duplicates)
	}
	if !res.Killed {
		t.Errorf("no replica was killed")
	}
}
