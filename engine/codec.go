package engine

import (
	"fmt"

	"github.com/runflow/runflow/engine/input"
	"math"
	"reflect"
	"strconv"
	"time"
)

// The state codec: values (inputs, variables, loop items) are written as
// JSON that keeps their Go type. Plain JSON strings, booleans, numbers
// (float64), null and arrays stand for themselves; every other value is an
// object with one tag key:
//
//	{"$i": "42"}     int            {"$I": "42"}    int64
//	{"$t": "RFC3339Nano"} time.Time {"$d": "1h0m0s"} time.Duration
//	{"$s": [...]}    []string       {"$m": {...}}   map[string]any
//	{"$f": {...}}    input.FileValue {"$F": [...]}   []input.FileValue

// maxCodecDepth bounds nesting when decoding a state.
const maxCodecDepth = 64

func encodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("cannot save the number %v", x)
		}
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return map[string]any{"$i": strconv.Itoa(x)}, nil
	case int64:
		return map[string]any{"$I": strconv.FormatInt(x, 10)}, nil
	case int32:
		return map[string]any{"$i": strconv.Itoa(int(x))}, nil
	case time.Time:
		return map[string]any{"$t": x.Format(time.RFC3339Nano)}, nil
	case time.Duration:
		return map[string]any{"$d": x.String()}, nil
	case []string:
		return map[string]any{"$s": append([]string{}, x...)}, nil
	case input.FileValue: // files.go
		return encodeFile(x), nil
	case []input.FileValue:
		return encodeFiles(x), nil
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			e, err := encodeValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, it := range x {
			e, err := encodeValue(it)
			if err != nil {
				return nil, err
			}
			m[k] = e
		}
		return map[string]any{"$m": m}, nil
	}
	return encodeReflect(v)
}

// encodeReflect saves the other slices, maps and numbers expressions can
// make ([]int from 1..3, map[string]string, uint8...), as their plain forms.
func encodeReflect(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			e, err := encodeValue(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			e, err := encodeValue(iter.Value().Interface())
			if err != nil {
				return nil, err
			}
			m[iter.Key().String()] = e
		}
		return map[string]any{"$m": m}, nil
	case reflect.Int8, reflect.Int16, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"$i": strconv.FormatInt(rv.Convert(reflect.TypeOf(int64(0))).Int(), 10)}, nil
	case reflect.Uint, reflect.Uint64:
		if rv.Uint() <= math.MaxInt64 {
			return map[string]any{"$I": strconv.FormatUint(rv.Uint(), 10)}, nil
		}
	}
	return nil, fmt.Errorf("cannot save a value of type %T", v)
}

func decodeValue(v any, depth int) (any, error) {
	if depth > maxCodecDepth {
		return nil, fmt.Errorf("values nested too deeply")
	}
	switch x := v.(type) {
	case nil, string, bool, float64:
		return x, nil
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			d, err := decodeValue(it, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("a tagged value has %d keys", len(x))
		}
		for tag, raw := range x {
			return decodeTagged(tag, raw, depth)
		}
	}
	return nil, fmt.Errorf("unexpected value %T", v)
}

func decodeTagged(tag string, raw any, depth int) (any, error) {
	s, isString := raw.(string)
	switch tag {
	case "$i", "$I":
		if !isString {
			break
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", s)
		}
		if tag == "$i" {
			return int(n), nil
		}
		return n, nil
	case "$t":
		if !isString {
			break
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("bad time %q", s)
		}
		return t, nil
	case "$d":
		if !isString {
			break
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("bad duration %q", s)
		}
		return d, nil
	case "$s":
		list, ok := raw.([]any)
		if !ok {
			break
		}
		out := make([]string, len(list))
		for i, it := range list {
			str, ok := it.(string)
			if !ok {
				return nil, fmt.Errorf("a string list holds %T", it)
			}
			out[i] = str
		}
		return out, nil
	case "$f", "$F": // files.go
		return decodeFileTag(tag, raw)
	case "$m":
		m, ok := raw.(map[string]any)
		if !ok {
			break
		}
		out := make(map[string]any, len(m))
		for k, it := range m {
			d, err := decodeValue(it, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = d
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown or malformed tag %q", tag)
}
