package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

const botClientID = "22223333-cccc-4444-dddd-5555eeee6666"
const botSecret = "bot-client-secret-value-42"

// botEnv is a bot serving the sign-in callback on its own loopback server.
type botEnv struct {
	*env
	bot     *auth.BotSignIn
	server  *httptest.Server
	secrets *secrets
	errs    []string
}

func newBotEnv(t *testing.T) *botEnv {
	t.Helper()
	e := newEnv(t)
	t.Setenv("RUNFLOW_TEST_BOT_SECRET", botSecret)
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	callback := srv.URL + "/auth/callback"
	e.sb.RegisterClient(sandbox.Client{ID: botClientID, Name: "runflow bot", Secret: botSecret, RedirectURIs: []string{callback}})
	e.sb.ApproveSignIns("")
	profile := &auth.Profile{Name: "bot", ClientID: botClientID, ClientSecret: "env:RUNFLOW_TEST_BOT_SECRET",
		Tenant: e.sb.TenantID(), Authority: e.ts.URL, RedirectURL: callback}
	bot, err := auth.NewBotSignIn(auth.BotConfig{
		Profile: profile, Store: e.store, CallbackURL: callback,
		StateKey:   []byte("0123456789abcdef0123456789abcdef-test-key"),
		HTTPClient: e.ts.Client(), Now: e.clock.Now, Log: e.log,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(bot.CallbackPath(), bot.CallbackHandler())
	handler = mux
	s := &secrets{}
	s.add(botSecret)
	return &botEnv{env: e, bot: bot, server: srv, secrets: s}
}

// signInLink asks for a token and expects a sign-in link.
func (b *botEnv) signInLink(req auth.Request) string {
	b.t.Helper()
	_, err := b.bot.Token(context.Background(), req)
	b.noteErr(err)
	sir, ok := auth.IsSignInRequired(err)
	if !ok || sir.URL == "" || !sir.MagicCode {
		b.t.Fatalf("Token = %v, want a sign-in link with a magic code", err)
	}
	return sir.URL
}

var magicRE = regexp.MustCompile(`class="code">(\d{6})<`)

// open follows a sign-in link as the user's browser and returns the page
// and the magic code on it, if any. Authorization codes seen on the way
// are recorded as secrets.
func (b *botEnv) open(link string) (int, string, string) {
	b.t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		b.secrets.add(r.URL.Query().Get("code"))
		return nil
	}}
	resp, err := c.Get(link)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	code := ""
	if m := magicRE.FindStringSubmatch(page); m != nil {
		code = m[1]
		b.secrets.add(code)
	}
	return resp.StatusCode, page, code
}

func (b *botEnv) noteErr(err error) {
	if err != nil {
		b.errs = append(b.errs, err.Error())
	}
}

func (b *botEnv) complete(req auth.Request, answer string) error {
	err := b.bot.CompleteSignIn(context.Background(), req, answer)
	b.noteErr(err)
	return err
}

func TestBotConversationSignInWithMagicCode(t *testing.T) {
	b := newBotEnv(t)
	alice := auth.Request{Subject: "user-alice", Conversation: "conv-1", Scopes: []string{"Mail.Send"}}
	link := b.signInLink(alice)
	u, _ := url.Parse(link)
	if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != b.server.URL+"/auth/callback" || strings.Contains(link, "user-alice") || strings.Contains(link, "conv-1") {
		t.Fatalf("link %s: want PKCE, the bot's callback, and neither the user nor the conversation in clear", link)
	}
	status, page, code := b.open(link)
	if status != 200 || code == "" {
		t.Fatalf("callback page %d %q, want a magic code", status, page)
	}
	// Nothing is usable before the code is typed back.
	if _, err := b.bot.Token(context.Background(), alice); err == nil {
		t.Fatal("token usable before the magic code was typed")
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for _, tc := range []struct {
		name string
		req  auth.Request
		code string
		want error
	}{
		{"another conversation", auth.Request{Subject: "user-alice", Conversation: "conv-2"}, code, auth.ErrNoPendingSignIn},
		{"another user", auth.Request{Subject: "user-mallory", Conversation: "conv-1"}, code, auth.ErrNoPendingSignIn},
		{"wrong code", alice, wrong, auth.ErrWrongMagicCode},
	} {
		if err := b.complete(tc.req, tc.code); !errors.Is(err, tc.want) {
			t.Errorf("%s: CompleteSignIn = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Refusals ask again rather than fail: a wrong code keeps the sign-in
	// waiting; no sign-in waiting gives a new link.
	err := b.complete(alice, wrong)
	if sir, ok := auth.IsSignInRequired(err); !ok || sir.URL != "" || !sir.MagicCode || !strings.Contains(sir.Reason, "1 try left") {
		t.Errorf("wrong code: %v (%+v), want a sign-in request without a new link", err, sir)
	}
	err = b.complete(auth.Request{Subject: "user-alice", Conversation: "conv-2"}, code)
	if sir, ok := auth.IsSignInRequired(err); !ok || sir.URL == "" || !sir.MagicCode {
		t.Errorf("no sign-in waiting: %v, want a new link", err)
	}
	if err := b.complete(alice, " "+code[:3]+" "+code[3:]+" "); err != nil {
		t.Fatalf("right code (typed with spaces): %v", err)
	}
	tok, err := b.bot.Token(context.Background(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.graphGet("/me", tok.AccessToken); got != 200 {
		t.Errorf("GET /me with the bot user's token: %d", got)
	}
	if err := b.complete(alice, code); err != nil {
		t.Errorf("typing the code again once signed in: %v, want no error", err)
	}
	// The link's state is single-use: opening it again is refused.
	if status, page, code := b.open(link); status != http.StatusBadRequest || code != "" || !strings.Contains(page, "already used") {
		t.Errorf("replayed link: %d %q", status, page)
	}
	b.checkNoSecrets(t)
}

func TestBotLinkExpiresAndCannotBeForged(t *testing.T) {
	b := newBotEnv(t)
	req := auth.Request{Subject: "u1", Conversation: "c1"}
	link := b.signInLink(req)
	b.clock.Advance(auth.DefaultLinkTTL + time.Second)
	if status, page, code := b.open(link); status != http.StatusBadRequest || code != "" || !strings.Contains(page, "expired") {
		t.Errorf("expired link: %d %q", status, page)
	}

	link = b.signInLink(req)
	u, _ := url.Parse(link)
	q := u.Query()
	state := q.Get("state")
	payload, sig, _ := strings.Cut(state, ".")
	for name, forged := range map[string]string{
		"flipped signature": payload + "." + flip(sig),
		"other payload":     flip(payload) + "." + sig,
		"no signature":      payload,
		"empty":             "",
	} {
		q.Set("state", forged)
		u.RawQuery = q.Encode()
		if status, page, code := b.open(u.String()); status != http.StatusBadRequest || code != "" || !strings.Contains(page, "not valid") {
			t.Errorf("%s: %d %q", name, status, page)
		}
	}
	// The genuine link still works after the forgeries.
	if _, _, code := b.open(link); code == "" {
		t.Error("the genuine link stopped working")
	}
}

func flip(s string) string {
	if s == "" {
		return "x"
	}
	c := s[len(s)-2]
	r := byte('A')
	if c == 'A' {
		r = 'B'
	}
	return s[:len(s)-2] + string(r) + s[len(s)-1:]
}

func TestBotMagicCodeLimits(t *testing.T) {
	t.Run("too many wrong codes", func(t *testing.T) {
		b := newBotEnv(t)
		req := auth.Request{Subject: "u1", Conversation: "c1"}
		_, _, code := b.open(b.signInLink(req))
		var err error
		for i := 0; i < auth.DefaultMaxCodeAttempts; i++ {
			err = b.complete(req, "99999"+fmt.Sprint(i))
		}
		if !errors.Is(err, auth.ErrTooManyAttempts) {
			t.Fatalf("after %d wrong codes: %v", auth.DefaultMaxCodeAttempts, err)
		}
		if err := b.complete(req, code); !errors.Is(err, auth.ErrNoPendingSignIn) {
			t.Fatalf("right code after the sign-in was discarded: %v", err)
		}
	})
	t.Run("code expires", func(t *testing.T) {
		b := newBotEnv(t)
		req := auth.Request{Subject: "u1", Conversation: "c1"}
		_, _, code := b.open(b.signInLink(req))
		b.clock.Advance(auth.DefaultMagicCodeTTL + time.Second)
		if err := b.complete(req, code); !errors.Is(err, auth.ErrMagicCodeExpired) {
			t.Fatalf("late code: %v", err)
		}
	})
	t.Run("user cancels at the identity platform", func(t *testing.T) {
		b := newBotEnv(t)
		b.sb.DeclineSignIns()
		status, page, code := b.open(b.signInLink(auth.Request{Subject: "u1", Conversation: "c1"}))
		if status != 200 || code != "" || !strings.Contains(page, "cancelled") {
			t.Fatalf("cancelled sign-in: %d %q", status, page)
		}
	})
}

func TestBotNeedsSubjectAndConversation(t *testing.T) {
	b := newBotEnv(t)
	if _, err := b.bot.Token(context.Background(), auth.Request{Subject: "u1"}); err == nil || !strings.Contains(err.Error(), "Conversation") {
		t.Fatalf("err = %v", err)
	}
	var _ auth.SignInCompleter = b.bot
	var _ auth.Invalidator = b.bot
	if _, err := auth.NewBotSignIn(auth.BotConfig{Profile: b.profile, Store: b.store, CallbackURL: "https://bot.example/cb", StateKey: []byte("short")}); err == nil {
		t.Error("a short state key was accepted")
	}
}

// checkNoSecrets looks for every token, code and secret of the test in the
// errors returned and in the log.
func (b *botEnv) checkNoSecrets(t *testing.T) {
	t.Helper()
	st, err := b.store.Load(context.Background(), "bot", "user-alice")
	if err == nil {
		b.secrets.addToken(st)
	}
	b.secrets.check(t, "the log", b.logBuf.String())
	for _, e := range b.errs {
		b.secrets.check(t, "an error", e)
	}
	if len(b.errs) < 4 {
		t.Errorf("only %d errors were collected; the check proves little", len(b.errs))
	}
}

// recordingSignIns is a shared SignInStore that keeps every value put, to
// check what a store shared by replicas sees.
type recordingSignIns struct {
	auth.MemorySignInStore
	mu  sync.Mutex
	put [][]byte
}

func (r *recordingSignIns) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	r.mu.Lock()
	r.put = append(r.put, append([]byte(key+"="), value...))
	r.mu.Unlock()
	return r.MemorySignInStore.Put(ctx, key, value, ttl)
}

// Two BotSignIns sharing a SignInStore (two replicas): the link made by
// one completes on the other's callback, the code typed to the first
// works, and the store sees neither user, conversation, verifier nor token
// in clear.
func TestBotSignInSharedPendingStore(t *testing.T) {
	b := newBotEnv(t)
	shared := &recordingSignIns{}
	shared.Now = b.clock.Now
	callback := b.server.URL + "/auth/callback"
	mk := func() *auth.BotSignIn {
		profile := &auth.Profile{Name: "bot", ClientID: botClientID, ClientSecret: "env:RUNFLOW_TEST_BOT_SECRET",
			Tenant: b.sb.TenantID(), Authority: b.ts.URL, RedirectURL: callback}
		bot, err := auth.NewBotSignIn(auth.BotConfig{Profile: profile, Store: b.store, CallbackURL: callback, Pending: shared,
			StateKey: []byte("0123456789abcdef0123456789abcdef-test-key"), HTTPClient: b.ts.Client(), Now: b.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return bot
	}
	one, two := mk(), mk()
	b.bot = two // the callback server serves replica two
	mux := http.NewServeMux()
	mux.Handle(two.CallbackPath(), two.CallbackHandler())
	b.server.Config.Handler = mux
	req := auth.Request{Subject: "user-alice", Conversation: "conv-1", Scopes: []string{"Mail.Send"}}
	_, err := one.Token(context.Background(), req)
	sir, ok := auth.IsSignInRequired(err)
	if !ok || sir.URL == "" {
		t.Fatalf("Token = %v", err)
	}
	status, page, code := b.open(sir.URL)
	if status != 200 || code == "" {
		t.Fatalf("callback on the other replica: %d %s", status, page)
	}
	if err := one.CompleteSignIn(context.Background(), req, code); err != nil {
		t.Fatalf("code typed to the first replica: %v", err)
	}
	if _, err := one.Token(context.Background(), req); err != nil {
		t.Fatalf("Token after signing in: %v", err)
	}
	tok, _ := b.store.Load(context.Background(), "bot", "user-alice")
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if len(shared.put) < 2 {
		t.Fatalf("%d records put in the shared store, want the link and the code", len(shared.put))
	}
	for _, v := range shared.put {
		for _, secret := range []string{"user-alice", "conv-1", tok.AccessToken, tok.RefreshToken, code} {
			if secret != "" && bytes.Contains(v, []byte(secret)) {
				t.Errorf("the shared store saw %q in clear", secret)
			}
		}
	}
}
