package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// toUploadURL sends a request to an upload URL (no token unless auth is
// set) and returns the answer; a dropped connection is the error.
func toUploadURL(t *testing.T, method, u string, body []byte, contentRange, auth string) (answer, error) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentRange != "" {
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Range", contentRange)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	// A fresh connection each time, so that a dropped one is not
	// silently retried by the transport.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.json); err != nil {
			t.Fatalf("%s answer is not JSON: %s", method, raw)
		}
	}
	return a, nil
}

func mustUpload(t *testing.T, method, u string, body []byte, contentRange, auth string) answer {
	t.Helper()
	a, err := toUploadURL(t, method, u, body, contentRange, auth)
	if err != nil {
		t.Fatalf("%s upload URL: %v", method, err)
	}
	return a
}

// nextRange is the single value of a session state's nextExpectedRanges.
func nextRange(t *testing.T, a answer) string {
	t.Helper()
	rs, ok := a.json["nextExpectedRanges"].([]any)
	if !ok || len(rs) != 1 {
		t.Fatalf("nextExpectedRanges in %s", a.raw)
	}
	return sv(rs[0])
}

// GET on an upload URL answers the session's state as a range's 200 does;
// a session that is cancelled (DELETE), completed, expired or unknown
// answers Graph's 404 error.
func TestUploadSessionStatus(t *testing.T) {
	var clock atomic.Int64
	clock.Store(testNow.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	s, ts := NewTestServer(t, Options{Now: now})
	tok := s.Token(mailScopes...)
	draft := newDraft(t, ts, tok, "")
	const size = 3<<20 + 10
	file := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	open := func(t *testing.T) (string, map[string]any) {
		t.Helper()
		a := do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession",
			fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, size)).wantStatus(t, 201)
		return sv(a.json["uploadUrl"]), a.json
	}
	rng := func(start, end int) string { return fmt.Sprintf("bytes %d-%d/%d", start, end, size) }

	t.Run("state of an open session", func(t *testing.T) {
		u, sess := open(t)
		a := mustUpload(t, "GET", u, nil, "", "").wantStatus(t, 200)
		if got := nextRange(t, a); got != "0" {
			t.Errorf("fresh session expects %q, want \"0\"", got)
		}
		if a.json["ExpirationDateTime"] != sess["expirationDateTime"] {
			t.Errorf("ExpirationDateTime %v, want the session's %v", a.json["ExpirationDateTime"], sess["expirationDateTime"])
		}
		if ctx := sv(a.json["@odata.context"]); !strings.HasSuffix(ctx, "/AttachmentSessions/$entity") {
			t.Errorf("@odata.context %q", ctx)
		}
		put := mustUpload(t, "PUT", u, file[:1<<20], rng(0, 1<<20-1), "").wantStatus(t, 200)
		a = mustUpload(t, "GET", u, nil, "", "").wantStatus(t, 200)
		if got := nextRange(t, a); got != "1048576" || got != nextRange(t, put) {
			t.Errorf("after one range the session expects %q (the PUT said %q), want \"1048576\"", got, nextRange(t, put))
		}
		if a := mustUpload(t, "GET", u, nil, "", tok); a.status != 401 {
			t.Errorf("GET with the Graph token: %d %s", a.status, a.raw)
		}
		bad := u[:strings.Index(u, "authtoken=")] + "authtoken=wrong"
		if a := mustUpload(t, "GET", bad, nil, "", ""); a.status != 401 {
			t.Errorf("GET with a wrong authtoken: %d %s", a.status, a.raw)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		u, _ := open(t)
		a := mustUpload(t, "DELETE", u, nil, "", "")
		if a.status != 204 || len(a.raw) != 0 {
			t.Fatalf("DELETE: %d %s", a.status, a.raw)
		}
		mustUpload(t, "GET", u, nil, "", "").wantError(t, 404, "ErrorItemNotFound", "")
		mustUpload(t, "DELETE", u, nil, "", "").wantError(t, 404, "ErrorItemNotFound", "")
	})
	t.Run("completed", func(t *testing.T) {
		u, _ := open(t)
		mustUpload(t, "PUT", u, file[:1<<20], rng(0, 1<<20-1), "").wantStatus(t, 200)
		mustUpload(t, "PUT", u, file[1<<20:], rng(1<<20, size-1), "").wantStatus(t, 201)
		mustUpload(t, "GET", u, nil, "", "").wantError(t, 404, "ErrorItemNotFound", "")
	})
	t.Run("unknown", func(t *testing.T) {
		u, _ := open(t)
		i := strings.Index(u, "AttachmentSessions('")
		other := u[:i] + "AttachmentSessions('AAMkNoSuchSession=')" + u[strings.Index(u, "?"):]
		mustUpload(t, "GET", other, nil, "", "").wantError(t, 404, "ErrorItemNotFound", "")
	})
	t.Run("expired", func(t *testing.T) {
		u1, _ := open(t)
		u2, _ := open(t)
		clock.Add(int64(uploadSessionLifetime + time.Second))
		defer clock.Store(testNow.UnixNano())
		a := mustUpload(t, "GET", u1, nil, "", "")
		a.wantError(t, 404, "ErrorItemNotFound", "")
		if e := a.json["error"].(map[string]any); !strings.Contains(sv(e["message"]), "expired") {
			t.Errorf("message %q does not say the session expired", e["message"])
		}
		// A range sent after expiry is refused as before: the URL's
		// token has expired.
		mustUpload(t, "PUT", u2, file[:10], rng(0, 9), "").wantError(t, 401, "InvalidAuthenticationToken", "")
	})
}

// The upload URL takes injected faults: a dropped connection loses the
// range, DropAfterApply stores it and loses only the answer, a status
// refuses it; the session's state tells which.
func TestUploadFaults(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	draft := newDraft(t, ts, tok, "")
	const size = 3<<20 + 10
	file := bytes.Repeat([]byte("abcdefghijklmnop"), size/16+1)[:size]
	u := sv(do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession",
		fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, size)).wantStatus(t, 201).json["uploadUrl"])
	rng := func(start, end int) string { return fmt.Sprintf("bytes %d-%d/%d", start, end, size) }
	state := func() string { return nextRange(t, mustUpload(t, "GET", u, nil, "", "").wantStatus(t, 200)) }
	const path = "/api/v2.0/*"

	s.Faults().Add(Fault{Method: "PUT", Path: path, DropConnection: true, Count: 1})
	if _, err := toUploadURL(t, "PUT", u, file[:1<<20], rng(0, 1<<20-1), ""); err == nil {
		t.Fatal("DropConnection: the PUT was answered")
	}
	if got := state(); got != "0" {
		t.Errorf("after a dropped request the session expects %s, want 0 (nothing stored)", got)
	}

	s.Faults().Add(Fault{Method: "PUT", Path: path, Status: 503, RetryAfter: "1", Count: 1})
	a := mustUpload(t, "PUT", u, file[:1<<20], rng(0, 1<<20-1), "")
	a.wantError(t, 503, "ServiceUnavailable", "")
	if a.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	if got := state(); got != "0" {
		t.Errorf("after a 503 the session expects %s, want 0", got)
	}

	s.Faults().Add(Fault{Method: "PUT", Path: path, DropAfterApply: true, Count: 1})
	if _, err := toUploadURL(t, "PUT", u, file[:1<<20], rng(0, 1<<20-1), ""); err == nil {
		t.Fatal("DropAfterApply: the PUT was answered")
	}
	if got := state(); got != "1048576" {
		t.Errorf("after a range whose answer was dropped the session expects %s, want 1048576 (the range stored)", got)
	}
	rs := s.Requests()
	var puts []int
	for _, r := range rs {
		if r.Method == "PUT" {
			puts = append(puts, r.Status)
		}
	}
	if fmt.Sprint(puts) != "[0 503 0]" {
		t.Errorf("logged PUT statuses %v, want [0 503 0] (0: no answer)", puts)
	}
	// The range again is refused: it was stored once. (A short body: the
	// refusal does not read it.)
	mustUpload(t, "PUT", u, file[:10], rng(0, 9), "").wantError(t, 416, "InvalidRange", "")
	mustUpload(t, "PUT", u, file[1<<20:], rng(1<<20, size-1), "").wantStatus(t, 201)
	atts := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draft+"/attachments", "").wantStatus(t, 200).values(t)
	if len(atts) != 1 {
		t.Fatalf("%d attachments, want 1", len(atts))
	}
	if got, _ := base64.StdEncoding.DecodeString(sv(atts[0]["contentBytes"])); !bytes.Equal(got, file) {
		t.Errorf("the attachment has %d bytes, not the file's %d", len(got), len(file))
	}
}

// A refused range is read before the answer, so that the client gets the
// 416 and the range expected next rather than a connection reset under
// the megabytes it is still sending.
func TestRefusedRangeIsAnswered(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	draft := newDraft(t, ts, tok, "")
	const size = 4 << 20
	u := sv(do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession",
		fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, size)).wantStatus(t, 201).json["uploadUrl"])
	part := bytes.Repeat([]byte("x"), 3<<20)
	for i := 0; i < 5; i++ {
		// Out of order: the session expects byte 0.
		a, err := toUploadURL(t, "PUT", u, part, fmt.Sprintf("bytes %d-%d/%d", 1<<20, 4<<20-1, size), "")
		if err != nil {
			t.Fatalf("try %d: the out-of-order range got no answer: %v", i, err)
		}
		a.wantError(t, 416, "InvalidRange", "")
	}
}
