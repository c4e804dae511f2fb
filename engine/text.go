package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/engine/input"
)

// textOf is the text form of a value, used where a value is interpolated
// into text (messages, paths, query parameters, headers): strings as they
// are, numbers in the shortest form, times in RFC 3339, durations in Go's
// notation, lists of strings joined with ", ", files by their names,
// other lists and maps as JSON, nil as "".
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339)
	case time.Duration:
		return x.String()
	case []string:
		return strings.Join(x, ", ")
	case input.FileValue, []input.FileValue: // files.go: the names
		return input.Format(input.Files, x)
	case []any:
		allStrings := true
		parts := make([]string, len(x))
		for i, it := range x {
			s, ok := it.(string)
			allStrings = allStrings && ok
			parts[i] = s
		}
		if allStrings {
			return strings.Join(parts, ", ")
		}
	case fmt.Stringer:
		return x.String()
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// jsonable converts a value for JSON encoding: durations become ISO 8601
// durations (Graph's format, e.g. "PT1H30M"), times RFC 3339, and maps and
// lists are converted deeply.
func jsonable(v any) any {
	switch x := v.(type) {
	case input.FileValue: // files.go: a file's description, not its bytes
		return fileMeta(x)
	case []input.FileValue:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = fileMeta(f)
		}
		return out
	case time.Duration:
		return isoDuration(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = jsonable(it)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = jsonable(it)
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	}
	return v
}

// isoDuration writes d as an ISO 8601 duration such as PT1H30M.
func isoDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	b.WriteString("P")
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if d == 0 {
		return b.String()
	}
	b.WriteString("T")
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if d > 0 {
		s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
		b.WriteString(s + "S")
	}
	return b.String()
}
