package input

import (
	"strconv"
	"strings"
	"time"
)

// HumanDuration writes a duration the way people write it: "45 min",
// "1 h 30 min", "2 h", "1 day 3 h", "30 s" (under a minute only).
// Durations of a minute or more are rounded to the minute; a negative
// duration gets a leading "-". (Format writes Go's "1h30m0s", which
// Parse reads back; this is for showing.)
func HumanDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
		if d < 0 { // the most negative duration
			d = time.Duration(1<<63 - 1)
		}
	}
	if d < time.Minute {
		return sign + strconv.FormatInt(int64(d/time.Second), 10) + " s"
	}
	d = d.Round(time.Minute)
	days, hours, mins := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	var parts []string
	switch {
	case days == 1:
		parts = append(parts, "1 day")
	case days > 1:
		parts = append(parts, strconv.FormatInt(int64(days), 10)+" days")
	}
	if hours > 0 {
		parts = append(parts, strconv.FormatInt(int64(hours), 10)+" h")
	}
	if mins > 0 {
		parts = append(parts, strconv.FormatInt(int64(mins), 10)+" min")
	}
	return sign + strings.Join(parts, " ")
}
