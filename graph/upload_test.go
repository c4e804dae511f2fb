package graph

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

// An upload goes to the session's URL in ordered ranges, without the
// token, and the file arrives whole (checked against the sandbox, which
// refuses any Authorization header on an upload URL).
func TestUploadToSandbox(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return now }})
	tok := sb.Token("Mail.ReadWrite", "Mail.Send")
	var mu sync.Mutex
	var events []TraceEvent
	c, err := New(Config{BaseURL: ts.URL + "/v1.0", Auth: auth.Static(tok), Trace: func(ev TraceEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	draft, err := c.Do(ctx, &Request{Method: "POST", Path: "/me/messages", Body: []byte(`{"subject":"big"}`)})
	if err != nil {
		t.Fatal(err)
	}
	id := gjson.GetBytes(draft.Body, "id").Str
	file := bytes.Repeat([]byte("runflow!"), (3<<20+5000)/8)
	sess, err := c.Do(ctx, &Request{Method: "POST", Path: "/me/messages/" + PathSegment(id) + "/attachments/createUploadSession",
		Body: []byte(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":` + strconv.Itoa(len(file)) + `}}`)})
	if err != nil {
		t.Fatal(err)
	}
	uploadURL := gjson.GetBytes(sess.Body, "uploadUrl").Str
	resp, err := c.Upload(ctx, uploadURL, file, UploadOptions{ChunkBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 201 || !strings.Contains(resp.Header.Get("Location"), "/Attachments('") {
		t.Fatalf("final answer %d, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	var ranges []string
	for _, r := range sb.Requests() {
		if r.Method == "PUT" {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("a PUT to the upload URL carried Authorization")
			}
			ranges = append(ranges, r.Header.Get("Content-Range"))
		}
	}
	want := []string{"bytes 0-1048575/3150728", "bytes 1048576-2097151/3150728", "bytes 2097152-3145727/3150728", "bytes 3145728-3150727/3150728"}
	if strings.Join(ranges, " ") != strings.Join(want, " ") {
		t.Errorf("ranges %q, want %q", ranges, want)
	}
	att, err := c.Do(ctx, &Request{Method: "GET", Path: "/me/messages/" + PathSegment(id) + "/attachments"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := base64.StdEncoding.DecodeString(gjson.GetBytes(att.Body, "value.0.contentBytes").Str)
	if !bytes.Equal(got, file) {
		t.Errorf("the attachment has %d bytes, want the %d uploaded", len(got), len(file))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, ev := range events {
		if strings.Contains(ev.URL, "authtoken=") && !strings.Contains(ev.URL, "authtoken=REDACTED") {
			t.Errorf("trace shows the upload URL's authtoken: %s", ev.URL)
		}
	}
}

func TestUploadHostRules(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:9", func(cfg *Config) { cfg.AllowedHosts = []string{"graph.example.com"} })
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://outlook.office.com/api/v2.0/Users('a')/Messages('b')/AttachmentSessions('c')?authtoken=x", true},
		{"https://outlook.office365.com/api/x", true},
		{"http://127.0.0.1:9/api/v2.0/x", true}, // the (http) base host: a sandbox
		{"https://graph.example.com/upload", true},
		{"http://outlook.office.com/api/x", false}, // https only
		{"https://evil.example.com/api/x", false},
		{"https://outlook.office.com.evil.example/api/x", false},
		{"https://user:pw@outlook.office.com/api/x", false},
	} {
		u, _ := url.Parse(tc.url)
		err := c.UploadHostAllowed(u)
		var hne *HostNotAllowedError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &hne)) {
			t.Errorf("%s: %v, want allowed=%v", tc.url, err, tc.ok)
		}
	}
	if _, err := c.Upload(context.Background(), "https://evil.example.com/x", []byte("x"), UploadOptions{}); err == nil {
		t.Error("Upload sent a file to a host that is not allowed")
	}
}
