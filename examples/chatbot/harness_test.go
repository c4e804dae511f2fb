package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

// The tests run the real bot on loopback against the sandbox (Graph and
// the identity platform in process): messages go through POST /messages,
// sign-in links are followed with an HTTP client through the sandbox's
// /authorize to the bot's callback. Nothing is mocked.

const demoUPN = "AdeleV@contoso.onmicrosoft.com"

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a sandbox, a bot server on loopback, and the stores a
// "restart" keeps.
type harness struct {
	t        testing.TB
	sb       *sandbox.Server
	sbURL    string
	sbClient *http.Client
	botURL   string
	client   *http.Client
	tokens   auth.Store
	sessions SessionStore
	log      *syncBuffer
	now      func() time.Time
	profile  *auth.Profile
	// key is the bot's signing key, kept across restarts as a deployment
	// with --state-key-file keeps it.
	key []byte

	// templates replace the built-ins at the next restart when set.
	templates []*engine.Template

	mu      sync.Mutex
	current *botServer
}

type harnessOptions struct {
	sessions SessionStore
	tokens   auth.Store
	now      func() time.Time
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	if o.sessions == nil {
		o.sessions = &MemorySessions{}
	}
	if o.tokens == nil {
		o.tokens = auth.NewMemoryStore()
	}
	if o.now == nil {
		o.now = time.Now
	}
	// No per-mailbox throttling: every test user acts on the demo mailbox.
	sb, sbts := sandbox.NewTestServer(t, sandbox.Options{Now: o.now, MaxConcurrentPerMailbox: -1})
	h := &harness{
		t: t, sb: sb, sbURL: sbts.URL, sbClient: sbts.Client(), tokens: o.tokens, sessions: o.sessions,
		log: &syncBuffer{}, now: o.now,
		key: []byte(time.Now().String() + "-a-test-key-that-is-long-enough"),
	}
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		cur := h.current
		h.mu.Unlock()
		cur.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(bot.Close)
	h.botURL, h.client = bot.URL, bot.Client()
	h.profile = &auth.Profile{
		Name: "sandbox-bot", ClientID: sandbox.DefaultClientID, Tenant: sb.TenantID(),
		Authority: sbts.URL, RedirectURL: bot.URL + callbackPath,
	}
	h.restart()
	return h
}

// restart replaces the bot with a new instance on the same stores, as a
// redeployed process would be: same signing key, nothing in memory.
func (h *harness) restart() {
	h.t.Helper()
	ts, err := loadTemplates("", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.templates != nil {
		ts = h.templates
	}
	bs, err := build(wiring{
		GraphURL: h.sbURL + "/v1.0", GraphClient: h.sbClient, Profile: h.profile, IdentityClient: h.sbClient,
		CallbackURL: h.profile.RedirectURL, StateKey: h.key, Tokens: h.tokens, Sessions: h.sessions,
		Templates: ts, Now: h.now,
		Log: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.current = bs
	h.mu.Unlock()
}

// send posts one message and decodes the reply.
func (h *harness) send(conv, user, text string) Reply {
	h.t.Helper()
	r, status, body := h.post(Message{Conversation: conv, User: user, Text: text})
	if status != http.StatusOK {
		h.t.Fatalf("POST /messages %q: %d %s", text, status, body)
	}
	return r
}

// post sends a message and returns the reply, the status and the raw body;
// safe to call from several goroutines.
func (h *harness) post(m Message) (Reply, int, string) {
	js, _ := json.Marshal(m)
	resp, err := h.client.Post(h.botURL+messagesPath, "application/json", bytes.NewReader(js))
	if err != nil {
		return Reply{}, 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r Reply
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &r); err != nil {
			return Reply{}, resp.StatusCode, "undecodable reply: " + string(body)
		}
	}
	return r, resp.StatusCode, string(body)
}

var magicCodeRE = regexp.MustCompile(`class="code">(\d{6})<`)

// follow opens a sign-in link as a browser would, with the sandbox
// approving the sign-in as user, and returns the final page's status, text
// and the magic code on it ("" when none).
func (h *harness) follow(link, user string) (int, string, string) {
	h.t.Helper()
	h.sb.ApproveSignIns(user)
	defer h.sb.InteractiveSignIns()
	browser := &http.Client{Timeout: 10 * time.Second}
	resp, err := browser.Get(link)
	if err != nil {
		h.t.Fatalf("following the sign-in link: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	code := ""
	if m := magicCodeRE.FindSubmatch(body); m != nil {
		code = string(m[1])
	}
	return resp.StatusCode, string(body), code
}

// signIn drives a sign-in reply to the end: follow the link as user, type
// the code into the conversation, and return the reply to the code.
func (h *harness) signIn(r Reply, conv, chatUser, signInAs string) Reply {
	h.t.Helper()
	if r.Kind != KindSignIn || r.SignInURL == "" {
		h.t.Fatalf("want a sign-in reply with a link, got %+v", r)
	}
	status, page, code := h.follow(r.SignInURL, signInAs)
	if status != http.StatusOK || code == "" {
		h.t.Fatalf("sign-in page: %d %q, want a magic code", status, page)
	}
	return h.send(conv, chatUser, code)
}

// preAuthorize stores a grant for a bot user, as if they had signed in
// before: the developer pre-authorizes, or an earlier conversation did.
func (h *harness) preAuthorize(user string) {
	h.t.Helper()
	tok := h.sb.Token(auth.DefaultScopes...)
	err := h.tokens.Save(context.Background(), &auth.StoredToken{
		Profile: h.profile.Name, Subject: user, AccessToken: tok, TokenType: "Bearer",
		Expiry: h.now().Add(time.Hour), Scopes: auth.DefaultScopes, Updated: h.now(),
		Identity: h.profile.Identity(),
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// listNames returns the display names of the To Do lists of the sandbox
// user with the given id (the demo user when empty).
func (h *harness) listNames(userID string) []string {
	h.t.Helper()
	var tok string
	if userID == "" {
		tok = h.sb.Token("Tasks.Read")
	} else {
		tok = h.sb.IssueToken(sandbox.Grant{UserID: userID, ClientID: sandbox.DefaultClientID, TenantID: h.sb.TenantID(),
			Scopes: []string{"Tasks.Read"}, Expiry: h.now().Add(time.Hour)})
	}
	req, _ := http.NewRequest(http.MethodGet, h.sbURL+"/v1.0/me/todo/lists?$top=1000", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := h.sbClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Value []struct {
			DisplayName string `json:"displayName"`
		} `json:"value"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil {
		h.t.Fatalf("listing To Do lists: %d", resp.StatusCode)
	}
	var names []string
	for _, l := range body.Value {
		names = append(names, l.DisplayName)
	}
	return names
}

// writes counts the requests that created To Do lists.
func (h *harness) listCreations() int {
	n := 0
	for _, r := range h.sb.Requests() {
		if r.Method == http.MethodPost && strings.EqualFold(r.Path, "/v1.0/me/todo/lists") {
			n++
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func userID(t *testing.T, sb *sandbox.Server, upn string) string {
	t.Helper()
	u, ok := sb.LookupUser(upn)
	if !ok {
		t.Fatalf("no sandbox user %s", upn)
	}
	return u.ID
}

// linkParams returns the query of a sign-in link.
func linkParams(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("sign-in link %q: %v", link, err)
	}
	return u.Query()
}
