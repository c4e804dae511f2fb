package graph

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"2.128", 2128 * time.Millisecond, true},
		{" 10 ", 10 * time.Second, true},
		{fixedNow.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{fixedNow.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999999999", maxRetryAfter, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"1e400", 0, false},
		{"NaN", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, fixedNow)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffFullJitter(t *testing.T) {
	one := func() float64 { return 0.999999 }
	for n, wantMax := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 30 * time.Second, 60: 30 * time.Second} {
		if got := backoff(n, one); got > wantMax || got < wantMax*99/100 {
			t.Errorf("backoff(%d) at the top of the jitter = %v; want just under %v", n, got, wantMax)
		}
		if got := backoff(n, func() float64 { return 0 }); got != 0 {
			t.Errorf("backoff(%d) at the bottom of the jitter = %v; want 0 (full jitter)", n, got)
		}
	}
}

const body429 = `{"error":{"code":"TooManyRequests","message":"Please retry again later.","innerError":{"request-id":"r429","date":"2020-08-18T12:51:51"}}}`

func TestRetries(t *testing.T) {
	ok := reply{status: 200, body: `{"id":"1"}`}
	throttled := func(after string) reply {
		h := map[string]string{}
		if after != "" {
			h["Retry-After"] = after
		}
		return reply{status: 429, header: h, body: body429}
	}
	tests := []struct {
		name       string
		replies    []reply
		cfg        func(*Config)
		wantHits   int
		wantWaits  []time.Duration
		wantStatus int    // of the *Error, 0 when Do succeeds
		wantInErr  string // in the error text
	}{
		{name: "429 whole seconds", replies: []reply{throttled("3"), ok}, wantHits: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "429 decimal seconds", replies: []reply{throttled("2.128"), ok}, wantHits: 2, wantWaits: []time.Duration{2128 * time.Millisecond}},
		{name: "429 HTTP date", replies: []reply{throttled(fixedNow.Add(7 * time.Second).Format(http.TimeFormat)), ok}, wantHits: 2, wantWaits: []time.Duration{7 * time.Second}},
		{name: "429 zero", replies: []reply{throttled("0"), ok}, wantHits: 2, wantWaits: []time.Duration{0}},
		{name: "429 unreadable Retry-After backs off", replies: []reply{throttled("soon"), ok}, wantHits: 2, wantWaits: []time.Duration{500 * time.Millisecond}},
		{name: "429 without Retry-After backs off exponentially", replies: []reply{throttled(""), throttled(""), throttled(""), ok}, wantHits: 4,
			wantWaits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "429 real Graph fixture", replies: []reply{{status: 429, header: map[string]string{"Retry-After": "2.128"}, body: fixture(t, "throttling-429-response.json")}, ok}, wantHits: 2, wantWaits: []time.Duration{2128 * time.Millisecond}},
		{name: "503", replies: []reply{{status: 503, body: graphBody503}, ok}, wantHits: 2, wantWaits: []time.Duration{500 * time.Millisecond}},
		{name: "503 with Retry-After", replies: []reply{{status: 503, header: map[string]string{"Retry-After": "4"}, body: graphBody503}, ok}, wantHits: 2, wantWaits: []time.Duration{4 * time.Second}},
		{name: "503 plain text", replies: []reply{{status: 503, header: map[string]string{"Content-Type": "text/plain"}, body: "Service Unavailable"}, ok}, wantHits: 2, wantWaits: []time.Duration{500 * time.Millisecond}},
		{name: "504", replies: []reply{{status: 504}, ok}, wantHits: 2, wantWaits: []time.Duration{500 * time.Millisecond}},
		{name: "500 is not retried", replies: []reply{{status: 500, body: `{"error":{"code":"generalException","message":"boom"}}`}, ok}, wantHits: 1, wantStatus: 500, wantInErr: "generalException"},
		{name: "404 is not retried", replies: []reply{{status: 404, body: fixture(t, "error-ErrorItemNotFound-observed.json")}, ok}, wantHits: 1, wantStatus: 404, wantInErr: "ErrorItemNotFound"},
		{name: "attempts are capped", replies: []reply{throttled("1")}, wantHits: 4, wantWaits: []time.Duration{time.Second, time.Second, time.Second},
			wantStatus: 429, wantInErr: "gave up after 4 attempts (MaxAttempts = 4)"},
		{name: "MaxAttempts 1 disables retries", replies: []reply{throttled("1"), ok}, cfg: func(c *Config) { c.MaxAttempts = 1 }, wantHits: 1,
			wantStatus: 429, wantInErr: "MaxAttempts = 1"},
		{name: "Retry-After over the total delay cap", replies: []reply{throttled("61"), ok}, wantHits: 1, wantStatus: 429, wantInErr: "more than the 1m0s left of MaxRetryDelay"},
		{name: "total delay is capped", replies: []reply{throttled("25")}, cfg: func(c *Config) { c.MaxAttempts = 10 }, wantHits: 3,
			wantWaits: []time.Duration{25 * time.Second, 25 * time.Second}, wantStatus: 429, wantInErr: "Graph asked to wait 25s before retrying, more than the 10s left of MaxRetryDelay (1m0s)"},
		{name: "backoff is clamped to the total delay left", replies: []reply{{status: 504}}, cfg: func(c *Config) {
			c.MaxRetryDelay = 1200 * time.Millisecond
			c.MaxAttempts = 10
			c.Rand = func() float64 { return 0.999999 }
		}, wantHits: 3, wantWaits: []time.Duration{999999 * time.Microsecond, 200001 * time.Microsecond}, wantStatus: 504, wantInErr: "reached MaxRetryDelay (1.2s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.replies...)
			c, rec := newTestClient(t, srv.URL, tt.cfg)
			resp, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/me/events"})
			if got := int(srv.hits.Load()); got != tt.wantHits {
				t.Errorf("server got %d requests; want %d", got, tt.wantHits)
			}
			if got := rec.recorded(); !reflect.DeepEqual(got, tt.wantWaits) && !(len(got) == 0 && len(tt.wantWaits) == 0) {
				t.Errorf("waits = %v; want %v", got, tt.wantWaits)
			}
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.Status != 200 || resp.Attempts != tt.wantHits {
					t.Errorf("response status %d after %d attempts; want 200 after %d", resp.Status, resp.Attempts, tt.wantHits)
				}
				return
			}
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Status != tt.wantStatus {
				t.Fatalf("err = %v; want a *Error with status %d", err, tt.wantStatus)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not say %q", err, tt.wantInErr)
			}
			if resp == nil || resp.Status != tt.wantStatus {
				t.Errorf("the failing response should come with the error, got %+v", resp)
			}
		})
	}
}

func TestRetryNeverSleepsPastTheDeadline(t *testing.T) {
	srv := newScripted(t, reply{status: 429, header: map[string]string{"Retry-After": "30"}, body: body429}, reply{status: 200, body: `{}`})
	c, rec := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, &Request{Path: "/me"})
	if time.Since(start) > 4*time.Second {
		t.Errorf("Do took %v; it must fail at once instead of waiting", time.Since(start))
	}
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Status != 429 {
		t.Fatalf("err = %v; want the 429 *Error", err)
	}
	if !strings.Contains(err.Error(), "the retry wait of 30s exceeds the context deadline") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q does not explain the deadline", err)
	}
	if n := srv.hits.Load(); n != 1 || len(rec.recorded()) != 0 {
		t.Errorf("hits %d, waits %v; want 1 hit and no wait", n, rec.recorded())
	}
}

func TestRetryWaitEndsWithTheContext(t *testing.T) {
	srv := newScripted(t, reply{status: 429, header: map[string]string{"Retry-After": "1"}, body: body429}, reply{status: 200, body: `{}`})
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel() // Ctrl-C during the wait
			<-ctx.Done()
			return ctx.Err()
		}
	})
	_, err := c.Do(ctx, &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || !strings.Contains(err.Error(), "the context ended while waiting 1s to retry") || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want the 429 saying the wait was cut short", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("server got %d requests; want 1", n)
	}
}

func TestGetRetriesTransportErrors(t *testing.T) {
	srv := newScripted(t, reply{drop: true}, reply{status: 200, body: `{"ok":true}`})
	c, rec := newTestClient(t, srv.URL, nil)
	resp, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Attempts != 2 || srv.hits.Load() != 2 || len(rec.recorded()) != 1 {
		t.Errorf("attempts %d, hits %d, waits %v; want 2, 2, one wait", resp.Attempts, srv.hits.Load(), rec.recorded())
	}
}

func TestGetGivesUpOnTransportErrors(t *testing.T) {
	srv := newScripted(t, reply{drop: true})
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err == nil || !strings.Contains(err.Error(), "gave up after 4 attempts (MaxAttempts = 4)") || !strings.Contains(err.Error(), "GET "+srv.URL+"/v1.0/me") {
		t.Fatalf("err = %v; want the transport error naming the request and MaxAttempts", err)
	}
	var ms *MaybeSentError
	if errors.As(err, &ms) {
		t.Errorf("a GET is never 'maybe sent': %v", err)
	}
}

func TestRequestTimeoutPerAttempt(t *testing.T) {
	release := make(chan struct{})
	var first = make(chan struct{}, 1)
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			first <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	defer close(release)
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = time.Second })
	resp, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Attempts != 2 {
		t.Errorf("attempts = %d; want 2 (the first timed out)", resp.Attempts)
	}
	<-first
}

func TestTracePerAttempt(t *testing.T) {
	srv := newScripted(t, reply{status: 429, header: map[string]string{"Retry-After": "1"}, body: body429}, reply{status: 200, body: `{}`})
	var events []TraceEvent
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Trace = func(ev TraceEvent) { events = append(events, ev) } })
	if _, err := c.Do(context.Background(), &Request{Path: "/me", Query: map[string][]string{"code": {"abc"}}}); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("got %d trace events; want one per attempt (2)", len(events))
	}
	first, second := events[0], events[1]
	wantURL := srv.URL + "/v1.0/me?code=REDACTED"
	if first.Attempt != 1 || first.Status != 429 || first.RetryIn != time.Second || first.Err == nil || first.URL != wantURL || first.Method != "GET" {
		t.Errorf("first event %+v", first)
	}
	if second.Attempt != 2 || second.Status != 200 || second.RetryIn != 0 || second.Err != nil || second.RequestID == "" || second.Duration <= 0 {
		t.Errorf("second event %+v", second)
	}
	if first.ClientRequestID == "" || first.ClientRequestID != second.ClientRequestID {
		t.Errorf("client-request-id %q then %q; want the same", first.ClientRequestID, second.ClientRequestID)
	}
}
