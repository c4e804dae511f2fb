package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/internal/graphref"
)

// maxZoneNameLen bounds zone names read from templates or Graph.
const maxZoneNameLen = 128

// funcOptions declares the helper functions with their types, so that bad
// calls are load-time errors.
var funcOptions = []expr.Option{
	dataFunction("json", fnJSON, new(func(string, string) any)),
	budgetedFunction("graphDateTime", fnGraphDateTime, new(func(time.Time, string) string)),
	expr.Function("graphTime", fnGraphTime, new(func(string, string) time.Time)),
	budgetedFunction("formatTime", fnFormatTime, new(func(time.Time, string, string) string)),
	budgetedFunction("odataString", fnODataString, new(func(string) string)),
	expr.Function("inZone", fnInZone, new(func(time.Time, string) time.Time)),
	expr.Function("atTime", fnAtTime, new(func(time.Time, string, string) time.Time)),
	expr.Function("addDays", fnAddDays, new(func(time.Time, int, string) time.Time)),
	expr.Function("formatDuration", fnFormatDuration, new(func(time.Duration) string)),
	// The session's clock is `now`, read once per Start or Resume; a
	// second clock read within one call would let its expressions disagree.
	expr.DisableBuiltin("now"),
	// + of lists is concat (it runs before the budget's + patch).
	expr.Patch(listPatch{}),
	expr.Patch(choicePatch{}),
}

// fnJSON reads a gjson path in JSON text: string, float64, bool, nil, []any
// or map[string]any.
func fnJSON(args ...any) (any, error) {
	text, path := args[0].(string), args[1].(string)
	if !gjson.Valid(text) {
		return nil, fmt.Errorf("json: the text is not valid JSON")
	}
	r := gjson.Get(text, path)
	if !r.Exists() {
		return nil, nil
	}
	return r.Value(), nil
}

func zoneArg(fn, name string) (*time.Location, error) {
	if len(name) > maxZoneNameLen {
		return nil, fmt.Errorf("%s: the zone name is too long", fn)
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn, err)
	}
	return loc, nil
}

func fnGraphDateTime(args ...any) (any, error) {
	t := args[0].(time.Time)
	loc, err := zoneArg("graphDateTime", args[1].(string))
	if err != nil {
		return nil, err
	}
	return t.In(loc).Format(graphref.DateTimeLayout), nil
}

func fnGraphTime(args ...any) (any, error) {
	s := strings.TrimSpace(args[0].(string))
	loc, err := zoneArg("graphTime", args[1].(string))
	if err != nil {
		return nil, err
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc), nil
	}
	return nil, fmt.Errorf("graphTime: %q is not a Graph dateTime such as 2026-12-01T15:00:00.0000000", s)
}

func fnFormatTime(args ...any) (any, error) {
	t, layout := args[0].(time.Time), args[1].(string)
	loc, err := zoneArg("formatTime", args[2].(string))
	if err != nil {
		return nil, err
	}
	return t.In(loc).Format(layout), nil
}

func fnODataString(args ...any) (any, error) {
	return graph.ODataString(args[0].(string)), nil
}

func fnInZone(args ...any) (any, error) {
	t := args[0].(time.Time)
	loc, err := zoneArg("inZone", args[1].(string))
	if err != nil {
		return nil, err
	}
	return t.In(loc), nil
}
