package reliability

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
)

// TestBrokenGraphAnswersFailClearly: a Graph (here a loopback server) that
// answers with something other than Graph's JSON makes the flow fail at
// its step with an error saying what was wrong: never a panic, never an
// empty result taken for a good one, never a multi-line or token-bearing
// message.
func TestBrokenGraphAnswersFailClearly(t *testing.T) {
	tp := load(t, "read.yaml", `id: read
name: Read
description: reads the user's lists
scopes: [Tasks.Read]
steps:
  - id: lists
    http:
      method: GET
      path: /me/todo/lists
      paging: true
output:
  count: ${ steps.lists.count }
`)
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   string
	}{
		{"HTML page with 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Sign in to continue</body></html>"))
		}, "text/html"},
		{"JSON body with a text content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(`{"value":[]}`))
		}, "application/json was expected"},
		{"truncated JSON", jsonAnswer(200, `{"value":[{"id":"1"},{"id":`), "not valid JSON"},
		{"empty 200", jsonAnswer(200, ``), "empty"},
		{"not a collection", jsonAnswer(200, `{"value":"nope"}`), "not a collection"},
		{"error JSON echoing the token", jsonAnswer(401, `{"error":{"code":"InvalidAuthenticationToken","message":"Token `+hostileToken+` is bad"}}`), "<redacted>"},
		{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			w.Write([]byte("<h1>Bad Gateway</h1>\r\n\x1b[2J"))
		}, "not Graph's error JSON"},
		{"error with terminal escapes", jsonAnswer(400, `{"error":{"code":"BadRequest","message":"bad\u001b[2J\r\nINFO: all good"}}`), "BadRequest"},
		{"second page broken", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("$skip") == "" {
				jsonAnswer(200, `{"value":[{"id":"1"}],"@odata.nextLink":"http://`+r.Host+`/v1.0/me/todo/lists?$skip=1"}`)(w, r)
				return
			}
			jsonAnswer(200, `{"value":[{"id":`)(w, r)
		}, "page 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, _, e := graphAndEvil(t)
			g.setAnswer(c.answer)
			turn, err := e.Run(ctxTimeout(t, 30*time.Second), tp, engine.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != engine.KindFailed {
				t.Fatalf("the flow %v with outputs %v, want failed", turn.Kind, turn.Outputs)
			}
			msg := turn.Err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, "read.yaml:6:5") {
				t.Errorf("error %q does not say %q at the step's position", msg, c.want)
			}
			if strings.ContainsAny(msg, "\r\n\x1b") {
				t.Errorf("the error carries line breaks or escapes: %q", msg)
			}
			if strings.Contains(msg, hostileToken) {
				t.Errorf("the error shows the token: %q", msg)
			}
		})
	}
}
