package engine

// The shapes of the names a template declares, checked byte by byte. A CLI
// run loads one template, and compiling regular expressions for these
// checks cost more than decoding the template itself.

// isTemplateID reports whether s is a template id: lower-case ASCII
// letters, digits and dashes, starting with a letter or digit.
func isTemplateID(s string) bool {
	if s == "" || !isLowerOrDigit(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLowerOrDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// isName reports whether s is the name of an input, step, variable or
// loop item: lower-case ASCII letters, digits and _, starting with a
// letter or _.
func isName(s string) bool {
	if s == "" || (!isLower(s[0]) && s[0] != '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLowerOrDigit(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// isScopeName reports whether s has the shape of a Graph permission name
// (Mail.Send, User.ReadBasic.All): an ASCII letter, then letters, digits,
// dots, dashes and _.
func isScopeName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isPlainPath reports whether s is a gjson path of plain keys: one or more
// keys of ASCII letters, digits, _, $ and -, separated by single dots (no
// wildcards, queries, modifiers, escapes or counts).
func isPlainPath(s string) bool {
	key := 0 // length of the key being read
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '_' || c == '$' || c == '-':
			key++
		case c == '.' && key > 0:
			key = 0
		default:
			return false
		}
	}
	return key > 0
}

func isLower(c byte) bool        { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool        { return '0' <= c && c <= '9' }
func isLetter(c byte) bool       { return isLower(c) || ('A' <= c && c <= 'Z') }
func isLowerOrDigit(c byte) bool { return isLower(c) || isDigit(c) }
