package input

import (
	"fmt"
	"time"
)

// Calendar days and clock times without a zone, and how a wall-clock reading
// becomes an instant in a zone (daylight-saving gaps and overlaps included).

// civilDay is a date on the calendar, without a zone.
type civilDay struct {
	year  int
	month time.Month
	day   int
}

func dayOf(t time.Time) civilDay {
	y, m, d := t.Date()
	return civilDay{y, m, d}
}

// addDays moves by n calendar days.
func (d civilDay) addDays(n int) civilDay {
	return dayOf(time.Date(d.year, d.month, d.day+n, 12, 0, 0, 0, time.UTC))
}

// addMonths moves by n months, keeping the day or using the month's last day
// when it is shorter (January 31 + 1 month = February 28 or 29).
func (d civilDay) addMonths(n int) civilDay {
	first := time.Date(d.year, d.month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	y, m, _ := first.Date()
	return civilDay{y, m, min(d.day, daysIn(y, m))}
}

func (d civilDay) before(o civilDay) bool {
	if d.year != o.year {
		return d.year < o.year
	}
	if d.month != o.month {
		return d.month < o.month
	}
	return d.day < o.day
}

func (d civilDay) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// clockTime is a time of day, without a date or zone.
type clockTime struct {
	hour, minute, second, nanosecond int
}

func (k clockTime) String() string {
	return fmt.Sprintf("%02d:%02d", k.hour, k.minute)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// makeDay checks that year, month and day name a real date.
func makeDay(y, m, d int) (civilDay, string) {
	switch {
	case y < 1000 || y > 9999:
		return civilDay{}, "the year must have four digits"
	case m < 1 || m > 12:
		return civilDay{}, fmt.Sprintf("there is no month %d", m)
	case d < 1 || d > daysIn(y, time.Month(m)):
		return civilDay{}, fmt.Sprintf("%s %d has %d days", time.Month(m), y, daysIn(y, time.Month(m)))
	}
	return civilDay{y, time.Month(m), d}, ""
}

// startOfDay is the first instant of day in loc: midnight, or the moment the
// clocks jump to when a daylight-saving change skips midnight.
func startOfDay(d civilDay, loc *time.Location) time.Time {
	t, msg := localInstant(d, clockTime{}, loc)
	if msg == "" {
		return t
	}
	if after, ok := gapEnd(d, clockTime{}, loc); ok {
		return after
	}
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, loc)
}

// localInstant finds the instant that shows clock k on day d in loc. A time
// that occurs twice (when clocks go back) gives the earlier one; a time that
// never occurs (when clocks go forward) is refused with a message saying
// what the clocks do that day.
func localInstant(d civilDay, k clockTime, loc *time.Location) (time.Time, string) {
	wall := time.Date(d.year, d.month, d.day, k.hour, k.minute, k.second, k.nanosecond, time.UTC)
	var best time.Time
	for _, off := range nearbyOffsets(wall, loc) {
		u := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(u, wall) && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if !best.IsZero() {
		return best, ""
	}
	msg := fmt.Sprintf("%s on %s does not exist in %s", k, d, loc)
	if after, ok := gapEnd(d, k, loc); ok {
		_, offAfter := after.Zone()
		_, offBefore := after.Add(-time.Nanosecond).Zone()
		from := after.In(time.FixedZone("", offBefore)).Format("15:04")
		msg += fmt.Sprintf(" (the clocks jump from %s to %s that day); try %s", from, after.Format("15:04"),
			wall.Add(time.Duration(offAfter-offBefore)*time.Second).Format("15:04"))
	}
	return time.Time{}, msg
}

// gapEnd finds the instant clocks jump to in the gap that swallows d k.
func gapEnd(d civilDay, k clockTime, loc *time.Location) (time.Time, bool) {
	wall := time.Date(d.year, d.month, d.day, k.hour, k.minute, k.second, k.nanosecond, time.UTC)
	for _, off := range nearbyOffsets(wall, loc) {
		u := wall.Add(-time.Duration(off) * time.Second).In(loc)
		start, _ := u.ZoneBounds()
		if !start.IsZero() && !start.After(u) && u.Sub(start) < 48*time.Hour {
			if _, offBefore := start.Add(-time.Nanosecond).Zone(); offBefore == off {
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// nearbyOffsets lists the zone's UTC offsets within two days of wall, which
// covers every offset a wall-clock reading that day could be in.
func nearbyOffsets(wall time.Time, loc *time.Location) []int {
	var offs []int
	for _, h := range []time.Duration{-48, -24, 0, 24, 48} {
		_, off := wall.Add(h * time.Hour).In(loc).Zone()
		dup := false
		for _, o := range offs {
			dup = dup || o == off
		}
		if !dup {
			offs = append(offs, off)
		}
	}
	return offs
}

func sameWall(u, wall time.Time) bool {
	y, m, d := u.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && u.Hour() == wall.Hour() && u.Minute() == wall.Minute() &&
		u.Second() == wall.Second() && u.Nanosecond() == wall.Nanosecond()
}
