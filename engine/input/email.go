package input

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits from RFC 5321 (path and local part) that mail servers enforce.
const (
	maxAddressLen = 254
	maxLocalLen   = 64
	maxLabelLen   = 63
)

// parseEmail reads one address, bare or in the "Name <address>" form, and
// returns the bare address.
func parseEmail(s string, _ Context) (any, error) {
	entries := splitAddressList(s)
	if len(entries) > 1 {
		return nil, errorf("Give one email address only (found %d).", len(entries))
	}
	if len(entries) == 0 {
		return nil, errorf("%s is not an email address: write it as name@example.com.", quote(s))
	}
	addr, reason := extractAddress(entries[0])
	if reason != "" {
		return nil, errorf("%s is not an email address: %s.", quote(entries[0]), reason)
	}
	return addr, nil
}

// parseEmails reads a list of addresses separated by commas or semicolons.
func parseEmails(s string, c Context) (any, error) {
	return emailList(splitAddressList(s), c)
}

// emailList validates entries, trims them and drops case-insensitive
// duplicates, keeping the first spelling.
func emailList(entries []string, c Context) (any, error) {
	out := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	n := 0
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		n++
		addr, reason := extractAddress(e)
		if reason != "" {
			return nil, errorf("Address %d, %s, is not an email address: %s.", n, quote(e), reason)
		}
		key := strings.ToLower(addr)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, addr)
		if len(out) > MaxEmails {
			return nil, errorf("Too many addresses: at most %d.", MaxEmails)
		}
	}
	if len(out) == 0 && c.Required {
		return nil, errorf("At least one email address is needed here.")
	}
	return out, nil
}

// splitAddressList splits at commas and semicolons that are outside double
// quotes and angle brackets, so `"Doe, Jane" <jane@example.com>` stays one
// entry. Empty entries (a trailing comma) are dropped.
func splitAddressList(s string) []string {
	var out []string
	inQuote, inAngle, escaped := false, false, false
	start := 0
	for i, r := range s {
		switch {
		case escaped:
			escaped = false
		case inQuote && r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case !inQuote && r == '<':
			inAngle = true
		case !inQuote && r == '>':
			inAngle = false
		case !inQuote && !inAngle && (r == ',' || r == ';'):
			if e := strings.TrimSpace(s[start:i]); e != "" {
				out = append(out, e)
			}
			start = i + 1
		}
	}
	if e := strings.TrimSpace(s[start:]); e != "" {
		out = append(out, e)
	}
	return out
}

// extractAddress returns the address in one entry, or a reason it is not one.
func extractAddress(entry string) (addr, reason string) {
	candidate := entry
	if strings.ContainsAny(entry, "<>") {
		if a, err := mail.ParseAddress(entry); err == nil {
			candidate = a.Address
		} else {
			open, close := strings.LastIndexByte(entry, '<'), strings.LastIndexByte(entry, '>')
			if open < 0 || close != len(entry)-1 || close < open {
				return "", "write it as name@example.com or Name <name@example.com>"
			}
			candidate = strings.TrimSpace(entry[open+1 : close])
		}
		if candidate == "" {
			return "", "the address between < and > is missing"
		}
	}
	if reason := checkAddress(candidate); reason != "" {
		return "", reason
	}
	return candidate, ""
}

// checkAddress applies practical rules on top of RFC 5322: a dot-atom local
// part, a domain name with at least one dot, no spaces, and the length limits
// of RFC 5321. It returns why addr is refused, or "".
func checkAddress(addr string) string {
	if strings.IndexFunc(addr, unicode.IsSpace) >= 0 {
		if !strings.Contains(addr, "@") {
			return "write it as name@example.com"
		}
		return "it contains a space"
	}
	at := strings.IndexByte(addr, '@')
	switch {
	case at < 0:
		return "it has no @, as in name@example.com"
	case strings.Count(addr, "@") > 1:
		return "it has more than one @"
	case at == 0:
		return "the part before @ is missing"
	case at == len(addr)-1:
		return "the domain after @ is missing"
	case len(addr) > maxAddressLen:
		return "it is longer than " + strconv.Itoa(maxAddressLen) + " characters"
	}
	local, domain := addr[:at], addr[at+1:]
	if len(local) > maxLocalLen {
		return "the part before @ is longer than " + strconv.Itoa(maxLocalLen) + " characters"
	}
	if reason := checkLocalPart(local); reason != "" {
		return reason
	}
	return checkDomain(domain)
}

func checkLocalPart(local string) string {
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "the part before @ cannot start or end with a dot or have two dots in a row"
	}
	for _, r := range local {
		if r == '.' || isAtext(r) {
			continue
		}
		return "the character " + strconv.QuoteRune(r) + " is not allowed before @"
	}
	return ""
}

// isAtext reports the characters RFC 5322 (and RFC 6531 for non-ASCII)
// allows in an unquoted local part.
func isAtext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r):
		return true
	case r >= utf8.RuneSelf:
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
	}
	return false
}

func checkDomain(domain string) string {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "the domain " + strconv.Quote(domain) + " needs a dot, as in example.com"
	}
	for _, l := range labels {
		if l == "" {
			return "the domain " + strconv.Quote(domain) + " has an empty part between dots"
		}
		if len(l) > maxLabelLen {
			return "a part of the domain is longer than " + strconv.Itoa(maxLabelLen) + " characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "a part of the domain cannot start or end with a hyphen"
		}
		for _, r := range l {
			if r == '-' || (r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')) {
				continue
			}
			if r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
				continue
			}
			return "the character " + strconv.QuoteRune(r) + " is not allowed in the domain"
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 || strings.Trim(tld, "0123456789") == "" {
		return "the domain " + strconv.Quote(domain) + " does not end in a valid top-level domain"
	}
	return ""
}
