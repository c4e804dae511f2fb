package graph

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ResolveURL turns a request path into the absolute URL it will be sent to,
// refusing hosts that are not allowed and relative paths that are unsafe:
// empty segments ("//", a trailing "/"), "." and ".." segments, fragments
// and bad percent-escapes. Query values are added to any query in path.
func (c *Client) ResolveURL(path string, query url.Values) (*url.URL, error) {
	r, err := c.resolve(path, query)
	if err != nil {
		return nil, err
	}
	return r.parsed()
}

// resolvedURL is where a request goes: the URL text sent and, when the slow
// path parsed it, its parsed form.
type resolvedURL struct {
	target string
	u      *url.URL // nil when built by concatenation (parsed() makes it)
	// rel is the path below the base URL without its leading "/", set when
	// u is nil (for the mailbox key).
	rel string
}

// parsed returns the URL as a *url.URL, parsing the text built by the fast
// path. That text was made only of bytes that url.Parse keeps as they are,
// so it parses to what the slow path would have built.
func (r *resolvedURL) parsed() (*url.URL, error) {
	if r.u == nil {
		u, err := url.Parse(r.target)
		if err != nil {
			return nil, fmt.Errorf("graph: bad URL: %v", stripURL(err))
		}
		r.u = u
	}
	return r.u, nil
}

// resolve is ResolveURL without the parse when it can be avoided. A
// relative path that is already in its sent form (nothing to escape) is
// checked and joined to the base URL by concatenation, with Query encoded
// as url.Values.Encode would; anything else (absolute URLs, bytes that
// need escaping, a query both in the path and in Query) takes the parsing
// path, resolveSlow. A test checks that both paths give the same URL.
func (c *Client) resolve(path string, query url.Values) (resolvedURL, error) {
	if isAbsoluteHTTP(path) || strings.Contains(path, "://") || strings.Contains(path, "#") {
		return c.resolveSlow(path, query)
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	rawPath, rawQuery, hasQuery := strings.Cut(path, "?")
	if err := checkRelativePath(rawPath); err != nil {
		return resolvedURL{}, err
	}
	if !sentAsIs(rawPath, &pathAsIs) || (hasQuery && (rawQuery == "" || len(query) > 0 || !sentAsIs(rawQuery, &queryAsIs))) {
		return c.resolveSlow(path, query)
	}
	var b strings.Builder
	b.Grow(len(c.baseURL) + len(path) + encodedLen(query))
	b.WriteString(c.baseURL)
	b.WriteString(path) // rawPath, and "?" rawQuery when there is one
	if !hasQuery && len(query) > 0 {
		writeEncodedQuery(&b, query)
	}
	return resolvedURL{target: b.String(), rel: rawPath[1:]}, nil
}

func isAbsoluteHTTP(path string) bool {
	return hasPrefixFold(path, "https://") || hasPrefixFold(path, "http://")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// resolveSlow parses the URL and re-encodes its query.
func (c *Client) resolveSlow(path string, query url.Values) (resolvedURL, error) {
	var u *url.URL
	if isAbsoluteHTTP(path) {
		p, err := url.Parse(path)
		if err != nil {
			return resolvedURL{}, fmt.Errorf("graph: bad URL: %v", stripURL(err))
		}
		if err := c.checkTarget(p); err != nil {
			return resolvedURL{}, err
		}
		p.Fragment, p.RawFragment = "", ""
		u = p
	} else {
		if strings.Contains(path, "://") {
			return resolvedURL{}, fmt.Errorf("graph: path %q: only http and https URLs are allowed", clean(path, 200))
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if strings.Contains(path, "#") {
			return resolvedURL{}, fmt.Errorf("graph: path %q contains '#'; escape values with graph.PathSegment", clean(path, 200))
		}
		rawPath, rawQuery, hasQuery := strings.Cut(path, "?")
		if err := checkRelativePath(rawPath); err != nil {
			return resolvedURL{}, err
		}
		full := c.baseURL + rawPath
		if hasQuery {
			full += "?" + rawQuery
		}
		p, err := url.Parse(full)
		if err != nil {
			return resolvedURL{}, fmt.Errorf("graph: bad path %q: %v", clean(path, 200), stripURL(err))
		}
		if p.Host != c.base.Host || p.Scheme != c.base.Scheme {
			return resolvedURL{}, fmt.Errorf("graph: path %q changes the host", clean(path, 200))
		}
		u = p
	}
	u.RawQuery = escapeQuery(u.RawQuery)
	if len(query) > 0 {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return resolvedURL{}, fmt.Errorf("graph: bad query in %q: %v", RedactURL(u), err)
		}
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return resolvedURL{target: u.String(), u: u}, nil
}

// pathAsIs[ch] says whether url.URL.String keeps ch as it is in a path:
// RFC 3986's unreserved characters, sub-delims, ':', '@' and '/', and '%'
// (checkRelativePath has made sure every '%' starts a valid escape).
// queryAsIs[ch] says whether escapeQuery keeps ch as it is ('%' only when
// it starts a valid escape, which sentAsIs checks).
var pathAsIs, queryAsIs = func() (path, query [256]bool) {
	for ch := 0; ch < 256; ch++ {
		c := byte(ch)
		path[ch] = isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@/%", c) >= 0
		query[ch] = c > ' ' && c < 0x7f && strings.IndexByte("\"<>\\^`{|}", c) < 0
	}
	return path, query
}()

// sentAsIs reports whether every byte of s is marked in asIs and every '%'
// starts a valid escape.
func sentAsIs(s string, asIs *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !asIs[ch] || (ch == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]))) {
			return false
		}
	}
	return true
}

func isAlnum(ch byte) bool {
	return 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9'
}

// encodedLen bounds the length of "?" plus q encoded.
func encodedLen(q url.Values) int {
	n := 1
	for k, vs := range q {
		for _, v := range vs {
			n += 3*(len(k)+len(v)) + 2
		}
	}
	return n
}

// writeEncodedQuery writes "?" and q in url.Values.Encode's form (keys
// sorted, url.QueryEscape'd names and values joined by "=" and "&"), or
// nothing when q has no values. It spares Encode's intermediate strings.
func writeEncodedQuery(b *strings.Builder, q url.Values) {
	var keysArray [8]string
	keys := keysArray[:0]
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	first := true
	for _, k := range keys {
		for _, v := range q[k] {
			if first {
				b.WriteByte('?')
				first = false
			} else {
				b.WriteByte('&')
			}
			writeQueryEscaped(b, k)
			b.WriteByte('=')
			writeQueryEscaped(b, v)
		}
	}
}

// writeQueryEscaped writes s as url.QueryEscape would: unreserved bytes
// as they are, a space as '+', every other byte as %XX.
func writeQueryEscaped(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case isAlnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~':
			b.WriteByte(ch)
		case ch == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[ch>>4])
			b.WriteByte(hexDigits[ch&15])
		}
	}
}

// escapeQuery percent-encodes the bytes that may not appear in a query
// (spaces, quotes, angle brackets, non-ASCII, a % that starts no escape,
// ...) and leaves everything else, existing escapes included, as written,
// so that a query typed in a path ("$filter=subject eq 'x'") is sent as a
// valid request line without reordering Graph's nextLink queries.
func escapeQuery(raw string) string {
	if sentAsIs(raw, &queryAsIs) {
		return raw
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		validEscape := ch == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2])
		if ch == '%' && !validEscape {
			b.WriteString("%25") // a lone % stands for itself
			continue
		}
		if queryAsIs[ch] {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// checkRelativePath refuses bad %-escapes, empty segments and dot
// segments, without allocating on the way.
func checkRelativePath(rawPath string) error {
	for i := 0; i < len(rawPath); i++ {
		if rawPath[i] == '%' && (i+2 >= len(rawPath) || !isHex(rawPath[i+1]) || !isHex(rawPath[i+2])) {
			return fmt.Errorf("graph: path %q has a bad %%-escape; escape values with graph.PathSegment", clean(rawPath, 200))
		}
	}
	rest := rawPath[1:]
	for {
		seg, after, more := strings.Cut(rest, "/")
		switch seg {
		case "":
			return fmt.Errorf("graph: path %q has an empty segment (an empty value in the path?)", clean(rawPath, 200))
		case ".", "..":
			return fmt.Errorf("graph: path %q has a %q segment; escape values with graph.PathSegment", clean(rawPath, 200), seg)
		}
		if !more {
			return nil
		}
		rest = after
	}
}
