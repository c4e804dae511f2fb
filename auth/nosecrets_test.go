package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

// recordingTransport notes every secret that crosses the wire to the
// identity platform: what is sent (codes, verifiers, refresh tokens, device
// codes, client secrets) and what comes back (tokens).
type recordingTransport struct {
	s *secrets
}

func (rt recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		if form, err := url.ParseQuery(string(b)); err == nil {
			for _, k := range []string{"code", "code_verifier", "refresh_token", "device_code", "client_secret"} {
				rt.s.add(form.Get(k))
			}
		}
	}
	if user, pass, ok := r.BasicAuth(); ok {
		rt.s.add(user+":"+pass, pass)
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		for _, k := range []string{"access_token", "refresh_token", "id_token", "device_code"} {
			if v, ok := m[k].(string); ok {
				rt.s.add(v)
			}
		}
	}
	return resp, nil
}

// TestNoSecretsInErrorsOrLogs runs every flow and failure with a recording
// transport, then searches every error string and the whole debug log for
// any secret that was sent or received.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	e := newEnv(t)
	s := &secrets{}
	hc := &http.Client{Transport: recordingTransport{s}, Timeout: 10 * time.Second}
	ctx := context.Background()
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	opts := e.loginOptions()
	opts.HTTPClient = hc

	// Loopback sign-in, refresh, every token endpoint fault.
	e.sb.ApproveSignIns("")
	opts.OpenBrowser = func(u string) error { go e.visit(u); return nil }
	st, err := auth.LoginLoopback(ctx, e.profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.addToken(st)
	p, _ := auth.NewUserProvider(auth.UserConfig{Profile: e.profile, Store: e.store, HTTPClient: hc, Now: e.clock.Now, Log: e.log})
	for _, f := range []sandbox.TokenFault{sandbox.TokenFaultServerError, sandbox.TokenFaultNonJSON, sandbox.TokenFaultInvalidClient, sandbox.TokenFaultInvalidScope} {
		e.sb.SetTokenFault(f)
		e.clock.Advance(2 * time.Hour)
		_, err := p.Token(ctx, auth.Request{})
		note(err)
	}
	e.sb.SetTokenFault(sandbox.TokenFaultNone)
	tok, err := p.Token(ctx, auth.Request{})
	if err != nil {
		t.Fatal(err)
	}
	s.add(tok.AccessToken)
	_, err = p.Token(ctx, auth.Request{Scopes: []string{"Contacts.Read"}})
	note(err)
	e.sb.RevokeRefreshTokens(demoUPN)
	e.clock.Advance(2 * time.Hour)
	_, err = p.Token(ctx, auth.Request{})
	note(err)

	// Cancelled loopback sign-in.
	e.sb.DeclineSignIns()
	_, err = auth.LoginLoopback(ctx, e.profile, opts)
	note(err)

	// Device code: declined, then expired.
	dopts := opts
	dopts.OnDeviceCode = func(pr auth.DeviceCodePrompt) { _ = e.sb.DeclineDeviceCode(pr.UserCode) }
	dopts.Sleep = func(context.Context, time.Duration) error { e.clock.Advance(5 * time.Second); return nil }
	_, err = auth.LoginDeviceCode(ctx, e.profile, dopts)
	note(err)
	dopts.OnDeviceCode = nil
	dopts.Sleep = func(context.Context, time.Duration) error { e.clock.Advance(20 * time.Minute); return nil }
	_, err = auth.LoginDeviceCode(ctx, e.profile, dopts)
	note(err)

	// Client credentials with a wrong secret.
	e.registerDaemon()
	s.add("a-wrong-secret-value")
	cc, _ := auth.ClientCredentials(auth.ClientCredentialsConfig{ClientID: daemonID, ClientSecret: "a-wrong-secret-value", TokenURL: e.tenantTokenURL(), HTTPClient: hc})
	_, err = cc.Token(ctx, auth.Request{})
	note(err)

	if len(errs) < 9 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	if len(s.vals) < 8 {
		t.Fatalf("only %d secrets recorded; the transport saw too little", len(s.vals))
	}
	for _, err := range errs {
		s.check(t, "error "+err.Error()[:min(40, len(err.Error()))], err.Error())
	}
	s.check(t, "the log", e.logBuf.String())
	if e.logBuf.String() == "" {
		t.Error("nothing was logged; the log check proves nothing")
	}
}
