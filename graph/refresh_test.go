package graph

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runflow/runflow/auth"
)

// tokenServer answers 401 InvalidAuthenticationToken to every token but
// good, and 200 to good.
func tokenServer(t *testing.T, good string, code string) (*scripted, *atomic.Int32) {
	var rejected atomic.Int32
	srv := newScripted(t)
	body := fixture(t, "error-InvalidAuthenticationToken-observed.json")
	if code != "InvalidAuthenticationToken" {
		body = strings.Replace(body, "InvalidAuthenticationToken", code, 1)
	}
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		srv.hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+good {
			rejected.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			w.Write([]byte(body))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"displayName":"Ada"}`))
	})
	return srv, &rejected
}

func TestRefreshOnceOnInvalidAuthenticationToken(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			srv, rejected := tokenServer(t, "fresh-token", "InvalidAuthenticationToken")
			p := &countingProvider{tokens: []string{"expired-token", "fresh-token"}}
			c, rec := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = p })
			resp, err := c.Do(context.Background(), &Request{Method: method, Path: "/me", Body: []byte(`{}`)})
			if err != nil || resp.Status != 200 {
				t.Fatalf("Do = %v, %v; want 200 after the refresh", resp, err)
			}
			if !reflect.DeepEqual(p.invalidated, []string{"expired-token"}) {
				t.Errorf("invalidated %v; want the expired token once", p.invalidated)
			}
			if srv.hits.Load() != 2 || rejected.Load() != 1 || len(rec.recorded()) != 0 {
				t.Errorf("hits %d, rejected %d, waits %v; want 2, 1, none", srv.hits.Load(), rejected.Load(), rec.recorded())
			}
		})
	}
}

func TestRefreshOnlyOnce(t *testing.T) {
	srv, _ := tokenServer(t, "never", "InvalidAuthenticationToken")
	p := &countingProvider{tokens: []string{"t1", "t2", "t3"}}
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = p })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Status != 401 || gerr.Code != "InvalidAuthenticationToken" {
		t.Fatalf("err = %v; want the 401", err)
	}
	if srv.hits.Load() != 2 || len(p.invalidated) != 1 {
		t.Errorf("hits %d, invalidations %d; want one refresh: 2 and 1", srv.hits.Load(), len(p.invalidated))
	}
}

func TestNoRefreshWhenTheTokenDoesNotChange(t *testing.T) {
	srv, _ := tokenServer(t, "never", "InvalidAuthenticationToken")
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = auth.Static("same-token") })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Status != 401 {
		t.Fatalf("err = %v; want the 401", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("server got %d requests; resending the same token is pointless, want 1", n)
	}
}

func TestNoRefreshOnOther401(t *testing.T) {
	srv, _ := tokenServer(t, "fresh", "ErrorAccessDenied")
	p := &countingProvider{tokens: []string{"old", "fresh"}}
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = p })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Code != "ErrorAccessDenied" || srv.hits.Load() != 1 || len(p.invalidated) != 0 {
		t.Fatalf("err = %v, hits %d, invalidated %v; want the 401 at once, no refresh", err, srv.hits.Load(), p.invalidated)
	}
}

func TestSignInRequiredPassesThrough(t *testing.T) {
	srv := newScripted(t, reply{status: 200, body: `{}`})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = auth.Static("") })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	if _, ok := auth.IsSignInRequired(err); !ok {
		t.Fatalf("err = %v; want the provider's *auth.SignInRequiredError", err)
	}
	if srv.hits.Load() != 0 {
		t.Errorf("nothing may be sent without a token")
	}
}
