package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

// uploadRig is a sandbox with a movable clock, a client on it whose
// sleeps are recorded (and may act), and a draft with an open upload
// session for file.
type uploadRig struct {
	t       *testing.T
	sb      *sandbox.Server
	c       *Client
	clock   atomic.Int64
	draftID string
	url     string
	file    []byte

	mu     sync.Mutex
	waits  []time.Duration
	events []TraceEvent
	// onSleep runs in each of the client's sleeps; onTrace after each
	// traced request (with the events so far).
	onSleep func()
	onTrace func(ev TraceEvent, n int)
}

// uploadFileBytes is a little over 3.6 MB: four ranges of 1 MiB.
const uploadFileBytes = 3_600_000

func newUploadRig(t *testing.T, mod func(*Config)) *uploadRig {
	t.Helper()
	r := &uploadRig{t: t}
	r.clock.Store(fixedNow.UnixNano())
	now := func() time.Time { return time.Unix(0, r.clock.Load()).UTC() }
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: now})
	r.sb = sb
	cfg := Config{
		BaseURL: ts.URL + "/v1.0",
		Auth:    auth.Static(sb.Token("Mail.ReadWrite", "Mail.Send")),
		Rand:    func() float64 { return 0.5 },
		Now:     now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			r.waits = append(r.waits, d)
			hook := r.onSleep
			r.mu.Unlock()
			if hook != nil {
				hook()
			}
			return ctx.Err()
		},
		Trace: func(ev TraceEvent) {
			r.mu.Lock()
			r.events = append(r.events, ev)
			n, hook := len(r.events), r.onTrace
			r.mu.Unlock()
			if hook != nil {
				hook(ev, n)
			}
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	r.file = make([]byte, uploadFileBytes)
	rand.NewChaCha8([32]byte{1, 2, 3}).Read(r.file)
	ctx := context.Background()
	draft, err := c.Do(ctx, &Request{Method: "POST", Path: "/me/messages", Body: []byte(`{"subject":"big"}`)})
	if err != nil {
		t.Fatal(err)
	}
	r.draftID = gjson.GetBytes(draft.Body, "id").Str
	sess, err := c.Do(ctx, &Request{Method: "POST", Path: "/me/messages/" + PathSegment(r.draftID) + "/attachments/createUploadSession",
		Body: []byte(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":` + strconv.Itoa(len(r.file)) + `}}`)})
	if err != nil {
		t.Fatal(err)
	}
	r.url = gjson.GetBytes(sess.Body, "uploadUrl").Str
	sb.ClearRequests()
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
	return r
}

func (r *uploadRig) upload(ctx context.Context, opt UploadOptions) (*Response, error) {
	if opt.ChunkBytes == 0 {
		opt.ChunkBytes = 1 << 20
	}
	return r.c.Upload(ctx, r.url, r.file, opt)
}

// toUploadURL lists the requests the upload URL received, "PUT bytes
// a-b/n status" or "GET status" (status 0: no answer was sent).
func (r *uploadRig) toUploadURL() []string {
	var out []string
	for _, q := range r.sb.Requests() {
		if !strings.HasPrefix(q.Path, "/api/") {
			continue
		}
		if q.Header.Get("Authorization") != "" {
			r.t.Errorf("%s to the upload URL carried Authorization", q.Method)
		}
		if q.Method == "PUT" {
			out = append(out, fmt.Sprintf("PUT %s %d", q.Header.Get("Content-Range"), q.Status))
		} else {
			out = append(out, fmt.Sprintf("%s %d", q.Method, q.Status))
		}
	}
	return out
}

// attachmentSHA is the SHA-256 of each attachment the draft holds.
func (r *uploadRig) attachmentSHA() [][32]byte {
	r.t.Helper()
	att, err := r.c.Do(context.Background(), &Request{Method: "GET", Path: "/me/messages/" + PathSegment(r.draftID) + "/attachments"})
	if err != nil {
		r.t.Fatal(err)
	}
	var out [][32]byte
	for _, a := range gjson.GetBytes(att.Body, "value").Array() {
		b, err := base64.StdEncoding.DecodeString(a.Get("contentBytes").Str)
		if err != nil {
			r.t.Fatal(err)
		}
		out = append(out, sha256.Sum256(b))
	}
	return out
}

// wantAttachedOnce checks that the draft holds the file exactly once,
// byte for byte.
func (r *uploadRig) wantAttachedOnce() {
	r.t.Helper()
	got := r.attachmentSHA()
	if len(got) != 1 || got[0] != sha256.Sum256(r.file) {
		r.t.Errorf("the draft holds %d attachments; want one whose SHA-256 is the file's", len(got))
	}
}

// uploadTrace is the trace events of requests to the upload URL.
func (r *uploadRig) uploadTrace() []TraceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []TraceEvent
	for _, ev := range r.events {
		if strings.Contains(ev.URL, "/api/v2.0/") {
			out = append(out, ev)
		}
	}
	return out
}

func (r *uploadRig) recordedWaits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// faultOnSecondRange injects f once the first range has been answered.
func (r *uploadRig) faultOnSecondRange(f sandbox.Fault) {
	r.onTrace = func(ev TraceEvent, n int) {
		if ev.Method == "PUT" && n == 1 {
			r.sb.Faults().Add(f)
		}
	}
}

const uploadPaths = "/api/v2.0/*"

func joinLines(s []string) string { return strings.Join(s, "\n") }

// A range whose answer was lost did arrive: Upload asks the session, learns
// that it expects the next range, and never sends the lost one again.
func TestUploadResumesAfterLostAnswer(t *testing.T) {
	r := newUploadRig(t, nil)
	r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, DropAfterApply: true, Count: 1})
	resp, err := r.upload(context.Background(), UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 201 || !strings.Contains(resp.Header.Get("Location"), "/Attachments('") {
		t.Fatalf("final answer %d, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	want := []string{
		"PUT bytes 0-1048575/3600000 200",
		"PUT bytes 1048576-2097151/3600000 0", // stored, answer dropped
		"GET 200",
		"PUT bytes 2097152-3145727/3600000 200",
		"PUT bytes 3145728-3599999/3600000 201",
	}
	if got := r.toUploadURL(); joinLines(got) != joinLines(want) {
		t.Errorf("requests to the upload URL:\n%s\nwant:\n%s", joinLines(got), joinLines(want))
	}
	r.wantAttachedOnce()
	// One wait before the resume: full-jitter backoff, half of 1 s.
	if w := r.recordedWaits(); len(w) != 1 || w[0] != 500*time.Millisecond {
		t.Errorf("waits %v, want [500ms]", w)
	}
	var trace []string
	for _, ev := range r.uploadTrace() {
		if strings.Contains(ev.URL, "authtoken=") && !strings.Contains(ev.URL, "authtoken=REDACTED") {
			t.Errorf("trace shows the authtoken: %s", ev.URL)
		}
		s := fmt.Sprintf("%s %d attempt %d", ev.Method, ev.Status, ev.Attempt)
		if ev.Err != nil {
			s += " err"
		}
		if ev.RetryIn > 0 {
			s += " retry in " + ev.RetryIn.String()
		}
		trace = append(trace, s)
	}
	wantTrace := []string{"PUT 200 attempt 1", "PUT 0 attempt 1 err retry in 500ms", "GET 200 attempt 1", "PUT 200 attempt 1", "PUT 201 attempt 1"}
	if joinLines(trace) != joinLines(wantTrace) {
		t.Errorf("trace:\n%s\nwant:\n%s", joinLines(trace), joinLines(wantTrace))
	}
}

// A range that never arrived is sent again, once, from where the session
// says it stands.
func TestUploadResumesAfterLostRange(t *testing.T) {
	r := newUploadRig(t, nil)
	r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, DropConnection: true, Count: 1})
	if _, err := r.upload(context.Background(), UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PUT bytes 0-1048575/3600000 200",
		"PUT bytes 1048576-2097151/3600000 0", // not stored
		"GET 200",
		"PUT bytes 1048576-2097151/3600000 200",
		"PUT bytes 2097152-3145727/3600000 200",
		"PUT bytes 3145728-3599999/3600000 201",
	}
	if got := r.toUploadURL(); joinLines(got) != joinLines(want) {
		t.Errorf("requests to the upload URL:\n%s\nwant:\n%s", joinLines(got), joinLines(want))
	}
	r.wantAttachedOnce()
	if evs := r.uploadTrace(); len(evs) != 6 || evs[3].Method != "PUT" || evs[3].Attempt != 2 {
		t.Errorf("trace %+v: want the range sent again (the 4th event) as PUT attempt 2", evs)
	}
}

// A throttled or failed range (429, 5xx) is resumed after the Retry-After
// the upload host asked for.
func TestUploadResumesAfterServerError(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			r := newUploadRig(t, nil)
			r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, Status: status, RetryAfter: "2.5", Count: 1})
			if _, err := r.upload(context.Background(), UploadOptions{}); err != nil {
				t.Fatal(err)
			}
			if w := r.recordedWaits(); len(w) != 1 || w[0] != 2500*time.Millisecond {
				t.Errorf("waits %v, want [2.5s] (Retry-After)", w)
			}
			got := r.toUploadURL()
			if len(got) != 6 || got[1] != fmt.Sprintf("PUT bytes 1048576-2097151/3600000 %d", status) || got[2] != "GET 200" || got[3] != "PUT bytes 1048576-2097151/3600000 200" {
				t.Errorf("requests to the upload URL:\n%s", joinLines(got))
			}
			r.wantAttachedOnce()
		})
	}
}

// A session that expired while Upload waited to resume answers the status
// GET with 404: Upload says the session is gone and sends nothing more.
func TestUploadSessionExpiredMidway(t *testing.T) {
	r := newUploadRig(t, nil)
	r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, DropConnection: true, Count: 1})
	r.onSleep = func() { r.clock.Add(int64(16 * time.Minute)) }
	_, err := r.upload(context.Background(), UploadOptions{})
	if err == nil {
		t.Fatal("the upload succeeded on an expired session")
	}
	gerr, ok := err.(*Error)
	if !ok || gerr.Status != 404 || gerr.Code != "ErrorItemNotFound" {
		t.Fatalf("error %v (%T), want the GET's 404 *Error", err, err)
	}
	var maybe *MaybeSentError
	if errors.As(err, &maybe) {
		t.Errorf("the error of a gone session unwraps to a MaybeSentError: %v", err)
	}
	for _, s := range []string{"bytes 1048576-2097151/3600000 was lost", "upload session is gone", "nothing more was sent", "404"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "authtoken=") && !strings.Contains(err.Error(), "authtoken=REDACTED") {
		t.Errorf("error shows the authtoken: %v", err)
	}
	want := []string{"PUT bytes 0-1048575/3600000 200", "PUT bytes 1048576-2097151/3600000 0", "GET 404"}
	if got := r.toUploadURL(); joinLines(got) != joinLines(want) {
		t.Errorf("requests to the upload URL:\n%s\nwant:\n%s", joinLines(got), joinLines(want))
	}
	if got := r.attachmentSHA(); len(got) != 0 {
		t.Errorf("%d attachments after a failed upload", len(got))
	}
}

// When the last range's answer is lost the session completes and is gone:
// Upload does not send the range again, and says that the file may be
// attached.
func TestUploadLostLastAnswer(t *testing.T) {
	r := newUploadRig(t, nil)
	r.onTrace = func(ev TraceEvent, n int) {
		if ev.Method == "PUT" && n == 3 {
			r.sb.Faults().Add(sandbox.Fault{Method: "PUT", Path: uploadPaths, DropAfterApply: true, Count: 1})
		}
	}
	_, err := r.upload(context.Background(), UploadOptions{})
	var maybe *MaybeSentError
	var gerr *Error
	if !errors.As(err, &maybe) || !errors.As(err, &gerr) || gerr.Status != 404 ||
		!strings.Contains(err.Error(), "last range, so if it arrived the attachment was created") {
		t.Fatalf("error %v (%T), want a MaybeSentError wrapping the GET's 404, saying the attachment may have been created", err, err)
	}
	want := []string{"PUT bytes 0-1048575/3600000 200", "PUT bytes 1048576-2097151/3600000 200",
		"PUT bytes 2097152-3145727/3600000 200", "PUT bytes 3145728-3599999/3600000 0", "GET 404"}
	if got := r.toUploadURL(); joinLines(got) != joinLines(want) {
		t.Errorf("requests to the upload URL:\n%s\nwant:\n%s", joinLines(got), joinLines(want))
	}
	r.wantAttachedOnce()
}

// MaxResumes bounds the resumes of one upload; a negative value turns
// them off (the first lost range ends the upload, as before resumes).
func TestUploadMaxResumes(t *testing.T) {
	for _, c := range []struct {
		name       string
		max        int
		puts, gets int
		says       string
	}{
		{"default", 0, DefaultUploadResumes + 1, DefaultUploadResumes, "gave up after 3 resumes of the upload (UploadOptions.MaxResumes = 3)"},
		{"two", 2, 3, 2, "gave up after 2 resumes of the upload (UploadOptions.MaxResumes = 2)"},
		{"none", -1, 1, 0, "not retried"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newUploadRig(t, nil)
			r.sb.Faults().Add(sandbox.Fault{Method: "PUT", Path: uploadPaths, DropConnection: true})
			_, err := r.upload(context.Background(), UploadOptions{MaxResumes: c.max})
			var maybe *MaybeSentError
			if !errors.As(err, &maybe) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %v (%T), want a MaybeSentError saying %q", err, err, c.says)
			}
			var puts, gets int
			for _, q := range r.toUploadURL() {
				if strings.HasPrefix(q, "PUT bytes 0-1048575/") {
					puts++
				} else if q == "GET 200" {
					gets++
				} else {
					t.Errorf("unexpected request %s", q)
				}
			}
			if puts != c.puts || gets != c.gets {
				t.Errorf("%d PUTs of the first range and %d GETs, want %d and %d", puts, gets, c.puts, c.gets)
			}
			if w := r.recordedWaits(); len(w) != c.gets {
				t.Errorf("waits %v, want %d", w, c.gets)
			}
		})
	}
}

// The waits before resumes count against MaxRetryDelay, as retries do: a
// Retry-After beyond it ends the upload at once.
func TestUploadResumeWithinMaxRetryDelay(t *testing.T) {
	r := newUploadRig(t, func(cfg *Config) { cfg.MaxRetryDelay = 10 * time.Second })
	r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, Status: 503, RetryAfter: "30", Count: 1})
	_, err := r.upload(context.Background(), UploadOptions{})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Status != 503 || !strings.Contains(gerr.GaveUp, "MaxRetryDelay") {
		t.Fatalf("error %v, want the 503 saying MaxRetryDelay stopped the resume", err)
	}
	if got := r.toUploadURL(); len(got) != 2 {
		t.Errorf("requests to the upload URL:\n%s", joinLines(got))
	}
}

// Cancelling the context while Upload waits to resume stops it at once:
// no status GET, no further range.
func TestUploadCancelledWhileWaitingToResume(t *testing.T) {
	r := newUploadRig(t, func(cfg *Config) { cfg.Sleep = nil }) // the real, context-aware sleep
	r.faultOnSecondRange(sandbox.Fault{Method: "PUT", Path: uploadPaths, Status: 503, RetryAfter: "30", Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.onTrace = func(ev TraceEvent, n int) {
		if ev.Method == "PUT" && n == 1 {
			r.sb.Faults().Add(sandbox.Fault{Method: "PUT", Path: uploadPaths, Status: 503, RetryAfter: "30", Count: 1})
		}
		if ev.RetryIn > 0 {
			time.AfterFunc(20*time.Millisecond, cancel)
		}
	}
	began := time.Now()
	_, err := r.upload(ctx, UploadOptions{})
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("Upload took %s after the cancel", took)
	}
	var gerr *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &gerr) || gerr.Status != 503 {
		t.Fatalf("error %v, want the 503 wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "context ended while waiting 30s to resume the upload") {
		t.Errorf("error %q does not say the wait was cut short", err)
	}
	want := []string{"PUT bytes 0-1048575/3600000 200", "PUT bytes 1048576-2097151/3600000 503"}
	if got := r.toUploadURL(); joinLines(got) != joinLines(want) {
		t.Errorf("requests to the upload URL:\n%s\nwant:\n%s", joinLines(got), joinLines(want))
	}
}

// Answers of a status GET the sandbox never gives: no range still
// expected (the upload may have completed), a GET that fails, an answer
// with no readable range. Each stops the upload with nothing more sent.
func TestUploadStatusAnswers(t *testing.T) {
	for _, c := range []struct {
		name      string
		get       func(w http.ResponseWriter)
		maybeSent bool
		says      string
	}{
		{"no range expected", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ExpirationDateTime":"2026-11-25T12:15:00Z","nextExpectedRanges":[]}`))
		}, true, "listed no range still expected: the upload may have completed"},
		{"nextExpectedRanges absent", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ExpirationDateTime":"2026-11-25T12:15:00Z"}`))
		}, true, "the upload may have completed"},
		{"GET dropped", func(w http.ResponseWriter) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, true, "asking the upload session where it stands failed (GET: "},
		{"GET 503", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(503)
			w.Write([]byte(`{"error":{"code":"ServiceUnavailable","message":"busy"}}`))
		}, false, "asking the upload session where it stands failed (GET of the upload URL answered 503): nothing more was sent"},
		{"unreadable range", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"nextExpectedRanges":["soon"]}`))
		}, false, "no readable nextExpectedRanges"},
		{"range never sent", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"nextExpectedRanges":["2500000"]}`))
		}, false, "expects byte 2500000 next, but only bytes up to 1048575 of 3145729 were sent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
				mu.Lock()
				seen = append(seen, q.Method+" "+q.Header.Get("Content-Range"))
				n := len(seen)
				mu.Unlock()
				if q.Header.Get("Authorization") != "" {
					t.Errorf("%s carried Authorization", q.Method)
				}
				switch {
				case q.Method == "GET":
					c.get(w)
				case n == 1: // the first range: its answer is lost
					conn, _, _ := w.(http.Hijacker).Hijack()
					conn.Close()
				default:
					t.Errorf("%s %s after the status GET", q.Method, q.Header.Get("Content-Range"))
					w.WriteHeader(500)
				}
			}))
			defer srv.Close()
			cl, _ := newTestClient(t, srv.URL, nil)
			_, err := cl.Upload(context.Background(), srv.URL+"/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=SECRET", bytes.Repeat([]byte("x"), 3<<20+1), UploadOptions{ChunkBytes: 1 << 20})
			if err == nil {
				t.Fatal("no error")
			}
			var maybe *MaybeSentError
			if errors.As(err, &maybe) != c.maybeSent {
				t.Errorf("error %v: MaybeSentError %v, want %v", err, !c.maybeSent, c.maybeSent)
			}
			if !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "nothing more was sent") {
				t.Errorf("error %q does not say %q and that nothing more was sent", err, c.says)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error shows the authtoken: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 2 {
				t.Errorf("requests %q, want the range and the GET", seen)
			}
		})
	}
}
