package input

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"30m":                        30 * time.Minute,
		"1h30m":                      90 * time.Minute,
		"1h 30m":                     90 * time.Minute,
		"1.5h":                       90 * time.Minute,
		"90 minutes":                 90 * time.Minute,
		"1 hour 30 minutes":          90 * time.Minute,
		"1 hour and 30 minutes":      90 * time.Minute,
		"1 Hour, 30 Mins":            90 * time.Minute,
		"2 hours":                    2 * time.Hour,
		"an hour":                    time.Hour,
		"a day":                      24 * time.Hour,
		"half an hour":               30 * time.Minute,
		"2 days":                     48 * time.Hour,
		"1 week":                     7 * 24 * time.Hour,
		"1w2d":                       9 * 24 * time.Hour,
		"45s":                        45 * time.Second,
		"10 sec":                     10 * time.Second,
		"500ms":                      500 * time.Millisecond,
		"1.5µs":                      1500 * time.Nanosecond,
		"1.5μs":                      1500 * time.Nanosecond, // Greek mu
		"2us":                        2 * time.Microsecond,
		"1ns":                        time.Nanosecond,
		"1:30":                       90 * time.Minute,
		"0:45":                       45 * time.Minute,
		"1:00:30":                    time.Hour + 30*time.Second,
		"+15m":                       15 * time.Minute,
		".5h":                        30 * time.Minute,
		"1h30m0.000000001s":          90*time.Minute + time.Nanosecond,
		"366 days":                   MaxDuration,
		"8784h":                      MaxDuration,
		"0.333333333333333333333h":   20 * time.Minute, // 1199999999999.99999 ns, rounded
		"1.00000000000000000000001h": time.Hour,
	}
	for answer, want := range good {
		v, err := Parse(Duration, answer, Context{})
		if err != nil || v != want {
			t.Errorf("duration %q = %v, %v; want %v", answer, v, err, want)
		}
	}
	bad := map[string][]string{
		"0m":              {`"0m" is not a duration`, "longer than zero"},
		"-5m":             {"longer than zero"},
		"0:00":            {"longer than zero"},
		"30":              {"give a unit, as in 30m or 30 minutes"},
		"5 parsecs":       {`"parsecs" is not a unit of time`},
		"1h and a bit":    {`"bit" is not a unit of time`},
		"1h foo":          {`"foo" is not understood`},
		"367 days":        {"longer than the limit of 366 days"},
		"8784h1ns":        {"366 days"},
		"99999999999999h": {"366 days"},
		"1.5.5h":          {"try 30m"},
		"soon":            {"try 30m"},
	}
	for answer, fragments := range bad {
		_, err := Parse(Duration, answer, Context{})
		wantUserError(t, err, fragments...)
	}
}
