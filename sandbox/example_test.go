package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/runflow/runflow/sandbox"
)

// exampleTB stands in for the *testing.T a real test passes to
// NewTestServer; it runs the cleanups when the example ends.
type exampleTB struct{ cleanups []func() }

func (e *exampleTB) Helper()          {}
func (e *exampleTB) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }
func (e *exampleTB) done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

func get(url, token string, header ...string) (int, string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A Go test starts a sandbox on loopback, takes a token with the scopes a
// flow needs and calls Graph's URLs on it.
func ExampleNewTestServer() {
	tb := &exampleTB{} // in a test: t
	defer tb.done()
	s, ts := sandbox.NewTestServer(tb, sandbox.Options{Now: func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) }})
	token := s.Token("MailboxSettings.Read")
	status, body := get(ts.URL+"/v1.0/me/mailboxSettings/timeZone", token)
	fmt.Println(status, len(body) > 0)
	status, _ = get(ts.URL+"/v1.0/me/events", token) // no Calendars.* scope
	fmt.Println(status)
	fmt.Println(s.Requests()[0].Header.Get("Authorization"))
	// Output:
	// 200 true
	// 403
	// Bearer [redacted]
}

// Faults make the sandbox throttle, fail or hang so retry logic can be
// tested.
func ExampleFaults_Add() {
	tb := &exampleTB{}
	defer tb.done()
	s, ts := sandbox.NewTestServer(tb, sandbox.Options{})
	s.Faults().Add(sandbox.Fault{Path: "/v1.0/me/events*", Status: 429, RetryAfter: "0.5", Count: 1})
	token := s.Token("Calendars.Read")
	first, _ := get(ts.URL+"/v1.0/me/events", token)
	second, _ := get(ts.URL+"/v1.0/me/events", token)
	fmt.Println(first, second)
	// Output: 429 200
}
