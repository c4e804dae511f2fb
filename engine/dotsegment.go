package engine

import "strings"

// isDotSegment reports whether seg, a segment of a template's http path,
// is "." or "..", written plainly or percent-encoded ("%2e%2e", ".%2E",
// ...): a server that decodes the path before normalising it would climb
// out of the path the template shows.
func isDotSegment(seg string) bool {
	if len(seg) == 0 || len(seg) > 6 {
		return false
	}
	decoded := strings.ReplaceAll(strings.ReplaceAll(seg, "%2e", "."), "%2E", ".")
	return decoded == "." || decoded == ".."
}
