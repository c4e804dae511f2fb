package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

func TestRefreshRotationIsPersisted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.loginLoopback()
	p := e.userProvider()

	// Until five minutes before expiry, the stored token is used as is.
	e.clock.Advance(54 * time.Minute)
	tok, err := p.Token(ctx, auth.Request{Scopes: []string{"Mail.Send"}})
	if err != nil || tok.AccessToken != first.AccessToken {
		t.Fatalf("before the margin: %v, same token %v", err, tok != nil && tok.AccessToken == first.AccessToken)
	}
	// Inside the margin it is refreshed, and the rotated refresh token saved.
	e.clock.Advance(2 * time.Minute)
	tok, err = p.Token(ctx, auth.Request{Scopes: []string{"Mail.Send"}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken {
		t.Fatal("the token was not refreshed inside the early-expiry margin")
	}
	saved, err := e.store.Load(ctx, e.profile.Name, auth.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	if saved.RefreshToken == "" || saved.RefreshToken == first.RefreshToken || saved.AccessToken != tok.AccessToken {
		t.Fatal("the rotated refresh token was not persisted")
	}
	if !saved.Expiry.Equal(e.clock.Now().Add(time.Hour)) || saved.Account.Username != demoUPN {
		t.Errorf("saved grant %v", saved)
	}
	// The old refresh token is dead at the identity platform.
	conf := oauth2.Config{ClientID: auth.SystemClientID, Endpoint: oauth2.Endpoint{TokenURL: e.profile.Endpoints().TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	_, err = conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, e.ts.Client()), &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	if err == nil {
		t.Fatal("the old refresh token still works")
	}
	if got := e.graphGet("/me", tok.AccessToken); got != 200 {
		t.Errorf("GET /me with the refreshed token: %d", got)
	}
}

func TestRevokedRefreshTokenAsksForSignIn(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback()
	p := e.userProvider()
	e.sb.RevokeRefreshTokens(demoUPN)
	e.clock.Advance(2 * time.Hour)
	_, err := p.Token(context.Background(), auth.Request{Scopes: []string{"Mail.Send"}})
	sir, ok := auth.IsSignInRequired(err)
	if !ok {
		t.Fatalf("err = %v, want a SignInRequiredError", err)
	}
	if !strings.Contains(sir.Reason, "revoked") || !strings.Contains(sir.Reason, "AADSTS50173") || auth.MissingScopes(sir.Scopes, []string{"Mail.Send"}) != nil {
		t.Errorf("sign-in request %+v", sir)
	}
}

func TestNotSignedInSaysWhatToDo(t *testing.T) {
	e := newEnv(t)
	_, err := e.userProvider().Token(context.Background(), auth.Request{Scopes: []string{"Tasks.ReadWrite"}})
	sir, ok := auth.IsSignInRequired(err)
	if !ok || !strings.Contains(sir.Reason, "runflow auth login") || sir.URL != "" {
		t.Fatalf("err = %v", err)
	}
	custom := *e.profile
	custom.Name = "work"
	p, _ := auth.NewUserProvider(auth.UserConfig{Profile: &custom, Store: e.store})
	_, err = p.Token(context.Background(), auth.Request{})
	if sir, _ := auth.IsSignInRequired(err); sir == nil || !strings.Contains(sir.Reason, "--profile work") {
		t.Fatalf("custom profile: %v", err)
	}
}

func TestIncrementalConsent(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback("User.Read")
	p := e.userProvider()
	ctx := context.Background()
	if _, err := p.Token(ctx, auth.Request{Scopes: []string{"User.Read"}}); err != nil {
		t.Fatal(err)
	}
	_, err := p.Token(ctx, auth.Request{Scopes: []string{"Mail.Send"}})
	sir, ok := auth.IsSignInRequired(err)
	if !ok {
		t.Fatalf("err = %v, want consent to be asked", err)
	}
	for _, want := range []string{"User.Read", "Mail.Send", "offline_access", "openid"} {
		if !containsFold(sir.Scopes, want) {
			t.Errorf("sign-in asks for %v, want %s among them", sir.Scopes, want)
		}
	}
	if !strings.Contains(sir.Reason, `run "runflow auth login --scopes Mail.Send"`) {
		t.Errorf("reason %q does not name the missing scope and the command", sir.Reason)
	}
	// Signing in again with the union grants it.
	e.loginLoopback(sir.Scopes...)
	tok, err := p.Token(ctx, auth.Request{Scopes: []string{"Mail.Send"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.graphGet("/me", tok.AccessToken); got != 200 {
		t.Errorf("GET /me: %d", got)
	}
}

func TestConsentWithdrawnAtTheServerAsksForSignIn(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback("User.Read", "Mail.Send")
	e.sb.SetConsent(demoUPN, auth.SystemClientID) // an admin removes the consent
	e.clock.Advance(2 * time.Hour)
	_, err := e.userProvider().Token(context.Background(), auth.Request{Scopes: []string{"Mail.Send"}})
	if sir, ok := auth.IsSignInRequired(err); !ok || !strings.Contains(sir.Reason, "AADSTS65001") {
		t.Fatalf("err = %v, want a sign-in request for consent (AADSTS65001)", err)
	}
}

func TestInvalidateForcesRefresh(t *testing.T) {
	e := newEnv(t)
	first := e.loginLoopback()
	p := e.userProvider()
	ctx := context.Background()
	req := auth.Request{Scopes: []string{"User.Read"}}
	tok, _ := p.Token(ctx, req)
	p.Invalidate(ctx, req, &oauth2.Token{AccessToken: "some other token"})
	if again, _ := p.Token(ctx, req); again.AccessToken != tok.AccessToken {
		t.Fatal("invalidating a different token dropped the current one")
	}
	p.Invalidate(ctx, req, tok)
	again, err := p.Token(ctx, req)
	if err != nil || again.AccessToken == first.AccessToken {
		t.Fatalf("after Invalidate: %v, refreshed %v", err, again != nil && again.AccessToken != first.AccessToken)
	}
	var _ auth.Invalidator = p
}

func TestConcurrentTokenCallsRefreshOnce(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback()
	p := e.userProvider()
	e.clock.Advance(2 * time.Hour)
	var wg sync.WaitGroup
	toks := make([]string, 8)
	errs := make([]error, 8)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := p.Token(context.Background(), auth.Request{Scopes: []string{"User.Read"}})
			errs[i] = err
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Fatalf("call %d: %v (same token as call 0: %v)", i, errs[i], toks[i] == toks[0])
		}
	}
}

// TestRefreshUsesTokenRotatedByAnotherProcess: two providers (two CLI
// runs) share one store; the second must not fail on the refresh token the
// first rotated away.
func TestRefreshUsesTokenRotatedByAnotherProcess(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback()
	a, b := e.userProvider(), e.userProvider()
	ctx := context.Background()
	e.clock.Advance(2 * time.Hour)
	ta, err := a.Token(ctx, auth.Request{})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token(ctx, auth.Request{})
	if err != nil || tb.AccessToken != ta.AccessToken {
		t.Fatalf("second process: %v", err)
	}
}

func TestTokenEndpointFailuresAreClear(t *testing.T) {
	cases := []struct {
		fault    sandbox.TokenFault
		kind     auth.ErrorKind
		contains []string
	}{
		{sandbox.TokenFaultServerError, auth.KindServer, []string{"server_error", "HTTP 500", "try again"}},
		{sandbox.TokenFaultNonJSON, auth.KindBadResponse, []string{"text/html instead of JSON", "token_url"}},
		{sandbox.TokenFaultInvalidClient, auth.KindInvalidClient, []string{"invalid_client", "AADSTS7000215", "client_secret"}},
		{sandbox.TokenFaultInvalidScope, auth.KindInvalidScope, []string{"invalid_scope", "AADSTS70011", "scopes"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			e := newEnv(t)
			st := e.loginLoopback()
			e.sb.SetTokenFault(tc.fault)
			e.clock.Advance(2 * time.Hour)
			_, err := e.userProvider().Token(context.Background(), auth.Request{})
			te, ok := auth.IsTokenError(err, tc.kind)
			if !ok {
				t.Fatalf("err = %v, want a TokenError of kind %s", err, tc.kind)
			}
			for _, c := range tc.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("%q does not say %q", err, c)
				}
			}
			if te.Hint == "" || strings.Contains(err.Error(), st.RefreshToken) {
				t.Errorf("error %q: no hint, or it leaks the refresh token", err)
			}
			// The grant is kept: the failure was the server's, not the user's.
			if _, lerr := e.store.Load(context.Background(), e.profile.Name, auth.DefaultSubject); lerr != nil {
				t.Errorf("grant lost after a %s failure", tc.kind)
			}
		})
	}
}

func TestNetworkFailureIsClear(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback()
	e.clock.Advance(2 * time.Hour)
	e.ts.Close()
	_, err := e.userProvider().Token(context.Background(), auth.Request{})
	if _, ok := auth.IsTokenError(err, auth.KindNetwork); !ok {
		t.Fatalf("err = %v, want a network TokenError", err)
	}
}

func TestInvalidGrantOnExchangeIsTyped(t *testing.T) {
	e := newEnv(t)
	conf := oauth2.Config{ClientID: auth.SystemClientID, Endpoint: oauth2.Endpoint{TokenURL: e.profile.Endpoints().TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	_, err := conf.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, e.ts.Client()), &oauth2.Token{RefreshToken: "not-a-refresh-token"}).Token()
	if err == nil {
		t.Fatal("unknown refresh token accepted")
	}
	// Through the provider, a refused refresh token becomes a sign-in request.
	if err := e.store.Save(context.Background(), &auth.StoredToken{Profile: e.profile.Name, Subject: auth.DefaultSubject, RefreshToken: "not-a-refresh-token", Scopes: []string{"User.Read"}, Identity: e.profile.Identity()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.userProvider().Token(context.Background(), auth.Request{})
	if _, ok := auth.IsSignInRequired(err); !ok || errors.Is(err, auth.ErrNotSignedIn) {
		t.Fatalf("err = %v, want a SignInRequiredError", err)
	}
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// TestRefreshUsesRefreshURL: refreshes go to the profile's refresh_url, not
// its token_url.
func TestRefreshUsesRefreshURL(t *testing.T) {
	e := newEnv(t)
	e.loginLoopback()
	p := *e.profile
	good := p.Endpoints().TokenURL
	p.TokenURL = e.ts.URL + "/no-such-tenant.example/oauth2/v2.0/token"
	p.RefreshURL = good
	prov, err := auth.NewUserProvider(auth.UserConfig{Profile: &p, Store: e.store, HTTPClient: e.ts.Client(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// A grant is bound to the endpoints it was issued with: bind it to p's,
	// as a sign-in with p would have.
	e.rebind(&p)
	e.clock.Advance(2 * time.Hour)
	if _, err := prov.Token(context.Background(), auth.Request{}); err != nil {
		t.Fatalf("refresh through refresh_url: %v", err)
	}
	p.RefreshURL = p.TokenURL
	e.rebind(&p)
	e.clock.Advance(2 * time.Hour)
	prov, _ = auth.NewUserProvider(auth.UserConfig{Profile: &p, Store: e.store, HTTPClient: e.ts.Client(), Now: e.clock.Now})
	if _, err := prov.Token(context.Background(), auth.Request{}); err == nil || !strings.Contains(err.Error(), "AADSTS90002") {
		t.Fatalf("refresh through a bad refresh_url: %v, want the tenant error", err)
	}
}
