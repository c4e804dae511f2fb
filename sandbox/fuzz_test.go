package sandbox

import (
	"testing"
)

// FuzzFilter feeds arbitrary $filter text to the parser and runs what it
// accepts on a sample event: no input may panic or hang.
func FuzzFilter(f *testing.F) {
	for _, seed := range []string{
		"subject eq 'x'",
		"displayName eq 'Bob''s list'",
		"startswith(subject,'Focus') eq false and isAllDay eq true",
		"(a eq 1 or not b ne 2) and c ge 2026-01-01T00:00:00Z",
		"start/dateTime lt '2026-11-28T00:00:00'",
		"subject eq null",
		"((((",
		"'",
	} {
		f.Add(seed)
	}
	sample := Object{"subject": "Focus time", "isAllDay": false, "start": Object{"dateTime": "2026-11-27T10:00:00.0000000", "timeZone": "UTC"},
		"importance": "normal", "reminderMinutesBeforeStart": float64(15), "createdDateTime": "2026-11-20T10:00:00.0000000Z"}
	f.Fuzz(func(t *testing.T, raw string) {
		pred, err := parseFilter(raw, eventKind)
		if err != nil {
			if err.status != 400 {
				t.Fatalf("status %d for %q", err.status, raw)
			}
			return
		}
		pred(sample)
	})
}

// FuzzCheckEventBody feeds arbitrary JSON to the event validator: it must
// answer a 400 or a valid event, never panic.
func FuzzCheckEventBody(f *testing.F) {
	f.Add(validEvent)
	f.Add(eventWith("recurrence", `{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},"range":{"type":"numbered","startDate":"2026-12-01","numberOfOccurrences":3}}`))
	f.Add(`{"start":{"dateTime":"2026-12-01","timeZone":"UTC"},"end":{"dateTime":"2026-12-02","timeZone":"UTC"},"isAllDay":true}`)
	f.Add(`{"attendees":[{"emailAddress":{"address":"a@b.c"}}],"locations":[{"displayName":"x","address":{"city":"y"}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		in, err := decodeBody([]byte(body))
		if err != nil {
			return
		}
		ev, err := checkObject(eventType.get(), in, "")
		if err != nil {
			return
		}
		if ev["start"] == nil || ev["end"] == nil {
			return
		}
		if err := normalizeEvent(ev, testNow, demoUser); err != nil {
			if err.status != 400 {
				t.Fatalf("status %d", err.status)
			}
			return
		}
		if ev["recurrence"] != nil {
			expandSeries(ev, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
		}
	})
}
