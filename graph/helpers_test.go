package graph

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
)

// testToken is the access token used by tests; traces and errors are
// searched for it.
const testToken = "tok-SECRET-3f9a1c77e2"

// fixedNow is the fake clock for Retry-After dates.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// sleepRecorder is an instant Config.Sleep that records the waits asked.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return nil
}

func (r *sleepRecorder) recorded() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// newTestClient returns a client for srv's /v1.0 with instant sleeps,
// jitter fixed at one half, and the fake clock.
func newTestClient(t testing.TB, baseURL string, mod func(*Config)) (*Client, *sleepRecorder) {
	t.Helper()
	rec := &sleepRecorder{}
	cfg := Config{
		BaseURL: baseURL + "/v1.0",
		Auth:    auth.Static(testToken),
		Sleep:   rec.sleep,
		Rand:    func() float64 { return 0.5 },
		Now:     func() time.Time { return fixedNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// reply is one scripted answer.
type reply struct {
	status int
	header map[string]string
	body   string
	// drop closes the connection without answering, after reading the
	// request body.
	drop bool
}

// scripted serves the replies in order, repeating the last one, and counts
// the requests it received.
type scripted struct {
	*httptest.Server
	hits    atomic.Int32
	mu      sync.Mutex
	reqs    []*http.Request
	replies []reply
	// custom, when set, answers instead of the replies.
	custom http.HandlerFunc
}

// setHandler makes h answer every request instead of the replies; h counts
// hits itself if the test needs them.
func (s *scripted) setHandler(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.custom = h
}

func newScripted(t testing.TB, replies ...reply) *scripted {
	t.Helper()
	s := &scripted{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		custom := s.custom
		s.mu.Unlock()
		if custom != nil {
			custom(w, r)
			return
		}
		n := int(s.hits.Add(1))
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		rp := s.replies[min(n, len(s.replies))-1]
		serveReply(w, r, rp)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func serveReply(w http.ResponseWriter, r *http.Request, rp reply) {
	if rp.drop {
		buf := make([]byte, 512)
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		hijackAndClose(w)
		return
	}
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if rp.body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	}
	w.Header().Set("request-id", "rid-"+r.Header.Get("client-request-id"))
	status := rp.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(rp.body))
}

// hijackAndClose breaks the connection without an answer.
func hijackAndClose(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset, like a dropped connection
	}
	conn.Close()
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// graphBody503 is Graph's error JSON for a 503.
const graphBody503 = `{"error":{"code":"ServiceNotAvailable","message":"The service is temporarily unavailable.","innerError":{"request-id":"r503","date":"2026-11-25T12:00:00"}}}`

// countingProvider hands out tokens in order (repeating the last) and
// records Invalidate calls.
type countingProvider struct {
	mu          sync.Mutex
	tokens      []string
	calls       int
	invalidated []string
}

func (p *countingProvider) Token(ctx context.Context, req auth.Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	return &oauth2.Token{AccessToken: p.tokens[min(p.calls, len(p.tokens))-1], TokenType: "Bearer"}, nil
}

func (p *countingProvider) Invalidate(ctx context.Context, req auth.Request, tok *oauth2.Token) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.invalidated = append(p.invalidated, tok.AccessToken)
}

func (p *countingProvider) tokenCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func authReq(subject string) auth.Request { return auth.Request{Subject: subject} }

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
