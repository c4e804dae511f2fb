package graph

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
)

// TestClientHeadersMergeWithTheCallers: the client sets Authorization,
// User-Agent (replacing the caller's), client-request-id (unless the caller
// gave a non-empty one), Accept (unless given, or AllowNonJSON) and
// Content-Type for bodies (unless given); the caller's other headers go
// out as given, under canonical names.
func TestClientHeadersMergeWithTheCallers(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want map[string][]string // nil value: the header must be absent
	}{
		{"defaults for a GET", Request{Path: "/me"},
			map[string][]string{"Accept": {"application/json"}, "Content-Type": nil, "User-Agent": {"bench-agent/1"}}},
		{"the caller's Accept is kept, under its canonical name", Request{Path: "/me", Header: http.Header{"accept": {"text/plain"}}},
			map[string][]string{"Accept": {"text/plain"}}},
		{"an empty Accept is replaced", Request{Path: "/me", Header: http.Header{"Accept": {""}}},
			map[string][]string{"Accept": {"application/json"}}},
		{"AllowNonJSON sets no Accept", Request{Path: "/me/photo/$value", AllowNonJSON: true},
			map[string][]string{"Accept": nil}},
		{"the caller's User-Agent is replaced", Request{Path: "/me", Header: http.Header{"User-Agent": {"evil"}}},
			map[string][]string{"User-Agent": {"bench-agent/1"}}},
		{"a body is JSON by default", Request{Method: "POST", Path: "/me/events", Body: []byte(`{}`)},
			map[string][]string{"Content-Type": {"application/json"}}},
		{"the caller's Content-Type is kept", Request{Method: "PUT", Path: "/me/photo/$value", Body: []byte("GIF89a"), Header: http.Header{"content-type": {"image/gif"}}},
			map[string][]string{"Content-Type": {"image/gif"}}},
		{"several values keep their order", Request{Path: "/me/events", Header: http.Header{"Prefer": {`outlook.timezone="UTC"`, "odata.maxpagesize=5"}}},
			map[string][]string{"Prefer": {`outlook.timezone="UTC"`, "odata.maxpagesize=5"}}},
		{"the caller's client-request-id is kept", Request{Path: "/me", Header: http.Header{"client-request-id": {"my-id-1"}}},
			map[string][]string{"Client-Request-Id": {"my-id-1"}}},
	}
	srv := newScripted(t, reply{status: 200, body: `{}`})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "bench-agent/1" })
	for i, tt := range tests {
		resp, err := c.Do(context.Background(), &tt.req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := srv.requests()[i].Header
		for k, want := range tt.want {
			if vs, ok := got[k]; (want == nil) != !ok || strings.Join(vs, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: %s = %q; want %q", tt.name, k, vs, want)
			}
		}
		if a := got["Authorization"]; len(a) != 1 || a[0] != "Bearer "+testToken {
			t.Errorf("%s: Authorization %q", tt.name, a)
		}
		crid := got.Get("Client-Request-Id")
		if crid != resp.ClientRequestID || (tt.want["Client-Request-Id"] == nil && !uuidV4.MatchString(crid)) {
			t.Errorf("%s: client-request-id %q, Response.ClientRequestID %q", tt.name, crid, resp.ClientRequestID)
		}
	}
	// The caller's header map is not changed.
	h := http.Header{"accept": {"text/plain"}}
	if _, err := c.Do(context.Background(), &Request{Path: "/me", Header: h}); err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h["accept"][0] != "text/plain" {
		t.Errorf("the caller's header became %v", h)
	}
}

// TestAuthorizationFollowsTheToken: the Authorization value the client
// reuses between requests is the current token's.
func TestAuthorizationFollowsTheToken(t *testing.T) {
	srv := newScripted(t, reply{status: 200, body: `{}`})
	tokens := &switchingProvider{}
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = tokens })
	for _, tok := range []string{"tok-one-123456", "tok-one-123456", "tok-two-654321", "tok-one-123456"} {
		tokens.set(tok)
		if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
			t.Fatal(err)
		}
		reqs := srv.requests()
		if got := reqs[len(reqs)-1].Header.Get("Authorization"); got != "Bearer "+tok {
			t.Errorf("Authorization %q; want the current token %q", got, tok)
		}
	}
}

// TestBodiesAreReadWhole: bodies larger than the first buffer, with and
// without Content-Length, arrive whole; a HEAD answer announcing a length
// has no body and is no error.
func TestBodiesAreReadWhole(t *testing.T) {
	big := []byte(`{"value":"` + strings.Repeat("0123456789", 20000) + `"}`) // 200 KB, over readBodyHint
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		}
		if r.Method == http.MethodHead {
			return
		}
		w.Write(big[:1000])
		w.(http.Flusher).Flush()
		w.Write(big[1000:])
	})
	c, _ := newTestClient(t, srv.URL, nil)
	for _, q := range []url.Values{nil, {"chunked": {"1"}}} {
		resp, err := c.Do(context.Background(), &Request{Path: "/me/messages", Query: q})
		if err != nil || !bytes.Equal(resp.Body, big) {
			t.Errorf("query %v: err %v, %d bytes; want the %d bytes sent", q, err, len(resp.Body), len(big))
		}
	}
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodHead, Path: "/me/messages"})
	if err != nil || len(resp.Body) != 0 {
		t.Errorf("HEAD: err %v, body %q; want no error and no body", err, resp.Body)
	}
}

// TestPrepareAllocations keeps the per-request work before sending small:
// for a GET with a query, the prepared request, the client-request-id and
// the URL.
func TestPrepareAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	c, _ := newTestClient(t, "https://graph.example.com", nil)
	req := &Request{Path: "/me", Query: url.Values{"$select": {"displayName,mail"}}}
	n := testing.AllocsPerRun(100, func() {
		if _, err := c.prepare(req); err != nil {
			t.Fatal(err)
		}
	})
	if n > 3 {
		t.Errorf("prepare allocates %v times; want at most 3", n)
	}
}

// switchingProvider gives whichever token was set last.
type switchingProvider struct {
	mu  sync.Mutex
	tok string
}

func (p *switchingProvider) set(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tok = tok
}

func (p *switchingProvider) Token(context.Context, auth.Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &oauth2.Token{AccessToken: p.tok}, nil
}
