package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func redisURL() string {
	if u := os.Getenv("RUNFLOW_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// needRedis skips (or fails, with RUNFLOW_REQUIRE_SERVICES=1) when no Redis
// answers.
func needRedis(t *testing.T) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatalf("RUNFLOW_REDIS_URL: %v", err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("RUNFLOW_REQUIRE_SERVICES") == "1" {
			t.Fatalf("Redis at %s does not answer (RUNFLOW_REQUIRE_SERVICES=1): %v", o.Addr, err)
		}
		t.Skipf("Redis at %s does not answer (%v); set RUNFLOW_REDIS_URL or start Redis to run this test", o.Addr, err)
	}
	return c
}

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
	c := needRedis(t)
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
	// engine's minute of grace.
	turnTimeout := 5 * time.Second
	if v := os.Getenv("RUNFLOW_LOADTEST_TURN_TIMEOUT"); v != "" {
		var err error
		if turnTimeout, err = time.ParseDuration(v); err != nil {
			t.Fatalf("RUNFLOW_LOADTEST_TURN_TIMEOUT=%q: %v", v, err)
		}
	}
	dir := t.TempDir()
	bin, err := Build(moduleRoot(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	prefix := "runflow-loadtest:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	res, err := Run(context.Background(), Config{
		Binary: bin, RedisURL: redisURL(), Prefix: prefix,
		Conversations: n, Workers: 12, Replicas: 3, DuplicateRate: 0.1, KillAfter: n / 3,
		TurnTimeout: turnTimeout, Dir: dir, Log: t.Logf,
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
