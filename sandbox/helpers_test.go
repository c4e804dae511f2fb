package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of most tests: a Wednesday.
var testNow = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

func newSandbox(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	return NewTestServer(t, Options{Now: func() time.Time { return testNow }})
}

// allScopes covers every delegated operation.
var allScopes = []string{"User.Read", "Calendars.ReadWrite", "Tasks.ReadWrite", "Mail.Send", "Mail.Read", "MailboxSettings.Read"}

type answer struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// call sends one request; headers are name, value pairs.
func do(t *testing.T, ts *httptest.Server, token, method, path, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.json); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return a
}

func (a answer) wantStatus(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body: %s", a.status, status, a.raw)
	}
	return a
}

// wantError checks Graph's error JSON, code and (if given) message.
func (a answer) wantError(t *testing.T, status int, code, message string) {
	t.Helper()
	a.wantStatus(t, status)
	e, _ := a.json["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %s", a.raw)
	}
	if e["code"] != code {
		t.Errorf("error.code %q, want %q (%s)", e["code"], code, a.raw)
	}
	if message != "" && e["message"] != message {
		t.Errorf("error.message %q, want %q", e["message"], message)
	}
	inner, _ := e["innerError"].(map[string]any)
	if inner == nil || inner["request-id"] == "" || inner["date"] == nil {
		t.Errorf("innerError lacks request-id/date: %s", a.raw)
	}
	if a.header.Get("request-id") == "" || a.header.Get("client-request-id") == "" {
		t.Errorf("request-id/client-request-id headers missing")
	}
}

func (a answer) values(t *testing.T) []map[string]any {
	t.Helper()
	vs, ok := a.json["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", a.raw)
	}
	out := make([]map[string]any, len(vs))
	for i, v := range vs {
		out[i] = v.(map[string]any)
	}
	return out
}

func sv(v any) string { s, _ := v.(string); return s }
