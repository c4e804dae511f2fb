package graph

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestGraphErrorFixtures(t *testing.T) {
	tests := []struct {
		file, code, message, requestID, date string
		status                               int
	}{
		{"error-ErrorAccessDenied-app-access-policy-2021.json", "ErrorAccessDenied", "Access to OData is disabled.", "2f038156-cf40-403d-8e46-831fe42a8229", "2019-05-24T10:16:21", 403},
		{"error-ErrorInvalidIdMalformed-observed.json", "ErrorInvalidIdMalformed", "Id is malformed.", "c716830c-ef25-4f24-b5dd-e559d0b4b1eb", "2018-02-26T05:40:41", 400},
		{"error-ErrorItemNotFound-observed.json", "ErrorItemNotFound", "The specified object was not found in the store.", "0eb006e9-2ec5-4e9c-8c01-4fda9ccf396a", "2019-03-15T19:52:56", 404},
		{"error-InvalidAuthenticationToken-observed.json", "InvalidAuthenticationToken", "Access token has expired or is not yet valid.", "b04ace1e-13a0-4940-b489-f86dcca10985", "2023-02-20T05:06:48", 401},
		{"error-example-2021.json", "invalidRange", "Uploaded fragment overlaps with existing data.", "request-id", "date-time", 416},
		{"error-example-current.json", "invalidRange", "Uploaded fragment overlaps with existing data.", "request-id", "date-time", 416},
		{"throttling-429-response.json", "TooManyRequests", "Please retry again later.", "94fb3b52-452a-4535-a601-69e0a90e3aa2", "2020-08-18T12:51:51", 429},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			// Without a request-id header, the body's is used.
			e := ParseError(&Response{Status: tt.status, Body: []byte(fixture(t, tt.file)), Header: http.Header{}})
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message || e.RequestID != tt.requestID || e.Date != tt.date {
				t.Errorf("ParseError = %+v", e)
			}
			want := "graph: " + strconv.Itoa(tt.status) + " " + tt.code + ": " + tt.message + " (request-id " + tt.requestID + ", date " + tt.date + ")"
			if e.Error() != want {
				t.Errorf("Error() = %q\nwant       %q", e.Error(), want)
			}
			// Through a real exchange the header's request-id wins.
			srv := newScripted(t, reply{status: tt.status, body: fixture(t, tt.file)})
			c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxAttempts = 1 })
			resp, err := c.Do(context.Background(), &Request{Path: "/me"})
			var gerr *Error
			if !errors.As(err, &gerr) || gerr.Code != tt.code || gerr.RequestID != resp.RequestID || gerr.Response != resp {
				t.Errorf("Do error = %#v", err)
			}
		})
	}
}

func TestParseErrorOnOtherBodies(t *testing.T) {
	tests := []struct {
		name, ctype, body, wantMsg string
	}{
		{"HTML error page", "text/html", "<html><body>502 Bad Gateway</body></html>", "the response (41 bytes, text/html) is not Graph's error JSON"},
		{"empty", "", "", "the response has an empty body (no Content-Type), not Graph's error JSON"},
		{"truncated JSON", "application/json", `{"error":{"code":"Err`, "the response (21 bytes, application/json) is not Graph's error JSON"},
		{"JSON of another shape", "application/json", `{"error":"invalid_grant"}`, "is not Graph's error JSON"},
		{"error code not a string", "application/json", `{"error":{"code":5}}`, "is not Graph's error JSON"},
		{"bad content type", "a/b; ===", "x", "an invalid Content-Type"},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ctype != "" {
			h.Set("Content-Type", tt.ctype)
		}
		e := ParseError(&Response{Status: 502, Header: h, Body: []byte(tt.body)})
		if e.Code != "" || !strings.Contains(e.Message, tt.wantMsg) || e.Status != 502 {
			t.Errorf("%s: ParseError = %+v; want message containing %q", tt.name, e, tt.wantMsg)
		}
	}
	if e := ParseError(nil); e == nil || e.Error() == "" {
		t.Error("ParseError(nil) must still give an error")
	}
}

func TestParseErrorCleansHostileText(t *testing.T) {
	body := `{"error":{"code":"Bad\u001b[31mCode\nX","message":"line1\r\nline2\u202e` + strings.Repeat("x", 2000) + `","innererror":{"requestId":"r\nid","date":"d"}}}`
	e := ParseError(&Response{Status: 400, Body: []byte(body)})
	s := e.Error()
	if strings.ContainsAny(s, "\r\n\x1b\u202e") {
		t.Errorf("control characters survived: %q", s)
	}
	if len([]rune(e.Message)) > maxMessageRunes+1 || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("message not shortened: %d runes", len([]rune(e.Message)))
	}
	if e.RequestID != "r id" || e.Date != "d" {
		t.Errorf("innererror/requestId spelling not read: %+v", e)
	}
}

func TestSuccessBodies(t *testing.T) {
	html := map[string]string{"Content-Type": "text/html; charset=utf-8"}
	tests := []struct {
		name         string
		method       string
		allowNonJSON bool
		rp           reply
		wantReason   string // "" = success
	}{
		{"JSON", "GET", false, reply{status: 200, body: `{"a":1}`}, ""},
		{"vendor JSON type", "GET", false, reply{status: 200, header: map[string]string{"Content-Type": "application/problem+json"}, body: `{}`}, ""},
		{"sendMail 202 empty", "POST", false, reply{status: 202}, ""},
		{"DELETE 204", "DELETE", false, reply{status: 204}, ""},
		{"PATCH 200 empty", "PATCH", false, reply{status: 200}, ""},
		{"GET 200 empty", "GET", false, reply{status: 200}, "the body is empty; a JSON document was expected"},
		{"malformed JSON", "GET", false, reply{status: 200, body: `{"a":}`}, "is not valid JSON (truncated or malformed)"},
		{"truncated JSON", "GET", false, reply{status: 200, body: `{"value":[{"id":"1"},{"id":`}, "is not valid JSON (truncated or malformed)"},
		{"two documents", "GET", false, reply{status: 200, body: `{} {}`}, "is not valid JSON"},
		{"text/plain", "GET", false, reply{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: `{"a":1}`}, "is text/plain; application/json was expected"},
		{"HTML page", "GET", false, reply{status: 200, header: html, body: "<html>sign in</html>"}, "an HTML page"},
		{"no content type", "GET", false, reply{status: 200, header: map[string]string{"Content-Type": ""}, body: `{}`}, "has no Content-Type"},
		{"POST 201 HTML", "POST", false, reply{status: 201, header: html, body: "<html/>"}, "an HTML page"},
		{"non-JSON allowed", "GET", true, reply{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "42"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t)
			srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
				srv.hits.Add(1)
				for k, v := range tt.rp.header {
					w.Header()[k] = []string{v}
				}
				if _, set := tt.rp.header["Content-Type"]; !set && tt.rp.body != "" {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tt.rp.status)
				w.Write([]byte(tt.rp.body))
			})
			c, _ := newTestClient(t, srv.URL, nil)
			resp, err := c.Do(context.Background(), &Request{Method: tt.method, Path: "/me/x", AllowNonJSON: tt.allowNonJSON})
			if tt.wantReason == "" {
				if err != nil || resp.Status != tt.rp.status || string(resp.Body) != tt.rp.body {
					t.Fatalf("Do = %+v, %v", resp, err)
				}
				return
			}
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(re.Reason, tt.wantReason) || re.Status != tt.rp.status || re.Response == nil {
				t.Fatalf("err = %v; want a *ResponseError saying %q", err, tt.wantReason)
			}
			if srv.hits.Load() != 1 {
				t.Errorf("an unusable answer is not retried; hits = %d", srv.hits.Load())
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	big := `{"value":"` + strings.Repeat("x", 200) + `"}`
	for _, chunked := range []bool{false, true} {
		srv := newScripted(t)
		srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if chunked {
				w.Write([]byte(big[:50]))
				w.(http.Flusher).Flush()
				w.Write([]byte(big[50:]))
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write([]byte(big))
		})
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxBodyBytes = 100 })
		_, err := c.Do(context.Background(), &Request{Path: "/me/messages"})
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "MaxBodyBytes" || le.Value != 100 || !strings.Contains(err.Error(), "the response body exceeds the limit MaxBodyBytes = 100") {
			t.Errorf("chunked=%v: err = %v; want a *LimitError naming MaxBodyBytes", chunked, err)
		}
		// Exactly at the limit is fine.
		c2, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxBodyBytes = int64(len(big)) })
		if _, err := c2.Do(context.Background(), &Request{Path: "/me/messages"}); err != nil {
			t.Errorf("chunked=%v: a body of exactly MaxBodyBytes: %v", chunked, err)
		}
	}
}

func TestTruncatedBodyIsATransportError(t *testing.T) {
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		srv.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(`{"value":[`))
		w.(http.Flusher).Flush()
		hijackAndClose(w)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Do(context.Background(), &Request{Path: "/me/events"})
	if err == nil || !strings.Contains(err.Error(), "reading the 200 response") || srv.hits.Load() != 4 {
		t.Fatalf("err = %v after %d hits; want a read error after 4 attempts", err, srv.hits.Load())
	}
	srv.hits.Store(0)
	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/me/events", Body: []byte(`{}`)})
	var ms *MaybeSentError
	if !errors.As(err, &ms) || srv.hits.Load() != 1 {
		t.Fatalf("POST with a cut answer: err = %v after %d hits; want *MaybeSentError after 1", err, srv.hits.Load())
	}
}

func TestNewValidatesConfig(t *testing.T) {
	p := &countingProvider{tokens: []string{"x"}}
	for _, cfg := range []Config{
		{BaseURL: "https://graph.microsoft.com/v1.0"},
		{BaseURL: "graph.microsoft.com", Auth: p},
		{BaseURL: "ftp://graph.microsoft.com", Auth: p},
		{BaseURL: "https://graph.microsoft.com/v1.0?x=1", Auth: p},
		{BaseURL: "https://graph.microsoft.com", Auth: p, MaxAttempts: -1},
		{BaseURL: "https://graph.microsoft.com", Auth: p, MaxBodyBytes: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		}
	}
	c, err := New(Config{BaseURL: "https://graph.microsoft.com/v1.0/", Auth: p})
	if err != nil || c.BaseURL() != "https://graph.microsoft.com/v1.0" {
		t.Errorf("New = %v, %v", c, err)
	}
	if _, err := c.Do(context.Background(), &Request{Method: "TRACE", Path: "/me"}); err == nil || !strings.Contains(err.Error(), "method") {
		t.Errorf("method TRACE: %v", err)
	}
}
