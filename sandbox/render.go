package sandbox

import (
	"net/http"
	"strconv"
	"strings"
)

// parsePrefer reads the Prefer headers Graph honours for Outlook data:
// outlook.timezone, outlook.body-content-type and odata.maxpagesize.
// Preferences the sandbox cannot honour are ignored, as Graph ignores them.
func (c *call) parsePrefer() {
	c.tz = utcZone
	for _, h := range c.r.Header.Values("Prefer") {
		for _, pref := range splitPrefer(h) {
			key, val, _ := strings.Cut(pref, "=")
			key = strings.ToLower(strings.TrimSpace(key))
			val = strings.Trim(strings.TrimSpace(val), `"`)
			switch key {
			case "outlook.timezone":
				z, err := resolveZone(val)
				if err != nil {
					// Graph ignores a zone it does not know and answers in UTC.
					continue
				}
				c.tz, c.tzApplied = z, true
				c.tz.name = val
			case "outlook.body-content-type":
				switch strings.ToLower(val) {
				case "text", "html":
					c.bodyType = strings.ToLower(val)
				}
			case "odata.maxpagesize":
				if n, err := strconv.Atoi(val); err == nil && n > 0 {
					c.maxPageSize = n
				}
			}
		}
	}
}

// splitPrefer splits a Prefer header on commas outside quotes.
func splitPrefer(h string) []string {
	var out []string
	inQuote, start := false, 0
	for i, r := range h {
		switch r {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, h[start:i])
				start = i + 1
			}
		}
	}
	return append(out, h[start:])
}

// render turns a handler's result into the answer, with the id headers and
// Preference-Applied.
func (c *call) render(res result) response {
	rec := newRecorder()
	for k, vs := range res.header {
		rec.header[k] = vs
	}
	var applied []string
	if c.tzApplied {
		applied = append(applied, `outlook.timezone="`+c.tz.name+`"`)
	}
	if c.bodyType != "" {
		applied = append(applied, `outlook.body-content-type="`+c.bodyType+`"`)
	}
	if len(applied) > 0 {
		rec.header.Set("Preference-Applied", strings.Join(applied, ", "))
	}
	if res.body == nil {
		setIDHeaders(rec, c.r)
		rec.WriteHeader(res.status)
		return rec.response()
	}
	writeJSON(rec, c.r, res.status, res.body)
	return rec.response()
}

// baseURL is the absolute root the sandbox is reached at.
func (c *call) baseURL() string {
	if c.s.baseURL != "" {
		return c.s.baseURL
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	host := c.r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// contextURL is an @odata.context value, e.g. "users('id')/events".
func (c *call) contextURL(fragment string) string {
	return c.baseURL() + "/v1.0/$metadata#" + fragment
}

func ok(body any) (result, *graphError) { return result{status: http.StatusOK, body: body}, nil }
func created(body any) (result, *graphError) {
	return result{status: http.StatusCreated, body: body}, nil
}
func noContent() (result, *graphError) { return result{status: http.StatusNoContent}, nil }

// checkIfMatch answers 412 when the request's If-Match names another
// version of the item than etag ("*" matches any), as Exchange does for a
// stale changeKey.
func (c *call) checkIfMatch(etag string) *graphError {
	want := strings.TrimSpace(c.r.Header.Get("If-Match"))
	if want == "" || want == "*" || want == etag {
		return nil
	}
	return newError(412, "ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.")
}
