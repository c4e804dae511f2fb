package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/engine/input"
)

// fnAtTime is atTime(day, clock, zone): the wall-clock time clock
// ("09:00", "9:30", "17:45:30") on the calendar day of day in zone. It
// is placed with the zone's rules for that day, so it is right across a
// daylight-saving change, where day + duration("9h") is an hour off. A
// clock time that does not exist that day (in the spring-forward gap) is
// moved forward by the gap, as Go's time.Date does.
func fnAtTime(args ...any) (any, error) {
	day, clock := args[0].(time.Time), strings.TrimSpace(args[1].(string))
	loc, err := zoneArg("atTime", args[2].(string))
	if err != nil {
		return nil, err
	}
	h, m, sec, ok := readClock(clock)
	if !ok {
		return nil, fmt.Errorf("atTime: %q is not a time of day such as 09:00 or 17:30", clock)
	}
	y, mo, d := day.In(loc).Date()
	return time.Date(y, mo, d, h, m, sec, 0, loc), nil
}

// maxAddDays bounds addDays' count: a century either way.
const maxAddDays = 36525

// fnAddDays is addDays(t, n, zone): the same wall-clock time n calendar
// days after t (before, for a negative n) in zone. It follows the zone's
// rules, so addDays(day, 1, zone) is the next midnight even across a
// daylight-saving change, where day + duration("24h") is an hour off.
func fnAddDays(args ...any) (any, error) {
	t, n := args[0].(time.Time), args[1].(int)
	loc, err := zoneArg("addDays", args[2].(string))
	if err != nil {
		return nil, err
	}
	if n > maxAddDays || n < -maxAddDays {
		return nil, fmt.Errorf("addDays: %d days is more than a century (at most %d either way)", n, maxAddDays)
	}
	return t.In(loc).AddDate(0, 0, n), nil
}

// readClock reads H:MM or H:MM:SS on a 24-hour clock.
func readClock(s string) (h, m, sec int, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || len(s) > 8 {
		return 0, 0, 0, false
	}
	nums := make([]int, 3)
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || (i > 0 && len(p) != 2) {
			return 0, 0, 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, 0, 0, false
		}
		nums[i] = n
	}
	if nums[0] > 23 || nums[1] > 59 || nums[2] > 59 {
		return 0, 0, 0, false
	}
	return nums[0], nums[1], nums[2], true
}

// fnFormatDuration is formatDuration(d): a duration the way people write
// it: "45 min", "1 h 30 min", "2 h", "1 day 3 h", "30 s" (under a minute
// only). Durations of a minute or more are rounded to the minute; a
// negative duration gets a leading "-".
func fnFormatDuration(args ...any) (any, error) {
	return formatDuration(args[0].(time.Duration)), nil
}

func formatDuration(d time.Duration) string { return input.HumanDuration(d) }
