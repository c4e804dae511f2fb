package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Upload sessions: Graph answers createUploadSession with an uploadUrl, a
// pre-authenticated URL on another host (https://outlook.office.com/... for
// Outlook attachments) that takes the file's bytes in ranges. That URL
// carries its own authtoken: the Graph token must never be sent there, and
// Upload never sends one.

// UploadHosts are the hosts an upload URL may point to besides the Graph
// base URL's host and Config.AllowedHosts: where Graph's upload sessions
// for Outlook attachments live.
var UploadHosts = []string{"outlook.office.com", "outlook.office365.com"}

// DefaultUploadChunkBytes is the size of each range Upload sends: 4 MiB,
// as the Outlook documentation advises ("keep each byte range less than 4
// MB" for better performance, and Graph's request limit is 4 MB).
const DefaultUploadChunkBytes = 4 << 20

// DefaultUploadResumes is how many times one Upload resumes after a lost
// range when UploadOptions.MaxResumes is 0.
const DefaultUploadResumes = 3

// UploadOptions tune Upload.
type UploadOptions struct {
	// ChunkBytes is the size of each range; 0 means DefaultUploadChunkBytes.
	ChunkBytes int
	// MaxResumes bounds how many times one Upload asks the session where it
	// stands and continues after a lost range (the connection broke, or the
	// upload host answered 429, 500, 502, 503 or 504); 0 means
	// DefaultUploadResumes, a negative value none (the first lost range
	// ends the upload, as a *MaybeSentError or *Error).
	MaxResumes int
}

// UploadHostAllowed reports whether an upload URL may receive a file: an
// https URL on one of UploadHosts, the Graph base URL's host or an allowed
// host (plain http only on the base URL's host when the base URL itself
// is http, as a sandbox on loopback is).
func (c *Client) UploadHostAllowed(u *url.URL) error {
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return &HostNotAllowedError{Host: u.Host, Reason: "an upload URL must be absolute, without user information or fragment"}
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range UploadHosts {
		if host != h {
			continue
		}
		if u.Scheme != "https" {
			return &HostNotAllowedError{Host: u.Host, Reason: fmt.Sprintf("scheme %q: a file is uploaded over https only", u.Scheme)}
		}
		if p := u.Port(); p != "" && p != "443" {
			return &HostNotAllowedError{Host: u.Host, Reason: "an upload host is reached on port 443 only"}
		}
		return nil
	}
	if c.allowedURL(u) && (u.Scheme == "https" || u.Scheme == c.base.Scheme) {
		return nil
	}
	return &HostNotAllowedError{Host: u.Host, Reason: "not a host Graph's upload sessions use (" + strings.Join(UploadHosts, ", ") + "), nor the Graph base URL's host or an allowed host"}
}

// Upload sends data to an upload session's URL in ranges (PUT with
// Content-Range: bytes start-end/total), in order, without an
// Authorization header. After each 200 it continues at the session's
// nextExpectedRanges; it returns the final answer (201 Created, with the
// attachment's Location).
//
// A range is lost when its connection breaks or the upload host answers
// 429, 500, 502, 503 or 504. Upload then waits (Retry-After, else
// exponential backoff; the waits count against Config.MaxRetryDelay),
// GETs the upload URL, still without a token, to learn the session's
// nextExpectedRanges, and resumes from the first of them: a lost range
// that did arrive is not sent again. It resumes at most
// UploadOptions.MaxResumes times (DefaultUploadResumes) and stops at once
// when ctx ends. When it cannot resume:
//   - the resumes are used up, or ctx ended: the lost range's error (a
//     *MaybeSentError for a broken connection, an *Error for a status),
//     saying why Upload stopped;
//   - the status GET answers an error (404 for a session that expired,
//     was cancelled or completed): that *Error, its GaveUp saying that the
//     session cannot be resumed and nothing more was sent; after a lost
//     last range, a *MaybeSentError wrapping it, since a completed session
//     is gone too;
//   - the status GET fails, or its answer cannot be used: an error saying
//     so, wrapping the GET's error (and the lost range's, when the GET
//     got no answer);
//   - the session expects no more bytes: a *MaybeSentError, since the
//     lost range may have completed the upload.
//
// Any other status is an *Error, returned at once.
func (c *Client) Upload(ctx context.Context, uploadURL string, data []byte, opt UploadOptions) (*Response, error) {
	u, err := url.Parse(uploadURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("graph: upload URL %q is not an absolute http(s) URL", clean(uploadURL, 80))
	}
	if err := c.UploadHostAllowed(u); err != nil {
		return nil, err
	}
	chunk := opt.ChunkBytes
	if chunk <= 0 {
		chunk = DefaultUploadChunkBytes
	}
	maxResumes := opt.MaxResumes
	switch {
	case maxResumes == 0:
		maxResumes = DefaultUploadResumes
	case maxResumes < 0:
		maxResumes = 0
	}
	total := len(data)
	if total == 0 {
		return nil, fmt.Errorf("graph: upload to %s: an upload session takes at least one byte", RedactURL(u))
	}
	// Every range moves forward, but for the resumes; a server that sends
	// us back more often than this is not followed further.
	maxRanges := total/chunk + 8 + maxResumes
	start, attempt, resumes := 0, 1, 0
	var waited time.Duration
	for n := 0; n < maxRanges; n++ {
		end := min(start+chunk, total) - 1
		resp, ev, err := c.putRange(ctx, u, data[start:end+1], start, end, total, attempt)
		var (
			lost       error
			retryAfter time.Duration
			hasAfter   bool
		)
		switch {
		case err != nil:
			var maybe *MaybeSentError
			if !errors.As(err, &maybe) || ctx.Err() != nil {
				c.traceUpload(ev)
				return nil, err
			}
			lost = err
		case resp.Status == http.StatusCreated:
			c.traceUpload(ev)
			return resp, nil
		case resp.Status == http.StatusOK:
			c.traceUpload(ev)
			next, ok := nextExpected(resp.Body)
			if !ok || next < 0 || next >= total {
				return nil, &ResponseError{Method: http.MethodPut, URL: RedactURL(u), Status: resp.Status, Response: resp,
					Reason: fmt.Sprintf("the upload session expects no range this client can send (nextExpectedRanges in %s)", clean(string(resp.Body), 120))}
			}
			if next != start {
				attempt = 1
			} else {
				attempt++
			}
			start = next
			continue
		case resumableStatus(resp.Status):
			e := ParseError(resp)
			e.Attempts = attempt
			ev.Err = e
			lost = e
			retryAfter, hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())
		default:
			c.traceUpload(ev)
			e := ParseError(resp)
			e.Attempts = attempt
			return nil, e
		}

		// The range was lost: wait, ask the session where it stands and
		// go on from there.
		if resumes >= maxResumes {
			c.traceUpload(ev)
			if maxResumes == 0 {
				return nil, lost
			}
			return nil, gaveUp(lost, fmt.Sprintf("gave up after %d resumes of the upload (UploadOptions.MaxResumes = %d)", resumes, maxResumes), nil)
		}
		resumes++
		wait, why, cause := c.waitWithin(ctx, resumes, waited, retryAfter, hasAfter)
		if why != "" {
			c.traceUpload(ev)
			return nil, gaveUp(lost, why, cause)
		}
		ev.RetryIn = wait
		c.traceUpload(ev)
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return nil, gaveUp(lost, fmt.Sprintf("the context ended while waiting %s to resume the upload (%v)", wait, err), err)
		}
		waited += wait
		next, err := c.resumeAt(ctx, u, lost, start, end, total, attempt)
		if err != nil {
			return nil, err
		}
		if next != start {
			attempt = 1
		} else {
			attempt++
		}
		start = next
	}
	return nil, fmt.Errorf("graph: upload to %s: the session did not complete after %d ranges", RedactURL(u), maxRanges)
}

// resumableStatus reports whether an upload host's answer to a range
// leaves the session to resume: throttling, or a server error that may
// have come before or after the range was stored (the OneDrive upload
// guidance names 500, 502, 503 and 504).
func resumableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// resumeAt GETs the upload URL after the range start-end of total bytes
// was lost (lost is its error) and returns the first byte the session
// expects next: at most end+1, since no byte after the lost range was
// sent. Every failure says that nothing more was sent.
func (c *Client) resumeAt(ctx context.Context, u *url.URL, lost error, start, end, total, attempt int) (int, error) {
	rng := fmt.Sprintf("bytes %d-%d/%d", start, end, total)
	where := fmt.Sprintf("graph: upload to %s: the range %s was lost (%s)", RedactURL(u), rng, lostReason(lost))
	last := end == total-1
	resp, ev, err := c.sendToUploadURL(ctx, http.MethodGet, u, nil, "")
	if err != nil {
		ev.Err = err
		c.traceUpload(ev)
		return 0, &resumeError{msg: fmt.Sprintf("%s, and asking the upload session where it stands failed (GET: %v): nothing more was sent%s", where, err, uploadAgain(last)),
			errs: []error{err, lost}}
	}
	if resp.Status != http.StatusOK {
		// The Graph-style answer is kept as the error, with the story in
		// GaveUp, so that callers (and flows) still see its status.
		e := ParseError(resp)
		gone := resp.Status == http.StatusNotFound || resp.Status == http.StatusGone || resp.Status == http.StatusUnauthorized
		if gone {
			e.GaveUp = fmt.Sprintf("upload to %s: the range %s was lost (%s), and the upload session is gone (expired, cancelled or completed; GET of the upload URL answered %d): it cannot be resumed and nothing more was sent%s", RedactURL(u), rng, lostReason(lost), resp.Status, uploadAgain(last))
		} else {
			e.GaveUp = fmt.Sprintf("upload to %s: the range %s was lost (%s), and asking the upload session where it stands failed (GET of the upload URL answered %d): nothing more was sent%s", RedactURL(u), rng, lostReason(lost), resp.Status, uploadAgain(last))
		}
		ev.Err = e
		c.traceUpload(ev)
		if last {
			// A completed session is gone too: the file may be attached.
			return 0, &MaybeSentError{Method: http.MethodPut, URL: RedactURL(u), Attempts: attempt, Cause: e}
		}
		return 0, e
	}
	next, done, ok := sessionState(resp.Body)
	reason := ""
	switch {
	case !ok:
		reason = fmt.Sprintf("the upload session's state has no readable nextExpectedRanges (%s)", clean(string(resp.Body), 120))
	case !done && (next < 0 || next > end+1 || next >= total):
		// The session may ask for the lost range again, or for its part
		// that did not arrive, but not for a byte after it.
		reason = fmt.Sprintf("the upload session expects byte %d next, but only bytes up to %d of %d were sent", next, end, total)
	}
	if reason != "" {
		err := &ResponseError{Method: http.MethodGet, URL: RedactURL(u), Status: resp.Status, Response: resp, Reason: reason}
		ev.Err = err
		c.traceUpload(ev)
		return 0, &resumeError{msg: fmt.Sprintf("%s, and the upload session's state cannot be used: nothing more was sent%s: %v", where, uploadAgain(last), err),
			errs: []error{err}}
	}
	c.traceUpload(ev)
	if done {
		return 0, &MaybeSentError{Method: http.MethodPut, URL: RedactURL(u), Attempts: attempt,
			Cause: fmt.Errorf("the range %s was lost (%s), and the upload session then listed no range still expected: the upload may have completed and the file may be attached already; nothing more was sent", rng, lostReason(lost))}
	}
	return next, nil
}

// uploadAgain is the advice that ends an upload that cannot be resumed:
// after a lost last range the file may be attached already.
func uploadAgain(last bool) string {
	if last {
		return "; it was the file's last range, so if it arrived the attachment was created: check the item's attachments before uploading the file again"
	}
	return "; upload the file again in a new session"
}

// lostReason says briefly why a range was lost.
func lostReason(lost error) string {
	var e *Error
	if errors.As(lost, &e) {
		return strings.TrimSpace(fmt.Sprintf("answered %d %s", e.Status, e.Code))
	}
	var maybe *MaybeSentError
	if errors.As(lost, &maybe) {
		return fmt.Sprintf("no answer: %v", maybe.Cause)
	}
	return lost.Error()
}

// resumeError is a failed attempt to resume an upload: its text says what
// happened to the lost range and to the session; it unwraps to the errors
// behind it (the status GET's *Error, or its transport error and the lost
// range's error), for errors.As and errors.Is.
type resumeError struct {
	msg  string
	errs []error
}

func (e *resumeError) Error() string   { return e.msg }
func (e *resumeError) Unwrap() []error { return e.errs }

// putRange sends one range; no token, no retry. A broken connection is a
// *MaybeSentError. The trace event is the caller's to send, once it knows
// whether a resume follows.
func (c *Client) putRange(ctx context.Context, u *url.URL, part []byte, start, end, total, attempt int) (*Response, TraceEvent, error) {
	resp, ev, err := c.sendToUploadURL(ctx, http.MethodPut, u, part, fmt.Sprintf("bytes %d-%d/%d", start, end, total))
	ev.Attempt = attempt
	if resp != nil {
		resp.Attempts = attempt
	}
	var le *LimitError
	if err != nil && !errors.As(err, &le) {
		err = &MaybeSentError{Method: http.MethodPut, URL: RedactURL(u), Attempts: attempt, Cause: err}
	}
	ev.Err = err
	return resp, ev, err
}

// sendToUploadURL sends one request to an upload URL, never with a token,
// and reads the answer within MaxBodyBytes. contentRange, when set, makes
// body a range of the file. err is a transport error (without the URL,
// which holds the authtoken) or a *LimitError; ev is the request's trace
// event, Err left for the caller.
func (c *Client) sendToUploadURL(ctx context.Context, method string, u *url.URL, body []byte, contentRange string) (*Response, TraceEvent, error) {
	ev := TraceEvent{Method: method, URL: RedactURL(u), Attempt: 1}
	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(actx, method, u.String(), rd)
	if err != nil {
		return nil, ev, fmt.Errorf("graph: %s %s: %v", method, RedactURL(u), stripURL(err))
	}
	if contentRange != "" {
		hr.Header.Set("Content-Type", "application/octet-stream")
		hr.Header.Set("Content-Range", contentRange)
	}
	hr.Header["User-Agent"] = c.userAgent
	began := time.Now()
	hresp, err := c.hc.Do(hr)
	if err != nil {
		ev.Duration = time.Since(began)
		return nil, ev, stripURL(err)
	}
	defer hresp.Body.Close()
	out := &Response{Status: hresp.StatusCode, Header: hresp.Header, Attempts: 1}
	if vs := hresp.Header["Request-Id"]; len(vs) > 0 {
		out.RequestID = vs[0]
	}
	data, tooBig, err := readBody(hresp, c.cfg.MaxBodyBytes)
	ev.Status, ev.RequestID, ev.Duration = out.Status, out.RequestID, time.Since(began)
	switch {
	case tooBig:
		return nil, ev, &LimitError{Limit: "MaxBodyBytes", Value: int(c.cfg.MaxBodyBytes), What: method + " " + RedactURL(u) + ": the response body"}
	case err != nil:
		return nil, ev, stripURL(err)
	}
	out.Body = data
	return out, ev, nil
}

func (c *Client) traceUpload(ev TraceEvent) {
	if c.cfg.Trace != nil {
		c.cfg.Trace(ev)
	}
}

// nextExpected reads the start of the first of an upload session's
// nextExpectedRanges ("2097152" or "2097152-3483321").
func nextExpected(body []byte) (int, bool) {
	r := gjson.GetBytes(body, "nextExpectedRanges.0")
	if !r.Exists() {
		r = gjson.GetBytes(body, "NextExpectedRanges.0")
	}
	return rangeStart(r)
}

// rangeStart reads the start of one range ("2097152", "2097152-" or
// "2097152-3483321").
func rangeStart(r gjson.Result) (int, bool) {
	if r.Type != gjson.String {
		return 0, false
	}
	first, _, _ := strings.Cut(r.Str, "-")
	n, err := strconv.Atoi(first)
	return n, err == nil
}

// sessionState reads an upload session's state (the answer to a GET of its
// URL): the first byte it expects next, or done when it lists no range
// still expected (nextExpectedRanges absent, null or empty). ok is false
// for an answer that is not a JSON object or whose first range is not a
// number.
func sessionState(body []byte) (next int, done, ok bool) {
	if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
		return 0, false, false
	}
	r := gjson.GetBytes(body, "nextExpectedRanges")
	if !r.Exists() {
		r = gjson.GetBytes(body, "NextExpectedRanges")
	}
	switch {
	case !r.Exists() || r.Type == gjson.Null:
		return 0, true, true
	case !r.IsArray():
		return 0, false, false
	}
	ranges := r.Array()
	if len(ranges) == 0 {
		return 0, true, true
	}
	next, ok = rangeStart(ranges[0])
	return next, false, ok
}
