package flowtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// maxDiffs caps the differences reported for one JSON comparison.
const maxDiffs = 8

// decodeJSON decodes JSON text with numbers kept exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// diffJSON compares two JSON values and returns the differences, each
// "path: expected X, got Y", at most maxDiffs of them.
func diffJSON(path string, want, got any) []string {
	var out []string
	walkDiff(path, want, got, &out)
	if len(out) > maxDiffs { // the walk stops early, so the rest is not counted
		out = append(out[:maxDiffs], "... and more differences")
	}
	return out
}

func walkDiff(path string, want, got any, out *[]string) {
	if len(*out) > maxDiffs {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: expected %s, got %s", path, short(want), short(got)))
			return
		}
		for _, k := range sortedKeys(w) {
			gv, present := g[k]
			if !present {
				*out = append(*out, fmt.Sprintf("%s: missing, expected %s", joinPath(path, k), short(w[k])))
				continue
			}
			walkDiff(joinPath(path, k), w[k], gv, out)
		}
		for _, k := range sortedKeys(g) {
			if _, expected := w[k]; !expected {
				*out = append(*out, fmt.Sprintf("%s: not expected, got %s", joinPath(path, k), short(g[k])))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: expected %s, got %s", path, short(want), short(got)))
			return
		}
		if len(w) != len(g) {
			*out = append(*out, fmt.Sprintf("%s: expected %d items, got %d: %s", path, len(w), len(g), short(got)))
			return
		}
		for i := range w {
			walkDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out)
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			*out = append(*out, fmt.Sprintf("%s: expected %s, got %s", path, short(want), short(got)))
		}
	default:
		if want != got {
			*out = append(*out, fmt.Sprintf("%s: expected %s, got %s", path, short(want), short(got)))
		}
	}
}

// sameNumber compares JSON numbers by value (1 and 1.0 are equal).
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	fa, errA := strconv.ParseFloat(string(a), 64)
	fb, errB := strconv.ParseFloat(string(b), 64)
	return errA == nil && errB == nil && fa == fb
}

func joinPath(path, key string) string {
	if isIdent(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return fmt.Sprintf("%s[%q]", path, key)
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '@' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// maxShown caps how much of a value a message shows.
const maxShown = 200

// short renders a JSON value compactly for a message.
func short(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return clip(strings.TrimSpace(buf.String()))
}

// clip shortens s for a message, saying how much was left out.
func clip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// quote shows a text value in a message.
func quote(s string) string { return clip(strconv.Quote(s)) }
