package input

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// What each date/time type suggests when an answer is not understood.
const (
	dateExamples     = "try 2026-12-01, tomorrow or next monday"
	timeExamples     = "try 15:00, 9am or 9:30 pm"
	dateTimeExamples = "try 2026-12-01 15:00, tomorrow 9am or next monday 14:30"
)

// maxMomentWords bounds the work spent on one answer: no accepted form has
// more words than this.
const maxMomentWords = 8

// moment is what an answer says: an exact instant, or a day and/or a time of
// day still to be placed in the zone.
type moment struct {
	instant    time.Time
	hasInstant bool
	day        civilDay
	hasDay     bool
	clock      clockTime
	hasClock   bool
}

// parseDate reads a calendar day and returns the start of that day in the
// zone. An answer with a time of day too gives that time's day.
func parseDate(s string, c Context) (any, error) {
	m, msg := readMoment(s, c)
	switch {
	case msg != "":
		return nil, errorf("%s is not a date: %s.", quote(s), msg)
	case m.hasInstant:
		d := dayOf(m.instant.In(c.zone()))
		if d.year < 1000 || d.year > 9999 {
			return nil, errorf("%s is not a date: %s.", quote(s), yearsMessage(m.instant.In(c.zone())))
		}
		return startOfDay(d, c.zone()), nil
	case !m.hasDay:
		return nil, errorf("%s is a time, not a date: %s.", quote(s), dateExamples)
	}
	return startOfDay(m.day, c.zone()), nil
}

// parseTime reads a time of day, placed today in the zone; a full date and
// time is accepted too (it is what Format writes for a Time).
func parseTime(s string, c Context) (any, error) {
	t, msg := readInstant(s, c, timeExamples)
	if msg != "" {
		return nil, errorf("%s is not a time: %s.", quote(s), msg)
	}
	return t, nil
}

// parseDateTime reads a date and a time of day (a time alone means today).
func parseDateTime(s string, c Context) (any, error) {
	t, msg := readInstant(s, c, dateTimeExamples)
	if msg != "" {
		return nil, errorf("%s is not a date and time: %s.", quote(s), msg)
	}
	return t, nil
}

// readInstant places an answer on the time line, or says why it cannot.
func readInstant(s string, c Context, examples string) (time.Time, string) {
	// "16:30" reads as a duration too, but as an answer for a time it
	// is the time of day: only durations with a unit count here.
	if !c.Base.IsZero() && !strings.Contains(s, ":") {
		if d, why := readDuration(s); why == "" {
			t := c.Base.In(c.zone()).Add(d)
			return t, yearsMessage(t)
		}
	}
	m, msg := readMoment(s, c)
	if msg != "" {
		if msg == dateExamples {
			msg = examples
		}
		return time.Time{}, msg
	}
	if m.hasInstant {
		t := m.instant.In(c.zone())
		return t, yearsMessage(t)
	}
	if !m.hasClock {
		return time.Time{}, "it needs a time of day too, as in " + strconv.Quote(suggestClock(s))
	}
	day := dayOf(c.now())
	base := !c.Base.IsZero() && !m.hasDay
	if base {
		day = dayOf(c.Base.In(c.zone()))
	}
	if m.hasDay {
		day = m.day
	}
	t, msg := localInstant(day, m.clock, c.zone())
	if msg == "" {
		msg = yearsMessage(t)
	}
	return t, msg
}

// yearsMessage refuses instants whose year, in the zone or in UTC, has more
// or fewer than four digits: Format could not write them so Parse reads them
// back.
func yearsMessage(t time.Time) string {
	if y, u := t.Year(), t.UTC().Year(); y < 1000 || y > 9999 || u < 1000 || u > 9999 {
		return "it is too far in the past or the future (years 1000 to 9999)"
	}
	return ""
}

func suggestClock(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 30 {
		return "tomorrow 9am"
	}
	return s + " 9am"
}

var (
	isoPattern     = lazyregexp.New(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[t ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?\s*(z|utc|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$`)
	slashPattern   = lazyregexp.New(`\b([0-9]{1,2})/([0-9]{1,2})/([0-9]{2,4})\b`)
	relativeFuture = lazyregexp.New(`^(?:in\s+(.+)|(.+)\s+from\s+now|(.+)\s+later)$`)
	relativePast   = lazyregexp.New(`^(.+)\s+ago$`)
	calendarAmount = lazyregexp.New(`^([0-9]{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*(days?|d|weeks?|wks?|w|months?|years?|yrs?)$`)
)

// readMoment understands an answer; msg says why not, when it does not.
func readMoment(s string, c Context) (moment, string) {
	text := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if strings.Contains(text, "/") {
		if m := slashPattern.FindStringSubmatch(text); m != nil {
			return moment{}, slashMessage(m)
		}
	}
	if len(text) >= 10 && text[4] == '-' {
		if m := isoPattern.FindStringSubmatch(text); m != nil {
			return readISO(m, c)
		}
	}
	text = strings.TrimSuffix(strings.ReplaceAll(text, ",", " "), ".")
	text = strings.Join(strings.Fields(text), " ")
	switch text {
	case "now", "right now":
		return moment{instant: c.now(), hasInstant: true}, ""
	}
	if m, msg, ok := readRelative(text, c); ok {
		return m, msg
	}
	words := strings.Fields(text)
	if len(words) == 0 || len(words) > maxMomentWords {
		return moment{}, dateExamples
	}
	today := dayOf(c.now())
	firstMsg := ""
	note := func(msg string) {
		if firstMsg == "" && msg != "" {
			firstMsg = msg
		}
	}
	// Try every split into a date phrase and a time phrase, in both orders
	// ("tomorrow 9am", "9am tomorrow").
	for split := 0; split <= len(words); split++ {
		for _, timeFirst := range []bool{false, true} {
			datePart, clockPart := words[:split], words[split:]
			if timeFirst {
				clockPart, datePart = words[:split], words[split:]
			}
			var m moment
			if len(datePart) > 0 {
				d, ok, msg := readDay(strings.Join(datePart, " "), today)
				note(msg)
				if !ok {
					continue
				}
				m.day, m.hasDay = d, true
			}
			if len(clockPart) > 0 {
				clk, ok, msg := readClock(strings.Join(clockPart, " "))
				note(msg)
				if !ok {
					continue
				}
				m.clock, m.hasClock = clk, true
			}
			if m.hasDay || m.hasClock {
				return m, ""
			}
		}
	}
	if firstMsg != "" {
		return moment{}, firstMsg
	}
	return moment{}, dateExamples
}

// slashMessage explains why 01/02/2026 is refused: day/month order differs
// between countries, so only year-month-day is accepted.
func slashMessage(m []string) string {
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	y := m[3]
	if len(y) != 4 {
		return "write the date as year-month-day, as in 2026-12-01"
	}
	valid := func(month, day int) bool { return month >= 1 && month <= 12 && day >= 1 && day <= 31 }
	switch {
	case valid(a, b) && valid(b, a) && a != b:
		return fmt.Sprintf("it could be %s-%02d-%02d or %s-%02d-%02d; write the date as year-month-day", y, a, b, y, b, a)
	case valid(a, b):
		return fmt.Sprintf("write the date as year-month-day: %s-%02d-%02d", y, a, b)
	case valid(b, a):
		return fmt.Sprintf("write the date as year-month-day: %s-%02d-%02d", y, b, a)
	}
	return "write the date as year-month-day, as in 2026-12-01"
}

// readISO turns an ISO 8601 / RFC 3339 match into a moment.
func readISO(m []string, c Context) (moment, string) {
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	day, msg := makeDay(y, mo, d)
	if msg != "" {
		return moment{}, msg
	}
	if m[4] == "" {
		return moment{day: day, hasDay: true}, ""
	}
	h, _ := strconv.Atoi(m[4])
	mi, _ := strconv.Atoi(m[5])
	sec, _ := strconv.Atoi(m[6])
	ns := 0
	if m[7] != "" {
		ns, _ = strconv.Atoi((m[7] + "000000000")[:9])
	}
	if h > 23 || mi > 59 || sec > 59 {
		return moment{}, "the time must be between 00:00 and 23:59"
	}
	k := clockTime{h, mi, sec, ns}
	if m[8] == "" {
		return moment{day: day, hasDay: true, clock: k, hasClock: true}, ""
	}
	offset, msg := readOffset(m[8])
	if msg != "" {
		return moment{}, msg
	}
	t := time.Date(day.year, day.month, day.day, h, mi, sec, ns, time.FixedZone("", offset))
	return moment{instant: t.In(c.zone()), hasInstant: true}, ""
}

// readOffset reads "z", "utc", "+05:30", "+0530" or "+05" as seconds east of UTC.
func readOffset(s string) (int, string) {
	if s == "z" || s == "utc" {
		return 0, ""
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	h, _ := strconv.Atoi(digits[:2])
	mi := 0
	if len(digits) == 4 {
		mi, _ = strconv.Atoi(digits[2:])
	}
	if h > 14 || mi > 59 {
		return 0, "the offset " + strconv.Quote(s) + " is not a valid UTC offset"
	}
	off := h*3600 + mi*60
	if s[0] == '-' {
		off = -off
	}
	return off, ""
}

// readRelative reads "in 2 hours", "in 3 days", "2 weeks from now", "3 days
// ago". Days, weeks, months and years move on the calendar and keep the time
// of day; hours, minutes and seconds move on the clock. ok is false when the
// text is not a relative form at all.
func readRelative(text string, c Context) (m moment, msg string, ok bool) {
	sign, amount := 1, ""
	if r := relativeFuture.FindStringSubmatch(text); r != nil {
		amount = r[1] + r[2] + r[3]
	} else if r := relativePast.FindStringSubmatch(text); r != nil {
		sign, amount = -1, r[1]
	} else {
		return moment{}, "", false
	}
	// Relative answers are rounded to the minute: "in 30 minutes" is not
	// meant to the second.
	now := c.now().Round(time.Minute)
	if r := calendarAmount.FindStringSubmatch(amount); r != nil {
		n := smallNumber(r[1]) * sign
		day := dayOf(now)
		switch r[2][0] {
		case 'd':
			day = day.addDays(n)
		case 'w':
			day = day.addDays(7 * n)
		case 'm':
			day = day.addMonths(n)
		case 'y':
			day = day.addMonths(12 * n)
		}
		if day.year < 1000 || day.year > 9999 {
			return moment{}, "it is too far away", true
		}
		k := clockTime{now.Hour(), now.Minute(), 0, 0}
		t, msg := localInstant(day, k, c.zone())
		if msg != "" {
			// The same clock time does not exist that day (a DST gap): keep
			// the distance on the clock instead.
			t = time.Date(day.year, day.month, day.day, k.hour, k.minute, k.second, k.nanosecond, c.zone())
		}
		return moment{instant: t, hasInstant: true}, "", true
	}
	d, why := readDuration(amount)
	if why != "" {
		return moment{}, "after \"in\" give an amount of time, as in \"in 2 hours\" or \"in 3 days\"", true
	}
	return moment{instant: now.Add(time.Duration(sign) * d).Round(time.Minute), hasInstant: true}, "", true
}

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

func smallNumber(s string) int {
	if n, ok := numberWords[s]; ok {
		return n
	}
	n, _ := strconv.Atoi(s)
	return n
}
