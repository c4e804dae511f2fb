// Package yamlerr turns the syntax errors of go.yaml.in/yaml/v3 into a
// position and a message that says what to do, for every YAML file
// runflow reads (templates and flow tests), so that both give the same
// hints.
//
// yaml.v3 reports an error as "yaml: line N: text" with no column, at
// the 0-based line of the collection being parsed for parser errors and
// the 1-based line for scanner errors. Describe moves parser errors one
// line down and finds the column of the usual culprit on that line.
package yamlerr

import (
	"bytes"
	"strconv"
	"strings"
)

// parserErrors are the yaml.v3 parser messages, whose line is 0-based.
var parserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found undefined tag handle":             true,
	"did not find expected <document start>": true,
}

// maxLineScan bounds how much of the faulty line is searched for a column.
const maxLineScan = 4096

// Describe returns the 1-based line and column of a yaml.v3 error in src
// and its message with a hint for the usual cause. The column is 1 when
// nothing on the line stands out; the line is 1 when the error names none.
func Describe(err error, src []byte) (line, col int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		line, _ = strconv.Atoi(rest[:j])
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	if parserErrors[msg] {
		line++
	}
	line = max(line, 1)
	text := lineOf(src, line)
	col = 1
	switch {
	case msg == "mapping values are not allowed in this context":
		if c, fixed := quoteValue(text); c > 0 {
			col = c
			msg += `: the value holds ": ", which YAML reads as the start of another key; quote the whole value`
			if fixed != "" {
				msg += ", as in " + fixed
			}
		}
	case msg == "did not find expected ',' or '}'" || msg == "did not find expected ',' or ']'":
		if i := strings.IndexAny(text, "{["); i >= 0 {
			col = i + 1
		}
		msg += ` in the {...} or [...] that starts here (look for a missing closing bracket, or for unquoted text holding ?, ": " or # inside it: write text: "Send it?")`
	case strings.HasPrefix(msg, "found character that cannot start any token"):
		if c := firstValueCol(text); c > 0 {
			col = c
		}
		msg += ` (a value starting with @, backquote or % must be quoted: write "@team" or '${ ... }')`
	case msg == "did not find expected key" || msg == "did not find expected '-' indicator":
		msg += " (check the indentation of this line against the lines above: keys of one mapping, and items of one list, start in the same column)"
	}
	return line, col, msg
}

// lineOf returns line n (1-based) of src, bounded to maxLineScan bytes.
func lineOf(src []byte, n int) string {
	start := 0
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src[start:], '\n')
		if j < 0 {
			return ""
		}
		start += j + 1
	}
	end := len(src)
	if j := bytes.IndexByte(src[start:], '\n'); j >= 0 {
		end = start + j
	}
	if end-start > maxLineScan {
		end = start + maxLineScan
	}
	return strings.TrimRight(string(src[start:end]), "\r")
}

// quoteValue finds, in a line such as `  - say: Name: ${ x }`, the second
// ": " (the one YAML refuses) and returns its column and the line with
// its value quoted: `say: "Name: ${ x }"`.
func quoteValue(text string) (col int, fixed string) {
	first := strings.Index(text, ": ")
	if first < 0 {
		return 0, ""
	}
	second := strings.Index(text[first+2:], ": ")
	if second < 0 {
		if strings.HasSuffix(text, ":") && len(text) > first+2 {
			second = len(text) - 1 - (first + 2)
		} else {
			return 0, ""
		}
	}
	col = first + 2 + second + 1
	key := strings.TrimLeft(text[:first], " ")
	key = strings.TrimPrefix(key, "- ")
	value := strings.TrimSpace(text[first+2:])
	switch {
	case !strings.Contains(value, `"`):
		return col, key + `: "` + value + `"`
	case !strings.Contains(value, "'"):
		return col, key + ": '" + value + "'"
	}
	return col, ""
}

// firstValueCol is the column of the value on a `key: value` or
// `- value` line, or 0.
func firstValueCol(text string) int {
	if i := strings.Index(text, ": "); i >= 0 {
		j := i + 2
		for j < len(text) && text[j] == ' ' {
			j++
		}
		return j + 1
	}
	trimmed := strings.TrimLeft(text, " ")
	if strings.HasPrefix(trimmed, "- ") {
		return len(text) - len(trimmed) + 3
	}
	return 0
}
