package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// FuzzParseError: any answer gives an *Error whose text is one clean line.
// Seeds: testdata/fuzz/FuzzParseError (Graph's real error bodies and
// broken ones).
func FuzzParseError(f *testing.F) {
	f.Add(429, "application/json", []byte(body429))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		h := http.Header{}
		h.Set("Content-Type", contentType)
		e := ParseError(&Response{Status: status, Header: h, Body: body})
		s := e.Error()
		if !strings.HasPrefix(s, "graph: ") || e.Status != status {
			t.Fatalf("Error() = %q", s)
		}
		if strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Fatalf("control character in %q", s)
		}
		if len([]rune(e.Message)) > maxMessageRunes+1 || len([]rune(e.Code)) > maxCodeRunes+1 {
			t.Fatalf("text not bounded: code %d runes, message %d runes", len([]rune(e.Code)), len([]rune(e.Message)))
		}
		if g, ok := graphErrorJSON(body); ok {
			if e.Code != clean(g.Get("code").String(), maxCodeRunes) {
				t.Fatalf("Graph body's code %q read as %q", g.Get("code").String(), e.Code)
			}
		} else if e.Code != "" || !strings.Contains(e.Message, "not Graph's error JSON") {
			t.Fatalf("non-Graph body gave code %q message %q", e.Code, e.Message)
		}
	})
}

// FuzzResponse serves arbitrary answers over loopback to Do and Pages:
// nothing may panic, a success must be well-formed JSON, and an error's
// text must be one clean line without the token.
// Seeds: testdata/fuzz/FuzzResponse.
func FuzzResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"value":[{"id":"1"}]}`))
	var mu sync.Mutex
	var cur struct {
		status int
		ctype  string
		body   []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		status, ctype, body := cur.status, cur.ctype, cur.body
		mu.Unlock()
		w.Header()["Content-Type"] = []string{ctype}
		w.WriteHeader(status)
		w.Write(body)
	}))
	defer srv.Close()
	c, _ := newTestClient(f, srv.URL, func(cfg *Config) { cfg.MaxAttempts = 1; cfg.MaxBodyBytes = 1 << 16 })

	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 0 {
			status = -status
		}
		status = 200 + status%400 // 200..599
		mu.Lock()
		cur.status, cur.ctype, cur.body = status, strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, contentType), body
		mu.Unlock()

		resp, err := c.Do(context.Background(), &Request{Path: "/me/events"})
		checkFuzzOutcome(t, err)
		if err == nil && len(resp.Body) > 0 && !json.Valid(resp.Body) {
			t.Fatalf("Do accepted invalid JSON %q", resp.Body)
		}
		res, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, PageOptions{MaxPages: 3, MaxItems: 50})
		checkFuzzOutcome(t, err)
		if res != nil {
			var items []json.RawMessage
			if jerr := json.Unmarshal(res.Items, &items); jerr != nil || len(items) != res.Count {
				t.Fatalf("Items %q is not a JSON array of Count=%d items: %v", res.Items, res.Count, jerr)
			}
		}
	})
}

func checkFuzzOutcome(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	s := err.Error()
	if strings.ContainsAny(s, "\r\n\x1b") || strings.Contains(s, testToken) {
		t.Fatalf("unsafe error text %q", s)
	}
}
