package input

import (
	"math"
	"testing"
)

func TestParseInteger(t *testing.T) {
	good := map[string]int64{
		"42": 42, " -3 ": -3, "+7": 7, "0": 0, "007": 7,
		"9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64,
	}
	for answer, want := range good {
		v, err := Parse(Integer, answer, Context{})
		if err != nil || v != want {
			t.Errorf("integer %q = %#v, %v; want %d", answer, v, err, want)
		}
	}
	bad := map[string][]string{
		"4.5":                  {`"4.5" is not a whole number`, "without decimals"},
		"1e3":                  {"without decimals"},
		"1,000":                {"without separators", "1000"},
		"1 000 000":            {"without separators", "1000000"},
		"9223372036854775808":  {"too large", "9223372036854775807"},
		"-9223372036854775809": {"too small", "-9223372036854775808"},
		"forty-two":            {"not a whole number", "42"},
		"0x10":                 {"not a whole number"},
		"--1":                  {"not a whole number"},
		"٤٢":                   {"not a whole number"}, // Arabic-Indic digits
	}
	for answer, fragments := range bad {
		_, err := Parse(Integer, answer, Context{})
		wantUserError(t, err, fragments...)
	}
}

func TestParseNumber(t *testing.T) {
	good := map[string]float64{
		"4.5": 4.5, "-3": -3, ".5": 0.5, "5.": 5, "1e6": 1e6, "1.5E-3": 0.0015, "+2": 2,
		"1e-400": 0, "1.7976931348623157e308": math.MaxFloat64,
	}
	for answer, want := range good {
		v, err := Parse(Number, answer, Context{})
		if err != nil || v != want {
			t.Errorf("number %q = %#v, %v; want %v", answer, v, err, want)
		}
	}
	bad := map[string][]string{
		"4,5":   {"use a dot for decimals", "4.5"},
		"1,000": {"without separators"},
		"NaN":   {"not a number"},
		"inf":   {"not a number"},
		"1e400": {"too large"},
		"0x1p3": {"not a number"},
		"1_000": {"without separators"},
		"12abc": {"not a number"},
		".":     {"not a number"},
	}
	for answer, fragments := range bad {
		_, err := Parse(Number, answer, Context{})
		wantUserError(t, err, fragments...)
	}
}

func TestParseBoolean(t *testing.T) {
	for _, yes := range []string{"yes", "YES", " Yes ", "y", "Y", "true", "True"} {
		if v, err := Parse(Boolean, yes, Context{}); err != nil || v != true {
			t.Errorf("boolean %q = %#v, %v; want true", yes, v, err)
		}
	}
	for _, no := range []string{"no", "NO", "n", "N", "false", " FALSE "} {
		if v, err := Parse(Boolean, no, Context{}); err != nil || v != false {
			t.Errorf("boolean %q = %#v, %v; want false", no, v, err)
		}
	}
	for _, bad := range []string{"maybe", "yess", "1", "0", "ok", "nope"} {
		_, err := Parse(Boolean, bad, Context{})
		wantUserError(t, err, "is not yes or no", "answer yes or no")
	}
}
