package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// maxScanDays bounds how far a series is walked (100 years), so an
// open-ended series cannot make a request run forever.
const maxScanDays = 366 * 100

// normalizeRecurrence checks a patternedRecurrence and fills the defaults
// Exchange returns (see the recurring-event example).
func normalizeRecurrence(r Object, localStart time.Time, z zone) (Object, error) {
	p := getObject(r, "pattern")
	rg := getObject(r, "range")
	if p == nil || rg == nil {
		return nil, fmt.Errorf("a recurrence needs both 'pattern' and 'range'")
	}
	typ := getString(p, "type")
	if typ == "" {
		return nil, fmt.Errorf("recurrence.pattern needs a 'type'")
	}
	interval := intOf(p["interval"], 1)
	if interval < 1 || interval > 99 {
		return nil, fmt.Errorf("recurrence.pattern.interval must be from 1 to 99")
	}
	days := []any{}
	for _, d := range getArray(p, "daysOfWeek") {
		days = append(days, d)
	}
	month, dom := intOf(p["month"], 0), intOf(p["dayOfMonth"], 0)
	switch typ {
	case "weekly", "relativeMonthly", "relativeYearly":
		if len(days) == 0 {
			return nil, fmt.Errorf("a %s recurrence needs 'daysOfWeek'", typ)
		}
	case "absoluteMonthly", "absoluteYearly":
		if dom < 1 || dom > 31 {
			return nil, fmt.Errorf("a %s recurrence needs 'dayOfMonth' from 1 to 31", typ)
		}
	}
	if (typ == "absoluteYearly" || typ == "relativeYearly") && (month < 1 || month > 12) {
		return nil, fmt.Errorf("a %s recurrence needs 'month' from 1 to 12", typ)
	}
	rtype := getString(rg, "type")
	if rtype == "" {
		return nil, fmt.Errorf("recurrence.range needs a 'type'")
	}
	startDate := getString(rg, "startDate")
	sd, err := time.Parse("2006-01-02", startDate)
	if err != nil {
		return nil, fmt.Errorf("recurrence.range.startDate must be a date (YYYY-MM-DD), got %q", startDate)
	}
	endDate := "0001-01-01"
	n := 0
	switch rtype {
	case "endDate":
		endDate = getString(rg, "endDate")
		ed, err := time.Parse("2006-01-02", endDate)
		if err != nil {
			return nil, fmt.Errorf("recurrence.range.endDate must be a date (YYYY-MM-DD), got %q", endDate)
		}
		if ed.Before(sd) {
			return nil, fmt.Errorf("recurrence.range.endDate is before its startDate")
		}
	case "numbered":
		n = intOf(rg["numberOfOccurrences"], 0)
		if n < 1 || n > 999 {
			return nil, fmt.Errorf("recurrence.range.numberOfOccurrences must be from 1 to 999")
		}
	}
	rtz := getString(rg, "recurrenceTimeZone")
	if rtz == "" {
		rtz = z.name
	} else if _, err := resolveZone(rtz); err != nil {
		return nil, fmt.Errorf("recurrence.range.recurrenceTimeZone: %v", err)
	}
	return Object{
		"pattern": Object{
			"type":           typ,
			"interval":       float64(interval),
			"month":          float64(month),
			"dayOfMonth":     float64(dom),
			"daysOfWeek":     days,
			"firstDayOfWeek": firstNonEmpty(getString(p, "firstDayOfWeek"), "sunday"),
			"index":          firstNonEmpty(getString(p, "index"), "first"),
		},
		"range": Object{
			"type":                rtype,
			"startDate":           startDate,
			"endDate":             endDate,
			"recurrenceTimeZone":  rtz,
			"numberOfOccurrences": float64(n),
		},
	}, nil
}

func intOf(v any, def int) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return def
}

// occurrence is one instance of a series.
type occurrence struct {
	day        time.Time // the local date (midnight UTC of that date)
	start, end time.Time
}

// expandSeries lists the occurrences of master that overlap [from, to),
// skipping cancelled ones.
func expandSeries(master Object, from, to time.Time) []occurrence {
	start, sz, err := parseDateTimeTimeZone(getObject(master, "start"))
	if err != nil {
		return nil
	}
	end, _, err := parseDateTimeTimeZone(getObject(master, "end"))
	if err != nil {
		return nil
	}
	rec := getObject(master, "recurrence")
	p, rg := getObject(rec, "pattern"), getObject(rec, "range")
	sd, err := time.Parse("2006-01-02", getString(rg, "startDate"))
	if err != nil {
		return nil
	}
	var until time.Time
	if getString(rg, "type") == "endDate" {
		if until, err = time.Parse("2006-01-02", getString(rg, "endDate")); err != nil {
			return nil
		}
	}
	limit := intOf(rg["numberOfOccurrences"], 0)
	if getString(rg, "type") != "numbered" {
		limit = 0
	}
	cancelled := map[string]bool{}
	for _, id := range getArray(master, "cancelledOccurrences") {
		if s, ok := id.(string); ok {
			cancelled[s] = true
		}
	}
	masterID := getString(master, "id")
	ls := start.In(sz.loc)
	dur := end.Sub(start)
	var out []occurrence
	count := 0
	for i := 0; i < maxScanDays; i++ {
		d := sd.AddDate(0, 0, i)
		if !until.IsZero() && d.After(until) {
			break
		}
		if !matchesPattern(p, sd, d) {
			continue
		}
		count++
		if limit > 0 && count > limit {
			break
		}
		os := time.Date(d.Year(), d.Month(), d.Day(), ls.Hour(), ls.Minute(), ls.Second(), 0, sz.loc)
		if !os.Before(to) {
			break
		}
		oe := os.Add(dur)
		if oe.After(from) || (dur == 0 && !os.Before(from)) {
			if !cancelled[occurrenceID(masterID, d)] {
				out = append(out, occurrence{day: d, start: os, end: oe})
			}
		}
	}
	return out
}

var weekdayIndex = map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}

// matchesPattern reports whether date d (≥ the range start sd) is an
// occurrence day of pattern p.
func matchesPattern(p Object, sd, d time.Time) bool {
	interval := intOf(p["interval"], 1)
	if interval < 1 {
		interval = 1
	}
	inDays := func() bool {
		for _, x := range getArray(p, "daysOfWeek") {
			if s, ok := x.(string); ok && weekdayIndex[strings.ToLower(s)] == d.Weekday() {
				return true
			}
		}
		return false
	}
	months := (d.Year()-sd.Year())*12 + int(d.Month()) - int(sd.Month())
	switch getString(p, "type") {
	case "daily":
		return int(d.Sub(sd).Hours()/24)%interval == 0
	case "weekly":
		fdow := weekdayIndex[strings.ToLower(getString(p, "firstDayOfWeek"))]
		ws := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) - int(fdow) + 7) % 7)) }
		weeks := int(ws(d).Sub(ws(sd)).Hours() / 24 / 7)
		return inDays() && weeks%interval == 0
	case "absoluteMonthly":
		return months%interval == 0 && d.Day() == intOf(p["dayOfMonth"], 0)
	case "relativeMonthly":
		return months%interval == 0 && inDays() && matchesIndex(getString(p, "index"), d)
	case "absoluteYearly":
		return (d.Year()-sd.Year())%interval == 0 && int(d.Month()) == intOf(p["month"], 0) && d.Day() == intOf(p["dayOfMonth"], 0)
	case "relativeYearly":
		return (d.Year()-sd.Year())%interval == 0 && int(d.Month()) == intOf(p["month"], 0) && inDays() && matchesIndex(getString(p, "index"), d)
	}
	return false
}

// matchesIndex reports whether d is the index-th (first..fourth, last)
// such weekday of its month.
func matchesIndex(index string, d time.Time) bool {
	nth := (d.Day()-1)/7 + 1
	switch index {
	case "", "first":
		return nth == 1
	case "second":
		return nth == 2
	case "third":
		return nth == 3
	case "fourth":
		return nth == 4
	case "last":
		return d.AddDate(0, 0, 7).Month() != d.Month()
	}
	return false
}

// occurrenceObject is the stored shape of one occurrence of master: an
// "occurrence" built from the master, or an "exception" when the master
// holds one for it (see exceptions below).
func occurrenceObject(master Object, occ occurrence) Object {
	o := make(Object, len(master))
	for k, v := range master {
		if k != "cancelledOccurrences" && k != exceptionsKey {
			o[k] = cloneValue(v)
		}
	}
	sz, _ := resolveZone(getString(getObject(master, "start"), "timeZone"))
	ez, _ := resolveZone(getString(getObject(master, "end"), "timeZone"))
	o["id"] = occurrenceID(getString(master, "id"), occ.day)
	o["type"] = "occurrence"
	o["seriesMasterId"] = getString(master, "id")
	o["recurrence"] = nil
	o["start"] = formatDateTimeTimeZone(occ.start, sz)
	o["end"] = formatDateTimeTimeZone(occ.end, ez)
	o["originalStart"] = occ.start.UTC().Format(time.RFC3339)
	if _, ex := findException(master, getString(o, "id")); ex != nil {
		applyException(o, ex)
	}
	return o
}

// Exceptions: an occurrence answered on its own (accept, tentativelyAccept
// or decline with an occurrence id) becomes an exception of its series, as
// in Exchange, where it is an attachment of the series master. The master
// keeps them under exceptionsKey, Graph's name for the navigation property
// (exceptionOccurrences), which Graph returns only with $expand and the
// sandbox never renders. Each entry holds the exception's id (the
// occurrence's: the id the client used stays valid) and only what differs
// from the series; everything else is the series', so an organizer's later
// change of the subject or location reaches the exceptions too.
//
// What an entry holds: in an attendee's copy, the attendee's own answer
// (responseStatus, showAs); in the organizer's series, the attendees who
// answered that occurrence (attendees, each with its status), laid over the
// series' attendee list by address. Both carry the exception's changeKey
// and lastModifiedDateTime.
const exceptionsKey = "exceptionOccurrences"

// findException returns the index and entry of master's exception id, or
// -1 and nil.
func findException(master Object, id string) (int, Object) {
	for i, e := range getArray(master, exceptionsKey) {
		if ex := asObject(e); ex != nil && getString(ex, "id") == id {
			return i, ex
		}
	}
	return -1, nil
}

// exceptionFor returns master's exception id, adding an empty one first if
// there is none.
func exceptionFor(master Object, id string) Object {
	if _, ex := findException(master, id); ex != nil {
		return ex
	}
	ex := Object{"id": id}
	master[exceptionsKey] = append(getArray(master, exceptionsKey), ex)
	return ex
}

// removeException forgets master's exception id (the occurrence was
// cancelled or deleted: nothing is left to show).
func removeException(master Object, id string) {
	i, _ := findException(master, id)
	if i < 0 {
		return
	}
	list := getArray(master, exceptionsKey)
	list = append(list[:i:i], list[i+1:]...)
	if len(list) == 0 {
		delete(master, exceptionsKey)
		return
	}
	master[exceptionsKey] = list
}

// applyException lays the exception ex over the occurrence o built from
// its master: its properties replace the series', and the statuses of its
// attendees replace those of the same addresses in the series' list (an
// attendee the organizer has since removed is not shown again).
func applyException(o, ex Object) {
	o["type"] = "exception"
	for k, v := range ex {
		switch k {
		case "id":
		case "attendees":
			answered := map[string]any{}
			for _, a := range getArray(ex, "attendees") {
				answered[strings.ToLower(attendeeAddress(a))] = getObject(asObject(a), "status")
			}
			for _, a := range getArray(o, "attendees") {
				if st, ok := answered[strings.ToLower(attendeeAddress(a))].(map[string]any); ok && st != nil {
					asObject(a)["status"] = cloneObject(st)
				}
			}
		default:
			o[k] = cloneValue(v)
		}
	}
}

// cancelOccurrence removes the occurrence id from master's series: it is
// listed in cancelledOccurrences (once) and its exception, if any, goes.
// It reports whether the series changed.
func cancelOccurrence(master Object, id string) bool {
	for _, c := range getArray(master, "cancelledOccurrences") {
		if c == id {
			return false
		}
	}
	master["cancelledOccurrences"] = append(getArray(master, "cancelledOccurrences"), id)
	removeException(master, id)
	return true
}

// instance is one event as a calendar lists it: an occurrence or exception
// of a series, or a single event, with its start for ordering.
type instance struct {
	o     Object
	start time.Time
}

// seriesInstances lists the occurrences and exceptions of series master
// that overlap [from, to), in start order, cancelled ones left out: the one
// expansion calendarView and instances share.
func seriesInstances(master Object, from, to time.Time) []instance {
	occs := expandSeries(master, from, to)
	out := make([]instance, len(occs))
	for i, occ := range occs {
		out[i] = instance{occurrenceObject(master, occ), occ.start}
	}
	return out
}

// seriesOccurrence finds the occurrence of master on day (yyyymmdd), if
// the series has one there that is not cancelled.
func seriesOccurrence(master Object, day string) (occurrence, bool) {
	d, err := time.Parse("20060102", day)
	if err != nil || master["recurrence"] == nil {
		return occurrence{}, false
	}
	for _, occ := range expandSeries(master, d.Add(-48*time.Hour), d.Add(72*time.Hour)) {
		if occ.day.Format("20060102") == day {
			return occ, true
		}
	}
	return occurrence{}, false
}
