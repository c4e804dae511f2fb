package input

import (
	"testing"
	"time"
)

// Relative answers are rounded to the minute; with a Base, a bare time of
// day and a duration are read against it (an event's end after its start).
func TestRelativeAnswers(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	now := time.Date(2026, 12, 4, 6, 17, 59, 810253900, berlin) // a Friday
	start := time.Date(2026, 12, 11, 15, 0, 0, 0, berlin)       // next friday 3pm
	late := time.Date(2026, 12, 11, 23, 0, 0, 0, berlin)
	tests := []struct {
		typ    Type
		answer string
		base   time.Time
		want   time.Time
	}{
		{DateTime, "in 30 minutes", time.Time{}, time.Date(2026, 12, 4, 6, 48, 0, 0, berlin)},
		{DateTime, "in 2 days", time.Time{}, time.Date(2026, 12, 6, 6, 18, 0, 0, berlin)},
		{DateTime, "10 minutes ago", time.Time{}, time.Date(2026, 12, 4, 6, 8, 0, 0, berlin)},
		{DateTime, "4pm", start, time.Date(2026, 12, 11, 16, 0, 0, 0, berlin)},
		{DateTime, "4pm", time.Time{}, time.Date(2026, 12, 4, 16, 0, 0, 0, berlin)},
		{DateTime, "1h", start, time.Date(2026, 12, 11, 16, 0, 0, 0, berlin)},
		{DateTime, "90 min", start, time.Date(2026, 12, 11, 16, 30, 0, 0, berlin)},
		{DateTime, "1am", late, time.Date(2026, 12, 11, 1, 0, 0, 0, berlin)},
		{DateTime, "tomorrow 4pm", start, time.Date(2026, 12, 5, 16, 0, 0, 0, berlin)},
		{Time, "16:30", start, time.Date(2026, 12, 11, 16, 30, 0, 0, berlin)},
	}
	for _, tc := range tests {
		got, err := Parse(tc.typ, tc.answer, Context{Now: now, Zone: berlin, Base: tc.base})
		if err != nil {
			t.Errorf("%s %q (base %v): %v", tc.typ, tc.answer, tc.base, err)
			continue
		}
		if !got.(time.Time).Equal(tc.want) {
			t.Errorf("%s %q (base %v) = %v, want %v", tc.typ, tc.answer, tc.base, got, tc.want)
		}
	}
	if _, err := Parse(DateTime, "1h", Context{Now: now, Zone: berlin}); err == nil {
		t.Error(`"1h" without a base was accepted as a date and time`)
	}
}
