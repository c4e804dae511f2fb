package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The quota's cost per write: a write measures what it touches, so its
// cost does not grow with the mailbox. The baselines are what measuring
// by encoding would cost: the whole mailbox (what a request would pay if
// the sandbox re-serialized the mailbox to know its size) and one item.

var quotaSink any

// benchMailbox is a sandbox whose demo mailbox holds n more events like
// the seeded ones, and a message with a 3 MB attachment.
func benchMailbox(b *testing.B, n int) (*Server, *Mailbox, string, string) {
	b.Helper()
	s := New(Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: -1})
	m := s.data.mailbox(demoUser.ID)
	for i := range n {
		e := cloneObject(m.Events[i%len(m.Events)])
		e["id"] = newItemID()
		e["body"] = Object{"contentType": "html", "content": strings.Repeat("<p>Agenda item</p>", 20)}
		m.Events = append(m.Events, e)
	}
	msg := cloneObject(m.Messages[0])
	msg["id"] = newItemID()
	msg["attachments"] = []any{Object{"@odata.type": "#microsoft.graph.fileAttachment", "id": newItemID(), "name": "big.bin",
		"contentType": "application/octet-stream", "size": float64(3 << 20), "contentBytes": strings.Repeat("QUJD", 1<<20)}}
	m.Messages = append(m.Messages, msg)
	s.data.measure()
	return s, m, getString(m.Events[len(m.Events)-1], "id"), getString(msg, "id")
}

func serveBench(b *testing.B, s *Server, tok, method, path, body string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkPatchEvent is a whole PATCH of one event, quota included, in
// mailboxes of 20 and 2,000 events.
func BenchmarkPatchEvent(b *testing.B) {
	for _, n := range []int{20, 2000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			s, m, id, _ := benchMailbox(b, n)
			tok := s.Token("Calendars.ReadWrite")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				serveBench(b, s, tok, "PATCH", "/v1.0/me/events/"+id, fmt.Sprintf(`{"subject":"Renamed %d"}`, i%10))
			}
			b.ReportMetric(float64(m.used), "mailbox-B")
		})
	}
}

// BenchmarkBaselineMarshalMailbox encodes the mailboxes of
// BenchmarkPatchEvent: what each write would cost on top if the quota
// measured the mailbox by encoding it.
func BenchmarkBaselineMarshalMailbox(b *testing.B) {
	for _, n := range []int{20, 2000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			_, m, _, _ := benchMailbox(b, n)
			b.ReportAllocs()
			for b.Loop() {
				data, err := json.Marshal(m)
				if err != nil {
					b.Fatal(err)
				}
				quotaSink = data
			}
		})
	}
}

// BenchmarkPatchLargeMessage marks a message with a 3 MB attachment read:
// the change is measured, not the attachment.
func BenchmarkPatchLargeMessage(b *testing.B) {
	s, _, _, id := benchMailbox(b, 20)
	tok := s.Token("Mail.ReadWrite")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		serveBench(b, s, tok, "PATCH", "/v1.0/me/messages/"+id+"?$select=isRead", fmt.Sprintf(`{"isRead":%v}`, i%2 == 0))
	}
}

// BenchmarkBaselineMeasureLargeMessage measures the message of
// BenchmarkPatchLargeMessage whole, as the PATCH would if it measured the
// item rather than the change.
func BenchmarkBaselineMeasureLargeMessage(b *testing.B) {
	s, _, _, id := benchMailbox(b, 20)
	i, _ := indexByID(s.data.mailbox(demoUser.ID).Messages, id)
	msg := s.data.mailbox(demoUser.ID).Messages[i]
	b.ReportAllocs()
	for b.Loop() {
		quotaSink = jsonLen(msg)
	}
}

// BenchmarkMeasureEvent and BenchmarkBaselineMarshalEvent measure one
// seeded event: jsonLen walks it, encoding/json writes it.
func BenchmarkMeasureEvent(b *testing.B) {
	_, m, _, _ := benchMailbox(b, 1)
	e := m.Events[len(m.Events)-1]
	b.ReportAllocs()
	for b.Loop() {
		quotaSink = jsonLen(e)
	}
}

func BenchmarkBaselineMarshalEvent(b *testing.B) {
	_, m, _, _ := benchMailbox(b, 1)
	e := m.Events[len(m.Events)-1]
	b.ReportAllocs()
	for b.Loop() {
		data, _ := json.Marshal(e)
		quotaSink = len(data)
	}
}
