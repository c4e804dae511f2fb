package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/ctxsleep"
	"github.com/runflow/runflow/sandbox/identity"
)

// maxRequestBytes is Graph's request size limit (4 MB).
const maxRequestBytes = 4 << 20

// response is an answer before it is written, so $batch can collect it.
type response struct {
	status int
	header http.Header
	body   []byte
}

// serveGraph answers a top-level Graph request: it records it, applies
// injected faults and then dispatches it.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	r = withRequestID(r)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	rec := RecordedRequest{Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Header: redactHeader(r.Header), Body: redactBody(r.Header.Get("Content-Type"), body)}
	idx := s.log.add(rec)
	setStatus := func(code int) {
		s.log.setStatus(idx, code)
	}
	var resp response
	switch {
	case err != nil:
		resp = s.errorResponse(r, newError(400, "BadRequest", "The request body could not be read."))
	case len(body) > maxRequestBytes:
		resp = s.errorResponse(r, newError(413, "RequestEntityTooLarge", "The request body exceeds the maximum size of 4 MB."))
	default:
		var delay time.Duration
		f, ok := s.faults.take(r.Method, r.URL.Path)
		if ok {
			if f.Status == 0 && !f.DropConnection {
				delay = f.Delay
			} else {
				if !sleepCtx(r.Context(), f.Delay) {
					setStatus(0)
					return
				}
				if f.DropConnection {
					setStatus(0)
					dropConnection(w, r)
					return
				}
				resp = s.errorResponse(r, faultError(f))
				break
			}
		}
		if resp.status == 0 {
			resp = s.dispatch(r, body, delay, false)
			if ok && f.DropAfterApply {
				setStatus(0)
				dropConnection(w, r)
				return
			}
		}
	}
	setStatus(resp.status)
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// dropConnection closes the client's connection without an answer. On
// HTTP/2 net/http resets the stream; a writer with no connection at all
// (an in-process recorder) gets 502, the closest thing to a broken
// connection it can carry.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	if r.ProtoMajor >= 2 {
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(http.StatusBadGateway)
}

// sleepCtx waits d unless ctx ends first; it reports whether d elapsed
// (no wait at all counts as elapsed, whatever ctx).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	return d <= 0 || ctxsleep.Sleep(ctx, d) == nil
}

// errorResponse renders a Graph error into a response.
func (s *Server) errorResponse(r *http.Request, e *graphError) response {
	rec := newRecorder()
	s.writeGraphError(rec, r, e)
	return rec.response()
}

// recorder is a minimal ResponseWriter collecting an answer.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func newRecorder() *recorder            { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.buf.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) response() response {
	return response{status: r.status, header: r.header, body: r.buf.Bytes()}
}

// dispatch authenticates, routes and runs one Graph request. inBatch is
// true for the items of a $batch.
func (s *Server) dispatch(r *http.Request, body []byte, delay time.Duration, inBatch bool) response {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1.0/")
	if !ok {
		if strings.HasPrefix(r.URL.Path, "/beta/") {
			return s.errorResponse(r, newError(400, "BadRequest", "The sandbox serves Microsoft Graph v1.0 only; /beta is not available."))
		}
		return s.errorResponse(r, newError(400, "BadRequest", "Invalid version: the path must start with /v1.0/."))
	}
	segs, perr := splitPath(rest)
	if perr != nil {
		return s.errorResponse(r, perr)
	}
	if len(segs) == 1 && strings.EqualFold(segs[0], "$batch") {
		if inBatch {
			return s.errorResponse(r, newError(400, "BadRequest", "A $batch request cannot contain another $batch request."))
		}
		if r.Method != http.MethodPost {
			return s.errorResponse(r, newError(405, "Request_BadRequest", msgMethod))
		}
		// The batch's token is checked here and again for every item.
		if _, gerr := s.authenticate(r); gerr != nil {
			return s.errorResponse(r, gerr)
		}
		return s.batch(r, body)
	}
	grant, gerr := s.authenticate(r)
	if gerr != nil {
		return s.errorResponse(r, gerr)
	}
	c := &call{s: s, r: r, grant: grant, query: r.URL.Query(), body: body}
	c.parsePrefer()
	rt, err := c.resolve(segs)
	if err != nil {
		return s.errorResponse(r, err)
	}
	release, err := s.acquireMailbox(c.mbox.User.ID)
	if err != nil {
		return s.errorResponse(r, err)
	}
	defer release()
	if !sleepCtx(r.Context(), delay) {
		return s.errorResponse(r, newError(504, "GatewayTimeout", "The request was cancelled by the client."))
	}
	s.mu.Lock()
	// The mailbox was looked up before the lock and the wait. If Load,
	// Reset or RefreshDemo replaced the data meanwhile, a write to the old
	// mailbox would be lost with it: the request acts on the data now held.
	if cur := s.data.mailbox(c.mbox.User.ID); cur != c.mbox {
		if cur == nil {
			s.mu.Unlock()
			return s.errorResponse(r, newError(404, "ErrorInvalidUser", "The requested user '%s' is invalid.", c.mbox.User.ID))
		}
		c.mbox = cur
	}
	res, err := rt.handle(c)
	if err == nil && r.Method != http.MethodGet {
		s.data.Changed = true // demo data is no longer as seeded (RefreshDemo)
	}
	s.mu.Unlock()
	if err != nil {
		return s.errorResponse(r, err)
	}
	return c.render(res)
}

// splitPath splits and unescapes the path after /v1.0/.
func splitPath(rest string) ([]string, *graphError) {
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return nil, newError(400, "BadRequest", "Resource not found for the segment ''.")
	}
	raw := strings.Split(rest, "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return nil, newError(400, "BadRequest", "Resource not found for the segment '%s'.", p)
		}
		segs[i] = u
	}
	return segs, nil
}

// authenticate checks the bearer token.
func (s *Server) authenticate(r *http.Request) (Grant, *graphError) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	e := func(msg string) *graphError {
		ge := newError(401, "InvalidAuthenticationToken", "%s", msg)
		ge.header = http.Header{"Www-Authenticate": {`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`}}
		return ge
	}
	if h == "" || tok == "" {
		return Grant{}, e(msgTokenEmpty)
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return Grant{}, e(msgTokenMalformed)
	}
	g, err := s.idp.Validate(tok)
	switch {
	case err == nil:
		return g, nil
	case errors.Is(err, identity.ErrTokenExpired):
		return Grant{}, e(msgTokenExpired)
	}
	return Grant{}, e(msgTokenMalformed)
}

// acquireMailbox counts a request against its mailbox's concurrency limit.
func (s *Server) acquireMailbox(userID string) (func(), *graphError) {
	if s.maxConcurrent < 0 {
		return func() {}, nil
	}
	s.flightMu.Lock()
	defer s.flightMu.Unlock()
	if s.inFlight[userID] >= s.maxConcurrent {
		e := newError(429, "ApplicationThrottled", msgThrottled)
		e.header = http.Header{"Retry-After": {"1"}}
		return nil, e
	}
	s.inFlight[userID]++
	return func() {
		s.flightMu.Lock()
		s.inFlight[userID]--
		s.flightMu.Unlock()
	}, nil
}
