package bot

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

func TestAPIConversation(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	_, ts := w.replica()
	base := ts.URL

	code, r, _ := call(t, base, "POST", "/v1/conversations/c1/flows", `{"template":"create-todo-list","user":"u1"}`)
	if code != 200 || r.Status != StatusQuestion || r.Question == nil || r.Question.Input != "name" || r.Question.Type != "string" {
		t.Fatalf("start: %d %+v", code, r)
	}
	if r.Conversation != "c1" || r.SignIn != nil || r.Outputs != nil || r.Error != nil {
		t.Fatalf("start: fields of other statuses set: %+v", r)
	}
	_, cur, _ := call(t, base, "GET", "/v1/conversations/c1", "")
	if cur.Status != StatusQuestion || cur.Question.Input != "name" {
		t.Fatalf("GET while asking: %+v", cur)
	}
	code, r, _ = call(t, base, "POST", "/v1/conversations/c1/messages", `{"text":"Groceries","user":"u1","id":"m1"}`)
	if code != 200 || r.Status != StatusDone || r.Outputs["name"] != "Groceries" {
		t.Fatalf("answer: %d %+v", code, r)
	}
	// The same id again: the same Reply, and no second list.
	_, again, _ := call(t, base, "POST", "/v1/conversations/c1/messages", `{"text":"Groceries","user":"u1","id":"m1"}`)
	if again.Status != StatusDone || again.Outputs["name"] != "Groceries" {
		t.Fatalf("repeated id: %+v", again)
	}
	if n := w.writes("POST", "/todo/lists"); n != 1 {
		t.Fatalf("%d lists created, want 1", n)
	}
	_, cur, _ = call(t, base, "GET", "/v1/conversations/c1", "")
	if cur.Status != StatusDone {
		t.Fatalf("GET after the end: %+v", cur)
	}
	// Nothing running: a message is idle with help; "run ID" starts.
	_, r, _ = call(t, base, "POST", "/v1/conversations/c1/messages", `{"text":"hello","user":"u1"}`)
	if r.Status != StatusIdle || !strings.Contains(strings.Join(r.Messages, "\n"), "run ID") {
		t.Fatalf("idle message: %+v", r)
	}
	_, r, _ = call(t, base, "POST", "/v1/conversations/c1/messages", `{"text":"run create-event","user":"u1"}`)
	if r.Status != StatusQuestion || r.Question.Input != "subject" {
		t.Fatalf("run create-event: %+v", r)
	}
	_, r, _ = call(t, base, "POST", "/v1/conversations/c2/messages", `{"text":"run nope","user":"u1"}`)
	if r.Status != StatusIdle || !strings.Contains(r.Messages[0], `no flow "nope"`) {
		t.Fatalf("run of an unknown id: %+v", r)
	}
	_, r, _ = call(t, base, "GET", "/v1/conversations/never", "")
	if r.Status != StatusIdle {
		t.Fatalf("GET of a new conversation: %+v", r)
	}
}

func TestAPIChoicesAndConfirm(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	_, ts := w.replica()
	post := func(path, body string) Reply {
		t.Helper()
		code, r, raw := call(t, ts.URL, "POST", path, body)
		if code != 200 {
			t.Fatalf("POST %s: %d %v", path, code, raw)
		}
		return r
	}
	r := post("/v1/conversations/t/flows", `{"template":"create-task","user":"u"}`)
	if r.Status != StatusQuestion || r.Question.Type != "choice" || len(r.Question.Choices) == 0 || r.Question.Choices[0].Label == "" {
		t.Fatalf("list question: %+v", r.Question)
	}
	r = post("/v1/conversations/t/messages", jsonBody(MessageRequest{Text: r.Question.Choices[0].Value, User: "u"}))
	if r.Question == nil || r.Question.Input != "title" {
		t.Fatalf("after the choice: %+v", r)
	}
	r = post("/v1/conversations/m/flows", `{"template":"send-mail","user":"u","inputs":{"to":"a@contoso.com","cc":"","subject":"Hi","body":"Hello","html":false,"attachments":[]}}`)
	if r.Status != StatusQuestion || r.Question.Type != "confirm" || len(r.Question.Choices) != 2 || r.Question.Choices[0].Value != "yes" {
		t.Fatalf("confirm: %+v", r.Question)
	}
	r = post("/v1/conversations/m/messages", `{"text":"no","user":"u"}`)
	if r.Status != StatusCancelled {
		t.Fatalf("no at the confirm: %+v", r)
	}
	// Cancel words, at a question and at a confirmation: cancelled,
	// nothing sent.
	for _, tc := range []struct{ flow, word string }{
		{`{"template":"create-todo-list","user":"u"}`, "cancel"},
		{`{"template":"send-mail","user":"u","inputs":{"to":"a@contoso.com","cc":"","subject":"Hi","body":"Hello","html":false,"attachments":[]}}`, "Stop"},
	} {
		post("/v1/conversations/w/flows", tc.flow)
		if r := post("/v1/conversations/w/messages", jsonBody(MessageRequest{Text: tc.word, User: "u"})); r.Status != StatusCancelled {
			t.Fatalf("%q: %+v", tc.word, r)
		}
	}
	if n := w.writes("POST", "/sendMail") + w.writes("POST", "/todo/lists"); n != 0 {
		t.Fatalf("%d writes after no and cancel words", n)
	}
}

func TestAPIBadInput(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	_, ts := w.replica()
	big := `{"text":"` + strings.Repeat("x", MaxBodyBytes) + `","user":"u"}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown template", "POST", "/v1/conversations/c/flows", `{"template":"nope","user":"u"}`, 404, "unknown_template"},
		{"malformed JSON", "POST", "/v1/conversations/c/messages", `{"text":`, 400, "bad_json"},
		{"unknown field", "POST", "/v1/conversations/c/messages", `{"txt":"x","user":"u"}`, 400, "bad_json"},
		{"two values", "POST", "/v1/conversations/c/messages", `{"text":"x","user":"u"} {}`, 400, "bad_json"},
		{"empty body", "POST", "/v1/conversations/c/messages", ``, 400, "bad_json"},
		{"too large", "POST", "/v1/conversations/c/messages", big, 413, "too_large"},
		{"no user", "POST", "/v1/conversations/c/messages", `{"text":"x"}`, 400, "bad_request"},
		{"long conversation", "GET", "/v1/conversations/" + strings.Repeat("c", 300), ``, 400, "bad_request"},
		{"control character", "POST", "/v1/conversations/c%0A/messages", `{"text":"x","user":"u"}`, 400, "bad_request"},
		{"unknown input", "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u","inputs":{"nam":"x"}}`, 400, "bad_request"},
		{"unknown zone", "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u","zone":"Mars/Olympus"}`, 400, "bad_request"},
		{"zone not a text", "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u","zone":5}`, 400, "bad_json"},
		{"unknown path", "GET", "/v2/nothing", ``, 404, "not_found"},
		{"wrong method", "DELETE", "/v1/conversations/c", ``, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || (tc.code != "" && !strings.Contains(string(raw), `"code":"`+tc.code+`"`)) {
				t.Fatalf("%d %s; want %d with code %q", resp.StatusCode, raw, tc.status, tc.code)
			}
		})
	}
	// Still serving.
	if code, r, _ := call(t, ts.URL, "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u"}`); code != 200 || r.Status != StatusQuestion {
		t.Fatalf("after bad requests: %d %+v", code, r)
	}
}

// Two replicas on one Redis take the same message at the same moment,
// many times: one list per conversation, and both answers are the same.
func TestDuplicateDeliveryAcrossReplicas(t *testing.T) {
	store := newTestRedis(t, 0)
	w := newWorld(t, store)
	_, a := w.replica()
	_, b := w.replica()
	const n = 20
	for i := 0; i < n; i++ {
		conv := fmt.Sprint("dup-", i)
		call(t, a.URL, "POST", "/v1/conversations/"+conv+"/flows", `{"template":"create-todo-list","user":"u"}`)
		body := jsonBody(MessageRequest{Text: "List " + conv, User: "u", ID: "msg-" + conv})
		var wg sync.WaitGroup
		replies := make([]Reply, 2)
		for j, base := range []string{a.URL, b.URL} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, replies[j], _ = call(t, base, "POST", "/v1/conversations/"+conv+"/messages", body)
			}()
		}
		wg.Wait()
		for _, r := range replies {
			if r.Status != StatusDone || r.Outputs["name"] != "List "+conv {
				t.Fatalf("%s: replies %+v", conv, replies)
			}
		}
	}
	if got := w.writes("POST", "/todo/lists"); got != n {
		t.Fatalf("%d lists created for %d conversations", got, n)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	_, ts := w.replica()
	call(t, ts.URL, "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u"}`)
	call(t, ts.URL, "POST", "/v1/conversations/c/messages", `{"text":"L","user":"u"}`)
	code, _, body := call(t, ts.URL, "GET", "/healthz", "")
	if code != 200 || body["status"] != "ok" {
		t.Fatalf("healthz: %d %v", code, body)
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(raw)
	for _, want := range []string{
		`runflow_turns_total{template="create-todo-list",status="question"} 1`,
		`runflow_turns_total{template="create-todo-list",status="done"} 1`,
		`runflow_turn_duration_seconds_bucket{le="+Inf"} 2`,
		`runflow_turn_duration_seconds_count 2`,
		`runflow_graph_requests_total{status="201"} 1`,
		`runflow_sessions_active 1`,
		"# TYPE runflow_turn_duration_seconds histogram",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, `template="unknown"`) {
		t.Errorf("a message turn is labelled template=\"unknown\":\n%s", text)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}

	// A store that does not answer: 503, and the server goes on.
	dead, err := OpenRedisStore("redis://127.0.0.1:1/0", RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	w2 := newWorld(t, dead)
	_, ts2 := w2.replica()
	code, _, body = call(t, ts2.URL, "GET", "/healthz", "")
	if code != 503 {
		t.Fatalf("healthz with a dead store: %d %v", code, body)
	}
	code, _, body = call(t, ts2.URL, "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u"}`)
	if code != 500 || strings.Contains(fmt.Sprint(body), "127.0.0.1:1") {
		t.Fatalf("a turn with a dead store: %d %v", code, body)
	}
}

func TestPage(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	_, ts := w.replica()
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "<title>runflow chat</title>") || !strings.Contains(csp, "script-src 'sha256-") {
		t.Fatalf("GET /: %d, CSP %q", resp.StatusCode, csp)
	}
	// Self-contained: nothing is loaded from elsewhere.
	for _, bad := range []string{"http://", "https://", "//cdn", "<link", "src="} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the page refers to %q", bad)
		}
	}
	_ = context.Background()
}

// A client that sends its headers or its body too slowly is cut off, and
// the server goes on serving others.
func TestSlowClientsAreCutOff(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	s, _ := w.replica()
	s.cfg.Timeouts = Timeouts{ReadHeader: 200 * time.Millisecond, Read: 400 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	for name, partial := range map[string]string{
		"headers": "POST /v1/conversations/c/messages HTTP/1.1\r\nHost: x\r\n",
		"body":    "POST /v1/conversations/c/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\":",
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, partial)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		begin := time.Now()
		_, err = io.ReadAll(conn) // returns when the server closes
		conn.Close()
		if err != nil || time.Since(begin) > 5*time.Second {
			t.Errorf("slow %s: connection kept %v (%v)", name, time.Since(begin), err)
		}
	}
	if code, _, _ := call(t, "http://"+ln.Addr().String(), "GET", "/healthz", ""); code != 200 {
		t.Fatalf("after slow clients: %d", code)
	}
}

// While one delivery is sending a write (held back 600 ms by the
// sandbox), another message of the conversation and a GET wait for it, and
// answer from its result: nothing is sent twice, nobody is told "idle".
func TestBusyConversationWaits(t *testing.T) {
	store := newTestRedis(t, time.Hour)
	w := newWorld(t, store)
	_, a := w.replica()
	_, b := w.replica()
	call(t, a.URL, "POST", "/v1/conversations/busy/flows", `{"template":"send-mail","user":"u","inputs":{"to":"a@contoso.com","cc":"","subject":"Slow","body":"x","html":false,"attachments":[]}}`)
	w.sb.Faults().Add(sandbox.Fault{Method: "POST", Path: "/v1.0/me/sendMail", Delay: 600 * time.Millisecond, Count: 1})
	var wg sync.WaitGroup
	var first Reply
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, first, _ = call(t, a.URL, "POST", "/v1/conversations/busy/messages", `{"text":"yes","user":"u","id":"confirm"}`)
	}()
	time.Sleep(200 * time.Millisecond)
	var dup, cur Reply
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, dup, _ = call(t, b.URL, "POST", "/v1/conversations/busy/messages", `{"text":"yes","user":"u","id":"confirm"}`)
	}()
	go func() {
		defer wg.Done()
		_, cur, _ = call(t, b.URL, "GET", "/v1/conversations/busy", "")
	}()
	wg.Wait()
	if first.Status != StatusDone || dup.Status != StatusDone || cur.Status != StatusDone {
		t.Fatalf("first %s, duplicate %s, GET %s; want done for all", first.Status, dup.Status, cur.Status)
	}
	if n := w.writes("POST", "/sendMail"); n != 1 {
		t.Fatalf("%d mails sent", n)
	}
}

func TestAPIKey(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	s, _ := w.replica()
	s.cfg.APIKey = []byte("a-long-enough-api-key-for-the-bot-0123456789")
	srv, err := New(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for _, auth := range []string{"", "Bearer wrong", "a-long-enough-api-key-for-the-bot-0123456789"} {
		req, _ := http.NewRequest("GET", ts.URL+"/v1/conversations/c", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", auth, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/v1/conversations/c", nil)
	req.Header.Set("Authorization", "Bearer a-long-enough-api-key-for-the-bot-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("with the key: %d", resp.StatusCode)
	}
	// The page and the health check need no key.
	for _, path := range []string{"/", "/healthz"} {
		if resp, err := http.Get(ts.URL + path); err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s without a key: %v %v", path, resp, err)
		}
	}
}

// The flows API passes the user's zone (IANA or Windows name) to the flow;
// an unknown zone is a 400 naming the field, and nothing starts.
func TestFlowZone(t *testing.T) {
	w := newWorld(t, NewMemoryStore())
	echo, err := engine.Load("zone-echo.yaml", []byte("id: zone-echo\nname: Zone echo\ndescription: Says the zone.\nscopes: [User.Read]\n"+
		"steps:\n  - say: 'zone=${ session.zone } at=${ formatTime(atTime(date(\"2026-07-01\"), \"09:00\", zone), \"-07:00\", zone) }'\n"))
	if err != nil {
		t.Fatal(err)
	}
	w.tpls = append(w.tpls, echo)
	_, ts := w.replica()
	for _, c := range []struct{ zone, want string }{
		{"Europe/Paris", "zone=Europe/Paris at=+02:00"},
		{"Romance Standard Time", "zone=Romance Standard Time at=+02:00"},
		{"", "zone= at=+00:00"},
	} {
		body := `{"template":"zone-echo","user":"u"}`
		if c.zone != "" {
			body = `{"template":"zone-echo","user":"u","zone":"` + c.zone + `"}`
		}
		code, r, raw := call(t, ts.URL, "POST", "/v1/conversations/z/flows", body)
		if code != 200 || r.Status != StatusDone || len(r.Messages) != 1 || r.Messages[0] != c.want {
			t.Errorf("zone %q: %d %+v %v; want the message %q", c.zone, code, r, raw, c.want)
		}
	}
	code, _, raw := call(t, ts.URL, "POST", "/v1/conversations/z2/flows", `{"template":"zone-echo","user":"u","zone":"Mars/Olympus"}`)
	e, _ := raw["error"].(map[string]any)
	if code != 400 || e == nil || e["code"] != "bad_request" || !strings.HasPrefix(fmt.Sprint(e["message"]), "zone: ") || !strings.Contains(fmt.Sprint(e["message"]), "Mars/Olympus") {
		t.Errorf("unknown zone: %d %v; want a 400 bad_request naming zone and the value", code, raw)
	}
	if _, r, _ := call(t, ts.URL, "GET", "/v1/conversations/z2", ""); r.Status != StatusIdle {
		t.Errorf("a flow started despite the unknown zone: %+v", r)
	}

	// A message's zone starts the flow of "run ID" in it; an unknown one
	// is refused before anything runs.
	code, r, raw := call(t, ts.URL, "POST", "/v1/conversations/z3/messages", `{"text":"run zone-echo","user":"u","zone":"Asia/Tokyo"}`)
	if code != 200 || r.Status != StatusDone || len(r.Messages) != 1 || r.Messages[0] != "zone=Asia/Tokyo at=+09:00" {
		t.Errorf("run with a zone: %d %+v %v", code, r, raw)
	}
	code, _, raw = call(t, ts.URL, "POST", "/v1/conversations/z4/messages", `{"text":"run zone-echo","user":"u","zone":"Mars/Olympus"}`)
	if e, _ := raw["error"].(map[string]any); code != 400 || e == nil || !strings.HasPrefix(fmt.Sprint(e["message"]), "zone: ") {
		t.Errorf("run with an unknown zone: %d %v; want a 400 naming zone", code, raw)
	}
	if _, r, _ := call(t, ts.URL, "GET", "/v1/conversations/z4", ""); r.Status != StatusIdle {
		t.Errorf("a flow started despite the message's unknown zone: %+v", r)
	}
}
