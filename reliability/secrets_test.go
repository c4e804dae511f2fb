package reliability

import (
	"bytes"
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
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/internal/testutil"
	"github.com/runflow/runflow/sandbox"
)

// secretBag collects every secret a test run handled: access and refresh
// tokens, authorization codes, PKCE verifiers, client secrets.
type secretBag struct {
	mu   sync.Mutex
	vals map[string]string // value → what it is
}

func (s *secretBag) add(kind, v string) {
	if len(v) < 8 { // too short to grep for without false alarms
		return
	}
	s.mu.Lock()
	if s.vals == nil {
		s.vals = map[string]string{}
	}
	s.vals[v] = kind
	s.mu.Unlock()
}

func (s *secretBag) kinds() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, k := range s.vals {
		out[k]++
	}
	return out
}

// leaks returns what secrets appear in text, raw or URL-encoded.
func (s *secretBag) leaks(text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v, kind := range s.vals {
		if strings.Contains(text, v) || strings.Contains(text, url.QueryEscape(v)) {
			out = append(out, kind)
		}
	}
	return out
}

// secretTap is a transport that reads the identity platform traffic and
// records the secrets in it: the form fields the client sends and the
// tokens it gets back. It does not change anything.
type secretTap struct {
	base http.RoundTripper
	bag  *secretBag
}

func (s *secretTap) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") && req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		for _, k := range []string{"code", "code_verifier", "refresh_token", "client_secret"} {
			s.bag.add(k, form.Get(k))
		}
	}
	resp, err := s.base.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(body, &tok) == nil {
		s.bag.add("access_token", tok.AccessToken)
		s.bag.add("refresh_token", tok.RefreshToken)
	}
	return resp, nil
}

const (
	botClientID     = "6a1f3c2e-8d4b-4f7a-9e2c-1b3d5f7a9c0e"
	botClientSecret = "bot-client-secret~K7q.Zx9-reliability"
)

// botRig is a sandbox with a fake clock, a confidential bot app registered
// with it, and a BotSignIn provider serving its callback on loopback, with
// every secret of the identity traffic recorded in bag.
type botRig struct {
	clk  *testutil.Clock
	sb   *sandbox.Server
	ts   *httptest.Server
	bot  *auth.BotSignIn
	bag  *secretBag
	logs *testutil.SyncBuffer
}

func newBotRig(t *testing.T) *botRig {
	t.Helper()
	clk := testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: clk.Now})
	bag := &secretBag{}
	bag.add("client_secret", botClientSecret)
	tap := &http.Client{Transport: &secretTap{base: ts.Client().Transport, bag: bag}, Timeout: 10 * time.Second}

	t.Setenv("RUNFLOW_RELIABILITY_BOT_SECRET", botClientSecret)
	var handler http.Handler = http.NotFoundHandler()
	botSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(botSrv.Close)
	callback := botSrv.URL + "/auth/callback"
	sb.RegisterClient(sandbox.Client{ID: botClientID, Name: "reliability bot", Secret: botClientSecret, RedirectURIs: []string{callback}})
	sb.ApproveSignIns("")
	logs := &testutil.SyncBuffer{}
	bot, err := auth.NewBotSignIn(auth.BotConfig{
		Profile: &auth.Profile{Name: "bot", ClientID: botClientID, ClientSecret: "env:RUNFLOW_RELIABILITY_BOT_SECRET",
			Tenant: sb.TenantID(), Authority: ts.URL, RedirectURL: callback},
		Store: auth.NewMemoryStore(), CallbackURL: callback,
		StateKey:   []byte("0123456789abcdef0123456789abcdef-reliability"),
		HTTPClient: tap, Now: clk.Now,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(bot.CallbackPath(), bot.CallbackHandler())
	handler = mux
	return &botRig{clk: clk, sb: sb, ts: ts, bot: bot, bag: bag, logs: logs}
}

// engine is an engine on the rig's sandbox whose tokens come from the bot.
func (b *botRig) engine(t *testing.T, trace func(graph.TraceEvent)) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.Config{GraphURL: b.ts.URL + "/v1.0", HTTPClient: b.ts.Client(), Auth: b.bot, Now: b.clk.Now, Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// open follows a sign-in link as a browser and returns the status, the
// page and the magic code on it ("" when none), recording codes seen.
func (b *botRig) open(t *testing.T, link string) (int, string, string) {
	t.Helper()
	browser := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		b.bag.add("code", r.URL.Query().Get("code"))
		return nil
	}}
	resp, err := browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	code := ""
	if m := magicCodeRE.FindStringSubmatch(string(page)); m != nil {
		code = m[1]
	}
	return resp.StatusCode, string(page), code
}

var magicCodeRE = regexp.MustCompile(`class="code">(\d{6})<`)

// TestSecretsNeverLeak runs a bot conversation end to end: the user is
// sent a sign-in link mid-flow (authorization code with PKCE, confidential
// client), types back the magic code, the flow resumes and writes; an hour
// later the token is refreshed; a dry run, a paused question, failing flows
// (Graph errors, a revoked refresh token, a 401) follow. Every byte of every
// trace event, turn (questions, messages, outputs, errors, dry-run
// requests, saved states), bot log line and sign-in page is searched for
// every access token, refresh token, authorization code, PKCE verifier and
// client secret used: none appears.
func TestSecretsNeverLeak(t *testing.T) {
	br := newBotRig(t)
	clk, sb, bag := br.clk, br.sb, br.bag
	traces := &traceLog{}
	e := br.engine(t, traces.add)
	var seen strings.Builder // everything a user, a log or a store could see
	record := func(what string) func(*engine.Turn, error) *engine.Turn {
		return func(turn *engine.Turn, err error) *engine.Turn {
			if err != nil {
				seen.WriteString(what + ": " + err.Error() + "\n")
				return nil
			}
			seen.WriteString(what + ": " + turnText(turn) + "\n")
			return turn
		}
	}
	ctx := ctxTimeout(t, 60*time.Second)
	alice := engine.StartOptions{Subject: "user-alice", Conversation: "conv-1"}

	// 1. Mid-flow sign-in with a magic code, then the write.
	opts := alice
	opts.Inputs = map[string]any{"name": "Secret-free list"}
	turn := record("start")(e.Start(ctx, builtin(t, "create-todo-list"), opts))
	if turn == nil || turn.Kind != engine.KindSignIn || turn.SignIn.URL == "" {
		t.Fatalf("want a sign-in turn, got %+v", turn)
	}
	_, page, code := br.open(t, turn.SignIn.URL)
	seen.WriteString("callback page: " + page + "\n")
	if code == "" {
		t.Fatalf("no magic code on the callback page: %s", page)
	}
	turn = record("resume wrong code")(e.Resume(ctx, turn.State, "000000"))
	if turn == nil || turn.Kind != engine.KindSignIn {
		t.Fatalf("a wrong magic code: want the sign-in asked again, got %+v", turn)
	}
	turn = record("resume")(e.Resume(ctx, turn.State, code))
	if turn == nil || turn.Kind != engine.KindDone {
		t.Fatalf("after the magic code: %+v", turn)
	}

	// 2. An hour later: the access token is refreshed (rotating the
	// refresh token) for a read.
	clk.Advance(2 * time.Hour)
	record("list after refresh")(e.Run(ctx, builtin(t, "list-todo-lists"), alice))

	// 3. A dry run and a paused question.
	opts = alice
	opts.DryRun, opts.AutoConfirm = true, true
	opts.Inputs = map[string]any{"to": "bob@example.com", "subject": "dry", "body": "not sent"}
	if turn := record("dry run")(e.Run(ctx, builtin(t, "send-mail"), opts)); turn == nil || turn.Status != engine.StatusDryRun {
		t.Fatalf("dry run: %+v", turn)
	}
	if turn := record("question")(e.Start(ctx, builtin(t, "send-mail"), alice)); turn == nil || turn.Kind != engine.KindQuestion || len(turn.State) == 0 {
		t.Fatalf("question: %+v", turn)
	}

	// 4. Failing flows: a Graph error, an injected 503 storm, a revoked
	// refresh token (the user must sign in again).
	sb.Faults().Add(sandbox.Fault{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 503, RetryAfter: "0", Count: 10})
	opts = alice
	opts.Inputs = map[string]any{"name": "fails"}
	record("503s")(e.Run(ctx, builtin(t, "create-todo-list"), opts))
	sb.Faults().Clear()
	opts.Inputs = map[string]any{"list": "no-such-list"}
	record("unknown list")(e.Run(ctx, builtin(t, "list-tasks"), opts))
	sb.RevokeRefreshTokens(sb.Users()[0].ID)
	clk.Advance(2 * time.Hour)
	if turn := record("revoked")(e.Run(ctx, builtin(t, "list-todo-lists"), alice)); turn == nil || turn.Kind != engine.KindSignIn {
		t.Errorf("after the refresh token was revoked: want a sign-in turn, got %+v", turn)
	}

	seen.WriteString("traces:\n" + traces.text())
	seen.WriteString("bot log:\n" + br.logs.String())
	kinds := bag.kinds()
	for _, k := range []string{"access_token", "refresh_token", "code", "code_verifier", "client_secret"} {
		if kinds[k] == 0 {
			t.Errorf("the run handled no %s: the test proves nothing about it (handled: %v)", k, kinds)
		}
	}
	if kinds["access_token"] < 2 {
		t.Errorf("want at least 2 access tokens (sign-in and refresh), got %d", kinds["access_token"])
	}
	if leaks := bag.leaks(seen.String()); len(leaks) > 0 {
		t.Errorf("secrets leaked: %v", leaks)
	}
	if len(traces.events) < 5 {
		t.Errorf("only %d trace events: the trace was not exercised", len(traces.events))
	}
	t.Logf("searched %d bytes for %d secrets %v", seen.Len(), len(bag.vals), kinds)
}

// data decodes the sandbox's current data.
func (b *botRig) data(t *testing.T) *sandbox.Data {
	t.Helper()
	return (&rig{sb: b.sb}).data(t)
}
