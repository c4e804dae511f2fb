package bot

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

var magicCodeRE = regexp.MustCompile(`class="code">(\d{6})<`)

// A user signs in in the middle of a flow with three replicas on one
// Redis: the link is issued by replica 0, its callback lands on replica 1
// and the magic code is typed to replica 2. The flow goes on and the list
// is created once.
func TestSignInAcrossReplicas(t *testing.T) {
	store := newTestRedis(t, time.Hour)
	sb, sbts := sandbox.NewTestServer(t, sandbox.Options{MaxConcurrentPerMailbox: -1})
	const clientID, secret = "33334444-aaaa-5555-bbbb-6666cccc7777", "bot-secret-value-for-replicas"
	t.Setenv("RUNFLOW_TEST_REPLICA_SECRET", secret)
	tpls, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}

	// The load balancer: every request goes to the replica the test names.
	var target atomic.Int32
	var handlers [3]http.Handler
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[target.Load()].ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	callback := lb.URL + "/auth/callback"
	sb.RegisterClient(sandbox.Client{ID: clientID, Name: "runflow serve", Secret: secret, RedirectURIs: []string{callback}})
	sb.ApproveSignIns("")
	key := []byte("a-state-key-shared-by-every-replica-0123456789")
	for i := range handlers {
		profile := &auth.Profile{Name: "bot", ClientID: clientID, ClientSecret: "env:RUNFLOW_TEST_REPLICA_SECRET",
			Tenant: sb.TenantID(), Authority: sbts.URL, RedirectURL: callback}
		tokens, err := store.Tokens(key)
		if err != nil {
			t.Fatal(err)
		}
		si, err := auth.NewBotSignIn(auth.BotConfig{Profile: profile, Store: tokens, Pending: store,
			CallbackURL: callback, StateKey: key, HTTPClient: sbts.Client()})
		if err != nil {
			t.Fatal(err)
		}
		eng, err := engine.New(engine.Config{GraphURL: sbts.URL + "/v1.0", Auth: si, Templates: tpls, StateKey: EngineStateKey(key)})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{Engine: eng, Templates: tpls, Store: store, SignIn: si})
		if err != nil {
			t.Fatal(err)
		}
		handlers[i] = s.Handler()
	}

	target.Store(0)
	if _, r, _ := call(t, lb.URL, "POST", "/v1/conversations/c1/flows", `{"template":"create-todo-list","user":"alice"}`); r.Status != StatusQuestion {
		t.Fatalf("start: %+v", r)
	}
	_, r, _ := call(t, lb.URL, "POST", "/v1/conversations/c1/messages", `{"text":"Signed-in list","user":"alice","id":"m1"}`)
	if r.Status != StatusSignIn || r.SignIn == nil || r.SignIn.URL == "" {
		t.Fatalf("answer before signing in: %+v", r)
	}

	// The browser follows the link; the redirect back lands on replica 1.
	target.Store(1)
	resp, err := sbts.Client().Get(r.SignIn.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := magicCodeRE.FindStringSubmatch(string(page))
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("callback on another replica: %d %s", resp.StatusCode, page)
	}
	// The same link again, on replica 2: already used.
	target.Store(2)
	resp, err = sbts.Client().Get(r.SignIn.URL)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`already used`).Match(again) {
		t.Fatalf("the link used twice: %d %s", resp.StatusCode, again)
	}

	// The code is typed to replica 2.
	_, r, _ = call(t, lb.URL, "POST", "/v1/conversations/c1/messages", jsonBody(MessageRequest{Text: m[1], User: "alice", ID: "m2"}))
	if r.Status != StatusDone || r.Outputs["name"] != "Signed-in list" {
		t.Fatalf("after the code on a third replica: %+v", r)
	}
	// Replica 0 uses the grant stored by replica 2.
	target.Store(0)
	call(t, lb.URL, "POST", "/v1/conversations/c2/flows", `{"template":"create-todo-list","user":"alice"}`)
	_, r, _ = call(t, lb.URL, "POST", "/v1/conversations/c2/messages", `{"text":"Second list","user":"alice"}`)
	if r.Status != StatusDone {
		t.Fatalf("a second flow of the signed-in user on replica 0: %+v", r)
	}
	n := 0
	for _, req := range sb.Requests() {
		if req.Method == "POST" && req.Path == "/v1.0/me/todo/lists" && req.Status == 201 {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d lists created, want 2", n)
	}
}
