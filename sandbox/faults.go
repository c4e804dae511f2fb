package sandbox

import (
	"strings"
	"sync"
	"time"
)

// Fault is a failure the sandbox injects into matching requests, Graph's
// and those to upload URLs, so tests can check retries, back-off,
// time-outs and resumed uploads.
type Fault struct {
	// Method matches the HTTP method (empty: any).
	Method string
	// Path matches the URL path, case-insensitively: exact, or a prefix
	// when it ends in "*" (e.g. "/v1.0/me/events*"). Empty matches every
	// path.
	Path string
	// Status is the status to answer: 429 (TooManyRequests), 503
	// (ServiceUnavailable) or 504 (GatewayTimeout), with Graph's error
	// body. 0 answers normally (use with Delay).
	Status int
	// RetryAfter is the Retry-After header to send with Status, e.g. "2"
	// or "0.5" (Graph sends decimals too). Empty sends none.
	RetryAfter string
	// Count is how many matching requests the fault hits; 0 means every
	// one until Clear.
	Count int
	// Delay holds the answer back this long (the request's context still
	// cancels it). With Status 0 the delayed request is then served
	// normally, counting against the mailbox's concurrency limit meanwhile.
	Delay time.Duration
	// DropConnection closes the connection without any answer; the
	// request is not served.
	DropConnection bool
	// DropAfterApply serves the request (its body is read and the write
	// takes effect) and then closes the connection without the answer, so
	// the client cannot tell that it arrived: a lost answer, as opposed to
	// DropConnection's lost request. Status and DropConnection come first
	// when set too. Items of a $batch ignore it.
	DropAfterApply bool
}

func (f *Fault) matches(method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	switch {
	case f.Path == "":
		return true
	case strings.HasSuffix(f.Path, "*"):
		return len(path) >= len(f.Path)-1 && strings.EqualFold(path[:len(f.Path)-1], f.Path[:len(f.Path)-1])
	default:
		return strings.EqualFold(path, f.Path)
	}
}

// Faults is the server's list of injected faults. The first matching fault
// with hits left applies to a request.
type Faults struct {
	mu     sync.Mutex
	faults []*faultEntry
}

type faultEntry struct {
	Fault
	left int // hits left; -1 unlimited
}

// Faults returns the fault list to add to or clear.
func (s *Server) Faults() *Faults { return s.faults }

// Add appends f.
func (fs *Faults) Add(f Fault) {
	left := f.Count
	if left <= 0 {
		left = -1
	}
	fs.mu.Lock()
	fs.faults = append(fs.faults, &faultEntry{Fault: f, left: left})
	fs.mu.Unlock()
}

// Clear removes every fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	fs.faults = nil
	fs.mu.Unlock()
}

// take returns the fault that applies to a request, using up one hit.
func (fs *Faults) take(method, path string) (Fault, bool) {
	return fs.takeIf(method, path, func(Fault) bool { return true })
}

// takeIf is take for the faults for which applies is true; the others
// are left for the requests they can apply to, their hits unused.
func (fs *Faults) takeIf(method, path string, applies func(Fault) bool) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if f.left == 0 || !f.matches(method, path) || !applies(f.Fault) {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				fs.faults = append(fs.faults[:i:i], fs.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// faultError is the Graph error answer for an injected status.
func faultError(f Fault) *graphError {
	var e *graphError
	switch f.Status {
	case 429:
		e = newError(429, "TooManyRequests", "Please retry again later.")
	case 503:
		e = newError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.")
	case 504:
		e = newError(504, "GatewayTimeout", "The gateway did not receive a timely response from the upstream service.")
	default:
		e = newError(f.Status, "UnknownError", "Injected fault.")
	}
	if f.RetryAfter != "" {
		e.header = map[string][]string{"Retry-After": {f.RetryAfter}}
	}
	return e
}
