package templates

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/sandbox"
)

// send-mail attaches a 3.6 MB file through an upload session even when
// the answer to one of its ranges is lost after the range was stored: the
// upload asks the session where it stands and goes on, and the sent
// message holds the file exactly once, byte for byte.
func TestSendMailLargeAttachmentSurvivesDroppedRange(t *testing.T) {
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return start1 }})
	// Once the first range is answered, the second range's answer is
	// dropped after the sandbox stored it.
	var once sync.Once
	trace := func(ev graph.TraceEvent) {
		if ev.Method == "PUT" && ev.Status == 200 {
			once.Do(func() {
				sb.Faults().Add(sandbox.Fault{Method: "PUT", Path: "/api/v2.0/*", DropAfterApply: true, Count: 1})
			})
		}
	}
	turn, file := sendDeck(t, sb, ts, 7, engine.GraphOptions{}, trace)
	if turn.Kind != engine.KindDone || turn.Status != engine.StatusCompleted {
		t.Fatalf("turn %v %v: %v", turn.Kind, turn.Status, turn.Err)
	}

	var ranges []string
	gets := 0
	for _, r := range sb.Requests() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("%s to the upload URL carried the token", r.Method)
		}
		switch r.Method {
		case "PUT":
			ranges = append(ranges, r.Header.Get("Content-Range"))
		case "GET":
			gets++
		}
	}
	want := "bytes 0-1048575/3600000 bytes 1048576-2097151/3600000 bytes 2097152-3145727/3600000 bytes 3145728-3599999/3600000"
	if strings.Join(ranges, " ") != want || gets != 1 {
		t.Errorf("ranges %q and %d status GETs; want each range once (%s) and one GET", ranges, gets, want)
	}

	ctx := context.Background()
	c, err := graph.New(graph.Config{BaseURL: ts.URL + "/v1.0", HTTPClient: ts.Client(), Auth: auth.Static(sb.Token("Mail.Read"))})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.Do(ctx, &graph.Request{Method: "GET", Path: "/me/mailFolders/sentitems/messages", Query: map[string][]string{"$filter": {"subject eq 'Deck'"}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := gjson.GetBytes(list.Body, "value.#.id").Array()
	if len(ids) != 1 {
		t.Fatalf("%d sent messages titled Deck, want 1", len(ids))
	}
	atts, err := c.Do(ctx, &graph.Request{Method: "GET", Path: "/me/messages/" + graph.PathSegment(ids[0].Str) + "/attachments"})
	if err != nil {
		t.Fatal(err)
	}
	values := gjson.GetBytes(atts.Body, "value").Array()
	if len(values) != 1 {
		t.Fatalf("%d attachments, want 1", len(values))
	}
	got, err := base64.StdEncoding.DecodeString(values[0].Get("contentBytes").Str)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(file) || values[0].Get("name").Str != "deck.pptx" {
		t.Errorf("the attachment %q (%d bytes) is not the file sent (%d bytes)", values[0].Get("name").Str, len(got), len(file))
	}
}

// With GraphOptions.UploadResumes negative, a lost range ends the flow:
// the message is not sent with half an attachment.
func TestSendMailUploadWithoutResumes(t *testing.T) {
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return start1 }})
	sb.Faults().Add(sandbox.Fault{Method: "PUT", Path: "/api/v2.0/*", DropAfterApply: true, Count: 1})
	turn, _ := sendDeck(t, sb, ts, 8, engine.GraphOptions{UploadResumes: -1}, nil)
	if turn.Status == engine.StatusCompleted || turn.Err == nil {
		t.Fatalf("turn %v %v: want the flow to fail on the lost range", turn.Kind, turn.Status)
	}
	puts, gets, sends := 0, 0, 0
	for _, r := range sb.Requests() {
		switch {
		case r.Method == "PUT" && strings.HasPrefix(r.Path, "/api/"):
			puts++
		case r.Method == "GET" && strings.HasPrefix(r.Path, "/api/"):
			gets++
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/send"):
			sends++
		}
	}
	if puts != 1 || gets != 0 || sends != 0 {
		t.Errorf("%d ranges, %d status GETs, %d sends; want 1 range, no GET, nothing sent", puts, gets, sends)
	}
}

// sendDeck runs send-mail on sb with a 3.6 MB attachment made from seed,
// in 1 MiB ranges, and returns the final turn and the file.
func sendDeck(t *testing.T, sb *sandbox.Server, ts *httptest.Server, seed byte, graphOpts engine.GraphOptions, trace func(graph.TraceEvent)) (*engine.Turn, []byte) {
	t.Helper()
	tp, err := Get("send-mail")
	if err != nil {
		t.Fatal(err)
	}
	file := make([]byte, 3_600_000)
	rand.NewChaCha8([32]byte{seed}).Read(file)
	graphOpts.UploadChunkBytes = 1 << 20
	e, err := engine.New(engine.Config{GraphURL: ts.URL + "/v1.0", HTTPClient: ts.Client(), Auth: auth.Static(sb.Token(tp.Scopes()...)),
		Now: func() time.Time { return start1 }, Files: &engine.MemoryFiles{}, Graph: graphOpts, Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	turn, err := e.Start(context.Background(), tp, engine.StartOptions{AutoConfirm: true, Inputs: map[string]any{
		"to": "AlexW@contoso.onmicrosoft.com", "cc": []any{}, "subject": "Deck", "body": "Attached.", "html": false,
		"attachments": []any{map[string]any{"name": "deck.pptx", "content_type": "application/octet-stream", "base64": base64.StdEncoding.EncodeToString(file)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return turn, file
}
