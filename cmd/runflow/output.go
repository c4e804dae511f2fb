package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/runflow/runflow/engine"
)

// result is what a run produced, independent of how it is printed.
type result struct {
	Template string
	Status   string // completed | failed | cancelled
	Outputs  []outputItem
	Messages []string
	Error    *errorDoc
}

// outputItem is one entry of a template's output, in template order.
type outputItem struct {
	Name    string
	Value   any
	Columns []string
}

// errorDoc is the error part of the --output json document.
type errorDoc struct {
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	// Step and Position name the template step that failed and its
	// file:line:col, for the template's author.
	Step     string `json:"step,omitempty"`
	Position string `json:"position,omitempty"`
}

// writeJSON prints the stable --output json document:
// {"template", "status", "outputs", "messages", "error"}, plus "dry_run"
// (the write not sent) after a dry run. Times are RFC 3339 in loc,
// durations Go duration text; outputs keep the template's order.
func writeJSON(w io.Writer, r result, loc *time.Location, planned *plannedRequestDoc) error {
	var b bytes.Buffer
	b.WriteString("{\n  \"template\": ")
	writeJSONValue(&b, r.Template, loc, "  ")
	b.WriteString(",\n  \"status\": ")
	writeJSONValue(&b, r.Status, loc, "  ")
	b.WriteString(",\n  \"outputs\": {")
	for i, o := range r.Outputs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		writeJSONValue(&b, o.Name, loc, "    ")
		b.WriteString(": ")
		writeJSONValue(&b, o.Value, loc, "    ")
	}
	if len(r.Outputs) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("},\n  \"messages\": ")
	msgs := r.Messages
	if msgs == nil {
		msgs = []string{}
	}
	writeJSONValue(&b, msgs, loc, "  ")
	b.WriteString(",\n  \"error\": ")
	if r.Error == nil {
		b.WriteString("null")
	} else {
		writeJSONValue(&b, r.Error, loc, "  ")
	}
	if planned != nil {
		b.WriteString(",\n  \"dry_run\": ")
		writeJSONValue(&b, planned, loc, "  ")
	}
	b.WriteString("\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// writeJSONValue encodes v, indented under prefix, after turning times and
// durations into text; maps keep encoding/json's sorted keys.
func writeJSONValue(b *bytes.Buffer, v any, loc *time.Location, prefix string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // message bodies may hold HTML; keep it readable
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(jsonable(v, loc)); err != nil {
		// Values come from expressions over JSON, so this means a Go type
		// the CLI does not know; say so in the document instead of failing.
		buf.Reset()
		enc.Encode(fmt.Sprintf("<unprintable %T>", v))
	}
	b.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

// inZone moves t to loc; a nil loc keeps t's own zone (the zone the flow
// produced it in, usually the mailbox's).
func inZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}

// jsonable converts times to RFC 3339 text (in loc, see inZone),
// durations to Go's duration text and files to their fields, recursively.
func jsonable(v any, loc *time.Location) any {
	return engine.JSONForm{Zone: loc, TimeLayout: time.RFC3339, GoDurations: true, FileStructs: true}.Value(v)
}

// textStyle controls how values are shown to people.
type textStyle struct {
	// loc is the zone times are shown in; nil keeps each time's own zone.
	loc *time.Location
	// maxCell truncates table cells to this many characters.
	maxCell int
}

// writeText prints a result for people: the messages, then each output as
// "name: value", or as a table when it is a list of records.
func writeText(w io.Writer, r result, st textStyle) error {
	var b bytes.Buffer
	for _, m := range r.Messages {
		b.WriteString(cleanMessage(m))
		b.WriteByte('\n')
	}
	var scalars []outputItem
	flush := func() {
		if len(scalars) == 0 {
			return
		}
		width := 0
		for _, o := range scalars {
			width = max(width, len(o.Name))
		}
		for _, o := range scalars {
			fmt.Fprintf(&b, "%-*s  %s\n", width+1, o.Name+":", formatValue(o.Value, st))
		}
		scalars = nil
	}
	if len(r.Messages) > 0 && len(r.Outputs) > 0 {
		b.WriteByte('\n')
	}
	for _, o := range r.Outputs {
		rows, ok := records(o.Value, len(o.Columns) > 0)
		if !ok {
			scalars = append(scalars, o)
			continue
		}
		flush()
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n\n")) {
			b.WriteByte('\n')
		}
		if len(rows) == 0 {
			fmt.Fprintf(&b, "%s: none\n\n", o.Name)
			continue
		}
		fmt.Fprintf(&b, "%s (%d):\n", o.Name, len(rows))
		writeTable(&b, rows, o.Columns, st)
		b.WriteByte('\n')
	}
	flush()
	_, err := w.Write(bytes.TrimRight(b.Bytes(), "\n"))
	if err == nil && b.Len() > 0 {
		_, err = io.WriteString(w, "\n")
	}
	return err
}

// records returns v as a list of records (maps) when it is one. An empty
// list counts as one when the output declares table columns.
func records(v any, hasColumns bool) ([]map[string]any, bool) {
	rv := reflect.ValueOf(v)
	if v == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
		return nil, false
	}
	rows := make([]map[string]any, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		m, ok := asStringMap(rv.Index(i).Interface())
		if !ok {
			return nil, false
		}
		rows = append(rows, m)
	}
	if len(rows) == 0 {
		return rows, hasColumns || rv.Type().Elem().Kind() == reflect.Map
	}
	return rows, true
}

func asStringMap(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	m := make(map[string]any, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		m[iter.Key().String()] = iter.Value().Interface()
	}
	return m, true
}

// writeTable prints rows under upper-case column headers. Without declared
// columns, every key is a column, in sorted order.
func writeTable(b *bytes.Buffer, rows []map[string]any, columns []string, st textStyle) {
	if len(columns) == 0 {
		seen := map[string]bool{}
		for _, r := range rows {
			for k := range r {
				if !seen[k] {
					seen[k] = true
					columns = append(columns, k)
				}
			}
		}
		sort.Strings(columns)
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for i, c := range columns {
		if i > 0 {
			io.WriteString(tw, "\t")
		}
		io.WriteString(tw, strings.ToUpper(strings.ReplaceAll(c, "_", " ")))
	}
	io.WriteString(tw, "\n")
	for _, r := range rows {
		for i, c := range columns {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			io.WriteString(tw, truncate(strings.ReplaceAll(formatValue(r[c], st), "\t", " "), st.maxCell))
		}
		io.WriteString(tw, "\n")
	}
	tw.Flush()
}

// formatValue shows one value to people: times in the user's zone, yes/no
// for booleans, "-" for nothing, lists joined with commas.
func formatValue(v any, st textStyle) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if x == "" {
			return "-"
		}
		return cleanText(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case time.Time:
		return formatTime(x, st.loc)
	case *time.Time:
		if x == nil {
			return "-"
		}
		return formatTime(*x, st.loc)
	case time.Duration:
		return x.String()
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return formatValue(float64(x), st)
	case int, int64, int32, uint, uint64, uint32:
		return fmt.Sprint(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Len() == 0 {
			return "-"
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = formatValue(rv.Index(i).Interface(), st)
		}
		return strings.Join(parts, ", ")
	case reflect.Map:
		data, err := json.Marshal(jsonable(v, st.loc))
		if err != nil {
			return fmt.Sprint(v)
		}
		return cleanText(string(data))
	}
	return cleanText(fmt.Sprint(v))
}

// formatTime shows t in loc as "Tue 1 Dec 2026 15:00", or just the day
// when it is midnight in the zone it was made in (a date, such as a date
// input: moving it to --zone would make it a time on another day).
func formatTime(t time.Time, loc *time.Location) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("Mon 2 Jan 2006")
	}
	return inZone(t, loc).Format("Mon 2 Jan 2006 15:04")
}

// cleanText removes control characters (terminal escape sequences included)
// from text that came from Graph or a template, so that a message subject
// cannot drive the user's terminal. Newlines become spaces.
func cleanText(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unsafeRune(r):
			return -1
		}
		return r
	}, s)
}

// unsafeRune reports control characters and the bidirectional overrides
// and isolates (U+202A..U+202E, U+2066..U+2069), which can make a subject
// or file name read backwards on screen.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// cleanMessage is cleanText for messages, which keep their line breaks.
func cleanMessage(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = cleanText(l)
	}
	return strings.Join(lines, "\n")
}

func truncate(s string, n int) string {
	if n <= 0 {
		return s
	}
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-1]) + "…"
}
