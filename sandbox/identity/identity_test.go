package identity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testutil"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/sandbox/identity"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	idTestSecondUser = "b2c3d4e5-0000-4000-8000-00000000b0b0"
	idTestRedirect   = "http://127.0.0.1:8400/callback"
)

// newIdentityTest starts a sandbox with the demo user and a second user
// who has a password, on a fake clock.
func newIdentityTest(t *testing.T) (*sandbox.Server, *httptest.Server, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	data := sandbox.DemoData(clock.Now())
	data.Users = append(data.Users, &sandbox.Mailbox{User: sandbox.User{ID: idTestSecondUser, UserPrincipalName: "bob@contoso.onmicrosoft.com", DisplayName: "Bob", Password: "correct horse"}})
	s, ts := sandbox.NewTestServer(t, sandbox.Options{Now: clock.Now, Data: data})
	return s, ts, clock
}

func idPublicConfig(ts *httptest.Server, scopes ...string) *oauth2.Config {
	base := ts.URL + "/common/oauth2/v2.0"
	return &oauth2.Config{
		ClientID:    sandbox.SystemClientID,
		RedirectURL: idTestRedirect,
		Scopes:      scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL: base + "/authorize", TokenURL: base + "/token", DeviceAuthURL: base + "/devicecode",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// idNoRedirect is a client that shows redirects instead of following them.
func idNoRedirect(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func idCtx(ts *httptest.Server) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, ts.Client())
}

// idAuthorizeRedirect fetches authURL and returns the redirect's query.
func idAuthorizeRedirect(t *testing.T, ts *httptest.Server, authURL string) url.Values {
	t.Helper()
	resp, err := idNoRedirect(ts).Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != idTestRedirect {
		t.Fatalf("redirected to %s, want %s", got, idTestRedirect)
	}
	return loc.Query()
}

func idRetrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not an *oauth2.RetrieveError", err)
	}
	return re
}

func idWantOAuthError(t *testing.T, err error, code string, aadsts string) {
	t.Helper()
	re := idRetrieveError(t, err)
	if re.ErrorCode != code || !strings.HasPrefix(re.ErrorDescription, aadsts+":") {
		t.Fatalf("got error %q %q, want %s with %s", re.ErrorCode, re.ErrorDescription, code, aadsts)
	}
}

// idSignInWithCode runs the authorization code flow with PKCE as x/oauth2
// does it, the sandbox approving as the demo user.
func idSignInWithCode(t *testing.T, s *sandbox.Server, ts *httptest.Server, scopes ...string) *oauth2.Token {
	t.Helper()
	s.ApproveSignIns("")
	conf := idPublicConfig(ts, scopes...)
	verifier := oauth2.GenerateVerifier()
	q := idAuthorizeRedirect(t, ts, conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)))
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("redirect query %v: want code and state st-1", q)
	}
	tok, err := conf.Exchange(idCtx(ts), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	tok := idSignInWithCode(t, s, ts, "User.Read", "https://graph.microsoft.com/Mail.Send", "offline_access", "openid", "profile")
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.ExpiresIn != 3600 {
		t.Errorf("token type %q, refresh %v, expires_in %d", tok.TokenType, tok.RefreshToken != "", tok.ExpiresIn)
	}
	if got := tok.Extra("scope"); got != "User.Read Mail.Send profile openid email" {
		t.Errorf("scope = %q", got)
	}
	if tok.Extra("ext_expires_in") == nil {
		t.Error("ext_expires_in missing")
	}
	g, err := s.Identity().Validate(tok.AccessToken)
	ok := err == nil
	if !ok || g.AppOnly || g.UserID != "5f1c2a9e-3b7d-4e8a-9c61-0d2e4f6a8b1c" || !g.HasScope("Mail.Send") || !g.HasScope("User.Read") || g.HasScope("openid") {
		t.Errorf("grant = %+v, %v", g, ok)
	}
	claims := idDecodeJWT(t, tok.Extra("id_token").(string))
	for k, want := range map[string]string{"oid": g.UserID, "tid": s.TenantID(), "preferred_username": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance", "aud": sandbox.SystemClientID} {
		if claims[k] != want {
			t.Errorf("id_token %s = %v, want %s", k, claims[k], want)
		}
	}
}

func idDecodeJWT(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAuthorizationCodeRedemptionErrors(t *testing.T) {
	s, ts, clock := newIdentityTest(t)
	s.ApproveSignIns("")
	conf := idPublicConfig(ts, "User.Read")
	newCode := func() (string, string) {
		v := oauth2.GenerateVerifier()
		return idAuthorizeRedirect(t, ts, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v))).Get("code"), v
	}
	ctx := idCtx(ts)

	code, v := newCode()
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("wrong verifier accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS501481")
	}
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("a code was redeemed after a failed attempt")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS54005")
	}

	code, _ = newCode()
	if _, err := conf.Exchange(ctx, code); err == nil {
		t.Fatal("missing verifier accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS501481")
	}

	code, v = newCode()
	other := *conf
	other.RedirectURL = "http://127.0.0.1:8400/elsewhere"
	if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("redirect_uri mismatch accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS50148")
	}

	code, v = newCode()
	clock.Advance(identity.AuthCodeLifetime)
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("expired code accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS70008")
	}
}

func TestAuthorizeErrors(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	s.RegisterClient(sandbox.Client{ID: "conf-1", Secret: "s3cret", RedirectURIs: []string{"https://bot.example/callback"}})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	base := ts.URL + "/common/oauth2/v2.0/authorize?"
	good := url.Values{"client_id": {sandbox.SystemClientID}, "response_type": {"code"}, "redirect_uri": {idTestRedirect},
		"scope": {"User.Read"}, "state": {"xyz"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range good {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	pages := []struct {
		name string
		q    url.Values
		want string
	}{
		{"unknown client", with("client_id", "nobody"), "AADSTS700016"},
		{"redirect not loopback", with("redirect_uri", "https://evil.example/cb"), "AADSTS50011"},
		{"confidential client loopback not registered", func() url.Values { q := with("client_id", "conf-1"); return q }(), "AADSTS50011"},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := idNoRedirect(ts).Get(base + tc.q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
				t.Fatalf("status %d body %s, want 400 with %s", resp.StatusCode, body, tc.want)
			}
		})
	}
	s.ApproveSignIns("")
	redirects := []struct {
		name, code, aadsts string
		q                  url.Values
		decline            bool
	}{
		{"no PKCE for a public client", "invalid_request", "AADSTS9002325", with("code_challenge", ""), false},
		{"plain PKCE", "invalid_request", "AADSTS501491", with("code_challenge_method", "plain"), false},
		{"unknown scope", "invalid_scope", "AADSTS70011", with("scope", "https://foo.microsoft.com/mail.read"), false},
		{"token response type", "unsupported_response_type", "AADSTS700054", with("response_type", "token"), false},
		{"user cancels", "access_denied", "AADSTS65004", good, true},
	}
	for _, tc := range redirects {
		t.Run(tc.name, func(t *testing.T) {
			if tc.decline {
				s.DeclineSignIns()
				defer s.ApproveSignIns("")
			}
			q := idAuthorizeRedirect(t, ts, base+tc.q.Encode())
			if q.Get("error") != tc.code || !strings.HasPrefix(q.Get("error_description"), tc.aadsts+":") || q.Get("state") != "xyz" || q.Get("code") != "" {
				t.Fatalf("redirect query %v, want error %s %s with state", q, tc.code, tc.aadsts)
			}
		})
	}
}

func TestInteractiveSignInPage(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	conf := idPublicConfig(ts, "Tasks.ReadWrite", "offline_access")
	verifier := oauth2.GenerateVerifier()
	resp, err := ts.Client().Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Tasks.ReadWrite") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("sign-in page: %d %s", resp.StatusCode, page)
	}
	i := strings.Index(string(page), `name="request_id" value="`)
	reqID := string(page)[i+len(`name="request_id" value="`):]
	reqID = reqID[:strings.Index(reqID, `"`)]
	post := func(form url.Values) *http.Response {
		form.Set("request_id", reqID)
		resp, err := idNoRedirect(ts).PostForm(ts.URL+"/common/oauth2/v2.0/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(url.Values{"username": {"bob@contoso.onmicrosoft.com"}, "password": {"wrong"}, "action": {"approve"}}); r.StatusCode != 200 {
		t.Fatalf("wrong password: status %d, want the page again", r.StatusCode)
	}
	r := post(url.Values{"username": {"bob@contoso.onmicrosoft.com"}, "password": {"correct horse"}, "action": {"approve"}})
	loc, _ := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("approve: %d %s", r.StatusCode, loc)
	}
	tok, err := conf.Exchange(idCtx(ts), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Identity().Validate(tok.AccessToken); g.UserID != idTestSecondUser || !g.HasScope("Tasks.ReadWrite") {
		t.Errorf("grant %+v, want Bob with Tasks.ReadWrite", g)
	}
	if got := s.Consent("bob@contoso.onmicrosoft.com", sandbox.SystemClientID); len(got) != 1 || got[0] != "Tasks.ReadWrite" {
		t.Errorf("consent = %v", got)
	}
	if r := post(url.Values{"action": {"approve"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed sign-in request: status %d, want 400", r.StatusCode)
	}
}

func TestRefreshTokenRotationRevocationAndConsent(t *testing.T) {
	s, ts, clock := newIdentityTest(t)
	first := idSignInWithCode(t, s, ts, "User.Read", "offline_access")
	conf := idPublicConfig(ts)
	ctx := idCtx(ts)
	refresh := func(rt string) (*oauth2.Token, error) {
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	}
	second, err := refresh(first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if _, err := refresh(first.RefreshToken); err == nil {
		t.Fatal("a rotated refresh token was accepted again")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS70000")
	}

	// A scope the user never consented to: consent_required.
	form := url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}, "scope": {"Mail.Send"}}
	body := idPostToken(t, ts, form, http.StatusBadRequest)
	if body["error"] != "invalid_grant" || body["suberror"] != "consent_required" || !strings.HasPrefix(body["error_description"].(string), "AADSTS65001:") {
		t.Fatalf("unconsented scope: %v", body)
	}
	// Once consented (incremental consent), the same request succeeds.
	s.SetConsent("AdeleV@contoso.onmicrosoft.com", sandbox.SystemClientID, "User.Read", "Mail.Send")
	body = idPostToken(t, ts, form, http.StatusOK)
	third := body["refresh_token"].(string)
	if g, _ := s.Identity().Validate(body["access_token"].(string)); !g.HasScope("Mail.Send") {
		t.Fatalf("grant after consent lacks Mail.Send: %+v", g)
	}

	s.RevokeRefreshTokens("5f1c2a9e-3b7d-4e8a-9c61-0d2e4f6a8b1c")
	if _, err := refresh(third); err == nil {
		t.Fatal("revoked refresh token accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS50173")
	}

	old := idSignInWithCode(t, s, ts, "User.Read", "offline_access")
	clock.Advance(identity.RefreshTokenLifetime)
	if _, err := refresh(old.RefreshToken); err == nil {
		t.Fatal("expired refresh token accepted")
	} else {
		idWantOAuthError(t, err, "invalid_grant", "AADSTS700082")
	}
}

func idPostToken(t *testing.T, ts *httptest.Server, form url.Values, wantStatus int) map[string]any {
	t.Helper()
	resp, err := ts.Client().PostForm(ts.URL+"/common/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("token: status %d %v, want %d", resp.StatusCode, m, wantStatus)
	}
	return m
}

func TestClientCredentials(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	s.RegisterClient(sandbox.Client{ID: "daemon-1", Secret: "s3cret-value", Roles: []string{"Calendars.ReadWrite", "Mail.Send"}})
	// A secret with characters that HTTP Basic form-encodes (RFC 6749 §2.3.1).
	s.RegisterClient(sandbox.Client{ID: "daemon-2", Secret: "a+b/c=d&e%f~g", Roles: []string{"Mail.Send"}})
	cc := func(style oauth2.AuthStyle, id, secret, scope string) (*oauth2.Token, error) {
		c := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: ts.URL + "/" + s.TenantID() + "/oauth2/v2.0/token", Scopes: []string{scope}, AuthStyle: style}
		return c.Token(idCtx(ts))
	}
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		tok, err := cc(style, "daemon-1", "s3cret-value", "https://graph.microsoft.com/.default")
		if err != nil {
			t.Fatalf("style %d: %v", style, err)
		}
		g, err := s.Identity().Validate(tok.AccessToken)
		ok := err == nil
		if !ok || !g.AppOnly || g.UserID != "" || !g.HasScope("Calendars.ReadWrite") || tok.RefreshToken != "" || tok.Extra("id_token") != nil {
			t.Errorf("style %d: grant %+v token %+v", style, g, tok)
		}
	}
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		if _, err := cc(style, "daemon-2", "a+b/c=d&e%f~g", "https://graph.microsoft.com/.default"); err != nil {
			t.Errorf("secret with special characters, style %d: %v", style, err)
		}
	}
	cases := []struct {
		name         string
		style        oauth2.AuthStyle
		id, secret   string
		scope        string
		code, aadsts string
		wantHTTPCode int
	}{
		{"wrong secret", oauth2.AuthStyleInParams, "daemon-1", "nope", "https://graph.microsoft.com/.default", "invalid_client", "AADSTS7000215", 401},
		{"scope without .default", oauth2.AuthStyleInParams, "daemon-1", "s3cret-value", "Mail.Send", "invalid_scope", "AADSTS1002012", 400},
		{"public client with Basic", oauth2.AuthStyleInHeader, sandbox.SystemClientID, "x", "https://graph.microsoft.com/.default", "invalid_client", "AADSTS700025", 401},
		{"public client without secret", oauth2.AuthStyleInParams, sandbox.SystemClientID, "", "https://graph.microsoft.com/.default", "invalid_client", "AADSTS7000218", 401},
		{"unknown client", oauth2.AuthStyleInParams, "ghost", "x", "https://graph.microsoft.com/.default", "unauthorized_client", "AADSTS700016", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cc(tc.style, tc.id, tc.secret, tc.scope)
			if err == nil {
				t.Fatal("accepted")
			}
			idWantOAuthError(t, err, tc.code, tc.aadsts)
			if re := idRetrieveError(t, err); re.Response.StatusCode != tc.wantHTTPCode {
				t.Errorf("status %d, want %d", re.Response.StatusCode, tc.wantHTTPCode)
			}
		})
	}
}

func TestDeviceCodeFlow(t *testing.T) {
	s, ts, clock := newIdentityTest(t)
	conf := idPublicConfig(ts, "User.Read", "openid", "profile", "offline_access")
	ctx := idCtx(ts)
	poll := func(dc string) (map[string]any, int) {
		resp, err := ts.Client().PostForm(conf.Endpoint.TokenURL, url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {identity.GrantDeviceCode}, "device_code": {dc}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m, resp.StatusCode
	}
	wantErr := func(m map[string]any, code string) {
		t.Helper()
		if m["error"] != code {
			t.Fatalf("poll answered %v, want %s", m, code)
		}
	}

	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(da.UserCode) != 9 || da.Interval != 5 || !strings.HasSuffix(da.VerificationURI, "/common/oauth2/v2.0/devicelogin") {
		t.Fatalf("device auth %+v", da)
	}
	m, status := poll(da.DeviceCode)
	wantErr(m, "authorization_pending")
	if status != 400 || !strings.HasPrefix(m["error_description"].(string), "AADSTS70016:") {
		t.Fatalf("pending: %d %v", status, m)
	}
	m, _ = poll(da.DeviceCode) // no wait: too fast
	wantErr(m, "slow_down")
	clock.Advance(10 * time.Second)
	if err := s.ApproveDeviceCode(strings.ToLower(da.UserCode), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveDeviceCode(da.UserCode, ""); !errors.Is(err, identity.ErrUserCodeAnswered) {
		t.Fatalf("second approval: %v", err)
	}
	m, status = poll(da.DeviceCode)
	if status != 200 || m["refresh_token"] == nil || m["id_token"] == nil || m["scope"] != "User.Read profile openid email" {
		t.Fatalf("approved poll: %d %v", status, m)
	}
	m, _ = poll(da.DeviceCode)
	wantErr(m, "bad_verification_code")

	da, _ = conf.DeviceAuth(ctx)
	if err := s.DeclineDeviceCode(da.UserCode); err != nil {
		t.Fatal(err)
	}
	m, _ = poll(da.DeviceCode)
	wantErr(m, "authorization_declined")

	da, _ = conf.DeviceAuth(ctx)
	clock.Advance(identity.DeviceCodeLifetime)
	m, _ = poll(da.DeviceCode)
	wantErr(m, "expired_token")
	if err := s.ApproveDeviceCode(da.UserCode, ""); !errors.Is(err, identity.ErrUserCodeExpired) {
		t.Fatalf("approving an expired code: %v", err)
	}
	if err := s.ApproveDeviceCode("NOSUCHCOD", ""); !errors.Is(err, identity.ErrUnknownUserCode) {
		t.Fatalf("unknown code: %v", err)
	}
}

// TestTokenErrorShapeMatchesReference compares the keys and value types of
// the sandbox's token errors with the identity platform examples.
func TestTokenErrorShapeMatchesReference(t *testing.T) {
	_, ts, _ := newIdentityTest(t)
	ref := idReferenceJSON(t, "token-error-authorization_pending-msaljs-testconst.json")
	body := idPostToken(t, ts, url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {identity.GrantDeviceCode}, "device_code": {"nope"}}, http.StatusBadRequest)
	if got, want := idShape(body), idShape(ref); got != want {
		t.Errorf("error shape\n got %s\nwant %s", got, want)
	}
}

func TestDeviceCodeResponseShapeMatchesReference(t *testing.T) {
	_, ts, _ := newIdentityTest(t)
	ref := idReferenceJSON(t, "devicecode-response-msaljs-testconst.json")
	resp, err := ts.Client().PostForm(ts.URL+"/common/oauth2/v2.0/devicecode", url.Values{"client_id": {sandbox.SystemClientID}, "scope": {"user.read openid profile"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if idShape(got) != idShape(ref) {
		t.Errorf("devicecode shape\n got %s\nwant %s", idShape(got), idShape(ref))
	}
}

func TestTokenFaults(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	form := url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {"refresh_token"}, "refresh_token": {"x"}}
	cases := []struct {
		fault  sandbox.TokenFault
		status int
		code   string
	}{
		{sandbox.TokenFaultServerError, 500, "server_error"},
		{sandbox.TokenFaultNonJSON, 502, ""},
		{sandbox.TokenFaultInvalidClient, 401, "invalid_client"},
		{sandbox.TokenFaultInvalidScope, 400, "invalid_scope"},
	}
	for _, tc := range cases {
		s.SetTokenFault(tc.fault)
		resp, err := ts.Client().PostForm(ts.URL+"/common/oauth2/v2.0/token", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m map[string]any
		jsonErr := json.Unmarshal(b, &m)
		if resp.StatusCode != tc.status || (tc.code == "" && jsonErr == nil) || (tc.code != "" && m["error"] != tc.code) {
			t.Errorf("fault %d: %d %s", tc.fault, resp.StatusCode, b)
		}
	}
	s.SetTokenFault(sandbox.TokenFaultNone)
	idPostToken(t, ts, form, http.StatusBadRequest) // back to a normal invalid_grant
}

func TestUnknownTenantAndEndpoint(t *testing.T) {
	_, ts, _ := newIdentityTest(t)
	for path, want := range map[string]string{"/contoso.example/oauth2/v2.0/token": "AADSTS90002", "/common/oauth2/v2.0/nothing": "AADSTS900561"} {
		resp, err := ts.Client().PostForm(ts.URL+path, url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
}

// TestIdentityStateIsPerServer: each sandbox has its own identity platform,
// so a client registered on one is unknown to another.
func TestIdentityStateIsPerServer(t *testing.T) {
	a, tsA, _ := newIdentityTest(t)
	_, tsB, _ := newIdentityTest(t)
	a.RegisterClient(sandbox.Client{ID: "only-a", Secret: "s3cret"})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"only-a"}, "client_secret": {"s3cret"}, "scope": {"https://graph.microsoft.com/.default"}}
	idPostToken(t, tsA, form, http.StatusOK)
	if m := idPostToken(t, tsB, form, http.StatusBadRequest); m["error"] != "unauthorized_client" {
		t.Errorf("another server's client: %v, want unauthorized_client", m)
	}
}

func idReferenceJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	dir := os.Getenv("RUNFLOW_GRAPH_REFERENCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "graph-reference")
	}
	b, err := os.ReadFile(filepath.Join(dir, "examples", "general", name))
	if err != nil {
		t.Skipf("reference material not available: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// shape lists a JSON object's keys with their value types.
func idShape(m map[string]any) string {
	var parts []string
	for k, v := range m {
		kind := "null"
		switch v.(type) {
		case string:
			kind = "string"
		case float64:
			kind = "number"
		case []any:
			kind = "array"
		case map[string]any:
			kind = "object"
		case bool:
			kind = "bool"
		}
		parts = append(parts, k+":"+kind)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestDeviceLoginPage(t *testing.T) {
	s, ts, clock := newIdentityTest(t)
	conf := idPublicConfig(ts, "User.Read")
	da, err := conf.DeviceAuth(idCtx(ts))
	if err != nil {
		t.Fatal(err)
	}
	page := ts.URL + "/common/oauth2/v2.0/devicelogin"
	resp, err := ts.Client().Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `name="user_code"`) {
		t.Fatalf("devicelogin page: %d %s", resp.StatusCode, b)
	}
	post := func(form url.Values) string {
		resp, err := ts.Client().PostForm(page, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := post(url.Values{"user_code": {da.UserCode}, "username": {"bob@contoso.onmicrosoft.com"}, "password": {"nope"}, "action": {"approve"}}); !strings.Contains(got, "incorrect") {
		t.Fatalf("wrong password: %s", got)
	}
	if got := post(url.Values{"user_code": {"WRONGCODE"}, "username": {"bob@contoso.onmicrosoft.com"}, "password": {"correct horse"}, "action": {"approve"}}); !strings.Contains(got, "no device code sign-in") {
		t.Fatalf("wrong code: %s", got)
	}
	if got := post(url.Values{"user_code": {da.UserCode}, "username": {"bob@contoso.onmicrosoft.com"}, "password": {"correct horse"}, "action": {"approve"}}); !strings.Contains(got, "signed in") {
		t.Fatalf("approve: %s", got)
	}
	clock.Advance(5 * time.Second)
	m := idPostToken(t, ts, url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {identity.GrantDeviceCode}, "device_code": {da.DeviceCode}}, http.StatusOK)
	if g, _ := s.Identity().Validate(m["access_token"].(string)); g.UserID != idTestSecondUser {
		t.Errorf("device code signed in %q, want Bob", g.UserID)
	}
}

// TestTokenResponseShapeMatchesReference: a sign-in with offline_access and
// openid answers with the keys and types of Entra's token response.
func TestTokenResponseShapeMatchesReference(t *testing.T) {
	s, ts, _ := newIdentityTest(t)
	ref := idReferenceJSON(t, "token-response-msaljs-testconst-shape.json")
	s.ApproveSignIns("")
	conf := idPublicConfig(ts, "openid", "profile", "User.Read", "email", "offline_access")
	v := oauth2.GenerateVerifier()
	code := idAuthorizeRedirect(t, ts, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v))).Get("code")
	got := idPostToken(t, ts, url.Values{"client_id": {sandbox.SystemClientID}, "grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {idTestRedirect}, "code_verifier": {v}}, http.StatusOK)
	if idShape(got) != idShape(ref) {
		t.Errorf("token response shape\n got %s\nwant %s", idShape(got), idShape(ref))
	}
	if got["scope"] != "User.Read profile openid email" {
		t.Errorf("scope %q, want Entra's order %q", got["scope"], ref["scope"])
	}
}
