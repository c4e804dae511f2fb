package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockingServer holds requests for /users/a/... until release is closed,
// counting the most in flight at once; others are answered at once.
type blockingServer struct {
	*scripted
	inFlight, maxInFlight atomic.Int32
	release               chan struct{}
}

func newBlockingServer(t *testing.T) *blockingServer {
	b := &blockingServer{scripted: newScripted(t), release: make(chan struct{})}
	b.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/users/a/") || strings.Contains(r.URL.Path, "/me/") {
			n := b.inFlight.Add(1)
			for {
				m := b.maxInFlight.Load()
				if n <= m || b.maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			<-b.release
			b.inFlight.Add(-1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"value":[]}`))
	})
	return b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestPerMailboxConcurrency(t *testing.T) {
	srv := newBlockingServer(t)
	// Two clients: the limit is shared by every Client in the process.
	c1, _ := newTestClient(t, srv.URL, nil)
	c2, _ := newTestClient(t, srv.URL, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		path := "/users/a/events"
		if i%3 == 0 {
			path = "/users/A/messages" // same mailbox, other case
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), &Request{Path: path})
			errs <- err
		}()
	}
	waitFor(t, "4 requests in flight", func() bool { return srv.inFlight.Load() == 4 })

	// Another mailbox is not blocked by the first one's full slots.
	done := make(chan error, 1)
	go func() {
		_, err := c1.Do(context.Background(), &Request{Path: "/users/b@contoso.com/events"})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("other mailbox: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a request to another mailbox was blocked by mailbox a's limit")
	}
	time.Sleep(20 * time.Millisecond) // give a 5th request the chance to slip through
	if n := srv.inFlight.Load(); n != 4 {
		t.Fatalf("%d requests in flight for one mailbox; want 4", n)
	}
	close(srv.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if m := srv.maxInFlight.Load(); m > 4 {
		t.Errorf("max in flight = %d; want at most 4", m)
	}
	if n := mailboxes.size(); n != 0 {
		t.Errorf("%d limiter entries left after all requests ended; want 0", n)
	}
}

func TestPerMailboxLimitIsConfigurableAndHonoursContext(t *testing.T) {
	srv := newBlockingServer(t)
	defer close(srv.release)
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxConcurrentPerMailbox = 2 })
	for range 2 {
		go c.Do(context.Background(), &Request{Path: "/me/events", Auth: authReq("alice")})
	}
	waitFor(t, "2 requests in flight", func() bool { return srv.inFlight.Load() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &Request{Path: "/me/events", Auth: authReq("alice")})
	if err == nil || !strings.Contains(err.Error(), "MaxConcurrentPerMailbox") {
		t.Fatalf("err = %v; want a wait for a slot cut short by the context", err)
	}
	// /me for another signed-in subject is another mailbox (the server
	// answers /v1.0/me at once; only the client's limiter could hold it).
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if _, err := c.Do(ctx2, &Request{Path: "/me", Auth: authReq("bob")}); err != nil {
		t.Fatalf("bob's /me was held by alice's slots: %v", err)
	}
}

func TestMailboxKey(t *testing.T) {
	tests := []struct{ url, subject, want string }{
		{"https://graph.microsoft.com/v1.0/me/events", "alice", "graph.microsoft.com|me:alice"},
		{"https://graph.microsoft.com/v1.0/users/Bob@Contoso.com/events", "alice", "graph.microsoft.com|user:bob@contoso.com"},
		{"https://GRAPH.microsoft.com/v1.0/users/a%2Fb/events", "", "graph.microsoft.com|user:a/b"},
		{"https://graph.microsoft.com/beta/users/x", "", "graph.microsoft.com|user:x"},
		{"https://graph.microsoft.com/v1.0/users", "s", "graph.microsoft.com|me:s"},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.url)
		if got := mailboxKey(u.Host, u.EscapedPath(), "/v1.0", tt.subject).String(); got != tt.want {
			t.Errorf("mailboxKey(%s) = %q; want %q", tt.url, got, tt.want)
		}
	}
}
