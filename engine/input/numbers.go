package input

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/runflow/runflow/internal/lazyregexp"
)

var (
	integerPattern = lazyregexp.New(`^[+-]?[0-9]+$`)
	decimalPattern = lazyregexp.New(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	groupedPattern = lazyregexp.New(`^[+-]?[0-9]{1,3}([,' _][0-9]{3})+$`)
)

// parseInteger reads a whole number in decimal, with an optional sign.
func parseInteger(s string, _ Context) (any, error) {
	if !integerPattern.MatchString(s) {
		switch {
		case groupedPattern.MatchString(s):
			return nil, errorf("Write %s without separators between the digits: %s.", quote(s), stripGrouping(s))
		case decimalPattern.MatchString(s):
			return nil, errorf("%s is not a whole number: give a number without decimals, such as 42.", quote(s))
		}
		return nil, errorf("%s is not a whole number: give a number such as 42 or -3.", quote(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		if strings.HasPrefix(s, "-") {
			return nil, errorf("%s is too small: the smallest whole number is %d.", quote(s), int64(math.MinInt64))
		}
		return nil, errorf("%s is too large: the largest whole number is %d.", quote(s), int64(math.MaxInt64))
	}
	if err != nil {
		return nil, errorf("%s is not a whole number: give a number such as 42 or -3.", quote(s))
	}
	return n, nil
}

// parseNumber reads a decimal number: digits with an optional sign, dot and
// exponent. Infinities, NaN and hexadecimal forms are refused, and so is a
// decimal comma (which would be read as a thousands separator elsewhere).
func parseNumber(s string, _ Context) (any, error) {
	if !decimalPattern.MatchString(s) {
		if strings.Count(s, ",") == 1 && decimalPattern.MatchString(strings.Replace(s, ",", ".", 1)) && !groupedPattern.MatchString(s) {
			return nil, errorf("%s is not a number: use a dot for decimals, as in %s.", quote(s), strings.Replace(s, ",", ".", 1))
		}
		if groupedPattern.MatchString(s) {
			return nil, errorf("%s is not a number: write it without separators between the digits (%s), with a dot for decimals.", quote(s), stripGrouping(s))
		}
		return nil, errorf("%s is not a number: give a number such as 4.5 or -3.", quote(s))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errorf("%s is too large a number.", quote(s))
	}
	return f, nil
}

func stripGrouping(s string) string {
	return strings.NewReplacer(",", "", "'", "", " ", "", "_", "").Replace(s)
}

// parseBoolean reads yes/no/y/n/true/false in any case.
func parseBoolean(s string, _ Context) (any, error) {
	switch strings.ToLower(s) {
	case "yes", "y", "true":
		return true, nil
	case "no", "n", "false":
		return false, nil
	}
	return nil, errorf("%s is not yes or no: answer yes or no.", quote(s))
}
