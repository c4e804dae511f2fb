package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

const daemonID = "11112222-bbbb-3333-cccc-4444dddd5555"
const daemonSecret = "daemon-secret-value-0123456789"

func (e *env) registerDaemon() {
	e.sb.RegisterClient(sandbox.Client{ID: daemonID, Name: "runflow daemon", Secret: daemonSecret, Roles: []string{"Calendars.ReadWrite", "Mail.Send", "User.Read.All"}})
}

func (e *env) tenantTokenURL() string {
	return e.ts.URL + "/" + e.sb.TenantID() + "/oauth2/v2.0/token"
}

func TestClientCredentialsThenGraph(t *testing.T) {
	e := newEnv(t)
	e.registerDaemon()
	p, err := auth.ClientCredentials(auth.ClientCredentialsConfig{ClientID: daemonID, ClientSecret: daemonSecret, TokenURL: e.tenantTokenURL(), HTTPClient: e.ts.Client(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !auth.IsAppOnly(p) {
		t.Fatal("client credentials provider is not app-only")
	}
	ctx := context.Background()
	tok, err := p.Token(ctx, auth.Request{Subject: "ignored", Scopes: []string{"Calendars.ReadWrite"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.graphGet("/users/"+demoUserID+"/events", tok.AccessToken); got != http.StatusOK {
		t.Errorf("GET /users/{id}/events app-only: %d", got)
	}
	if got := e.graphGet("/me", tok.AccessToken); got == http.StatusOK {
		t.Error("GET /me with an app-only token succeeded; Graph refuses it")
	}
	// Cached until the margin, then renewed; Invalidate renews too.
	again, _ := p.Token(ctx, auth.Request{})
	if again.AccessToken != tok.AccessToken {
		t.Error("token not cached")
	}
	p.(auth.Invalidator).Invalidate(ctx, auth.Request{}, again)
	third, _ := p.Token(ctx, auth.Request{})
	if third.AccessToken == tok.AccessToken {
		t.Error("Invalidate did not drop the cached token")
	}
	e.clock.Advance(56 * time.Minute)
	fourth, _ := p.Token(ctx, auth.Request{})
	if fourth.AccessToken == third.AccessToken {
		t.Error("token not renewed inside the early-expiry margin")
	}
	if s := fmt.Sprint(p); strings.Contains(s, daemonSecret) {
		t.Errorf("String() shows the secret: %s", s)
	}
}

func TestClientCredentialsFromProfile(t *testing.T) {
	e := newEnv(t)
	e.registerDaemon()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(daemonSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("name: daemon\nclient_id: %s\nclient_secret: file:%s\ntenant: %s\nauthority: %s\n", daemonID, secretFile, e.sb.TenantID(), e.ts.URL)
	prof, err := auth.ParseProfile([]byte(yaml), filepath.Join(dir, "daemon.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.ClientCredentialsFromProfile(prof, e.ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Token(context.Background(), auth.Request{}); err != nil {
		t.Fatal(err)
	}
	common := *prof
	common.Tenant = "common"
	if _, err := auth.ClientCredentialsFromProfile(&common, nil); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("tenant common accepted for app-only: %v", err)
	}
	public := *e.profile
	if _, err := auth.ClientCredentialsFromProfile(&public, nil); err == nil || !strings.Contains(err.Error(), "client_secret") {
		t.Errorf("public profile accepted for app-only: %v", err)
	}
}

func TestClientCredentialsFailures(t *testing.T) {
	e := newEnv(t)
	e.registerDaemon()
	cases := []struct {
		name   string
		secret string
		scopes []string
		kind   auth.ErrorKind
		aadsts string
	}{
		{"wrong secret", "wrong-secret-value", nil, auth.KindInvalidClient, "7000215"},
		{"scope without .default", daemonSecret, []string{"Mail.Send"}, auth.KindInvalidScope, "1002012"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := auth.ClientCredentials(auth.ClientCredentialsConfig{ClientID: daemonID, ClientSecret: tc.secret, Scopes: tc.scopes, TokenURL: e.tenantTokenURL(), HTTPClient: e.ts.Client()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Token(context.Background(), auth.Request{})
			te, ok := auth.IsTokenError(err, tc.kind)
			if !ok || te.AADSTS != tc.aadsts {
				t.Fatalf("err = %v, want %s AADSTS%s", err, tc.kind, tc.aadsts)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
	if _, err := auth.ClientCredentials(auth.ClientCredentialsConfig{ClientID: daemonID, TokenURL: e.tenantTokenURL()}); err == nil {
		t.Error("no secret accepted")
	}
	if _, err := auth.ClientCredentials(auth.ClientCredentialsConfig{ClientID: daemonID, ClientSecret: "x", TokenURL: "http://login.example/token"}); err == nil {
		t.Error("plain http token URL off loopback accepted")
	}
}

// TestPublicClientsSendNoBasicAuth: every request the providers send to the
// token endpoint as a public client carries client_id in the body and no
// Authorization header (Entra refuses Basic from public clients).
func TestPublicClientsSendNoBasicAuth(t *testing.T) {
	e := newEnv(t)
	var seen []string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/token") || strings.HasSuffix(r.URL.Path, "/devicecode") {
			seen = append(seen, r.Header.Get("Authorization"))
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	e.sb.ApproveSignIns("")
	opts := e.loginOptions()
	opts.HTTPClient = hc
	opts.OpenBrowser = func(u string) error { go e.visit(u); return nil }
	if _, err := auth.LoginLoopback(context.Background(), e.profile, opts); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	p, _ := auth.NewUserProvider(auth.UserConfig{Profile: e.profile, Store: e.store, HTTPClient: hc, Now: e.clock.Now})
	if _, err := p.Token(context.Background(), auth.Request{}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Fatalf("saw %d token requests, want 2", len(seen))
	}
	for _, h := range seen {
		if h != "" {
			t.Errorf("a public client sent Authorization %q", auth.Redact(h))
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
