// Package testservices finds the outside services some tests need (Redis,
// Chromium) and skips those tests with a clear message when a service is
// missing, unless RUNFLOW_REQUIRE_SERVICES=1 (set by .ci/run), when they
// fail instead.
package testservices

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisURL is the Redis of the tests when RUNFLOW_REDIS_URL is unset.
const DefaultRedisURL = "redis://127.0.0.1:6379/15"

// Required says whether a missing service fails the test.
func Required() bool { return os.Getenv("RUNFLOW_REQUIRE_SERVICES") == "1" }

// RedisURL is RUNFLOW_REDIS_URL or DefaultRedisURL.
func RedisURL() string {
	if u := os.Getenv("RUNFLOW_REDIS_URL"); u != "" {
		return u
	}
	return DefaultRedisURL
}

// Redis returns a client of the tests' Redis, closed when the test ends,
// or skips (fails when Required) if it does not answer.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("RUNFLOW_REDIS_URL: %v", err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if Required() {
			t.Fatalf("Redis at %s does not answer (RUNFLOW_REQUIRE_SERVICES=1): %v", o.Addr, err)
		}
		t.Skipf("Redis at %s does not answer (%v); set RUNFLOW_REDIS_URL or start Redis to run this test", o.Addr, err)
	}
	return c
}

// RedisPrefix returns a key prefix that no other test or run uses, starting
// with name; the keys under it are deleted when the test ends.
func RedisPrefix(t testing.TB, c *redis.Client, name string) string {
	var b [6]byte
	rand.Read(b[:])
	prefix := name + ":" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return prefix
}

// Chromium returns the path of the Chromium to drive (RUNFLOW_CHROMIUM, by
// default /usr/bin/chromium), or skips (fails when Required).
func Chromium(t testing.TB) string {
	t.Helper()
	path := "/usr/bin/chromium"
	if p := os.Getenv("RUNFLOW_CHROMIUM"); p != "" {
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		if Required() {
			t.Fatalf("Chromium is not at %s (RUNFLOW_REQUIRE_SERVICES=1): %v", path, err)
		}
		t.Skipf("Chromium is not at %s (%v); install chromium or set RUNFLOW_CHROMIUM to run this test", path, err)
	}
	return path
}
