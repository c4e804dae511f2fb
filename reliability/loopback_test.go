package reliability

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// loopback is a real HTTP server on 127.0.0.1 that records every request
// it receives (raw request URI and Authorization header) and answers with
// answer, or an empty collection.
type loopback struct {
	*httptest.Server
	mu       sync.Mutex
	uris     []string
	authSeen []string
	answer   func(w http.ResponseWriter, r *http.Request)
}

func newLoopback(t testing.TB) *loopback {
	t.Helper()
	l := &loopback{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.uris = append(l.uris, r.RequestURI)
		if a := r.Header.Get("Authorization"); a != "" {
			l.authSeen = append(l.authSeen, a)
		}
		answer := l.answer
		l.mu.Unlock()
		if answer != nil {
			answer(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"value":[]}`))
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *loopback) setAnswer(f func(w http.ResponseWriter, r *http.Request)) {
	l.mu.Lock()
	l.answer = f
	l.mu.Unlock()
}

// requests returns the raw request URIs received so far.
func (l *loopback) requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.uris...)
}

// authorizations returns how many requests carried an Authorization header.
func (l *loopback) authorizations() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.authSeen)
}

func (l *loopback) reset() {
	l.mu.Lock()
	l.uris, l.authSeen = nil, nil
	l.mu.Unlock()
}

// urlQuery parses a raw query string.
func urlQuery(raw string) (url.Values, error) { return url.ParseQuery(raw) }
