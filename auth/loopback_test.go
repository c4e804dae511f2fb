package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

func TestLoginLoopbackEndToEnd(t *testing.T) {
	e := newEnv(t)
	var finalStatus int
	var finalBody string
	done := make(chan struct{})
	e.sb.ApproveSignIns("")
	opts := e.loginOptions()
	var printed strings.Builder
	opts.Out = &printed
	opts.OpenBrowser = func(u string) error {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Errorf("sign-in URL %q: %v", u, err)
		}
		q := parsed.Query()
		if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") == "" ||
			!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") || !strings.Contains(q.Get("scope"), "offline_access") {
			t.Errorf("sign-in URL query %v", q)
		}
		go func() {
			finalStatus, finalBody = e.visit(u)
			close(done)
		}()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := auth.LoginLoopback(ctx, e.profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if finalStatus != http.StatusOK || !strings.Contains(finalBody, "You are signed in") {
		t.Errorf("browser ended on %d %q", finalStatus, finalBody)
	}
	if !strings.Contains(printed.String(), "http://") {
		t.Errorf("the URL was not printed: %q", printed.String())
	}
	if st.Account.Username != demoUPN || st.Account.ObjectID != demoUserID || st.Account.TenantID != e.sb.TenantID() || st.RefreshToken == "" {
		t.Errorf("stored token %v, account %+v", st, st.Account)
	}
	for _, want := range []string{"Mail.Send", "Calendars.ReadWrite", "Tasks.ReadWrite", "MailboxSettings.Read", "User.Read"} {
		if auth.MissingScopes(st.Scopes, []string{want}) != nil {
			t.Errorf("granted scopes %v lack %s", st.Scopes, want)
		}
	}
	if !st.Expiry.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("expiry %v, want an hour after the test clock", st.Expiry)
	}
	// The grant is stored and the provider gives a token Graph accepts.
	tok, err := e.userProvider().Token(ctx, auth.Request{Scopes: []string{"User.Read"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.graphGet("/me", tok.AccessToken); got != http.StatusOK {
		t.Errorf("GET /me with the signed-in token: %d", got)
	}
}

func TestLoginLoopbackCancelledByUser(t *testing.T) {
	e := newEnv(t)
	e.sb.DeclineSignIns()
	opts := e.loginOptions()
	opts.OpenBrowser = func(u string) error { go e.visit(u); return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := auth.LoginLoopback(ctx, e.profile, opts)
	var ae *auth.AuthorizationError
	if !errors.As(err, &ae) || ae.Code != "access_denied" || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v, want an access_denied AuthorizationError", err)
	}
	if _, err := e.store.Load(ctx, e.profile.Name, auth.DefaultSubject); !errors.Is(err, auth.ErrNotSignedIn) {
		t.Errorf("something was stored after a cancelled sign-in: %v", err)
	}
}

func TestLoginLoopbackIgnoresForeignState(t *testing.T) {
	e := newEnv(t)
	e.sb.ApproveSignIns("")
	opts := e.loginOptions()
	opts.OpenBrowser = func(u string) error {
		parsed, _ := url.Parse(u)
		redirect := parsed.Query().Get("redirect_uri")
		go func() {
			// A page on another site makes the browser hit the callback
			// with its own code: refused, and the real sign-in goes on.
			status, body := e.visit(redirect + "?code=attacker-code&state=forged")
			if status != http.StatusBadRequest || !strings.Contains(body, "does not belong") {
				t.Errorf("forged callback: %d %s", status, body)
			}
			e.visit(u)
		}()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := auth.LoginLoopback(ctx, e.profile, opts)
	if err != nil || st.Account.Username != demoUPN {
		t.Fatalf("sign-in after a forged callback: %v %v", st, err)
	}
}

func TestLoginLoopbackCancelledContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	opts := e.loginOptions()
	opts.OpenBrowser = func(string) error { cancel(); return nil } // nobody signs in
	_, err := auth.LoginLoopback(ctx, e.profile, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestLoginLoopbackNeedsLoopbackRedirect(t *testing.T) {
	e := newEnv(t)
	p := *e.profile
	p.RedirectURL = "https://bot.example/callback"
	_, err := auth.LoginLoopback(context.Background(), &p, e.loginOptions())
	if err == nil || !strings.Contains(err.Error(), "--device-code") {
		t.Fatalf("err = %v, want advice to use a loopback redirect or --device-code", err)
	}
}

// TestLoginLoopbackLocalhost uses the system profile's own redirect,
// http://localhost: the browser may reach it over IPv4 or IPv6.
func TestLoginLoopbackLocalhost(t *testing.T) {
	e := newEnv(t)
	e.profile.RedirectURL = "http://localhost"
	e.sb.ApproveSignIns("")
	opts := e.loginOptions()
	opts.OpenBrowser = func(u string) error {
		parsed, _ := url.Parse(u)
		if r := parsed.Query().Get("redirect_uri"); !strings.HasPrefix(r, "http://localhost:") || !strings.HasSuffix(r, "/") {
			t.Errorf("redirect_uri %q, want http://localhost:PORT/", r)
		}
		go e.visit(u)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := auth.LoginLoopback(ctx, e.profile, opts); err != nil {
		t.Fatal(err)
	}
}
