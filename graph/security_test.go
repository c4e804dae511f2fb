package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestAbsoluteURLToAnotherHostIsRefusedBeforeAnyToken(t *testing.T) {
	srv := newScripted(t, reply{status: 200, body: `{}`})
	other := newScripted(t, reply{status: 200, body: `{}`})
	p := &countingProvider{tokens: []string{testToken}}
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Auth = p })
	for _, path := range []string{
		other.URL + "/v1.0/me",
		strings.Replace(other.URL, "http://", "HTTP://", 1) + "/v1.0/me",
		"https://evil.example/v1.0/me",
	} {
		_, err := c.Do(context.Background(), &Request{Path: path})
		var hna *HostNotAllowedError
		if !errors.As(err, &hna) {
			t.Errorf("Do(%s) = %v; want *HostNotAllowedError", path, err)
		}
	}
	if p.tokenCalls() != 0 || other.hits.Load() != 0 {
		t.Errorf("token fetched %d times, other host hit %d times; want 0 and 0", p.tokenCalls(), other.hits.Load())
	}
	// The base host itself, written absolutely, is fine.
	if _, err := c.Do(context.Background(), &Request{Path: srv.URL + "/v1.0/me"}); err != nil {
		t.Errorf("absolute URL on the base host: %v", err)
	}
}

func TestAllowedHostsAndSchemes(t *testing.T) {
	c, err := New(Config{BaseURL: "https://graph.microsoft.com/v1.0", Auth: &countingProvider{tokens: []string{"x"}}, AllowedHosts: []string{"graph.microsoft.us"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url     string
		allowed bool
	}{
		{"https://graph.microsoft.com/v1.0/me", true},
		{"https://graph.microsoft.com:443/v1.0/me", true},
		{"https://GRAPH.MICROSOFT.COM/v1.0/me", true},
		{"https://graph.microsoft.us/v1.0/me", true},
		{"http://graph.microsoft.com/v1.0/me", false}, // downgrade
		{"https://graph.microsoft.com.evil.example/v1.0/me", false},
		{"https://evil.example/graph.microsoft.com/v1.0/me", false},
		{"https://user:pw@graph.microsoft.com/v1.0/me", false},
		{"https://graph.microsoft.com@evil.example/v1.0/me", false},
	}
	for _, tt := range tests {
		_, err := c.ResolveURL(tt.url, nil)
		if (err == nil) != tt.allowed {
			t.Errorf("ResolveURL(%s) error = %v; want allowed=%v", tt.url, err, tt.allowed)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error shows the URL's password: %v", err)
		}
	}
}

func TestUnsafeRelativePathsAreRefused(t *testing.T) {
	c, _ := newTestClient(t, "https://graph.microsoft.com", nil)
	for _, path := range []string{
		"//evil.example/x", "/me//events", "/users/", "/me/../users", "/me/./events", "/me/events#x",
		"/me/%zz", "ftp://evil.example/", "/me/\nevents", "javascript://x",
	} {
		if u, err := c.ResolveURL(path, nil); err == nil {
			t.Errorf("ResolveURL(%q) = %s; want an error", path, u)
		}
	}
	u, err := c.ResolveURL("/me/events?$filter=subject eq 'a\"b<ü>'&$skip=1", nil)
	if err != nil || u.RawQuery != "$filter=subject%20eq%20'a%22b%3C%C3%BC%3E'&$skip=1" {
		t.Errorf("a query typed in the path must be escaped in place: %v, %v", u, err)
	}
	u, err = c.ResolveURL("/me/events?$search=100%&x=%41%2", nil)
	if err != nil || u.RawQuery != "$search=100%25&x=%41%252" {
		t.Errorf("lone %% signs must be escaped, valid escapes kept: %v, %v", u, err)
	}
	u, err = c.ResolveURL("me/events?$top=5", url.Values{"$select": {"subject"}})
	if err != nil || u.String() != "https://graph.microsoft.com/v1.0/me/events?%24select=subject&%24top=5" {
		t.Errorf("ResolveURL = %v, %v", u, err)
	}
}

// TestRedirectsNeverCarryTheToken: Graph does not redirect API calls, so
// the client follows no redirect; the other host sees nothing.
func TestRedirectsNeverCarryTheToken(t *testing.T) {
	var sawAuth atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sawAuth.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer target.Close()
	for _, to := range []string{target.URL + "/steal?x=1", "/v1.0/me/other"} {
		srv := newScripted(t, reply{status: 302, header: map[string]string{"Location": to}})
		user := &http.Client{}
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = user })
		resp, err := c.Do(context.Background(), &Request{Path: "/me"})
		var re *ResponseError
		if !errors.As(err, &re) || re.Status != 302 || !strings.Contains(err.Error(), "follows no redirects") || resp == nil {
			t.Errorf("redirect to %s: Do = %v, %v; want a *ResponseError about the redirect", to, resp, err)
		}
		if user.CheckRedirect != nil {
			t.Error("New modified the caller's http.Client")
		}
		if srv.hits.Load() != 1 {
			t.Errorf("a refused redirect is not retried; hits = %d", srv.hits.Load())
		}
	}
	if n := sawAuth.Load(); n != 0 {
		t.Errorf("the redirect target received Authorization %d times", n)
	}
}

func TestEscapingCannotChangeThePath(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath()+"|"+r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	ids := []string{"AAMk=/+x", "a/b", "a?b=c", "a#b", "100%", "%2F", "..", ".", "...", "../../admin", "a b", "ü@contoso.com", "a;b", "%2e%2e"}
	for _, id := range ids {
		mu.Lock()
		got = nil
		mu.Unlock()
		if _, err := c.Do(context.Background(), &Request{Path: "/me/todo/lists/" + PathSegment(id) + "/tasks"}); err != nil {
			t.Errorf("id %q: %v", id, err)
			continue
		}
		mu.Lock()
		path, query, _ := strings.Cut(got[0], "|")
		mu.Unlock()
		segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
		if len(segs) != 6 || segs[0] != "v1.0" || segs[3] != "lists" || segs[5] != "tasks" || query != "" {
			t.Errorf("id %q: server received path %q query %q; the id changed the path", id, path, query)
			continue
		}
		if dec, err := url.PathUnescape(segs[4]); err != nil || dec != id {
			t.Errorf("id %q: server's segment %q decodes to %q", id, segs[4], dec)
		}
	}
}

func TestPathSegment(t *testing.T) {
	tests := map[string]string{
		"plain": "plain", "a/b": "a%2Fb", "a?b": "a%3Fb", "a#b": "a%23b", "50%": "50%25",
		"..": "%2E%2E", ".": "%2E", "...": "%2E%2E%2E", "a..b": "a..b", "a b": "a%20b",
		"bob@contoso.com": "bob@contoso.com", "": "",
	}
	for in, want := range tests {
		if got := PathSegment(in); got != want {
			t.Errorf("PathSegment(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestODataString(t *testing.T) {
	tests := map[string]string{"": "''", "Ada": "'Ada'", "O'Brien": "'O''Brien'", "'": "''''", "a'' or 1 eq 1": "'a'''' or 1 eq 1'"}
	for in, want := range tests {
		if got := ODataString(in); got != want {
			t.Errorf("ODataString(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestForUser(t *testing.T) {
	tests := []struct{ path, user, want string }{
		{"/me/events", "", "/me/events"},
		{"/me/events", "me", "/me/events"},
		{"/me/events", "ME", "/me/events"},
		{"/me/events", "bob@contoso.com", "/users/bob@contoso.com/events"},
		{"/me", "bob", "/users/bob"},
		{"/me?$select=id", "bob", "/users/bob?$select=id"},
		{"/me/events", "../admin", "/users/..%2Fadmin/events"},
		{"/me/events", "..", "/users/%2E%2E/events"},
		{"/messages", "bob", "/messages"},
		{"/mentions", "bob", "/mentions"},
		{"/users/x/events", "bob", "/users/x/events"},
	}
	for _, tt := range tests {
		if got := ForUser(tt.path, tt.user); got != tt.want {
			t.Errorf("ForUser(%q, %q) = %q; want %q", tt.path, tt.user, got, tt.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	srv := newScripted(t, reply{status: 429, body: body429}, reply{status: 200, body: `{}`})
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/me", Header: http.Header{"Prefer": {`outlook.timezone="UTC"`}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	id := reqs[0].Header.Get("client-request-id")
	if !uuid.MatchString(id) || reqs[1].Header.Get("client-request-id") != id {
		t.Errorf("client-request-id %q, then %q: want one UUIDv4 kept across the retry", id, reqs[1].Header.Get("client-request-id"))
	}
	if reqs[2].Header.Get("client-request-id") == id {
		t.Error("a new logical request must get a new client-request-id")
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "runflow/") || r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("headers %v", r.Header)
		}
	}
	if reqs[0].Header.Get("Prefer") != `outlook.timezone="UTC"` {
		t.Errorf("Prefer header lost: %v", reqs[0].Header)
	}
	resp, _ := c.Do(context.Background(), &Request{Path: "/me"})
	if resp.RequestID != "rid-"+resp.ClientRequestID || resp.RequestID == "rid-" {
		t.Errorf("RequestID %q, ClientRequestID %q: want Graph's request-id read back", resp.RequestID, resp.ClientRequestID)
	}
}

func TestBadHeadersAreRefusedBeforeSending(t *testing.T) {
	srv := newScripted(t, reply{status: 200, body: `{}`})
	c, _ := newTestClient(t, srv.URL, nil)
	for _, h := range []http.Header{
		{"Prefer": {"a\r\nX-Injected: 1"}},
		{"Prefer": {"a\nb"}},
		{"Prefer": {"a\rb"}},
		{"X-Evil\r\nInjected": {"1"}},
		{"Bad Name": {"1"}},
		{"Authorization": {"Bearer attacker"}},
		{"authorization": {"Bearer attacker"}},
		{"Host": {"evil.example"}},
	} {
		if _, err := c.Do(context.Background(), &Request{Path: "/me", Header: h}); err == nil {
			t.Errorf("header %q was accepted", h)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server got %d requests; want none", n)
	}
	if _, err := New(Config{BaseURL: "https://graph.microsoft.com/v1.0", Auth: &countingProvider{tokens: []string{"x"}}, UserAgent: "a\r\nb"}); err == nil {
		t.Error("a UserAgent with a line break was accepted")
	}
}

// TestTokensNeverInTracesOrErrors runs every kind of outcome with a
// trace and searches traces and error strings for secrets.
func TestTokensNeverInTracesOrErrors(t *testing.T) {
	secrets := []string{testToken, "CODE-abc123", "CLIENTSECRET-xyz", "REFRESH-qqq", "VERIFIER-vvv"}
	echo := fmt.Sprintf(`{"error":{"code":"InvalidAuthenticationToken","message":"Token %s is bad"}}`, testToken)
	srv := newScripted(t)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		n := srv.hits.Add(1)
		switch {
		case strings.Contains(r.URL.Path, "drop"):
			hijackAndClose(w)
		case strings.Contains(r.URL.Path, "redirect"):
			http.Redirect(w, r, "https://evil.example/?access_token="+testToken, http.StatusFound)
		case n%2 == 1:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			w.Write([]byte(echo))
		default:
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>" + testToken + "</html>"))
		}
	})
	var traces []string
	var mu sync.Mutex
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.Trace = func(ev TraceEvent) {
			mu.Lock()
			traces = append(traces, fmt.Sprintf("%+v %v", ev, ev.Err))
			mu.Unlock()
		}
	})
	q := url.Values{"access_token": {testToken}, "code": {"CODE-abc123"}, "client_secret": {"CLIENTSECRET-xyz"}, "refresh_token": {"REFRESH-qqq"}, "code_verifier": {"VERIFIER-vvv"}, "$top": {"5"}}
	var errs []string
	for _, path := range []string{"/me", "/me/drop", "/me/redirect", "/me/x"} {
		for _, method := range []string{"GET", "POST"} {
			_, err := c.Do(context.Background(), &Request{Method: method, Path: path, Query: q, Body: []byte(`{}`)})
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if _, err := c.Do(context.Background(), &Request{Path: "https://evil.example/x?access_token=" + testToken}); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := c.Do(context.Background(), &Request{Path: "/me/%zz?access_token=" + testToken}); err != nil {
		errs = append(errs, err.Error())
	}
	all := strings.Join(traces, "\n") + "\n" + strings.Join(errs, "\n")
	if len(traces) < 8 || len(errs) < 8 {
		t.Fatalf("too few traces (%d) or errors (%d) to prove anything", len(traces), len(errs))
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("secret %q found in traces or errors:\n%s", s, all)
		}
	}
	if !strings.Contains(all, "%24top=5") || !strings.Contains(all, "access_token=REDACTED") {
		t.Errorf("traces should keep harmless query values and mark redacted ones:\n%s", all)
	}
}

func TestRedactURL(t *testing.T) {
	u := mustParse(t, "https://u:p@login.example/x?code=abc&state=s1&client_secret=cs&$skiptoken=page2&$filter=a%20eq%201&id_token=jwt#frag")
	got := RedactURL(u)
	want := "https://login.example/x?code=REDACTED&state=REDACTED&client_secret=REDACTED&$skiptoken=page2&$filter=a%20eq%201&id_token=REDACTED"
	if got != want {
		t.Errorf("RedactURL = %s\nwant          %s", got, want)
	}
}
