package flowtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// ServiceRoot is the path under which the fake Graph server answers, as
// Graph's https://graph.microsoft.com/v1.0 does. Flow test paths are written
// relative to it.
const ServiceRoot = "/v1.0"

// maxRequestBody caps a request body the fake server reads.
const maxRequestBody = 8 << 20

// fakeGraph is a real HTTP server on loopback that plays a flow test's
// Graph exchanges in order and records every mismatch.
type fakeGraph struct {
	srv       *httptest.Server
	exchanges []Exchange
	token     string
	rec       *recorder
	date      string // the Date header: the case's clock, so answers are reproducible

	mu     sync.Mutex
	next   int // index of the next exchange to play
	served int // requests received, expected or not
}

// newFakeGraph starts a server for exchanges. Requests must carry
// "Authorization: Bearer token". Responses carry now as their Date.
func newFakeGraph(exchanges []Exchange, token string, now time.Time, rec *recorder) *fakeGraph {
	g := &fakeGraph{exchanges: exchanges, token: token, rec: rec, date: now.UTC().Format(http.TimeFormat)}
	g.srv = httptest.NewServer(g)
	return g
}

// BaseURL is the service root to configure the engine with.
func (g *fakeGraph) BaseURL() string { return g.srv.URL + ServiceRoot }

// Close stops the server, waiting for requests in flight.
func (g *fakeGraph) Close() { g.srv.Close() }

// counts returns how many exchanges were played and requests received.
func (g *fakeGraph) counts() (played, served int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.next, g.served
}

func (g *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err == nil && len(body) > maxRequestBody {
		err = fmt.Errorf("the body is larger than %d bytes", maxRequestBody)
	}

	g.mu.Lock()
	g.served++
	n, idx := g.served, g.next
	if idx < len(g.exchanges) {
		g.next++
	}
	g.mu.Unlock()

	got := describeRequest(r)
	if idx >= len(g.exchanges) {
		msg := fmt.Sprintf("unexpected request #%d: %s", n, got)
		if len(body) > 0 {
			msg += " with body " + clip(compactJSON(body))
		}
		msg += fmt.Sprintf("\nthe file declares %d exchange(s), all already played; add an exchange for this request or fix the flow", len(g.exchanges))
		g.rec.add(0, "graph", "%s", msg)
		g.writeGraphError(w, http.StatusNotImplemented, "flowtest.unexpectedRequest",
			"The flow test declares no exchange for this request.")
		return
	}

	ex := g.exchanges[idx]
	where := fmt.Sprintf("graph[%d]", idx)
	var diffs []string
	if err != nil {
		diffs = append(diffs, "reading the request body: "+err.Error())
	}
	if a := r.Header.Get("Authorization"); ex.Request.Upload {
		if a != "" {
			diffs = append(diffs, "Authorization: sent to an upload URL, which is pre-authenticated and must not receive the token")
		}
	} else if a != "Bearer "+g.token {
		if a == "" {
			diffs = append(diffs, "Authorization: missing, expected the token from the auth provider")
		} else {
			diffs = append(diffs, "Authorization: not the token from the auth provider (value not shown)")
		}
	}
	if !strings.HasPrefix(r.URL.Path, ServiceRoot+"/") {
		diffs = append(diffs, fmt.Sprintf("path: %s is outside the service root %s", quote(r.URL.Path), ServiceRoot))
	} else {
		diffs = append(diffs, compareRequest(ex.Request, r.Method,
			strings.TrimPrefix(r.URL.EscapedPath(), ServiceRoot),
			strings.TrimPrefix(r.URL.Path, ServiceRoot),
			r.URL.Query(), r.Header, body)...)
	}
	if len(diffs) > 0 {
		g.rec.add(ex.Line, where, "request %s differs from %s:\n%s",
			got, expectedRequestLine(ex.Request), strings.Join(diffs, "\n"))
	}
	g.respond(w, ex.Response)
}

// respond writes a scripted response, with {{base_url}} replaced.
func (g *fakeGraph) respond(w http.ResponseWriter, resp Response) {
	base := g.BaseURL()
	h := w.Header()
	h.Set("Date", g.date)
	for k, v := range resp.Headers {
		h.Set(k, strings.ReplaceAll(v, BaseURLPlaceholder, base))
	}
	body := bytes.ReplaceAll(resp.Body, []byte(BaseURLPlaceholder), []byte(base))
	if len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.Status)
	if resp.Status != http.StatusNoContent && resp.Status != http.StatusNotModified {
		_, _ = w.Write(body)
	}
}

func (g *fakeGraph) writeGraphError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Date", g.date)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// describeRequest renders a request for a message: method, path relative
// to the service root, and its query, decoded.
func describeRequest(r *http.Request) string {
	return describe(r.Method, strings.TrimPrefix(r.URL.Path, ServiceRoot), r.URL.Query())
}

func describe(method, path string, q url.Values) string {
	s := method + " " + path
	if len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			for _, v := range q[k] {
				parts = append(parts, k+"="+v)
			}
		}
		s += "?" + strings.Join(parts, "&")
	}
	return clip(s)
}

func expectedRequestLine(e RequestExpect) string {
	s := strings.TrimSpace(e.Method + " " + e.Path)
	if s == "" {
		return "the expected request"
	}
	return "the expected " + s
}

// compareRequest checks a request against what the file expects and returns
// one line per difference.
func compareRequest(e RequestExpect, method, escapedPath, path string, q url.Values, h http.Header, body []byte) []string {
	var diffs []string
	if e.Method != "" && e.Method != method {
		diffs = append(diffs, fmt.Sprintf("method: expected %s, got %s", e.Method, method))
	}
	if e.Path != "" {
		got := path
		if strings.Contains(e.Path, "%") {
			got = escapedPath
		}
		if got != e.Path {
			diffs = append(diffs, fmt.Sprintf("path: expected %s, got %s", quote(e.Path), quote(got)))
		}
	}
	for _, k := range sortedStringKeys(e.Query) {
		want, have := e.Query[k], q[k]
		switch {
		case len(have) == 0:
			diffs = append(diffs, fmt.Sprintf("query %s: missing, expected %s", k, quoteAll(want)))
		case !equalStrings(want, have):
			diffs = append(diffs, fmt.Sprintf("query %s: expected %s, got %s", k, quoteAll(want), quoteAll(have)))
		}
	}
	for _, k := range sortedStringKeys(e.Headers) {
		want := e.Headers[k]
		have := h.Values(k)
		switch {
		case len(have) == 0:
			diffs = append(diffs, fmt.Sprintf("header %s: missing, expected %s", k, quote(want)))
		case strings.Join(have, ", ") != want:
			diffs = append(diffs, fmt.Sprintf("header %s: expected %s, got %s", k, quote(want), quote(strings.Join(have, ", "))))
		}
	}
	if e.BodySet {
		diffs = append(diffs, compareBody(e.Body, body)...)
	}
	return diffs
}

func compareBody(wantJSON, got []byte) []string {
	want, err := decodeJSON(wantJSON)
	if err != nil { // cannot happen for bodies decoded from YAML
		return []string{"body: the expected body is not JSON: " + err.Error()}
	}
	if want == nil {
		if len(bytes.TrimSpace(got)) > 0 {
			return []string{"body: expected no body, got " + clip(compactJSON(got))}
		}
		return nil
	}
	if len(bytes.TrimSpace(got)) == 0 {
		return []string{"body: expected " + short(want) + ", got no body"}
	}
	have, err := decodeJSON(got)
	if err != nil {
		return []string{fmt.Sprintf("body: expected JSON %s, got text that is not JSON (%v): %s", short(want), err, quote(string(got)))}
	}
	return diffJSON("body", want, have)
}

func sortedStringKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return strings.Join(q, ", ")
}
