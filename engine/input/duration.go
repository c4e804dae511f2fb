package input

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// MaxDuration is the longest duration an answer may give.
const MaxDuration = 366 * 24 * time.Hour

var durationUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
	"us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond, "microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond, "msecs": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour, "wks": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

var (
	durationPart  = lazyregexp.New(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+|an?)\s*([a-zµμ]+)`)
	clockDuration = lazyregexp.New(`^([0-9]{1,4}):([0-5][0-9])(?::([0-5][0-9]))?$`)
)

const (
	durationExamples = "try 30m, 1h30m, 90 minutes or 1 hour 30 minutes"
	tooLong          = "it is longer than the limit of 366 days"
)

var bareNumber = lazyregexp.New(`^[0-9]+(?:\.[0-9]*)?$`)

// parseDuration reads a positive duration: Go's notation ("1h30m", "1.5h",
// "500ms"), words ("90 minutes", "1 hour and 30 minutes", "an hour",
// "2 days", "1 week"), or hours and minutes on a clock ("1:30").
func parseDuration(s string, _ Context) (any, error) {
	d, msg := readDuration(s)
	if msg != "" {
		return nil, errorf("%s is not a duration: %s.", quote(s), msg)
	}
	return d, nil
}

// readDuration returns the duration s gives, or why it gives none.
func readDuration(s string) (time.Duration, string) {
	text := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(text, "-") {
		return 0, "it must be longer than zero"
	}
	text = strings.TrimPrefix(text, "+")
	if text == "half an hour" || text == "half hour" {
		return 30 * time.Minute, ""
	}
	if m := clockDuration.FindStringSubmatch(text); m != nil {
		h, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		sec, _ := strconv.Atoi(m[3]) // "" gives 0
		return checkDurationRange(time.Duration(h)*time.Hour + time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	if bareNumber.MatchString(text) {
		return 0, "give a unit, as in " + text + "m or " + text + " minutes"
	}
	text = strings.NewReplacer(",", " ", " and ", " ").Replace(text)
	var total time.Duration
	parts := 0
	for text = strings.TrimSpace(text); text != ""; text = strings.TrimSpace(text) {
		m := durationPart.FindStringSubmatch(text)
		if m == nil {
			if parts == 0 {
				return 0, durationExamples
			}
			return 0, strconv.Quote(text) + " is not understood; " + durationExamples
		}
		unit, ok := durationUnits[m[2]]
		if !ok {
			return 0, strconv.Quote(m[2]) + " is not a unit of time; use minutes, hours, days or weeks"
		}
		amount, ok := scaleAmount(m[1], unit)
		if !ok || amount > MaxDuration-total {
			return 0, tooLong
		}
		total += amount
		parts++
		text = text[len(m[0]):]
	}
	return checkDurationRange(total)
}

func checkDurationRange(d time.Duration) (time.Duration, string) {
	switch {
	case d <= 0:
		return 0, "it must be longer than zero"
	case d > MaxDuration:
		return 0, tooLong
	}
	return d, ""
}

// scaleAmount computes amount×unit exactly for the whole part and to the
// nearest nanosecond for the fraction. ok is false when it exceeds
// MaxDuration.
func scaleAmount(amount string, unit time.Duration) (time.Duration, bool) {
	if amount == "a" || amount == "an" {
		return unit, true
	}
	whole, frac, _ := strings.Cut(amount, ".")
	var d time.Duration
	if whole != "" {
		if len(whole) > 18 {
			return 0, false
		}
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || time.Duration(n) > MaxDuration/unit {
			return 0, false
		}
		d = time.Duration(n) * unit
	}
	if frac != "" {
		if len(frac) > 18 {
			frac = frac[:18] // beyond this the digits are far below a nanosecond
		}
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, false
		}
		d += time.Duration(math.Round(f * float64(unit)))
	}
	return d, d <= MaxDuration
}
