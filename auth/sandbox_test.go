package auth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/internal/testutil"
	"github.com/runflow/runflow/sandbox"
)

// The tests in this package run the real providers against the sandbox's
// identity platform on loopback: no function is mocked.

const demoUserID = "5f1c2a9e-3b7d-4e8a-9c61-0d2e4f6a8b1c"
const demoUPN = "AdeleV@contoso.onmicrosoft.com"

// env is one test's sandbox, clock, store and log.
type env struct {
	t       *testing.T
	sb      *sandbox.Server
	ts      *httptest.Server
	clock   *testutil.Clock
	store   *auth.MemoryStore
	logBuf  *testutil.SyncBuffer
	log     *slog.Logger
	profile *auth.Profile
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: c.Now})
	buf := &testutil.SyncBuffer{}
	p := auth.SystemProfile().WithAuthority(ts.URL)
	p.RedirectURL = "http://127.0.0.1"
	return &env{
		t: t, sb: sb, ts: ts, clock: c, store: auth.NewMemoryStore(), logBuf: buf,
		log:     slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		profile: p,
	}
}

// browser is an HTTP client that follows redirects like a browser would,
// from the sandbox's sign-in to the loopback or bot callback.
func (e *env) browser() *http.Client {
	return &http.Client{Timeout: 10 * time.Second}
}

// visit follows url and returns the final status and body.
func (e *env) visit(url string) (int, string) {
	e.t.Helper()
	resp, err := e.browser().Get(url)
	if err != nil {
		e.t.Fatalf("visiting the sign-in URL: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// loginOptions are the options of a sign-in in this env.
func (e *env) loginOptions() auth.LoginOptions {
	return auth.LoginOptions{Store: e.store, Now: e.clock.Now, HTTPClient: e.ts.Client(), Log: e.log}
}

// loginLoopback signs the demo user in through the real loopback flow.
func (e *env) loginLoopback(scopes ...string) *auth.StoredToken {
	e.t.Helper()
	e.sb.ApproveSignIns("")
	opts := e.loginOptions()
	opts.Scopes = scopes
	opts.OpenBrowser = func(u string) error {
		go e.visit(u)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := auth.LoginLoopback(ctx, e.profile, opts)
	if err != nil {
		e.t.Fatalf("LoginLoopback: %v", err)
	}
	return st
}

func (e *env) userProvider() *auth.UserProvider {
	e.t.Helper()
	p, err := auth.NewUserProvider(auth.UserConfig{Profile: e.profile, Store: e.store, HTTPClient: e.ts.Client(), Now: e.clock.Now, Log: e.log})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// graphGet calls the sandbox's Graph with tok and returns the status.
func (e *env) graphGet(path, tok string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v1.0"+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// secrets collects every token, code and secret seen in a test, to check
// that none leaks into an error or a log.
type secrets struct {
	mu   sync.Mutex
	vals []string
}

func (s *secrets) add(v ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range v {
		if len(x) >= 6 {
			s.vals = append(s.vals, x)
		}
	}
}

func (s *secrets) addToken(st *auth.StoredToken) {
	if st != nil {
		s.add(st.AccessToken, st.RefreshToken)
	}
}

// check fails if text contains any collected secret.
func (s *secrets) check(t *testing.T, what, text string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.vals {
		if strings.Contains(text, v) {
			t.Errorf("%s contains a secret (%d chars starting %q)", what, len(v), v[:3])
		}
	}
}

// rebind binds the stored grant of the default subject to p, as a sign-in
// with p would have.
func (e *env) rebind(p *auth.Profile) {
	e.t.Helper()
	st, err := e.store.Load(context.Background(), p.Name, auth.DefaultSubject)
	if err != nil {
		e.t.Fatal(err)
	}
	st.Identity = p.Identity()
	if err := e.store.Save(context.Background(), st); err != nil {
		e.t.Fatal(err)
	}
}
