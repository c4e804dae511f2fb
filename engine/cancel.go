package engine

import (
	"strings"
	"unicode/utf8"
)

// DefaultCancelWords end a flow at any question, confirmation or sign-in
// when they are the whole answer (any case, spaces and a final . or !
// ignored). Config.CancelWords and a template's cancel_words replace them.
var DefaultCancelWords = []string{"cancel", "stop", "quit", "never mind", "/cancel"}

// maxCancelWordBytes bounds one cancel word.
const maxCancelWordBytes = 64

// normalizeAnswer is the form cancel words are compared in: lower case,
// inner spaces collapsed, a final . or ! dropped.
func normalizeAnswer(s string) string {
	if len(s) > 4*maxCancelWordBytes {
		return "" // longer than any cancel word: not worth folding
	}
	if isNormal(s) {
		return s // the usual answer: no allocation
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRight(s, ".!")
}

func cancelSet(words []string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		if n := normalizeAnswer(w); n != "" {
			set[n] = true
		}
	}
	return set
}

// cancelWord reports whether answer asks to leave the flow. A cancel word
// in quotes ("stop", 'stop', “stop”) is not one: it is returned without
// its quotes, as the data it stands for.
func (s *session) cancelWord(answer string) (cancel bool, data string) {
	words := s.e.cancelWords
	if s.t.cancelWords != nil {
		words = s.t.cancelWords
	}
	if len(words) == 0 || len(answer) > 4*maxCancelWordBytes {
		return false, answer
	}
	if words[normalizeAnswer(answer)] {
		return true, answer
	}
	if inner, ok := unquote(strings.TrimSpace(answer)); ok && words[normalizeAnswer(inner)] {
		return false, strings.TrimSpace(inner)
	}
	return false, answer
}

// unquote strips one pair of matching quotes.
func unquote(s string) (string, bool) {
	first, n := utf8.DecodeRuneInString(s)
	last, m := utf8.DecodeLastRuneInString(s)
	if len(s) < n+m {
		return "", false
	}
	switch {
	case first == '"' && last == '"', first == '\'' && last == '\'', first == '“' && last == '”', first == '‘' && last == '’':
		return s[n : len(s)-m], true
	}
	return "", false
}

// isNormal reports whether normalizeAnswer would return s as it is.
func isNormal(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == '.' || s[len(s)-1] == '!' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf, c >= 'A' && c <= 'Z', c < ' ', c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}
