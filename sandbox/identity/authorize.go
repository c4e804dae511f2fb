package identity

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// authRequest is a validated /authorize request waiting for the user.
type authRequest struct {
	id          string
	client      *Client
	redirectURI string
	state       string
	nonce       string
	scopes      requestedScopes
	challenge   string
	loginHint   string
	expiry      time.Time
}

// authCode is an issued authorization code.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	userID      string
	scopes      requestedScopes
	nonce       string
	expiry      time.Time
	redeemed    bool
}

// authorize serves /authorize: GET starts a sign-in, POST submits the
// sign-in page.
func (p *Platform) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		p.authorizeSubmit(w, r)
		return
	}
	if r.Method != http.MethodGet {
		writeIdentityPage(w, http.StatusMethodNotAllowed, "AADSTS900561: The endpoint only accepts GET and POST requests.")
		return
	}
	q := r.URL.Query()
	c, ok := p.client(q.Get("client_id"))
	if !ok {
		// Entra shows an error page: without a known client it cannot trust
		// the redirect URI.
		writeIdentityPage(w, http.StatusBadRequest, "AADSTS700016: Application with identifier '"+q.Get("client_id")+"' was not found in the directory '"+p.tenantID+"'.")
		return
	}
	redirect := q.Get("redirect_uri")
	if !redirectAllowed(c, redirect) {
		writeIdentityPage(w, http.StatusBadRequest, "AADSTS50011: The redirect URI '"+redirect+"' specified in the request does not match the redirect URIs configured for the application '"+c.ID+"'.")
		return
	}
	state := q.Get("state")
	fail := func(e *oauthError) { redirectError(w, r, redirect, state, e) }
	if rt := q.Get("response_type"); rt != "code" {
		fail(&oauthError{code: "unsupported_response_type", aadsts: 700054, desc: "response_type '" + rt + "' is not supported. Only 'code' is."})
		return
	}
	if m := q.Get("response_mode"); m != "" && m != "query" {
		fail(&oauthError{code: "invalid_request", aadsts: 900144, desc: "response_mode '" + m + "' is not supported by the sandbox; use 'query'."})
		return
	}
	scopes, serr := parseScopes(q.Get("scope"))
	if serr != nil {
		fail(serr)
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge == "" && c.Secret == "" {
		fail(&oauthError{code: "invalid_request", aadsts: 9002325, desc: "Proof Key for Code Exchange is required for public clients: send code_challenge and code_challenge_method=S256."})
		return
	}
	if challenge != "" && method != "S256" {
		fail(&oauthError{code: "invalid_request", aadsts: 501491, desc: "Invalid code_challenge_method '" + method + "': only S256 is accepted."})
		return
	}
	if challenge != "" && (len(challenge) != 43 || strings.ContainsAny(challenge, "+/=")) {
		fail(&oauthError{code: "invalid_request", aadsts: 501491, desc: "Invalid size of code_challenge parameter: an S256 challenge is 43 base64url characters."})
		return
	}
	req := &authRequest{
		id: randomString(24), client: c, redirectURI: redirect, state: state,
		nonce: q.Get("nonce"), scopes: scopes, challenge: challenge,
		loginHint: q.Get("login_hint"), expiry: p.now().Add(authCodeLifetime),
	}
	p.mu.Lock()
	mode, autoUser := p.mode, p.autoUser
	p.mu.Unlock()
	if q.Get("prompt") == "none" && mode != signInApprove {
		fail(&oauthError{code: "interaction_required", aadsts: 50058, desc: "A silent sign-in request was sent but no user is signed in."})
		return
	}
	switch mode {
	case signInDecline:
		fail(&oauthError{code: "access_denied", aadsts: 65004, desc: "User declined to consent to access the app."})
	case signInApprove:
		u, ok := p.userOrDefault(autoUser)
		if !ok {
			fail(&oauthError{code: "invalid_request", aadsts: 50034, desc: "The user account " + autoUser + " does not exist in the directory."})
			return
		}
		p.approve(w, r, req, u)
	default:
		p.mu.Lock()
		p.prunePending()
		p.pending[req.id] = req
		p.mu.Unlock()
		renderSignIn(w, req, "")
	}
}

// authorizeSubmit handles the sign-in page's form.
func (p *Platform) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeIdentityPage(w, http.StatusBadRequest, "AADSTS900144: The sign-in form could not be read.")
		return
	}
	id := r.PostForm.Get("request_id")
	p.mu.Lock()
	req, ok := p.pending[id]
	if ok && !p.now().Before(req.expiry) {
		delete(p.pending, id)
		ok = false
	}
	p.mu.Unlock()
	if !ok {
		writeIdentityPage(w, http.StatusBadRequest, "AADSTS50089: The sign-in request expired or was already used. Start the sign-in again.")
		return
	}
	if r.PostForm.Get("action") != "approve" {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		redirectError(w, r, req.redirectURI, req.state, &oauthError{code: "access_denied", aadsts: 65004, desc: "User declined to consent to access the app."})
		return
	}
	u, ok := p.signIn(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		renderSignIn(w, req, "Your account or password is incorrect.")
		return
	}
	p.mu.Lock()
	delete(p.pending, id)
	p.mu.Unlock()
	p.approve(w, r, req, u)
}

// approve records consent to the requested scopes and redirects with a
// fresh authorization code.
func (p *Platform) approve(w http.ResponseWriter, r *http.Request, req *authRequest, u User) {
	code := randomString(48)
	p.mu.Lock()
	p.consentTo(u, req.client.ID, req.scopes.graph)
	p.pruneCodes()
	p.codes[code] = &authCode{
		clientID: req.client.ID, redirectURI: req.redirectURI, challenge: req.challenge,
		userID: u.ID, scopes: req.scopes, nonce: req.nonce, expiry: p.now().Add(authCodeLifetime),
	}
	p.mu.Unlock()
	redirectWith(w, r, req.redirectURI, url.Values{"code": {code}, "state": {req.state}})
}

// prunePending and pruneCodes drop expired entries and bound the maps;
// callers hold p.mu.
func (p *Platform) prunePending() {
	now := p.now()
	for id, req := range p.pending {
		if !now.Before(req.expiry) || len(p.pending) > maxPendingItems {
			delete(p.pending, id)
		}
	}
}

func (p *Platform) pruneCodes() {
	now := p.now()
	for c, ac := range p.codes {
		if !now.Before(ac.expiry) || len(p.codes) > maxPendingItems {
			delete(p.codes, c)
		}
	}
}

// redirectAllowed reports whether uri may receive c's codes: a registered
// URI (the port of a loopback URI does not matter, as in Entra), or, for a
// public client, any loopback http URI.
func redirectAllowed(c *Client, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.Fragment != "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if c.Secret == "" && isLoopbackURL(u) {
		return true
	}
	for _, reg := range c.RedirectURIs {
		ru, err := url.Parse(reg)
		if err != nil {
			continue
		}
		if isLoopbackURL(ru) && isLoopbackURL(u) {
			if ru.Hostname() == u.Hostname() && strings.TrimSuffix(ru.Path, "/") == strings.TrimSuffix(u.Path, "/") {
				return true
			}
			continue
		}
		if reg == uri {
			return true
		}
	}
	return false
}

func isLoopbackURL(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// redirectWith sends the browser to base with params added to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, base string, params url.Values) {
	u, _ := url.Parse(base) // checked by redirectAllowed
	q := u.Query()
	for k, vs := range params {
		if len(vs) == 1 && vs[0] == "" && k == "state" {
			continue
		}
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// redirectError sends an authorize error back to the client, as in
// authorize-error-redirect-entra.txt: error and error_description.
func redirectError(w http.ResponseWriter, r *http.Request, redirect, state string, e *oauthError) {
	redirectWith(w, r, redirect, url.Values{
		"error":             {e.code},
		"error_description": {aadstsText(e.aadsts) + e.desc},
		"state":             {state},
	})
}

// identityPage is parsed on first use, not when a program that links the
// sandbox starts.
var identityPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox sign-in</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}label{display:block;margin:.5em 0}</style></head>
<body><h1>runflow sandbox</h1>
{{if .Message}}<p role="alert">{{.Message}}</p>{{end}}
{{if .Form}}<p><strong>{{.App}}</strong> wants to:</p><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post">
<input type="hidden" name="{{.Field}}" value="{{.ID}}">
{{if .UserCode}}<label>Code <input name="user_code" autocomplete="off"></label>{{end}}
<label>Account <input name="username" value="{{.Hint}}" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button name="action" value="approve">Accept</button> <button name="action" value="cancel">Cancel</button>
</form>{{end}}
</body></html>`))
})

type pageData struct {
	Message  string
	Form     bool
	App      string
	Scopes   []string
	Field    string
	ID       string
	Hint     string
	UserCode bool
}

func renderSignIn(w http.ResponseWriter, req *authRequest, message string) {
	scopes := append(append([]string(nil), req.scopes.graph...), req.scopes.oidcNames()...)
	if req.scopes.offline {
		scopes = append(scopes, "offline_access")
	}
	renderPage(w, http.StatusOK, pageData{Message: message, Form: true, App: req.client.Name,
		Scopes: scopes, Field: "request_id", ID: req.id, Hint: req.loginHint})
}

func writeIdentityPage(w http.ResponseWriter, status int, message string) {
	renderPage(w, status, pageData{Message: message})
}

func renderPage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_ = identityPage().Execute(w, d)
}
