package graph

import (
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Error is a Graph error answer: the HTTP status and Graph's error JSON
// ({"error": {"code", "message", "innerError": {"request-id", "date",
// "client-request-id"}}}). Flows branch on Status and Code.
type Error struct {
	Status  int
	Code    string
	Message string
	// RequestID is Graph's request-id (response header, else the body's).
	RequestID string
	// ClientRequestID is the client-request-id the client sent (echoed).
	ClientRequestID string
	// Date is innerError.date as Graph wrote it, else the Date header.
	Date string
	// Attempts is how many times the request was sent (0 when unknown).
	Attempts int
	// GaveUp says why the client stopped retrying a retryable answer (for
	// example "gave up after 4 attempts (MaxAttempts = 4)"), or why an
	// upload could not be resumed; "" otherwise.
	GaveUp string
	// Response is the whole answer, for callers that need more.
	Response *Response `json:"-"`
	// cause is the context error that ended retrying, if any.
	cause error
}

// Unwrap returns the context error (context.Canceled or
// context.DeadlineExceeded) that stopped the client from retrying this
// answer, or nil.
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph: %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	var notes []string
	if e.RequestID != "" {
		notes = append(notes, "request-id "+e.RequestID)
	}
	if e.Date != "" {
		notes = append(notes, "date "+e.Date)
	}
	if e.GaveUp != "" {
		notes = append(notes, e.GaveUp)
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

// Limits on text copied from a response into an error, so that a hostile
// answer cannot flood logs or a terminal.
const (
	maxMessageRunes = 500
	maxCodeRunes    = 100
)

// ParseError builds an *Error from a non-2xx response. Any body gives an
// Error: one that is not Graph's error JSON (an HTML error page, truncated
// JSON, nothing) gets the status and a short note saying what it was.
// Text taken from the body is cleaned of control characters and shortened.
func ParseError(r *Response) *Error {
	if r == nil {
		return &Error{Message: "no response"}
	}
	e := &Error{Status: r.Status, RequestID: clean(r.RequestID, maxCodeRunes), ClientRequestID: clean(r.ClientRequestID, maxCodeRunes), Response: r, Attempts: r.Attempts}
	if g, ok := graphErrorJSON(r.Body); ok {
		e.Code = clean(g.Get("code").String(), maxCodeRunes)
		e.Message = clean(g.Get("message").String(), maxMessageRunes)
		inner := firstExisting(g, "innerError", "innererror", "InnerError")
		if e.RequestID == "" {
			e.RequestID = clean(firstExisting(inner, "request-id", "requestId").String(), maxCodeRunes)
		}
		if e.ClientRequestID == "" {
			e.ClientRequestID = clean(inner.Get("client-request-id").String(), maxCodeRunes)
		}
		e.Date = clean(inner.Get("date").String(), maxCodeRunes)
	}
	if e.Date == "" && r.Header != nil {
		e.Date = clean(r.Header.Get("Date"), maxCodeRunes)
	}
	if e.Code == "" && e.Message == "" {
		e.Message = describeNonGraphBody(r)
	}
	return e
}

// graphErrorJSON returns the "error" object when body is valid JSON of
// Graph's error shape with a code or message.
func graphErrorJSON(body []byte) (gjson.Result, bool) {
	if len(body) == 0 || !gjson.ValidBytes(body) {
		return gjson.Result{}, false
	}
	g := gjson.GetBytes(body, "error")
	if !g.IsObject() {
		return gjson.Result{}, false
	}
	if g.Get("code").Type != gjson.String && g.Get("message").Type != gjson.String {
		return gjson.Result{}, false
	}
	return g, true
}

// IsGraphErrorBody reports whether body is Graph's error JSON
// ({"error": {"code": ..., "message": ...}}).
func IsGraphErrorBody(body []byte) bool {
	_, ok := graphErrorJSON(body)
	return ok
}

func firstExisting(r gjson.Result, keys ...string) gjson.Result {
	for _, k := range keys {
		if v := r.Get(gjson.Escape(k)); v.Exists() {
			return v
		}
	}
	return gjson.Result{}
}

func describeNonGraphBody(r *Response) string {
	ct := "no Content-Type"
	if r.Header != nil && r.Header.Get("Content-Type") != "" {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil {
			ct = mt
		} else {
			ct = "an invalid Content-Type"
		}
	}
	if len(r.Body) == 0 {
		return fmt.Sprintf("the response has an empty body (%s), not Graph's error JSON", ct)
	}
	return fmt.Sprintf("the response (%d bytes, %s) is not Graph's error JSON", len(r.Body), ct)
}

// clean makes text from a response safe to print: control characters
// (including CR, LF and ESC) become spaces, invalid UTF-8 becomes U+FFFD,
// and the text is cut to max runes.
func clean(s string, max int) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if n == max {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && size == 1:
			r = utf8.RuneError
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r):
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// HostNotAllowedError is returned when a URL points at a host that may not
// receive a token. No token has been fetched or sent when it is returned.
type HostNotAllowedError struct {
	Host string
	// Reason says more when the host itself is allowed but the URL is not
	// (for example plain http to an https service).
	Reason string
}

func (e *HostNotAllowedError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("graph: URL to host %q refused: %s", e.Host, e.Reason)
	}
	return fmt.Sprintf("graph: host %q is not allowed to receive a token (allowed: the Graph base URL's host and configured allowed hosts)", e.Host)
}

// MaybeSentError reports a write whose outcome is unknown: the connection
// broke or timed out after the request was written, or a gateway answered
// 504 or a bare 503. A write that is not idempotent is then not retried,
// because sending it again could apply it twice. An idempotent write is
// retried, and if it still fails, the failure is reported as a
// MaybeSentError too, since an earlier attempt may have been applied.
// Cause is the last failure (a transport error, the context's error, or a
// *Error); Unwrap returns it.
type MaybeSentError struct {
	Method string
	URL    string // redacted
	// Attempts is how many times the write was sent.
	Attempts int
	Cause    error
}

func (e *MaybeSentError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("graph: %s %s may have been applied: an earlier of its %d attempts had an unknown outcome (check whether it took effect before trying again): %v", e.Method, e.URL, e.Attempts, e.Cause)
	}
	return fmt.Sprintf("graph: %s %s may have been sent; not retried, so that it is not applied twice (check whether it took effect before trying again): %v", e.Method, e.URL, e.Cause)
}

// Unwrap returns the cause.
func (e *MaybeSentError) Unwrap() error { return e.Cause }

// ResponseError reports an answer that cannot be used: a 2xx body that
// should be JSON but has another Content-Type, is not valid JSON or is
// truncated, an empty body where content was expected, a page that is not a
// collection, or a redirect.
type ResponseError struct {
	Method string
	URL    string // redacted
	Status int
	// ContentType is the answer's media type ("" when absent).
	ContentType string
	// Reason says what was wrong.
	Reason   string
	Response *Response `json:"-"`
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("graph: %s %s: unusable %d response: %s", e.Method, e.URL, e.Status, e.Reason)
}

// LimitError reports that a limit was reached. Limit names the setting to
// raise (for example "MaxBodyBytes", "PageOptions.MaxPages"); Value is its
// value.
type LimitError struct {
	Limit string
	Value int
	// What says what went over the limit, for example
	// "GET https://graph.microsoft.com/v1.0/me/events: the response body".
	What string
}

func (e *LimitError) Error() string {
	what := e.What
	if what == "" {
		what = "a value"
	}
	return fmt.Sprintf("graph: %s exceeds the limit %s = %d", what, e.Limit, e.Value)
}
