package graph

import (
	"bytes"
	"context"
	"fmt"
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

// UploadOptions tune Upload.
type UploadOptions struct {
	// ChunkBytes is the size of each range; 0 means DefaultUploadChunkBytes.
	ChunkBytes int
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
// attachment's Location). A status other than 200 or 201 is a *Error; a
// lost connection is a *MaybeSentError (the range may have arrived: the
// session is not resumed blindly).
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
	total := len(data)
	if total == 0 {
		return nil, fmt.Errorf("graph: upload to %s: an upload session takes at least one byte", RedactURL(u))
	}
	// Every range moves forward; a server that sends us back more often
	// than this is not followed further.
	maxRanges := total/chunk + 8
	start := 0
	for n := 0; n < maxRanges; n++ {
		end := min(start+chunk, total) - 1
		resp, err := c.putRange(ctx, u, data[start:end+1], start, end, total)
		if err != nil {
			return nil, err
		}
		switch resp.Status {
		case http.StatusCreated:
			return resp, nil
		case http.StatusOK:
			next, ok := nextExpected(resp.Body)
			if !ok || next < 0 || next >= total {
				return nil, &ResponseError{Method: http.MethodPut, URL: RedactURL(u), Status: resp.Status, Response: resp,
					Reason: fmt.Sprintf("the upload session expects no range this client can send (nextExpectedRanges in %s)", clean(string(resp.Body), 120))}
			}
			start = next
		default:
			e := ParseError(resp)
			return nil, e
		}
	}
	return nil, fmt.Errorf("graph: upload to %s: the session did not complete after %d ranges", RedactURL(u), maxRanges)
}

// putRange sends one range; no token, no retry.
func (c *Client) putRange(ctx context.Context, u *url.URL, part []byte, start, end, total int) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(actx, http.MethodPut, u.String(), bytes.NewReader(part))
	if err != nil {
		return nil, fmt.Errorf("graph: PUT %s: %v", RedactURL(u), stripURL(err))
	}
	hr.Header.Set("Content-Type", "application/octet-stream")
	hr.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, total))
	hr.Header["User-Agent"] = c.userAgent
	began := time.Now()
	hresp, err := c.hc.Do(hr)
	ev := TraceEvent{Method: http.MethodPut, URL: RedactURL(u), Attempt: 1}
	if err != nil {
		err = &MaybeSentError{Method: http.MethodPut, URL: RedactURL(u), Cause: stripURL(err)}
		ev.Err, ev.Duration = err, time.Since(began)
		c.traceUpload(ev)
		return nil, err
	}
	defer hresp.Body.Close()
	out := &Response{Status: hresp.StatusCode, Header: hresp.Header, Attempts: 1}
	if vs := hresp.Header["Request-Id"]; len(vs) > 0 {
		out.RequestID = vs[0]
	}
	body, tooBig, err := readBody(hresp, c.cfg.MaxBodyBytes)
	ev.Status, ev.RequestID, ev.Duration = out.Status, out.RequestID, time.Since(began)
	switch {
	case tooBig:
		err = &LimitError{Limit: "MaxBodyBytes", Value: int(c.cfg.MaxBodyBytes), What: "PUT " + RedactURL(u) + ": the response body"}
	case err != nil:
		err = &MaybeSentError{Method: http.MethodPut, URL: RedactURL(u), Cause: stripURL(err)}
	}
	ev.Err = err
	c.traceUpload(ev)
	if err != nil {
		return nil, err
	}
	out.Body = body
	return out, nil
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
	if r.Type != gjson.String {
		return 0, false
	}
	first, _, _ := strings.Cut(r.Str, "-")
	n, err := strconv.Atoi(first)
	return n, err == nil
}
