package input

import (
	"strings"
	"unicode"
)

// parseString reads one line of text. Line breaks and other control
// characters (except tab) are refused: a one-line value often ends up in a
// subject, a name or a header.
func parseString(s string, _ Context) (any, error) {
	if strings.ContainsAny(s, "\r\n\u2028\u2029") {
		return nil, errorf("The answer must be one line: remove the line breaks.")
	}
	if r, bad := controlChar(s, false); bad {
		return nil, errorf("The answer contains a control character (%U).", r)
	}
	return s, nil
}

// parseText reads several lines of text. Windows and old Mac line endings
// become "\n" so the value is the same whichever terminal typed it.
func parseText(s string, _ Context) (any, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if r, bad := controlChar(s, true); bad {
		return nil, errorf("The answer contains a control character (%U).", r)
	}
	return s, nil
}

// controlChar reports the first control character other than tab (and, when
// newlines is true, line feed).
func controlChar(s string, newlines bool) (rune, bool) {
	for _, r := range s {
		if r == '\t' || (newlines && r == '\n') {
			continue
		}
		if unicode.IsControl(r) {
			return r, true
		}
	}
	return 0, false
}
