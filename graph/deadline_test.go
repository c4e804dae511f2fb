package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAttemptDeadlineWithAContextDeadline: the attempt's RequestTimeout
// still applies under a context whose deadline is later, and a context
// deadline that comes first ends the attempt as the context's, not as
// RequestTimeout.
func TestAttemptDeadlineWithAContextDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 || r.URL.Path == "/v1.0/hang" {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})

	// The context allows 10 s; RequestTimeout (1 s) ends the first attempt.
	// It bounds the second attempt too, which under -race on a loaded
	// machine took more than the 50 ms this test once allowed.
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, &Request{Path: "/me"})
	if err != nil || resp.Attempts != 2 {
		t.Fatalf("Do: %v, %+v; want success on the 2nd attempt after the 1st timed out", err, resp)
	}

	// The context allows 50 ms; RequestTimeout is 10 s.
	c, _ = newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 10 * time.Second })
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Path: "/hang"})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "RequestTimeout") {
		t.Fatalf("err = %v; want the context's deadline, not RequestTimeout", err)
	}
}
