package engine

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runflow/runflow/graph"
)

// A write that ends with an unknown outcome (504, bare 503) fails the flow
// with a *graph.MaybeSentError, and on_error rules do not catch it: a rule
// written for a Graph answer (even one matching the status) must not turn
// "may have been sent" into "handled".
func TestMaybeSentWriteIsNotAGraphError(t *testing.T) {
	for _, c := range []struct {
		name, rule string
	}{
		{"no rule", ""},
		{"status rule", "    on_error:\n      - status: [504, 503]\n        continue: true\n"},
		{"code rule", "    on_error:\n      - code: [GatewayTimeout, ServiceUnavailable]\n        continue: true\n"},
	} {
		for _, status := range []int{504, 503} {
			t.Run(c.name+"/"+http.StatusText(status), func(t *testing.T) {
				tp := loadInline(t, `
steps:
  - id: create
    http:
      method: POST
      path: /me/todo/lists
      body: {displayName: x}
`+c.rule+`  - say: after
`)
				g := newFakeGraph(t)
				g.handleFunc("POST /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
					if status == 504 {
						writeJSON(w, 504, `{"error":{"code":"GatewayTimeout","message":"upstream"}}`)
						return
					}
					w.WriteHeader(503) // bare: no Graph error body
				})
				turn := runInline(t, g, tp, StartOptions{}, Limits{})
				wantFailure(t, turn, "may have been sent")
				var maybe *graph.MaybeSentError
				if !errors.As(turn.Err, &maybe) {
					t.Errorf("error %v is not a *graph.MaybeSentError", turn.Err)
				}
				if len(turn.Messages) != 0 {
					t.Errorf("the flow went on after the write: %q", turn.Messages)
				}
				if n := len(g.sent()); n != 1 {
					t.Errorf("the write was sent %d times, want once", n)
				}
			})
		}
	}
}

// A body with a top-level transactionId makes a POST that creates an event
// idempotent: a 504 is retried and the flow completes. The same body
// without it, or sent elsewhere (Graph deduplicates by transactionId only
// when creating events), is not.
func TestTransactionIDMakesAWriteRetrySafe(t *testing.T) {
	const withID = "{subject: x, transactionId: '${ session.id }'}"
	for _, c := range []struct {
		name, method, path, user, route, body string
		sends                                 int32
		ok                                    bool
	}{
		{"transactionId", "POST", "/me/events", "", "POST /v1.0/me/events", withID, 2, true},
		{"other mailbox", "POST", "/me/calendar/events", "ann@contoso.com", "POST /v1.0/users/ann@contoso.com/calendar/events", withID, 2, true},
		{"a calendar", "POST", "/me/calendars/c1/events", "", "POST /v1.0/me/calendars/c1/events", withID, 2, true},
		{"nested transactionId", "POST", "/me/events", "", "POST /v1.0/me/events", "{subject: x, extra: {transactionId: abc}}", 1, false},
		{"empty transactionId", "POST", "/me/events", "", "POST /v1.0/me/events", "{subject: x, transactionId: ''}", 1, false},
		{"none", "POST", "/me/events", "", "POST /v1.0/me/events", "{subject: x}", 1, false},
		{"not an event", "POST", "/me/messages", "", "POST /v1.0/me/messages", withID, 1, false},
		{"sendMail", "POST", "/me/sendMail", "", "POST /v1.0/me/sendMail", withID, 1, false},
		{"event update", "PATCH", "/me/events/e1", "", "PATCH /v1.0/me/events/e1", withID, 1, false},
		{"event action", "POST", "/me/events/e1/forward", "", "POST /v1.0/me/events/e1/forward", withID, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInlineScopes(t, "[Calendars.ReadWrite, Mail.ReadWrite, Mail.Send]", `
steps:
  - http:
      method: `+c.method+`
      path: `+c.path+`
      body: `+c.body+`
`)
			g := newFakeGraph(t)
			var sends atomic.Int32
			g.handleFunc(c.route, func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if sends.Add(1) == 1 {
					w.Header().Set("Retry-After", "0")
					writeJSON(w, 504, `{"error":{"code":"GatewayTimeout","message":"upstream"}}`)
					return
				}
				writeJSON(w, 201, `{"id":"e1"}`)
			})
			turn := runInline(t, g, tp, StartOptions{User: c.user}, Limits{})
			if got := sends.Load(); got != c.sends {
				t.Errorf("sent %d times, want %d", got, c.sends)
			}
			if c.ok && (turn.Kind != KindDone || turn.Status != StatusCompleted) {
				t.Errorf("turn %v %v, want completed", turn.Kind, turn.Err)
			}
			if !c.ok && (turn.Kind != KindFailed || !strings.Contains(turn.Err.Error(), "may have been sent")) {
				t.Errorf("turn %v %v, want failed saying may have been sent", turn.Kind, turn.Err)
			}
		})
	}
}

// createsEvent accepts the events collections of a mailbox, and nothing
// else.
func TestCreatesEvent(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/me/events", true},
		{"POST", "/me/events/", true},
		{"POST", "/ME/Events", true},
		{"POST", "/users/u1/events", true},
		{"POST", "/me/calendar/events", true},
		{"POST", "/users/u1/calendar/events", true},
		{"POST", "/me/calendars/c1/events", true},
		{"POST", "/users/u1/calendars/c1/events", true},
		{"POST", "/me/calendarGroups/g1/calendars/c1/events", true},
		{"POST", "/me/events?$select=id", true},
		{"PATCH", "/me/events", false},
		{"PUT", "/me/events", false},
		{"POST", "/me/events/e1", false},
		{"POST", "/me/events/e1/accept", false},
		{"POST", "/me/messages", false},
		{"POST", "/me/sendMail", false},
		{"POST", "/me/todo/lists/l1/tasks", false},
		{"POST", "/users//events", false},
		{"POST", "/me/calendars//events", false},
		{"POST", "/groups/g1/events", false},
		{"POST", "/events", false},
		{"POST", "/me/calendar/calendarView", false},
	} {
		if got := createsEvent(c.method, c.path); got != c.want {
			t.Errorf("createsEvent(%s %s) = %v, want %v", c.method, c.path, got, c.want)
		}
	}
}
