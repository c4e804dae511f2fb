package graph

import (
	"net/url"
	"strings"
)

// RedactURL returns u as text that is safe for traces and errors: any
// user:password is hidden, and the values of query parameters whose names
// look secret (see [IsSecretParam]) are replaced by "REDACTED".
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// redactQuery rewrites a raw query string, keeping its order and the
// encoding of names and harmless values.
func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			decoded = name
		}
		if hasValue && IsSecretParam(decoded) {
			parts[i] = name + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

// IsSecretParam reports whether a query parameter or form field named name
// may carry a secret: tokens, authorization codes, client secrets and
// assertions, PKCE verifiers, passwords, keys and signatures. Graph's
// $skiptoken is a paging cursor, not a secret, and is kept.
func IsSecretParam(name string) bool {
	n := strings.ToLower(strings.TrimPrefix(name, "$"))
	if n == "skiptoken" || n == "deltatoken" {
		return false
	}
	if n == "code" || n == "key" || n == "sig" || n == "signature" || n == "state" {
		return true
	}
	for _, s := range []string{"token", "secret", "password", "passwd", "verifier", "assertion", "_code", "apikey", "api_key", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
