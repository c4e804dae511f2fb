package input

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

var months = map[string]time.Month{
	"january": time.January, "jan": time.January,
	"february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March,
	"april": time.April, "apr": time.April,
	"may":  time.May,
	"june": time.June, "jun": time.June,
	"july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August,
	"september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

var (
	weekdayPhrase  = lazyregexp.New(`^(?:(next|this|coming|last|on)\s+)?([a-z]+)$`)
	isoDayPhrase   = lazyregexp.New(`^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$`)
	dottedDay      = lazyregexp.New(`^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$`)
	dayMonthPhrase = lazyregexp.New(`^(?:the\s+)?([0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)(?:\s+([0-9]{4}))?$`)
	monthDayPhrase = lazyregexp.New(`^([a-z]+)\s+(?:the\s+)?([0-9]{1,2})(?:st|nd|rd|th)?(?:\s+([0-9]{4}))?$`)
	clockPhrase    = lazyregexp.New(`^([0-9]{1,2})(?:[:.]([0-9]{2})(?::([0-9]{2}))?)?\s*(am|pm|a\.m\.?|p\.m\.?|a|p)?$`)
)

// readDay understands a date phrase relative to today: "today", "tomorrow",
// "yesterday", "day after tomorrow", weekdays ("friday", "next monday",
// "this friday", "last tuesday", "on monday"), "2026-12-01", "2026/12/01",
// "1.12.2026" (day.month.year), "1 december 2026", "dec 1", "december 1st".
// ok is false when the phrase is not a date; msg explains a phrase that looks
// like a date but is not a real one (for example "feb 30").
func readDay(phrase string, today civilDay) (d civilDay, ok bool, msg string) {
	phrase = strings.TrimPrefix(phrase, "on ")
	switch phrase {
	case "today":
		return today, true, ""
	case "tomorrow", "tmrw", "tmr":
		return today.addDays(1), true, ""
	case "yesterday":
		return today.addDays(-1), true, ""
	case "day after tomorrow", "the day after tomorrow":
		return today.addDays(2), true, ""
	}
	if m := weekdayPhrase.FindStringSubmatch(phrase); m != nil {
		if wd, found := weekdays[m[2]]; found {
			return weekdayFrom(today, wd, m[1]), true, ""
		}
	}
	if m := isoDayPhrase.FindStringSubmatch(phrase); m != nil {
		return dayFromNumbers(m[1], m[2], m[3])
	}
	if m := dottedDay.FindStringSubmatch(phrase); m != nil {
		return dayFromNumbers(m[3], m[2], m[1])
	}
	if m := dayMonthPhrase.FindStringSubmatch(phrase); m != nil {
		if mo, found := months[m[2]]; found {
			return namedMonthDay(mo, m[1], m[3], today)
		}
	}
	if m := monthDayPhrase.FindStringSubmatch(phrase); m != nil {
		if mo, found := months[m[1]]; found {
			return namedMonthDay(mo, m[2], m[3], today)
		}
	}
	return civilDay{}, false, ""
}

// weekdayFrom places a weekday: plain, "this", "coming" and "on" mean the
// first such day from today on (today included); "next" the first one after
// today; "last" the most recent one before today.
func weekdayFrom(today civilDay, wd time.Weekday, qualifier string) civilDay {
	current := time.Date(today.year, today.month, today.day, 12, 0, 0, 0, time.UTC).Weekday()
	ahead := (int(wd) - int(current) + 7) % 7
	switch qualifier {
	case "next":
		if ahead == 0 {
			ahead = 7
		}
	case "last":
		back := (int(current) - int(wd) + 7) % 7
		if back == 0 {
			back = 7
		}
		return today.addDays(-back)
	}
	return today.addDays(ahead)
}

func dayFromNumbers(year, month, day string) (civilDay, bool, string) {
	y, _ := strconv.Atoi(year)
	m, _ := strconv.Atoi(month)
	d, _ := strconv.Atoi(day)
	cd, msg := makeDay(y, m, d)
	return cd, msg == "", msg
}

// namedMonthDay builds "dec 1" or "1 december 2026". Without a year it is
// the next such date from today on (today included).
func namedMonthDay(mo time.Month, day, year string, today civilDay) (civilDay, bool, string) {
	d, _ := strconv.Atoi(day)
	if year != "" {
		y, _ := strconv.Atoi(year)
		cd, msg := makeDay(y, int(mo), d)
		return cd, msg == "", msg
	}
	if d < 1 || d > 29 && d > daysIn(2000, mo) { // 2000 is a leap year: the longest February
		return civilDay{}, false, fmt.Sprintf("%s has %d days", mo, daysIn(2000, mo))
	}
	// February 29 exists only in leap years; look ahead until one has it.
	for y := today.year; y <= today.year+8; y++ {
		if d > daysIn(y, mo) {
			continue
		}
		cd := civilDay{y, mo, d}
		if !cd.before(today) {
			return cd, true, ""
		}
	}
	return civilDay{}, false, fmt.Sprintf("%s %d does not come in the next years", mo, d)
}

// readClock understands a time of day: "15:00", "15:00:30", "9am", "9 am",
// "9:30 pm", "9.30pm", "noon", "midday", "midnight" (the start of the day),
// optionally after "at". A bare hour ("at 9") is refused as ambiguous.
func readClock(phrase string) (k clockTime, ok bool, msg string) {
	phrase = strings.TrimPrefix(phrase, "at ")
	switch phrase {
	case "noon", "midday", "12 noon":
		return clockTime{hour: 12}, true, ""
	case "midnight":
		return clockTime{}, true, ""
	}
	m := clockPhrase.FindStringSubmatch(phrase)
	if m == nil {
		return clockTime{}, false, ""
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	meridiem := m[4]
	switch {
	case m[2] == "" && meridiem == "":
		return clockTime{}, false, bareHourMessage(h)
	case mi > 59 || sec > 59:
		return clockTime{}, false, "minutes and seconds go from 00 to 59"
	case meridiem == "":
		if h > 23 {
			return clockTime{}, false, "hours go from 0 to 23 (or 1 to 12 with am or pm)"
		}
		return clockTime{h, mi, sec, 0}, true, ""
	case h < 1 || h > 12:
		return clockTime{}, false, fmt.Sprintf("with am or pm the hour goes from 1 to 12, not %d", h)
	}
	h %= 12
	if meridiem[0] == 'p' {
		h += 12
	}
	return clockTime{h, mi, sec, 0}, true, ""
}

// bareHourMessage asks which time "at 9" means.
func bareHourMessage(h int) string {
	switch {
	case h >= 1 && h <= 12:
		return fmt.Sprintf("the hour %d alone is not clear; write %dam, %dpm or %02d:00", h, h, h, h%24)
	case h <= 23:
		return fmt.Sprintf("write the time with minutes: %02d:00", h)
	}
	return "hours go from 0 to 23 (or 1 to 12 with am or pm)"
}
