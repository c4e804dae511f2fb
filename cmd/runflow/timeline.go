package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/runflow/runflow/engine/input"
)

// A day's events drawn as a timeline, for people at a terminal (the agenda
// template): hours across, one row per event with its busy block, a row
// with the whole day's busy time, and the free gaps. It is drawn for a
// completed flow whose outputs have a `day` (a time) and a list of records
// with `start` and `end` times; --output json and output that is not a
// terminal are not affected.

const (
	timelineLabel   = 18               // width of the row labels
	timelineMinGap  = 15 * time.Minute // shorter free gaps are not listed
	timelineMaxRows = 30               // events drawn; more are counted
	dayStartHour    = 8                // the window covers at least 08:00
	dayEndHour      = 18               // to 18:00
	cellsNarrow     = 2                // cells per hour for a long window (30 minutes each)
	cellsWide       = 4                // cells per hour (15 minutes each)
	wideHours       = 14               // a window up to this many hours is drawn wide
	busyGlyph       = "█"
	freeGlyph       = "·"
)

type timelineEvent struct {
	start, end time.Time
	subject    string
	allDay     bool
}

// dayTimeline returns the drawing, or "" when res is not a day of events.
func dayTimeline(res result, loc *time.Location) string {
	var day time.Time
	var events []timelineEvent
	haveDay, haveEvents := false, false
	for _, o := range res.Outputs {
		if t, ok := o.Value.(time.Time); ok && o.Name == "day" {
			day, haveDay = t, true
			continue
		}
		rows, ok := records(o.Value, len(o.Columns) > 0)
		if !ok || haveEvents {
			continue
		}
		evs, ok := timelineEvents(rows)
		if ok {
			events, haveEvents = evs, true
		}
	}
	if !haveDay || !haveEvents || day.IsZero() {
		return ""
	}
	if loc == nil {
		loc = day.Location()
	}
	// The day is a date in the zone the flow read it in (the mailbox's):
	// that day is drawn, its times shown in loc (--zone).
	y, m, d := day.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, day.Location())
	to := time.Date(y, m, d+1, 0, 0, 0, 0, day.Location()) // 23 or 25 hours on a DST change
	return drawTimeline(from, to, events, loc)
}

// timelineEvents reads start, end, subject and all_day from records; ok is
// false unless every record has a start and an end time.
func timelineEvents(rows []map[string]any) ([]timelineEvent, bool) {
	out := make([]timelineEvent, 0, len(rows))
	for _, r := range rows {
		start, ok1 := r["start"].(time.Time)
		end, ok2 := r["end"].(time.Time)
		if !ok1 || !ok2 {
			return nil, false
		}
		subject, _ := r["subject"].(string)
		allDay, _ := r["all_day"].(bool)
		out = append(out, timelineEvent{start: start, end: end, subject: subject, allDay: allDay})
	}
	return out, true
}

// drawTimeline draws the events between from and to (one day), with the
// clock of loc. The window is 08:00 to 18:00 of that day, widened to whole
// hours around the events.
func drawTimeline(from, to time.Time, events []timelineEvent, loc *time.Location) string {
	first, last := dayStartHour, dayEndHour
	var timed []timelineEvent
	var allDay []timelineEvent
	for _, e := range events {
		if !e.end.After(from) || !e.start.Before(to) {
			continue // outside the day (Graph's calendarView includes overlaps)
		}
		if e.allDay {
			allDay = append(allDay, e)
			continue
		}
		s, en := clipTime(e.start, from, to).In(loc), clipTime(e.end, from, to).In(loc)
		first = min(first, hoursInto(from, s, false))
		last = max(last, hoursInto(from, en, true))
		timed = append(timed, timelineEvent{start: s, end: en, subject: e.subject})
	}
	dayHours := int(to.Sub(from) / time.Hour)
	first, last = max(first, 0), min(last, dayHours)
	sort.SliceStable(timed, func(i, j int) bool { return timed[i].start.Before(timed[j].start) })
	cells := cellsWide
	if last-first > wideHours {
		cells = cellsNarrow
	}
	step := time.Hour / time.Duration(cells)
	winStart := from.Add(time.Duration(first) * time.Hour)
	winEnd := from.Add(time.Duration(last) * time.Hour)
	n := (last - first) * cells

	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s to %s (%s):\n", from.Format("Monday 2 January"), winStart.In(loc).Format("15:04"), clockOrMidnight(winEnd, to, loc), loc)
	// Hour labels, every hour on a wide window, every other hour on a
	// narrow one.
	header := []rune(strings.Repeat(" ", n+2))
	every := 1
	if cells == cellsNarrow {
		every = 2
	}
	for h := first; h <= last; h += every {
		col := (h - first) * cells
		at := from.Add(time.Duration(h) * time.Hour)
		label := clockOrMidnight(at, to, loc)[:2]
		for i, r := range label {
			if col+i < len(header) {
				header[col+i] = r
			}
		}
	}
	fmt.Fprintf(&b, "%*s  %s\n", timelineLabel, "", strings.TrimRight(string(header), " "))
	busy := make([]bool, n)
	for i, e := range timed {
		if i == timelineMaxRows {
			fmt.Fprintf(&b, "%*s  … and %d more\n", timelineLabel, "", len(timed)-i)
			break
		}
		row := make([]bool, n)
		for c := 0; c < n; c++ {
			cs, ce := winStart.Add(time.Duration(c)*step), winStart.Add(time.Duration(c+1)*step)
			if e.start.Before(ce) && e.end.After(cs) || (e.start.Equal(e.end) && !e.start.Before(cs) && e.start.Before(ce)) {
				row[c] = true
			}
		}
		for c := range busy {
			busy[c] = busy[c] || row[c]
		}
		fmt.Fprintf(&b, "%s  %s  %s–%s\n", padLabel(e.subject), track(row), e.start.Format("15:04"), clockOrMidnight(e.end, to, loc))
	}
	// The busy time of every timed event, even those not drawn.
	for _, e := range timed[min(len(timed), timelineMaxRows):] {
		for c := 0; c < n; c++ {
			cs, ce := winStart.Add(time.Duration(c)*step), winStart.Add(time.Duration(c+1)*step)
			if e.start.Before(ce) && e.end.After(cs) {
				busy[c] = true
			}
		}
	}
	fmt.Fprintf(&b, "%s  %s\n", padLabel("busy"), track(busy))
	for _, e := range allDay {
		fmt.Fprintf(&b, "%s  all day\n", padLabel(e.subject))
	}
	gaps := freeGaps(winStart, winEnd, timed)
	if len(gaps) == 0 {
		b.WriteString("Free: no gap of 15 minutes or more.\n")
	} else {
		parts := make([]string, len(gaps))
		for i, g := range gaps {
			parts[i] = fmt.Sprintf("%s–%s (%s)", g[0].In(loc).Format("15:04"), clockOrMidnight(g[1], to, loc), input.HumanDuration(g[1].Sub(g[0])))
		}
		b.WriteString("Free: " + strings.Join(parts, ", ") + ".\n")
	}
	return b.String()
}

// hoursInto is how many whole hours t is after from, rounded down, or up
// when up is set.
func hoursInto(from, t time.Time, up bool) int {
	d := t.Sub(from)
	h := int(d / time.Hour)
	if up && d%time.Hour != 0 {
		h++
	}
	return h
}

func clipTime(t, from, to time.Time) time.Time {
	if t.Before(from) {
		return from
	}
	if t.After(to) {
		return to
	}
	return t
}

// clockOrMidnight is t's clock in loc, "15:04", or "24:00" when t is the
// midnight that ends the day (dayEnd).
func clockOrMidnight(t, dayEnd time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Equal(dayEnd) && t.Hour() == 0 && t.Minute() == 0 {
		return "24:00"
	}
	return t.Format("15:04")
}

// freeGaps are the times between from and to that no event covers, of
// timelineMinGap or more.
func freeGaps(from, to time.Time, events []timelineEvent) [][2]time.Time {
	var out [][2]time.Time
	cursor := from
	for _, e := range events { // sorted by start
		if e.start.After(cursor) {
			gapEnd := e.start
			if gapEnd.After(to) {
				gapEnd = to
			}
			if gapEnd.Sub(cursor) >= timelineMinGap {
				out = append(out, [2]time.Time{cursor, gapEnd})
			}
		}
		if e.end.After(cursor) {
			cursor = e.end
		}
	}
	if to.Sub(cursor) >= timelineMinGap {
		out = append(out, [2]time.Time{cursor, to})
	}
	return out
}

func track(cells []bool) string {
	var b strings.Builder
	for _, c := range cells {
		if c {
			b.WriteString(busyGlyph)
		} else {
			b.WriteString(freeGlyph)
		}
	}
	return b.String()
}

// padLabel cleans s and fits it to timelineLabel characters.
func padLabel(s string) string {
	s = strings.Join(strings.Fields(cleanText(s)), " ")
	if s == "" {
		s = "(no subject)"
	}
	if utf8.RuneCountInString(s) > timelineLabel {
		r := []rune(s)
		s = string(r[:timelineLabel-1]) + "…"
	}
	return s + strings.Repeat(" ", timelineLabel-utf8.RuneCountInString(s))
}
