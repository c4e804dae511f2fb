package sandbox

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	for _, tc := range []struct {
		name  string
		fault Fault
		code  string
	}{
		{"429 whole seconds", Fault{Path: "/v1.0/me/events", Status: 429, RetryAfter: "2", Count: 2}, "TooManyRequests"},
		{"429 decimal seconds", Fault{Path: "/v1.0/me/events", Status: 429, RetryAfter: "0.5", Count: 2}, "TooManyRequests"},
		{"503", Fault{Path: "/v1.0/me/*", Status: 503, Count: 2}, "ServiceUnavailable"},
		{"504", Fault{Method: "get", Status: 504, Count: 2}, "GatewayTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Faults().Add(tc.fault)
			for i := 0; i < 2; i++ {
				a := do(t, ts, tok, "GET", "/v1.0/me/events", "")
				a.wantError(t, tc.fault.Status, tc.code, "")
				if a.header.Get("Retry-After") != tc.fault.RetryAfter {
					t.Errorf("Retry-After %q, want %q", a.header.Get("Retry-After"), tc.fault.RetryAfter)
				}
			}
			do(t, ts, tok, "GET", "/v1.0/me/events", "").wantStatus(t, 200) // Count used up
		})
	}
	t.Run("matching by method and path", func(t *testing.T) {
		s.Faults().Add(Fault{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 503})
		do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200)
		do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"x"}`).wantStatus(t, 503)
		do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"x"}`).wantStatus(t, 503)
		s.Faults().Clear()
		do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"x"}`).wantStatus(t, 201)
	})
	t.Run("429 inside a batch", func(t *testing.T) {
		s.Faults().Add(Fault{Path: "/v1.0/me/events", Status: 429, RetryAfter: "1", Count: 1})
		rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/me/events"},{"id":"2","method":"GET","url":"/me"}]}`))
		if rs["1"]["status"] != float64(429) || rs["1"]["headers"].(map[string]any)["Retry-After"] != "1" || rs["2"]["status"] != float64(200) {
			t.Errorf("batch with a throttled item: %v", rs)
		}
	})
	t.Run("a drop fault is left for a request it applies to, not used up by a batch item", func(t *testing.T) {
		s.Faults().Add(Fault{Path: "/v1.0/me/todo/lists", DropConnection: true, Count: 1})
		rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/me/todo/lists"}]}`))
		if rs["1"]["status"] != float64(200) {
			t.Errorf("batch item under a drop fault: %v", rs)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/v1.0/me/todo/lists", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("the request after the batch was answered %d; want the drop fault, still unused, to drop it", resp.StatusCode)
		}
		s.Faults().Clear()
	})
	t.Run("a delay applies to a batch item", func(t *testing.T) {
		s.Faults().Add(Fault{Path: "/v1.0/me", Delay: 300 * time.Millisecond, Count: 1})
		began := time.Now()
		rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/me"}]}`))
		if rs["1"]["status"] != float64(200) || time.Since(began) < 300*time.Millisecond {
			t.Errorf("batch item under a 300 ms delay: %v after %v", rs, time.Since(began))
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		// A POST on a fresh connection: Go's transport silently retries an
		// idempotent request whose reused connection drops.
		s.Faults().Add(Fault{Path: "/v1.0/me/todo/lists", DropConnection: true, Count: 1})
		req, _ := http.NewRequest("POST", ts.URL+"/v1.0/me/todo/lists", strings.NewReader(`{"displayName":"dropped"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("dropped connection answered %d", resp.StatusCode)
		}
		if rs := s.Requests(); rs[len(rs)-1].Status != 0 {
			t.Errorf("dropped request logged with status %d", rs[len(rs)-1].Status)
		}
		do(t, ts, tok, "GET", "/v1.0/me", "").wantStatus(t, 200)
	})
	t.Run("answer dropped after the write took effect", func(t *testing.T) {
		s.Faults().Add(Fault{Method: "POST", Path: "/v1.0/me/todo/lists", DropAfterApply: true, Count: 1})
		req, _ := http.NewRequest("POST", ts.URL+"/v1.0/me/todo/lists", strings.NewReader(`{"displayName":"applied but unanswered"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("a dropped answer arrived: %d", resp.StatusCode)
		}
		if rs := s.Requests(); rs[len(rs)-1].Status != 0 {
			t.Errorf("dropped answer logged with status %d", rs[len(rs)-1].Status)
		}
		lists := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200).values(t)
		n := 0
		for _, l := range lists {
			if l["displayName"] == "applied but unanswered" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d lists created by the request whose answer was dropped, want 1", n)
		}
	})
	t.Run("slow answer honours the client's deadline", func(t *testing.T) {
		s.Faults().Add(Fault{Path: "/v1.0/me", Delay: time.Minute, Count: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1.0/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		if resp, err := ts.Client().Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("a one-minute delay answered within the deadline")
		}
		if time.Since(start) > 30*time.Second {
			t.Error("the delay ignored the cancelled request")
		}
	})
	t.Run("short delay then the normal answer", func(t *testing.T) {
		s.Faults().Add(Fault{Path: "/v1.0/me", Delay: 5 * time.Millisecond, Count: 1})
		do(t, ts, tok, "GET", "/v1.0/me", "").wantStatus(t, 200)
	})
}

// waitInFlight polls until n requests for user are being served.
func waitInFlight(t *testing.T, s *Server, user string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.flightMu.Lock()
		got := s.inFlight[user]
		s.flightMu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, waiting for %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMailboxConcurrencyLimit(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	me, alex := s.Users()[0], s.Users()[1]
	// Hold four requests for Adele's mailbox in flight.
	s.Faults().Add(Fault{Path: "/v1.0/me/events", Delay: time.Minute, Count: 4})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1.0/me/events", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := ts.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	waitInFlight(t, s, me.ID, 4)
	a := do(t, ts, tok, "GET", "/v1.0/me/messages", "")
	a.wantError(t, 429, "ApplicationThrottled", msgThrottled)
	if a.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another mailbox is not affected.
	do(t, ts, s.AppToken("Mail.Read"), "GET", "/v1.0/users/"+alex.ID+"/messages", "").wantStatus(t, 200)
	cancel()
	wg.Wait()
	waitInFlight(t, s, me.ID, 0)
	do(t, ts, tok, "GET", "/v1.0/me/messages", "").wantStatus(t, 200)
}

func TestConcurrencyLimitOff(t *testing.T) {
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MaxConcurrentPerMailbox: -1})
	tok := s.Token(allScopes...)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", ts.URL+"/v1.0/me/events", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := ts.Client().Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestRequestLog(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists?x=1", `{"displayName":"Logged"}`).wantStatus(t, 201)
	rs := s.Requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests logged", len(rs))
	}
	r := rs[0]
	if r.Method != "POST" || r.Path != "/v1.0/me/todo/lists" || r.Query.Get("x") != "1" || string(r.Body) != `{"displayName":"Logged"}` || r.Status != 201 {
		t.Errorf("logged %+v", r)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer [redacted]" || strings.Contains(got, tok) {
		t.Errorf("Authorization logged as %q", got)
	}
	s.ClearRequests()
	if len(s.Requests()) != 0 {
		t.Error("ClearRequests kept entries")
	}
	req, _ := http.NewRequest("POST", ts.URL+"/common/oauth2/v2.0/token", strings.NewReader("grant_type=client_credentials&client_id=abc&client_secret=hunter2&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rs = s.Requests()
	if len(rs) != 1 || rs[0].Path != "/common/oauth2/v2.0/token" || rs[0].Status != resp.StatusCode || rs[0].Status == 0 {
		t.Fatalf("identity request logged as %+v", rs)
	}
	if strings.Contains(string(rs[0].Body), "hunter2") || !strings.Contains(string(rs[0].Body), "client_id=abc") {
		t.Errorf("identity body logged as %s", rs[0].Body)
	}
	form := redactBody("application/x-www-form-urlencoded", []byte("grant_type=refresh_token&refresh_token=secret1&client_secret=secret2&client_id=abc"))
	if strings.Contains(string(form), "secret1") || strings.Contains(string(form), "secret2") || !strings.Contains(string(form), "client_id=abc") {
		t.Errorf("form body logged as %s", form)
	}
}

// A write held by a Delay fault while the data is replaced (Load, as the
// CLI's file-backed sandbox does on every change) lands in the data the
// sandbox then holds, not in the mailbox it looked up before the wait.
func TestWriteDuringLoadIsNotLost(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	var saved strings.Builder
	if err := s.Save(&saved); err != nil {
		t.Fatal(err)
	}
	s.Faults().Add(Fault{Method: "POST", Path: "/v1.0/me/todo/lists", Delay: 2 * time.Second, Count: 1})
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", ts.URL+"/v1.0/me/todo/lists", strings.NewReader(`{"displayName":"Written while loading"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	// Load once the request has arrived and been looked up (it then waits
	// out its Delay; a slower machine only makes the test weaker, not wrong).
	for deadline := time.Now().Add(5 * time.Second); len(s.Requests()) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Load(strings.NewReader(saved.String())); err != nil {
		t.Fatal(err)
	}
	if code := <-status; code != 201 {
		t.Fatalf("POST during Load: %d, want 201", code)
	}
	lists := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "")
	if !strings.Contains(string(lists.raw), "Written while loading") {
		t.Errorf("the list written during Load is not in the sandbox's data: %s", lists.raw)
	}
}
