package graph

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
)

// prepared is a checked logical request, ready to be sent in attempts.
type prepared struct {
	req    *Request
	method string
	url    resolvedURL
	// redactedURL is the URL shown in traces and errors, made on first
	// use (see redacted): a request that succeeds without a Trace never
	// needs it.
	redactedURL     string
	header          http.Header // the caller's headers, checked and canonical
	clientRequestID string
	// crid is the client-request-id header value, shared by the attempts
	// (cridValue holds it when the client made the id).
	crid           []string
	cridValue      [1]string
	write          bool
	retryableWrite bool // write that may be sent again (Idempotent)
	mailbox        mailbox
}

// redacted returns the URL as shown in traces and errors.
func (p *prepared) redacted() string {
	if p.redactedURL == "" {
		u, err := p.url.parsed()
		if err != nil {
			p.redactedURL = "(unparsable URL)"
		} else {
			p.redactedURL = RedactURL(u)
		}
	}
	return p.redactedURL
}

var allowedMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PATCH": true, "PUT": true, "DELETE": true}

// forbiddenHeaders are set by the client or the transport only.
var forbiddenHeaders = map[string]bool{"Authorization": true, "Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true}

// jsonHeaderValue is the Accept and Content-Type value the client sets; it
// is shared by every request and never modified.
var jsonHeaderValue = []string{"application/json"}

func (c *Client) prepare(req *Request) (*prepared, error) {
	if req == nil {
		return nil, errors.New("graph: nil Request")
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	if !allowedMethods[method] {
		return nil, fmt.Errorf("graph: method %q is not one of GET, POST, PATCH, PUT, DELETE, HEAD", clean(method, 20))
	}
	r, err := c.resolve(req.Path, req.Query)
	if err != nil {
		return nil, err
	}
	write := isWrite(method)
	p := &prepared{req: req, method: method, url: r, write: write, retryableWrite: write && req.Idempotent}
	if len(req.Header) > 0 {
		if p.header, err = checkHeaders(req.Header); err != nil {
			return nil, fmt.Errorf("graph: %s %s: %w", method, p.redacted(), err)
		}
	}
	if vs := p.header["Client-Request-Id"]; len(vs) > 0 && vs[0] != "" {
		p.clientRequestID, p.crid = vs[0], vs
	} else {
		p.clientRequestID = newClientRequestID()
		p.cridValue[0] = p.clientRequestID
		p.crid = p.cridValue[:]
	}
	if r.u == nil {
		p.mailbox = mailboxRel(c.baseHost, r.rel, req.Auth.Subject)
	} else {
		p.mailbox = mailboxKey(r.u.Host, r.u.EscapedPath(), c.basePath, req.Auth.Subject)
	}
	return p, nil
}

// checkHeaders returns the caller's headers with canonical names, refusing
// invalid names, the headers the client sets itself, and values with line
// breaks or NUL.
func checkHeaders(given http.Header) (http.Header, error) {
	h := make(http.Header, len(given))
	for k, vs := range given {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("header name %q is not a valid HTTP token", clean(k, 60))
		}
		ck := http.CanonicalHeaderKey(k)
		if forbiddenHeaders[ck] {
			return nil, fmt.Errorf("header %s is set by the client and may not be given", ck)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("header %s contains a line break or NUL", ck)
			}
			h[ck] = append(h[ck], v)
		}
	}
	return h, nil
}

// setHeaders fills the header of one attempt: the caller's, then the
// client's own (a User-Agent given by the caller is replaced; Accept and
// Content-Type given by the caller are kept).
func (c *Client) setHeaders(h http.Header, p *prepared, tok *oauth2.Token) {
	for k, vs := range p.header {
		h[k] = vs
	}
	h["Client-Request-Id"] = p.crid
	h["User-Agent"] = c.userAgent
	if headerEmpty(h, "Accept") && !p.req.AllowNonJSON {
		h["Accept"] = jsonHeaderValue
	}
	if p.req.Body != nil && headerEmpty(h, "Content-Type") {
		h["Content-Type"] = jsonHeaderValue
	}
	h["Authorization"] = c.authorization(tok.AccessToken)
}

// headerEmpty reports whether h has no value for the canonical name k, as
// h.Get(k) == "" does.
func headerEmpty(h http.Header, k string) bool {
	vs := h[k]
	return len(vs) == 0 || vs[0] == ""
}

// authHeader is an Authorization header value and the token it carries.
type authHeader struct {
	token string
	value [1]string
}

// authorization returns the Authorization header value for token, reusing
// the last one made when the token is the same.
func (c *Client) authorization(token string) []string {
	if a := c.lastAuth.Load(); a != nil && a.token == token {
		return a.value[:]
	}
	a := &authHeader{token: token, value: [1]string{"Bearer " + token}}
	c.lastAuth.Store(a)
	return a.value[:]
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		if ch <= ' ' || ch >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", ch) >= 0 {
			return false
		}
	}
	return true
}

// Do sends req and returns Graph's answer, retrying as the package
// documentation describes. A non-2xx answer comes back as the *Response
// together with a *Error; a write whose outcome is unknown gives a
// *MaybeSentError (which wraps a *Error for 503 and 504). Use errors.As to
// inspect errors. Errors that stop the request before sending
// (*HostNotAllowedError, bad paths or headers, auth errors such as
// *auth.SignInRequiredError) are returned as they are or wrapped.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, p)
}

// attemptResult is what one attempt produced. Exactly one of resp (an
// answer whose body was read), transport (no usable answer: may retry) or
// fatal (stop now) is set, except that fatal may come with resp.
type attemptResult struct {
	resp      *Response
	transport error
	notSent   bool // transport failed before anything was sent
	fatal     error
	token     *oauth2.Token
	duration  time.Duration
}

func (c *Client) send(ctx context.Context, p *prepared) (*Response, error) {
	var (
		waited    time.Duration // total retry waits so far
		attempts  int           // attempts that count against MaxAttempts
		sends     int           // every send, for traces
		refreshed bool
		nextToken *oauth2.Token // a token fetched by the 401 refresh
		// uncertain is set once an attempt of a write had an unknown
		// outcome (possible only for idempotent writes, which are retried
		// anyway): from then on, any failure may hide an applied write.
		uncertain bool
	)
	fail := func(resp *Response, err error) (*Response, error) {
		var ms *MaybeSentError
		if uncertain && !errors.As(err, &ms) {
			err = &MaybeSentError{Method: p.method, URL: p.redacted(), Attempts: sends, Cause: err}
		}
		return resp, err
	}
	for {
		attempts++
		sends++
		res := c.attempt(ctx, p, nextToken)
		nextToken = nil
		if res.resp != nil {
			res.resp.Attempts = sends
		}
		// ev is filled in only when a Trace will read it: its URL is
		// the redacted one, which is made on demand.
		var ev attemptTrace
		if c.cfg.Trace != nil {
			ev = attemptTrace{p: p, attempt: sends, resp: res.resp, duration: res.duration}
		}

		var (
			lastErr    error
			retryAfter time.Duration
			hasAfter   bool
		)
		switch {
		case res.fatal != nil:
			ev.err = res.fatal
			c.trace(ev)
			return fail(res.resp, res.fatal)

		case res.transport != nil:
			err := res.transport
			ev.err = err
			if p.write && !res.notSent {
				if ctx.Err() != nil || !p.retryableWrite {
					c.trace(ev)
					return nil, &MaybeSentError{Method: p.method, URL: p.redacted(), Attempts: sends, Cause: err}
				}
				uncertain = true
			}
			if ctx.Err() != nil {
				c.trace(ev)
				return fail(nil, err)
			}
			lastErr = err

		case res.resp.Status >= 200 && res.resp.Status <= 299:
			c.trace(ev)
			return res.resp, nil

		default:
			resp := res.resp
			gerr := ParseError(resp)
			gerr.Attempts = sends
			scrubToken(gerr, res.token)
			ev.err = gerr
			if resp.Status == http.StatusUnauthorized && gerr.Code == "InvalidAuthenticationToken" && !refreshed {
				refreshed = true
				tok, err := c.refresh(ctx, p, res.token)
				if err != nil {
					c.trace(ev)
					return fail(resp, err)
				}
				if tok != nil {
					c.trace(ev)
					attempts-- // the refresh does not count as a retry
					nextToken = tok
					continue
				}
			}
			outcomeUnknown := p.write && (resp.Status == http.StatusGatewayTimeout || (resp.Status == http.StatusServiceUnavailable && !IsGraphErrorBody(resp.Body)))
			if !c.retryableStatus(p, resp) {
				c.trace(ev)
				if outcomeUnknown {
					return resp, &MaybeSentError{Method: p.method, URL: p.redacted(), Attempts: sends, Cause: gerr}
				}
				return fail(resp, gerr)
			}
			uncertain = uncertain || outcomeUnknown
			lastErr = gerr
			retryAfter, hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())
		}

		// The answer may be retried: decide whether and after how long.
		wait, giveUp, cause := c.nextWait(ctx, attempts, waited, retryAfter, hasAfter)
		if giveUp != "" {
			c.trace(ev)
			return fail(res.resp, gaveUp(lastErr, giveUp, cause))
		}
		ev.retryIn = wait
		c.trace(ev)
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return fail(res.resp, gaveUp(lastErr, fmt.Sprintf("the context ended while waiting %s to retry (%v)", wait, err), err))
		}
		waited += wait
	}
}

// retryableStatus applies the retry and write policies to an error answer.
func (c *Client) retryableStatus(p *prepared, r *Response) bool {
	switch r.Status {
	case http.StatusTooManyRequests:
		return true // Graph refused before doing anything
	case http.StatusServiceUnavailable:
		return !p.write || p.retryableWrite || IsGraphErrorBody(r.Body)
	case http.StatusGatewayTimeout:
		return !p.write || p.retryableWrite
	}
	return false
}

// nextWait returns the wait before the next attempt, or why to give up
// (with context.DeadlineExceeded as the cause when the deadline is why).
func (c *Client) nextWait(ctx context.Context, attempts int, waited, retryAfter time.Duration, hasAfter bool) (time.Duration, string, error) {
	if attempts >= c.cfg.MaxAttempts {
		return 0, fmt.Sprintf("gave up after %d attempts (MaxAttempts = %d)", attempts, c.cfg.MaxAttempts), nil
	}
	return c.waitWithin(ctx, attempts, waited, retryAfter, hasAfter)
}

// waitWithin returns the wait before retry number n (Retry-After when the
// answer had one, else backoff) within what is left of MaxRetryDelay and of
// ctx's deadline, or why to give up.
func (c *Client) waitWithin(ctx context.Context, attempts int, waited, retryAfter time.Duration, hasAfter bool) (time.Duration, string, error) {
	left := c.cfg.MaxRetryDelay - waited
	wait := retryAfter
	if hasAfter {
		if wait > left {
			return 0, fmt.Sprintf("gave up: Graph asked to wait %s before retrying, more than the %s left of MaxRetryDelay (%s)", wait, left, c.cfg.MaxRetryDelay), nil
		}
	} else {
		wait = min(backoff(attempts, c.cfg.Rand), left)
		if left <= 0 {
			return 0, fmt.Sprintf("gave up: the retry waits reached MaxRetryDelay (%s)", c.cfg.MaxRetryDelay), nil
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		if remaining := time.Until(dl); wait >= remaining {
			return 0, fmt.Sprintf("gave up: the retry wait of %s exceeds the context deadline (%s left)", wait, max(remaining, 0).Round(time.Millisecond)), context.DeadlineExceeded
		}
	}
	return wait, "", nil
}

// gaveUp reports the last failure with the reason retrying stopped. A
// *Error is returned as itself (with the reason in its text) so that flows
// still match its status and code; a context error that ended retrying is
// wrapped too, so that errors.Is(err, context.Canceled) holds after Ctrl-C.
func gaveUp(last error, why string, cause error) error {
	var gerr *Error
	if errors.As(last, &gerr) {
		gerr.GaveUp = why
		gerr.cause = cause
		return gerr
	}
	if cause != nil {
		return fmt.Errorf("%w (%s: %w)", last, why, cause)
	}
	return fmt.Errorf("%w (%s)", last, why)
}

// refresh handles 401 InvalidAuthenticationToken: drop the cached token and
// fetch another. It returns nil (and no error) when the provider gives the
// same token again, since sending it again would fail the same way.
func (c *Client) refresh(ctx context.Context, p *prepared, old *oauth2.Token) (*oauth2.Token, error) {
	if inv, ok := c.cfg.Auth.(auth.Invalidator); ok && old != nil {
		inv.Invalidate(ctx, p.req.Auth, old)
	}
	tok, err := c.token(ctx, p)
	if err != nil {
		return nil, err
	}
	if old != nil && tok.AccessToken == old.AccessToken {
		return nil, nil
	}
	return tok, nil
}

func (c *Client) token(ctx context.Context, p *prepared) (*oauth2.Token, error) {
	tok, err := c.cfg.Auth.Token(ctx, p.req.Auth)
	if err != nil {
		return nil, err
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("graph: %s %s: the auth provider returned an empty token", p.method, p.redacted())
	}
	return tok, nil
}

// attempt sends p once.
func (c *Client) attempt(ctx context.Context, p *prepared, tok *oauth2.Token) (res attemptResult) {
	if err := ctx.Err(); err != nil {
		return attemptResult{fatal: fmt.Errorf("graph: %s %s: %w", p.method, p.redacted(), err)}
	}
	if tok == nil {
		var err error
		if tok, err = c.token(ctx, p); err != nil {
			return attemptResult{fatal: err}
		}
	}
	res.token = tok
	slot, err := mailboxes.acquire(ctx, p.mailbox, c.cfg.MaxConcurrentPerMailbox)
	if err != nil {
		res.fatal = fmt.Errorf("graph: %s %s: waiting for one of the %d request slots of this mailbox (MaxConcurrentPerMailbox): %w", p.method, p.redacted(), c.cfg.MaxConcurrentPerMailbox, err)
		return res
	}
	defer mailboxes.release(slot)

	// The attempt's own deadline is needed only when the context's is
	// later: an earlier one already bounds the attempt (and is reported
	// as the context's, as it would be with both).
	actx := ctx
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.cfg.RequestTimeout {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.cfg.RequestTimeout)
		defer cancel()
	}
	var body io.Reader
	if p.req.Body != nil {
		body = bytes.NewReader(p.req.Body)
	}
	hr, err := http.NewRequestWithContext(actx, p.method, p.url.target, body)
	if err != nil {
		res.fatal = fmt.Errorf("graph: %s %s: %v", p.method, p.redacted(), stripURL(err))
		return res
	}
	c.setHeaders(hr.Header, p, tok)

	start := time.Now()
	defer func() { res.duration = time.Since(start) }()
	hresp, err := c.roundTrip(hr)
	if err != nil {
		res.transport = c.transportError(ctx, p, "", err)
		res.notSent = neverSent(err)
		return res
	}
	defer hresp.Body.Close()
	out := &Response{Status: hresp.StatusCode, Header: hresp.Header, ClientRequestID: p.clientRequestID}
	if vs := hresp.Header["Request-Id"]; len(vs) > 0 { // the transport canonicalizes names
		out.RequestID = vs[0]
	}

	if hresp.StatusCode >= 300 && hresp.StatusCode <= 399 {
		to := "nowhere"
		if loc, err := hresp.Location(); err == nil {
			to = "host " + loc.Host
		}
		res.resp = out
		res.fatal = &ResponseError{Method: p.method, URL: p.redacted(), Status: out.Status, Response: out,
			Reason: fmt.Sprintf("a redirect to %s; runflow follows no redirects (Graph API calls do not redirect, and a token must not follow one)", to)}
		return res
	}
	data, tooBig, err := readBody(hresp, c.cfg.MaxBodyBytes)
	switch {
	case tooBig:
		res.resp, res.fatal = out, &LimitError{Limit: "MaxBodyBytes", Value: int(c.cfg.MaxBodyBytes), What: fmt.Sprintf("%s %s: the response body", p.method, p.redacted())}
		return res
	case err != nil:
		res.transport = c.transportError(ctx, p, fmt.Sprintf("reading the %d response", hresp.StatusCode), err)
		return res
	}
	out.Body = data
	res.resp = out
	if out.Status >= 200 && out.Status <= 299 {
		if reason := checkSuccessBody(p.method, out, p.req.AllowNonJSON); reason != "" {
			res.fatal = &ResponseError{Method: p.method, URL: p.redacted(), Status: out.Status, ContentType: mediaType(out.Header), Reason: reason, Response: out}
		}
	}
	return res
}

// readBody reads an answer's body, up to limit bytes, like io.ReadAll
// over an io.LimitReader but starting with a buffer of the announced
// Content-Length (capped at readBodyHint, so that a length announced but
// not sent costs little), which holds a usual Graph answer without growing.
func readBody(hresp *http.Response, limit int64) (data []byte, tooBig bool, err error) {
	n := hresp.ContentLength
	if n > limit {
		return nil, true, nil
	}
	if n < 0 || n > readBodyHint {
		n = min(readBodyHint, limit)
	}
	data = make([]byte, 0, n+1) // +1: room to read the EOF without growing
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		k, err := hresp.Body.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if int64(len(data)) > limit {
			return nil, true, nil
		}
		if err == io.EOF {
			return data, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// readBodyHint caps the buffer made before reading from the announced
// Content-Length.
const readBodyHint = 64 << 10

// roundTrip sends one attempt. http.Client adds nothing to what its
// transport does for these requests when it has no cookie jar and no
// Timeout (the client follows no redirects), so the request then goes
// straight to the transport, sparing http.Client's per-request copy of the
// headers; the checks http.Client makes on a transport's answer are made
// here. Otherwise the request goes through the http.Client.
func (c *Client) roundTrip(hr *http.Request) (*http.Response, error) {
	if c.rt == nil {
		return c.hc.Do(hr)
	}
	resp, err := c.rt.RoundTrip(hr)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		var tlsErr tls.RecordHeaderError
		if errors.As(err, &tlsErr) && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch // as http.Client reports it
		}
		return nil, err
	}
	if resp == nil {
		return nil, fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", c.rt)
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// transportError describes a failed exchange without the URL's secrets.
func (c *Client) transportError(ctx context.Context, p *prepared, doing string, err error) error {
	err = stripURL(err)
	prefix := fmt.Sprintf("graph: %s %s", p.method, p.redacted())
	if doing != "" {
		prefix += ": " + doing
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no complete answer within %s (RequestTimeout): %w", prefix, c.cfg.RequestTimeout, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// checkSuccessBody says what is wrong with a 2xx answer, or "" when it is
// usable: a JSON document with a JSON Content-Type, or an empty body where
// one is acceptable (202, 204, any write, HEAD).
func checkSuccessBody(method string, r *Response, allowNonJSON bool) string {
	if len(r.Body) == 0 {
		if r.Status == http.StatusAccepted || r.Status == http.StatusNoContent || r.Status == http.StatusResetContent || isWrite(method) || method == http.MethodHead {
			return ""
		}
		return "the body is empty; a JSON document was expected"
	}
	if allowNonJSON {
		return ""
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return fmt.Sprintf("the body (%d bytes) has no Content-Type; application/json was expected", len(r.Body))
	}
	mt, err := parseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("the Content-Type %q is invalid; application/json was expected", clean(ct, 100))
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		what := ""
		if mt == "text/html" {
			what = " (an HTML page: something other than Graph answered, such as a proxy or a sign-in page)"
		}
		return fmt.Sprintf("the body (%d bytes) is %s%s; application/json was expected", len(r.Body), clean(mt, 100), what)
	}
	if !gjson.ValidBytes(r.Body) {
		return fmt.Sprintf("the body (%d bytes) is not valid JSON (truncated or malformed)", len(r.Body))
	}
	return ""
}

func mediaType(h http.Header) string {
	mt, err := parseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// parseMediaType returns the media type of a Content-Type value, as
// mime.ParseMediaType does, without its parameter map when there are no
// parameters and the type is already in lower case ("application/json").
func parseMediaType(ct string) (string, error) {
	if isPlainMediaType(ct) {
		return ct, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	return mt, err
}

// isPlainMediaType reports whether ct is a lower-case type/subtype with no
// parameters or spaces, which mime.ParseMediaType would return unchanged.
func isPlainMediaType(ct string) bool {
	typ, sub, ok := strings.Cut(ct, "/")
	return ok && validHeaderName(typ) && validHeaderName(sub) && strings.ToLower(ct) == ct
}

// scrubToken removes the access token from text Graph echoed back.
func scrubToken(e *Error, tok *oauth2.Token) {
	if tok == nil || len(tok.AccessToken) < 8 {
		return
	}
	e.Message = strings.ReplaceAll(e.Message, tok.AccessToken, "<redacted>")
	e.Code = strings.ReplaceAll(e.Code, tok.AccessToken, "<redacted>")
}

// attemptTrace is what send knows of an attempt for Config.Trace; the
// TraceEvent is built from it only when a Trace is set.
type attemptTrace struct {
	p        *prepared // nil when no Trace is set
	attempt  int
	resp     *Response
	duration time.Duration
	err      error
	retryIn  time.Duration
}

func (c *Client) trace(t attemptTrace) {
	if c.cfg.Trace == nil || t.p == nil {
		return
	}
	ev := TraceEvent{Method: t.p.method, URL: t.p.redacted(), Attempt: t.attempt, ClientRequestID: t.p.clientRequestID,
		Duration: t.duration, Err: t.err, RetryIn: t.retryIn}
	if r := t.resp; r != nil {
		ev.Status, ev.RequestID = r.Status, r.RequestID
	}
	c.cfg.Trace(ev)
}
