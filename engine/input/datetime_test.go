package input

import (
	"testing"
	"time"
)

// wednesday is the reference "now" of these tests: Wednesday 25 November
// 2026, 20:00 wall-clock time in the zone under test.
func wednesday(loc *time.Location) time.Time {
	return time.Date(2026, 11, 25, 20, 0, 0, 0, loc)
}

// at builds a wall-clock time in loc, for expectations.
func at(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func TestParseDateTimeForms(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific Standard Time", "Pacific/Chatham"} {
		loc := mustZone(t, zone)
		c := Context{Now: wednesday(loc), Zone: loc}
		tests := []struct {
			answer string
			want   time.Time
		}{
			{"2026-12-01 15:00", at(loc, 2026, 12, 1, 15, 0)},
			{"2026-12-01T15:00", at(loc, 2026, 12, 1, 15, 0)},
			{"2026-12-01t15:00:30", time.Date(2026, 12, 1, 15, 0, 30, 0, loc)},
			{"2026-12-01T15:00:30.25", time.Date(2026, 12, 1, 15, 0, 30, 250000000, loc)},
			{"2026-12-01 3pm", at(loc, 2026, 12, 1, 15, 0)},
			{"tomorrow 9am", at(loc, 2026, 11, 26, 9, 0)},
			{"Tomorrow at 9 AM", at(loc, 2026, 11, 26, 9, 0)},
			{"9am tomorrow", at(loc, 2026, 11, 26, 9, 0)},
			{"today at 3pm", at(loc, 2026, 11, 25, 15, 0)},
			{"today 15:00", at(loc, 2026, 11, 25, 15, 0)},
			{"yesterday noon", at(loc, 2026, 11, 24, 12, 0)},
			{"next monday 14:30", at(loc, 2026, 11, 30, 14, 30)},
			{"monday at 9:30 pm", at(loc, 2026, 11, 30, 21, 30)},
			{"this friday 9.30pm", at(loc, 2026, 11, 27, 21, 30)},
			{"3pm on friday", at(loc, 2026, 11, 27, 15, 0)},
			{"wed 8am", at(loc, 2026, 11, 25, 8, 0)},           // today is Wednesday
			{"next wednesday 8am", at(loc, 2026, 12, 2, 8, 0)}, // "next" skips today
			{"last wednesday 8am", at(loc, 2026, 11, 18, 8, 0)},
			{"dec 1 9:30pm", at(loc, 2026, 12, 1, 21, 30)},
			{"1 december 2026 at 9:30 am", at(loc, 2026, 12, 1, 9, 30)},
			{"December 1st, 2026, 10:00", at(loc, 2026, 12, 1, 10, 0)},
			{"the 3rd of january 12am", at(loc, 2027, 1, 3, 0, 0)},
			{"jan 3 12pm", at(loc, 2027, 1, 3, 12, 0)},
			{"1.12.2026 18:45", at(loc, 2026, 12, 1, 18, 45)},
			{"2026/12/01 07:05", at(loc, 2026, 12, 1, 7, 5)},
			{"tomorrow midnight", at(loc, 2026, 11, 26, 0, 0)},
			{"9 p.m. tomorrow", at(loc, 2026, 11, 26, 21, 0)},
			{"15:00", at(loc, 2026, 11, 25, 15, 0)}, // a time alone is today
			{"  in 2 hours ", wednesday(loc).Add(2 * time.Hour)},
			{"in 30 minutes", wednesday(loc).Add(30 * time.Minute)},
			{"in an hour", wednesday(loc).Add(time.Hour)},
			{"in 1h30m", wednesday(loc).Add(90 * time.Minute)},
			{"2 hours from now", wednesday(loc).Add(2 * time.Hour)},
			{"in 3 days", at(loc, 2026, 11, 28, 20, 0)},
			{"in two weeks", at(loc, 2026, 12, 9, 20, 0)},
			{"3 days ago", at(loc, 2026, 11, 22, 20, 0)},
			{"in a month", at(loc, 2026, 12, 25, 20, 0)},
			{"in 1 year", at(loc, 2027, 11, 25, 20, 0)},
			{"now", wednesday(loc)},
		}
		for _, tc := range tests {
			got, err := Parse(DateTime, tc.answer, c)
			if err != nil {
				t.Errorf("%s: Parse(datetime, %q): %v", zone, tc.answer, err)
				continue
			}
			tm := got.(time.Time)
			if !tm.Equal(tc.want) || tm.Location() != loc {
				t.Errorf("%s: Parse(datetime, %q) = %v (%v), want %v", zone, tc.answer, tm, tm.Location(), tc.want)
			}
		}
	}
}

func TestParseDateTimeOffsets(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{Now: wednesday(berlin), Zone: berlin}
	tests := []struct {
		answer string
		want   time.Time
	}{
		{"2026-12-01T15:00:00Z", time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)},
		{"2026-12-01T15:00:00+05:30", time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)},
		{"2026-12-01T15:00-0800", time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)},
		{"2026-12-01 15:00 UTC", time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)},
		{"2026-07-01T00:00:00.123456789+02:00", time.Date(2026, 6, 30, 22, 0, 0, 123456789, time.UTC)},
	}
	for _, tc := range tests {
		got, err := Parse(DateTime, tc.answer, c)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.answer, err)
		}
		tm := got.(time.Time)
		if !tm.Equal(tc.want) || tm.Location() != berlin {
			t.Errorf("Parse(%q) = %v in %v, want instant %v in Europe/Berlin", tc.answer, tm, tm.Location(), tc.want)
		}
	}
}

func TestParseDateTimeRejects(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{Now: wednesday(berlin), Zone: berlin, Required: true}
	tests := []struct {
		answer    string
		fragments []string
	}{
		{"", []string{"An answer is needed"}},
		{"tomorrow", []string{`"tomorrow" is not a date and time`, "needs a time of day", `"tomorrow 9am"`}},
		{"2026-12-01", []string{"needs a time of day"}},
		{"01/02/2026", []string{"2026-01-02 or 2026-02-01", "year-month-day"}},
		{"12/31/2026 10:00", []string{"2026-12-31"}},
		{"31/12/2026", []string{"2026-12-31"}},
		{"1/2/26", []string{"year-month-day"}},
		{"2026-02-29 10:00", []string{"February 2026 has 28 days"}},
		{"2026-13-01 10:00", []string{"no month 13"}},
		{"2026-12-01 24:00", []string{"between 00:00 and 23:59"}},
		{"2026-12-01T10:00+15:00", []string{"not a valid UTC offset"}},
		{"tomorrow at 9", []string{"write 9am, 9pm or 09:00"}},
		{"tomorrow 13pm", []string{"from 1 to 12, not 13"}},
		{"tomorrow 0am", []string{"from 1 to 12, not 0"}},
		{"tomorrow 25:00", []string{"hours go from 0 to 23"}},
		{"tomorrow 10:61", []string{"00 to 59"}},
		{"feb 30 10:00", []string{"February has 29 days"}},
		{"banana", []string{`"banana" is not a date and time`, "try 2026-12-01 15:00, tomorrow 9am or next monday 14:30"}},
		{"in 2 fortnights", []string{`after "in" give an amount of time`}},
		{"in 9999 years", []string{"too far away"}},
		{"one two three four five six seven eight nine", []string{"try 2026-12-01 15:00"}},
		{"0999-01-01 10:00", []string{"four digits"}},
	}
	for _, tc := range tests {
		v, err := Parse(DateTime, tc.answer, c)
		if err == nil {
			t.Errorf("Parse(datetime, %q) = %v, want an error", tc.answer, v)
			continue
		}
		wantUserError(t, err, tc.fragments...)
	}
}

func TestParseDate(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "India Standard Time", "Pacific/Chatham"} {
		loc := mustZone(t, zone)
		c := Context{Now: wednesday(loc), Zone: loc}
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
		tests := []struct {
			answer string
			want   time.Time
		}{
			{"2026-12-01", day(2026, 12, 1)},
			{"today", day(2026, 11, 25)},
			{"TOMORROW", day(2026, 11, 26)},
			{"yesterday", day(2026, 11, 24)},
			{"day after tomorrow", day(2026, 11, 27)},
			{"monday", day(2026, 11, 30)},
			{"on monday", day(2026, 11, 30)},
			{"next monday", day(2026, 11, 30)},
			{"this friday", day(2026, 11, 27)},
			{"wednesday", day(2026, 11, 25)},
			{"next wednesday", day(2026, 12, 2)},
			{"last friday", day(2026, 11, 20)},
			{"dec 1", day(2026, 12, 1)},
			{"december 31st", day(2026, 12, 31)},
			{"nov 25", day(2026, 11, 25)}, // today counts
			{"nov 24", day(2027, 11, 24)}, // passed this year: next year
			{"1 jan", day(2027, 1, 1)},
			{"1 december 2026", day(2026, 12, 1)},
			{"feb 29", day(2028, 2, 29)}, // next leap year
			{"29 february 2028", day(2028, 2, 29)},
			{"31.12.2026", day(2026, 12, 31)},
			{"in 3 days", day(2026, 11, 28)},
			{"in 6 days", day(2026, 12, 1)}, // across the month end
			{"in 37 days", day(2027, 1, 1)}, // across the year end
			{"tomorrow 9am", day(2026, 11, 26)},
			{"2026-12-01T23:30:00Z", dayOfInstant(time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC), loc)},
		}
		for _, tc := range tests {
			got, err := Parse(Date, tc.answer, c)
			if err != nil {
				t.Errorf("%s: Parse(date, %q): %v", zone, tc.answer, err)
				continue
			}
			if tm := got.(time.Time); !tm.Equal(tc.want) || tm.Location() != loc {
				t.Errorf("%s: Parse(date, %q) = %v, want %v", zone, tc.answer, tm, tc.want)
			}
		}
	}
}

func dayOfInstant(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func TestParseDateRejects(t *testing.T) {
	c := Context{Now: wednesday(time.UTC), Zone: time.UTC}
	tests := []struct {
		answer    string
		fragments []string
	}{
		{"31/02", []string{`"31/02" is not a date`, "try 2026-12-01, tomorrow or next monday"}},
		{"9am", []string{"is a time, not a date"}},
		{"2027-02-29", []string{"February 2027 has 28 days"}},
		{"april 31", []string{"April has 30 days"}},
		{"32 jan", []string{"January has 31 days"}},
		{"0 jan", []string{"January has 31 days"}},
		{"someday", []string{"is not a date"}},
		{"02/01/2026", []string{"2026-02-01 or 2026-01-02"}},
	}
	for _, tc := range tests {
		v, err := Parse(Date, tc.answer, c)
		if err == nil {
			t.Errorf("Parse(date, %q) = %v, want an error", tc.answer, v)
			continue
		}
		wantUserError(t, err, tc.fragments...)
	}
}

func TestParseTime(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	c := Context{Now: wednesday(kolkata), Zone: kolkata}
	tests := []struct {
		answer string
		want   time.Time
	}{
		{"15:00", at(kolkata, 2026, 11, 25, 15, 0)},
		{"15:00:30", time.Date(2026, 11, 25, 15, 0, 30, 0, kolkata)},
		{"9am", at(kolkata, 2026, 11, 25, 9, 0)},
		{"9 AM", at(kolkata, 2026, 11, 25, 9, 0)},
		{"9:30 pm", at(kolkata, 2026, 11, 25, 21, 30)},
		{"9.30pm", at(kolkata, 2026, 11, 25, 21, 30)},
		{"12am", at(kolkata, 2026, 11, 25, 0, 0)},
		{"12pm", at(kolkata, 2026, 11, 25, 12, 0)},
		{"12:15 am", at(kolkata, 2026, 11, 25, 0, 15)},
		{"noon", at(kolkata, 2026, 11, 25, 12, 0)},
		{"midnight", at(kolkata, 2026, 11, 25, 0, 0)},
		{"at 7:05", at(kolkata, 2026, 11, 25, 7, 5)},
		{"2026-12-01T10:00:00+05:30", at(kolkata, 2026, 12, 1, 10, 0)}, // what Format writes
	}
	for _, tc := range tests {
		got, err := Parse(Time, tc.answer, c)
		if err != nil {
			t.Errorf("Parse(time, %q): %v", tc.answer, err)
			continue
		}
		if tm := got.(time.Time); !tm.Equal(tc.want) || tm.Location() != kolkata {
			t.Errorf("Parse(time, %q) = %v, want %v", tc.answer, tm, tc.want)
		}
	}
	for _, bad := range []string{"9", "25:00", "tea time", "tomorrow"} {
		_, err := Parse(Time, bad, c)
		wantUserError(t, err, "is not a time")
	}
}

// TestDaylightSaving checks both kinds of clock change in zones with hour,
// half-hour-off (India, none) and 45-minute (Chatham) offsets.
func TestDaylightSaving(t *testing.T) {
	tests := []struct {
		zone   string
		answer string
		want   time.Time // zero: refused
		wantIn []string  // fragments of the refusal
	}{
		// Clocks go forward: the skipped wall time is refused, with help.
		{zone: "Europe/Berlin", answer: "2026-03-29 02:30", wantIn: []string{"02:30 on 2026-03-29 does not exist in Europe/Berlin", "from 02:00 to 03:00", "try 03:30"}},
		{zone: "W. Europe Standard Time", answer: "2026-03-29 02:00", wantIn: []string{"does not exist", "try 03:00"}},
		{zone: "America/Los_Angeles", answer: "2026-03-08 2:15am", wantIn: []string{"from 02:00 to 03:00", "try 03:15"}},
		{zone: "Pacific/Chatham", answer: "2026-09-27 03:00", wantIn: []string{"from 02:45 to 03:45", "try 04:00"}},
		// Just around the gap, both sides exist.
		{zone: "Europe/Berlin", answer: "2026-03-29 01:59", want: time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC)},
		{zone: "Europe/Berlin", answer: "2026-03-29 03:00", want: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		// Clocks go back: an ambiguous wall time is the earlier instant.
		{zone: "Europe/Berlin", answer: "2026-10-25 02:30", want: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{zone: "America/Los_Angeles", answer: "2026-11-01 1:30am", want: time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC)},
		{zone: "Pacific/Chatham", answer: "2026-04-05 03:00", want: time.Date(2026, 4, 4, 13, 15, 0, 0, time.UTC)},
		// No daylight saving in India.
		{zone: "Asia/Kolkata", answer: "2026-03-29 02:30", want: time.Date(2026, 3, 28, 21, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		loc := mustZone(t, tc.zone)
		got, err := Parse(DateTime, tc.answer, Context{Now: wednesday(loc), Zone: loc})
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("%s %q = %v, want a refusal", tc.zone, tc.answer, got)
				continue
			}
			wantUserError(t, err, tc.wantIn...)
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tc.zone, tc.answer, err)
			continue
		}
		if !got.(time.Time).Equal(tc.want) {
			t.Errorf("%s %q = %v, want %v", tc.zone, tc.answer, got.(time.Time).UTC(), tc.want)
		}
	}
}

// TestRelativeAcrossDaylightSaving: days move on the calendar (same wall
// time), hours on the clock.
func TestRelativeAcrossDaylightSaving(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	c := Context{Now: time.Date(2026, 3, 28, 10, 0, 0, 0, berlin), Zone: berlin}
	got, err := Parse(DateTime, "in 1 day", c)
	if err != nil || !got.(time.Time).Equal(time.Date(2026, 3, 29, 10, 0, 0, 0, berlin)) {
		t.Errorf(`"in 1 day" = %v, %v; want 2026-03-29 10:00 CEST`, got, err)
	}
	got, err = Parse(DateTime, "in 24 hours", c)
	if err != nil || !got.(time.Time).Equal(time.Date(2026, 3, 29, 11, 0, 0, 0, berlin)) {
		t.Errorf(`"in 24 hours" = %v, %v; want 2026-03-29 11:00 CEST`, got, err)
	}
	// From 02:30 the day before the change, "in 1 day" lands in the gap:
	// the clock distance is kept instead of failing.
	c.Now = time.Date(2026, 3, 28, 2, 30, 0, 0, berlin)
	got, err = Parse(DateTime, "in 1 day", c)
	if err != nil {
		t.Fatalf(`"in 1 day" into the gap: %v`, err)
	}
	if tm := got.(time.Time); tm.Sub(c.Now) != 24*time.Hour {
		t.Errorf(`"in 1 day" into the gap = %v, want 24h later`, tm)
	}
}

// TestStartOfDaySkippedMidnight: where clocks jump at midnight, a date
// starts when the clocks resume.
func TestStartOfDaySkippedMidnight(t *testing.T) {
	for _, tc := range []struct {
		zone, answer string
		want         time.Time
	}{
		{"America/Havana", "2026-03-08", time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC)},
		{"America/Santiago", "2026-09-06", time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC)},
	} {
		loc := mustZone(t, tc.zone)
		got, err := Parse(Date, tc.answer, Context{Now: wednesday(loc), Zone: loc})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.zone, tc.answer, err)
		}
		tm := got.(time.Time)
		if !tm.Equal(tc.want) || tm.Hour() != 1 || tm.Day() != tc.want.In(loc).Day() {
			t.Errorf("%s %s = %v, want %v (01:00 local)", tc.zone, tc.answer, tm, tc.want.In(loc))
		}
		// And midnight that day is refused as a datetime.
		_, err = Parse(DateTime, tc.answer+" 00:00", Context{Now: wednesday(loc), Zone: loc})
		wantUserError(t, err, "does not exist")
	}
}

// TestMonthAndYearEnds: relative days and weekdays across month and year
// boundaries, in a zone far from UTC so a UTC-based calculation would show.
func TestMonthAndYearEnds(t *testing.T) {
	chatham := mustZone(t, "Pacific/Chatham")
	la := mustZone(t, "America/Los_Angeles")
	tests := []struct {
		now    time.Time
		typ    Type
		answer string
		want   time.Time
	}{
		{time.Date(2026, 12, 31, 23, 30, 0, 0, chatham), Date, "tomorrow", time.Date(2027, 1, 1, 0, 0, 0, 0, chatham)},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, chatham), DateTime, "in 1 hour", time.Date(2027, 1, 1, 0, 30, 0, 0, chatham)},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, la), Date, "next friday", time.Date(2027, 1, 1, 0, 0, 0, 0, la)},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, la), Date, "today", time.Date(2026, 12, 31, 0, 0, 0, 0, la)},
		{time.Date(2026, 1, 31, 9, 0, 0, 0, la), DateTime, "in 1 month", time.Date(2026, 2, 28, 9, 0, 0, 0, la)},
		{time.Date(2028, 1, 31, 9, 0, 0, 0, la), DateTime, "in 1 month", time.Date(2028, 2, 29, 9, 0, 0, 0, la)},
		{time.Date(2028, 2, 29, 9, 0, 0, 0, la), Date, "in 1 year", time.Date(2029, 2, 28, 0, 0, 0, 0, la)},
		{time.Date(2026, 3, 1, 9, 0, 0, 0, la), Date, "yesterday", time.Date(2026, 2, 28, 0, 0, 0, 0, la)},
		{time.Date(2026, 12, 20, 9, 0, 0, 0, la), Date, "jan 5", time.Date(2027, 1, 5, 0, 0, 0, 0, la)},
		// "now" in UTC is already the next day in Chatham (UTC+13:45).
		{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Date, "today", time.Date(2026, 11, 26, 0, 0, 0, 0, chatham)},
	}
	for _, tc := range tests {
		loc := tc.want.Location()
		got, err := Parse(tc.typ, tc.answer, Context{Now: tc.now, Zone: loc})
		if err != nil {
			t.Errorf("now %v: %q: %v", tc.now, tc.answer, err)
			continue
		}
		if !got.(time.Time).Equal(tc.want) {
			t.Errorf("now %v: %s %q = %v, want %v", tc.now, tc.typ, tc.answer, got, tc.want)
		}
	}
}

func TestZeroNowAndNilZone(t *testing.T) {
	got, err := Parse(DateTime, "2026-12-01 15:00", Context{})
	if err != nil {
		t.Fatal(err)
	}
	if tm := got.(time.Time); tm.Location() != time.UTC || !tm.Equal(time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("nil zone: got %v, want 2026-12-01 15:00 UTC", tm)
	}
}
