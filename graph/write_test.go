package graph

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWritePolicy(t *testing.T) {
	created := reply{status: 201, body: `{"id":"new"}`}
	plain503 := reply{status: 503, header: map[string]string{"Content-Type": "text/plain"}, body: "Service Unavailable"}
	tests := []struct {
		name       string
		method     string
		idempotent bool
		first      reply
		wantHits   int
		wantErr    string // "" success, "maybe" *MaybeSentError, "graph" plain *Error
		wantStatus int    // of the *Error found in the chain
	}{
		{"POST 429 is retried (not applied)", "POST", false, reply{status: 429, header: map[string]string{"Retry-After": "1"}, body: body429}, 2, "", 0},
		{"POST 503 with Graph's body is retried", "POST", false, reply{status: 503, body: graphBody503}, 2, "", 0},
		{"POST 503 without Graph's body is not retried", "POST", false, plain503, 1, "maybe", 503},
		{"POST 504 is not retried", "POST", false, reply{status: 504}, 1, "maybe", 504},
		{"POST 500 is Graph's answer", "POST", false, reply{status: 500, body: `{"error":{"code":"generalException","message":"x"}}`}, 1, "graph", 500},
		{"POST 400 is Graph's answer", "POST", false, reply{status: 400, body: fixture(t, "error-ErrorInvalidIdMalformed-observed.json")}, 1, "graph", 400},
		{"PATCH 504 is not retried", "PATCH", false, reply{status: 504}, 1, "maybe", 504},
		{"PUT 429 is retried", "PUT", false, reply{status: 429, body: body429}, 2, "", 0},
		{"DELETE 503 without body is not retried", "DELETE", false, reply{status: 503}, 1, "maybe", 503},
		{"idempotent POST 504 is retried", "POST", true, reply{status: 504}, 2, "", 0},
		{"idempotent POST 503 without body is retried", "POST", true, plain503, 2, "", 0},
		{"idempotent POST 500 is not retried", "POST", true, reply{status: 500}, 1, "graph", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.first, created)
			c, _ := newTestClient(t, srv.URL, nil)
			resp, err := c.Do(context.Background(), &Request{Method: tt.method, Path: "/me/events", Body: []byte(`{"subject":"x"}`), Idempotent: tt.idempotent})
			if got := int(srv.hits.Load()); got != tt.wantHits {
				t.Errorf("server got %d requests; want %d", got, tt.wantHits)
			}
			var ms *MaybeSentError
			var gerr *Error
			switch tt.wantErr {
			case "":
				if err != nil || resp.Status != 201 {
					t.Fatalf("Do = %v, %v; want the 201", resp, err)
				}
			case "maybe":
				if !errors.As(err, &ms) || !strings.Contains(err.Error(), "may have been sent; not retried") {
					t.Fatalf("err = %v; want a *MaybeSentError", err)
				}
			case "graph":
				if errors.As(err, &ms) {
					t.Fatalf("err = %v; want a plain *Error, not 'maybe sent'", err)
				}
			}
			if tt.wantStatus != 0 && (!errors.As(err, &gerr) || gerr.Status != tt.wantStatus) {
				t.Fatalf("err = %v; want a *Error with status %d in the chain", err, tt.wantStatus)
			}
		})
	}
}

// TestDroppedConnectionMidWrite: the server reads the whole POST (so it
// could have acted on it) and then drops the connection. The client must
// report "may have been sent" and never send it again.
func TestDroppedConnectionMidWrite(t *testing.T) {
	for _, method := range []string{"POST", "PATCH", "PUT", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			srv := newScripted(t, reply{drop: true}, reply{status: 201, body: `{"id":"again"}`})
			c, rec := newTestClient(t, srv.URL, nil)
			resp, err := c.Do(context.Background(), &Request{Method: method, Path: "/me/sendMail", Body: []byte(`{"message":{}}`)})
			var ms *MaybeSentError
			if !errors.As(err, &ms) || resp != nil {
				t.Fatalf("Do = %v, %v; want no response and a *MaybeSentError", resp, err)
			}
			if ms.Method != method || !strings.HasSuffix(ms.URL, "/v1.0/me/sendMail") {
				t.Errorf("MaybeSentError names %s %s", ms.Method, ms.URL)
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("the server received the write %d times; want exactly 1", n)
			}
			if len(rec.recorded()) != 0 {
				t.Errorf("waited %v for a retry that must not happen", rec.recorded())
			}
		})
	}
}

func TestDroppedConnectionIdempotentWriteIsRetried(t *testing.T) {
	srv := newScripted(t, reply{drop: true}, reply{status: 201, body: `{"id":"e1"}`})
	c, _ := newTestClient(t, srv.URL, nil)
	body := []byte(`{"subject":"x","transactionId":"7E163156-7762-4BEB-A1C6-729EA81755A7"}`)
	resp, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/me/events", Body: body, Idempotent: true})
	if err != nil || resp.Status != 201 {
		t.Fatalf("Do = %v, %v; want the 201 after a retry", resp, err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].Header.Get("client-request-id") != reqs[1].Header.Get("client-request-id") {
		t.Errorf("want 2 requests with the same client-request-id, got %d", len(reqs))
	}
}

func TestWriteTimeoutIsMaybeSent(t *testing.T) {
	var hits atomic.Int32
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body) // the server sees the client leave only once the body is read
		<-r.Context().Done()        // applied, but the answer never comes in time
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/me/todo/lists", Body: []byte(`{"displayName":"x"}`)})
	var ms *MaybeSentError
	if !errors.As(err, &ms) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "RequestTimeout") {
		t.Fatalf("err = %v; want a *MaybeSentError wrapping the RequestTimeout", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("server received %d writes; want 1", n)
	}
}

func TestWriteCancelledIsMaybeSent(t *testing.T) {
	arrived := make(chan struct{})
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		close(arrived)
		<-r.Context().Done()
	})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Do(ctx, &Request{Method: "POST", Path: "/me/sendMail", Body: []byte(`{}`)})
	var ms *MaybeSentError
	if !errors.As(err, &ms) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want *MaybeSentError wrapping context.Canceled", err)
	}
}

// TestWriteToUnreachableServerIsRetried: a connection that cannot be opened
// never carried the write, so retrying is safe.
func TestWriteToUnreachableServerIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c, rec := newTestClient(t, "http://"+addr, nil)
	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/me/sendMail", Body: []byte(`{}`)})
	var ms *MaybeSentError
	if err == nil || errors.As(err, &ms) {
		t.Fatalf("err = %v; want a connection error that is not 'maybe sent'", err)
	}
	if got := len(rec.recorded()); got != 3 || !strings.Contains(err.Error(), "MaxAttempts") {
		t.Errorf("retried %d times (%v); want 3 retries and a MaxAttempts note", got, err)
	}
}

// TestIdempotentWriteFailingAfterAnUnknownOutcomeIsMaybeSent: the first
// attempt may have created the event (504), so a later plain failure must
// not claim the write was not applied.
func TestIdempotentWriteFailingAfterAnUnknownOutcomeIsMaybeSent(t *testing.T) {
	srv := newScripted(t, reply{status: 504}, reply{status: 500, body: `{"error":{"code":"generalException","message":"x"}}`})
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/me/events", Body: []byte(`{"transactionId":"t1"}`), Idempotent: true})
	var ms *MaybeSentError
	var gerr *Error
	if !errors.As(err, &ms) || ms.Attempts != 2 || !errors.As(err, &gerr) || gerr.Status != 500 || !strings.Contains(err.Error(), "may have been applied: an earlier of its 2 attempts had an unknown outcome") {
		t.Fatalf("err = %v; want a *MaybeSentError after 2 attempts wrapping the 500", err)
	}
	// Without an unknown outcome first, a failure is a plain *Error.
	srv2 := newScripted(t, reply{status: 429, body: body429}, reply{status: 500, body: `{"error":{"code":"generalException","message":"x"}}`})
	c2, _ := newTestClient(t, srv2.URL, nil)
	_, err = c2.Do(context.Background(), &Request{Method: "POST", Path: "/me/events", Body: []byte(`{}`), Idempotent: true})
	if errors.As(err, &ms) || !errors.As(err, &gerr) || gerr.Status != 500 {
		t.Fatalf("err = %v; want the plain 500", err)
	}
}
