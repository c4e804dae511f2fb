package main

import (
	"testing"
	"time"
)

// The timeline of a day the clocks change (23 hours), with an all-day
// event, an event past midnight and a window wider than 14 hours (drawn
// at 30 minutes a character).
func TestTimelineEdges(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	day := time.Date(2026, 3, 29, 0, 0, 0, 0, berlin) // 23 hours long
	at := func(h, m int) time.Time { return time.Date(2026, 3, 29, h, m, 0, 0, berlin) }
	res := result{Status: "completed", Outputs: []outputItem{
		{Name: "events", Columns: []string{"start"}, Value: []any{
			map[string]any{"start": at(1, 0), "end": at(4, 0), "subject": "Night shift"},
			map[string]any{"start": day, "end": day.AddDate(0, 0, 1), "subject": "Holiday", "all_day": true},
			map[string]any{"start": at(22, 0), "end": time.Date(2026, 3, 30, 1, 0, 0, 0, berlin), "subject": "Late call"},
		}},
		{Name: "day", Value: day},
	}}
	got := dayTimeline(res, nil)
	// 02:00 to 03:00 does not exist that day: 01:00 to 04:00 is two hours,
	// and the labels every two hours skip 02.
	want := `Sunday 29 March, 01:00 to 24:00 (Europe/Berlin):
                    01  04  06  08  10  12  14  16  18  20  22  24
Night shift         ████········································  01:00–04:00
Late call           ········································████  22:00–24:00
busy                ████····································████
Holiday             all day
Free: 04:00–22:00 (18 h).
`
	if got != want {
		t.Errorf("timeline:\n%s\nwant:\n%s", got, want)
	}
	// Not a day of events: nothing drawn.
	if s := dayTimeline(result{Outputs: []outputItem{{Name: "day", Value: time.Time{}}}}, nil); s != "" {
		t.Errorf("drew %q", s)
	}
	if s := dayTimeline(result{Outputs: []outputItem{{Name: "events", Value: []any{map[string]any{"start": "x"}}}, {Name: "day", Value: day}}}, nil); s != "" {
		t.Errorf("drew %q", s)
	}
}
