package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
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
	b, err := json.Marshal(JSONValue(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// JSONValue returns v in a form encoding/json writes the way runflow does:
// times as RFC 3339 text with their fraction of a second, durations as ISO
// 8601 durations (Graph's form, e.g. "PT1H30M"), files as a map of their
// name, content_type, size and sha256 (not their bytes), numbers that JSON
// cannot hold (NaN, ±Inf) as null, and lists and maps converted deeply (a
// nil list as []). It is the form of values in request bodies and in text
// that shows a list or a map; see [JSONForm] for the forms of other
// documents.
func JSONValue(v any) any {
	return JSONForm{}.Value(v)
}

// JSONForm says how [JSONForm.Value] writes the values JSON has no type
// for. The zero JSONForm is the form of [JSONValue]; a document that
// promised another form (the CLI's --output json, an MCP tool's structured
// content) sets the fields that differ.
type JSONForm struct {
	// Zone, when not nil, is the zone times are moved to before they are
	// written; nil keeps each time's own zone.
	Zone *time.Location
	// TimeLayout is the layout times are written in; "" is
	// time.RFC3339Nano.
	TimeLayout string
	// GoDurations writes durations in Go's notation ("1h30m0s") instead of
	// ISO 8601.
	GoDurations bool
	// FileStructs keeps a file an input.FileValue, which encoding/json
	// writes with its fields in declaration order (name, content_type,
	// size, sha256) instead of as a map with sorted keys.
	FileStructs bool
}

// Value returns v converted for encoding/json in the form f describes.
func (f JSONForm) Value(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int, int64:
		return v
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case time.Time:
		return f.time(x)
	case *time.Time:
		if x == nil {
			return nil
		}
		return f.time(*x)
	case time.Duration:
		if f.GoDurations {
			return x.String()
		}
		return isoDuration(x)
	case input.FileValue: // files.go: a file's description, not its bytes
		if f.FileStructs {
			return x
		}
		return fileMeta(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = f.Value(it)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = f.Value(it)
		}
		return out
	}
	return f.reflected(v)
}

// reflected converts the lists and string-keyed maps of other Go types
// ([]string, []input.FileValue, ...) like []any and map[string]any.
func (f JSONForm) reflected(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = f.Value(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			out := make(map[string]any, rv.Len())
			iter := rv.MapRange()
			for iter.Next() {
				out[iter.Key().String()] = f.Value(iter.Value().Interface())
			}
			return out
		}
	}
	return v
}

func (f JSONForm) time(t time.Time) string {
	if f.Zone != nil {
		t = t.In(f.Zone)
	}
	layout := f.TimeLayout
	if layout == "" {
		layout = time.RFC3339Nano
	}
	return t.Format(layout)
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
