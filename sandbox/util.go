package sandbox

import (
	"encoding/hex"
	"strings"
)

func hexString(b []byte) string { return hex.EncodeToString(b) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// validAddress is a plain check of an SMTP address: one @, something on
// both sides, a dot in the domain, no spaces.
func validAddress(a string) bool {
	local, domain, ok := strings.Cut(a, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(a, " \t\r\n<>,;\"") &&
		!strings.Contains(domain, "@") && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
