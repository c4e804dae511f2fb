package graph

import (
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry defaults; see the package documentation for the policy.
const (
	DefaultMaxAttempts   = 4
	DefaultMaxRetryDelay = 60 * time.Second
	// backoffBase and backoffCap bound exponential backoff: the n-th retry
	// waits a random time in [0, min(backoffCap, backoffBase*2^(n-1))).
	backoffBase = time.Second
	backoffCap  = 30 * time.Second
	// maxRetryAfter bounds a parsed Retry-After so that arithmetic on it
	// cannot overflow; any such wait is over every budget anyway.
	maxRetryAfter = 24 * time.Hour
)

// parseRetryAfter reads a Retry-After value: whole seconds ("2"), decimal
// seconds ("2.128", as Graph sends) or an HTTP date. ok is false when the
// value is absent or unreadable, so that the caller backs off instead.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
			return 0, false
		}
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, maxRetryAfter), true
}

// backoff returns the full-jitter wait before retry number n (1-based).
// rnd returns a float in [0, 1).
func backoff(n int, rnd func() float64) time.Duration {
	ceiling := backoffCap
	if n <= 6 { // 2^5 s = 32 s already exceeds the cap
		ceiling = min(backoffBase<<(n-1), backoffCap)
	}
	return time.Duration(rnd() * float64(ceiling))
}

// neverSent reports whether a transport error proves that nothing reached
// the server: the connection could not be opened.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// isWrite reports whether method changes data on the server.
func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}
