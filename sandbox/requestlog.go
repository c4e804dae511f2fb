package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// RecordedRequest is one request the sandbox received, for tests to
// inspect. Secrets are redacted: the Authorization header, and in identity
// platform form bodies client_secret, code, code_verifier, refresh_token,
// device_code, password and assertion.
type RecordedRequest struct {
	Time   time.Time
	Method string
	// Path is the URL path, e.g. "/v1.0/me/events".
	Path string
	// Query is the decoded query string.
	Query url.Values
	// Header holds the request headers (Authorization redacted).
	Header http.Header
	// Body is the request body (at most maxBodyBytes).
	Body []byte
	// Status is the status the sandbox answered (0 when the connection was
	// dropped).
	Status int
}

// maxLoggedRequests bounds the log; older entries are forgotten.
const maxLoggedRequests = 10000

// requestLog numbers its requests in the order they arrive, so that the
// status of one still being answered goes to that request even after the
// log dropped older ones or was cleared.
type requestLog struct {
	mu      sync.Mutex
	entries []RecordedRequest
	first   int // the number of entries[0]
}

// add records rr and returns its number, for setStatus.
func (l *requestLog) add(rr RecordedRequest) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= maxLoggedRequests {
		drop := len(l.entries) / 2
		l.entries = append(l.entries[:0:0], l.entries[drop:]...)
		l.first += drop
	}
	l.entries = append(l.entries, rr)
	return l.first + len(l.entries) - 1
}

// setStatus records the status answered to request n, unless the log has
// forgotten it since.
func (l *requestLog) setStatus(n, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := n - l.first; i >= 0 && i < len(l.entries) {
		l.entries[i].Status = status
	}
}

// clear forgets every request recorded so far; later ones are numbered on.
func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.first += len(l.entries)
	l.entries = nil
}

// Requests returns a copy of the requests received so far, oldest first.
func (s *Server) Requests() []RecordedRequest {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]RecordedRequest(nil), s.log.entries...)
}

// ClearRequests forgets the requests recorded so far.
func (s *Server) ClearRequests() {
	s.log.clear()
}

const redacted = "[redacted]"

var secretFormFields = []string{"client_secret", "code", "code_verifier", "refresh_token", "device_code", "password", "assertion", "client_assertion"}

func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	if out.Get("Authorization") != "" {
		scheme, _, _ := strings.Cut(out.Get("Authorization"), " ")
		out.Set("Authorization", scheme+" "+redacted)
	}
	return out
}

// redactBody blanks secrets in form-encoded bodies (the identity
// platform's); JSON bodies sent to Graph carry no credentials.
func redactBody(contentType string, body []byte) []byte {
	if !strings.HasPrefix(strings.ToLower(contentType), "application/x-www-form-urlencoded") {
		return body
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return []byte(redacted)
	}
	for _, k := range secretFormFields {
		if v.Has(k) {
			v.Set(k, redacted)
		}
	}
	return []byte(v.Encode())
}

// statusWriter remembers the status an identity handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// maxIdentityBody bounds what is read (and logged) of an identity request.
const maxIdentityBody = 1 << 20

// serveIdentityLogged records an identity platform request (secrets
// redacted) and hands it to the identity handler with its body intact.
func (s *Server) serveIdentityLogged(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxIdentityBody+1))
	if err != nil || len(body) > maxIdentityBody {
		http.Error(w, "the request body could not be read or is larger than 1 MB", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	query := r.URL.Query()
	for _, k := range secretFormFields {
		if query.Has(k) {
			query.Set(k, redacted)
		}
	}
	idx := s.log.add(RecordedRequest{Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: query,
		Header: redactHeader(r.Header), Body: redactBody(r.Header.Get("Content-Type"), body)})
	sw := &statusWriter{ResponseWriter: w}
	s.idp.ServeHTTP(sw, r)
	s.log.setStatus(idx, sw.status)
}
