package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// roundTripFunc is a transport made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// closeRecorder is a response body that records being closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (b *closeRecorder) Close() error { b.closed = true; return nil }

// TestTransportAnswersAreCheckedAsHTTPClientChecksThem: attempts go to the
// transport directly when the http.Client adds nothing, so the checks
// http.Client makes on a transport's answer are made by the client.
func TestTransportAnswersAreCheckedAsHTTPClientChecksThem(t *testing.T) {
	withTransport := func(rt http.RoundTripper) *Client {
		c, _ := newTestClient(t, "https://graph.example.com", func(cfg *Config) {
			cfg.HTTPClient = &http.Client{Transport: rt}
			cfg.MaxAttempts = 1
		})
		return c
	}

	// A nil body means an empty one.
	c := withTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}}, nil
	}))
	resp, err := c.Do(context.Background(), &Request{Method: "DELETE", Path: "/me/events/1"})
	if err != nil || resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
		t.Errorf("nil body: %v, %+v; want an empty 204", err, resp)
	}

	// No answer and no error is an error, naming the transport.
	c = withTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, nil }))
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err == nil || !strings.Contains(err.Error(), "returned a nil *Response with a nil error") {
		t.Errorf("nil answer: err = %v", err)
	}

	// An answer with an error is dropped, and its body closed.
	body := &closeRecorder{Reader: strings.NewReader("{}")}
	c = withTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: body}, errors.New("broken transport")
	}))
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err == nil || !strings.Contains(err.Error(), "broken transport") || !body.closed {
		t.Errorf("answer with an error: err = %v, body closed %v", err, body.closed)
	}
}

// TestPlainHTTPServerBehindHTTPSBaseURL: the error says what happened, as
// http.Client says it.
func TestPlainHTTPServerBehindHTTPSBaseURL(t *testing.T) {
	srv := newScripted(t, reply{status: 200, body: `{}`})
	c, _ := newTestClient(t, strings.Replace(srv.URL, "http://", "https://", 1), func(cfg *Config) { cfg.MaxAttempts = 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	if !errors.Is(err, http.ErrSchemeMismatch) {
		t.Errorf("err = %v; want http.ErrSchemeMismatch", err)
	}
}

// TestHTTPClientTimeoutAndJarAreHonoured: an http.Client with a Timeout or
// a cookie jar is used as it is.
func TestHTTPClientTimeoutAndJarAreHonoured(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		if _, err := r.Cookie("affinity"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "affinity", Value: "node-7", Path: "/"})
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"cookie":false}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"cookie":true}`))
	})

	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
		cfg.MaxAttempts = 1
	})
	if _, err := c.Do(context.Background(), &Request{Path: "/slow"}); err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
		t.Errorf("err = %v; want http.Client's Timeout to end the attempt", err)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Jar: jar} })
	var got []string
	for range 2 {
		resp, err := c.Do(context.Background(), &Request{Path: "/me"})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(resp.Body))
	}
	if got[1] != `{"cookie":true}` {
		t.Errorf("answers %q; want the jar's cookie sent on the second request", got)
	}
}
