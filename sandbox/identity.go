package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"
)

// The sandbox's identity platform answers like Microsoft's v2 endpoints:
//
//	/{tenant}/oauth2/v2.0/authorize   authorization code (+ PKCE S256)
//	/{tenant}/oauth2/v2.0/token       authorization_code, refresh_token,
//	                                  client_credentials, device_code
//	/{tenant}/oauth2/v2.0/devicecode  starts a device code sign-in
//	/{tenant}/oauth2/v2.0/devicelogin the page where a user enters the code
//
// {tenant} is "common", "organizations", "consumers" or the sandbox's tenant
// id. Access tokens are issued through the server's token registry, so the
// Graph half of the sandbox accepts them with the scopes they were granted.

// SystemClientID is the application id of runflow's "system" profile
// (Microsoft Graph Command Line Tools, a Microsoft public client). The
// sandbox registers it as a public client, as it is in every Entra tenant.
const SystemClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// Client is an application registered with the sandbox's identity platform.
type Client struct {
	// ID is the application (client) id.
	ID string
	// Name is shown on the consent page and in error descriptions.
	Name string
	// Secret makes the client confidential: it must then authenticate at
	// the token endpoint (HTTP Basic or client_secret in the body). Empty
	// means a public client, which must not send any secret.
	Secret string
	// RedirectURIs are the registered redirect URIs. Public clients may
	// also use any loopback URI (http://127.0.0.1, http://localhost or
	// http://[::1], any port), as Entra allows for native apps.
	RedirectURIs []string
	// Roles are the application permissions (e.g. "Calendars.ReadWrite")
	// an admin granted the app; client-credentials tokens carry them.
	Roles []string
}

// TokenFault makes the token endpoint misbehave, for client tests.
type TokenFault int

const (
	// TokenFaultNone answers normally.
	TokenFaultNone TokenFault = iota
	// TokenFaultServerError answers 500 with Entra's error JSON.
	TokenFaultServerError
	// TokenFaultNonJSON answers 502 with an HTML page, as a proxy would.
	TokenFaultNonJSON
	// TokenFaultInvalidClient answers 401 invalid_client (a rejected secret).
	TokenFaultInvalidClient
	// TokenFaultInvalidScope answers 400 invalid_scope.
	TokenFaultInvalidScope
)

// Lifetimes and limits of the identity platform's artefacts, as Entra's.
const (
	authCodeLifetime     = 10 * time.Minute
	refreshTokenLifetime = 90 * 24 * time.Hour
	deviceCodeLifetime   = 15 * time.Minute
	deviceCodeInterval   = 5 // seconds
	maxPendingItems      = 10000
	maxFormBytes         = 64 << 10
)

// identityPlatform is the identity half's state. It keeps only a weak
// pointer to its Server so that the registry below does not keep servers
// alive.
type identityPlatform struct {
	server   weak.Pointer[Server]
	tokens   *tokenRegistry
	now      func() time.Time
	tenantID string
	lifetime time.Duration
	idKey    []byte // HMAC key of the id_tokens

	mu        sync.Mutex
	clients   map[string]*Client // by lower-case id
	consents  map[consentKey][]string
	codes     map[string]*authCode
	refreshes map[string]*refreshGrant
	devices   map[string]*deviceGrant // by device_code
	userCodes map[string]string       // user_code → device_code
	pending   map[string]*authRequest // interactive sign-ins by id
	mode      signInMode
	autoUser  string
	fault     TokenFault
}

type signInMode int

const (
	signInInteractive signInMode = iota
	signInApprove
	signInDecline
)

type consentKey struct{ user, client string }

// identities maps each Server to its identity platform. Server has no field
// for it, so the state lives here, keyed weakly and dropped with the server.
var identities sync.Map // weak.Pointer[Server] → *identityPlatform

func (s *Server) idp() *identityPlatform {
	key := weak.Make(s)
	if v, ok := identities.Load(key); ok {
		return v.(*identityPlatform)
	}
	v, loaded := identities.LoadOrStore(key, newIdentityPlatform(s, key))
	if !loaded {
		runtimeAddCleanup(s, key)
	}
	return v.(*identityPlatform)
}

// runtimeAddCleanup forgets a server's identity state once it is collected.
func runtimeAddCleanup(s *Server, key weak.Pointer[Server]) {
	runtime.AddCleanup(s, func(k weak.Pointer[Server]) { identities.Delete(k) }, key)
}

func newIdentityPlatform(s *Server, key weak.Pointer[Server]) *identityPlatform {
	p := &identityPlatform{
		server:    key,
		tokens:    s.tokens,
		now:       s.now,
		tenantID:  s.tenantID,
		lifetime:  s.tokenLifetime,
		idKey:     make([]byte, 32),
		clients:   map[string]*Client{},
		consents:  map[consentKey][]string{},
		codes:     map[string]*authCode{},
		refreshes: map[string]*refreshGrant{},
		devices:   map[string]*deviceGrant{},
		userCodes: map[string]string{},
		pending:   map[string]*authRequest{},
	}
	if _, err := rand.Read(p.idKey); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	p.clients[strings.ToLower(SystemClientID)] = &Client{ID: SystemClientID, Name: "Microsoft Graph Command Line Tools"}
	p.clients[strings.ToLower(DefaultClientID)] = &Client{ID: DefaultClientID, Name: "runflow sandbox"}
	return p
}

// lookupUser finds a directory user through the server, if it still exists.
func (p *identityPlatform) lookupUser(idOrUPN string) (User, bool) {
	s := p.server.Value()
	if s == nil || idOrUPN == "" {
		return User{}, false
	}
	return s.LookupUser(idOrUPN)
}

// demoUser is the directory's first user.
func (p *identityPlatform) demoUser() (User, bool) {
	s := p.server.Value()
	if s == nil {
		return User{}, false
	}
	users := s.Users()
	if len(users) == 0 {
		return User{}, false
	}
	return users[0], true
}

// RegisterClient adds or replaces an application registration.
func (s *Server) RegisterClient(c Client) {
	p := s.idp()
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	c.Roles = append([]string(nil), c.Roles...)
	if c.Name == "" {
		c.Name = "app " + c.ID
	}
	p.mu.Lock()
	p.clients[strings.ToLower(c.ID)] = &c
	p.mu.Unlock()
}

// SetConsent records that user (id or userPrincipalName) has consented to
// scopes for clientID, replacing what was consented before. Refreshing a
// token for a scope outside the consent fails with AADSTS65001, as Entra
// answers; an approved sign-in adds the scopes it asked for.
func (s *Server) SetConsent(user, clientID string, scopes ...string) {
	p := s.idp()
	uid := user
	if u, ok := p.lookupUser(user); ok {
		uid = u.ID
	}
	p.mu.Lock()
	p.consents[consentKey{strings.ToLower(uid), strings.ToLower(clientID)}] = canonicalScopes(scopes)
	p.mu.Unlock()
}

// Consent returns the scopes user has consented to for clientID.
func (s *Server) Consent(user, clientID string) []string {
	p := s.idp()
	uid := user
	if u, ok := p.lookupUser(user); ok {
		uid = u.ID
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.consents[consentKey{strings.ToLower(uid), strings.ToLower(clientID)}]...)
}

// ApproveSignIns makes /authorize approve every request at once as user (id
// or userPrincipalName; empty means the demo user), redirecting with a code
// without showing the sign-in page. Tests use it to drive the redirect.
func (s *Server) ApproveSignIns(user string) {
	p := s.idp()
	p.mu.Lock()
	p.mode, p.autoUser = signInApprove, user
	p.mu.Unlock()
}

// DeclineSignIns makes /authorize answer every request as if the user
// cancelled: a redirect with error=access_denied.
func (s *Server) DeclineSignIns() {
	p := s.idp()
	p.mu.Lock()
	p.mode, p.autoUser = signInDecline, ""
	p.mu.Unlock()
}

// InteractiveSignIns restores the default: /authorize shows a sign-in and
// consent page where a user name and password are entered.
func (s *Server) InteractiveSignIns() {
	p := s.idp()
	p.mu.Lock()
	p.mode, p.autoUser = signInInteractive, ""
	p.mu.Unlock()
}

// RevokeRefreshTokens invalidates every refresh token issued to user (id or
// userPrincipalName), as an admin's "revoke sessions" does. Using one then
// fails with invalid_grant AADSTS50173.
func (s *Server) RevokeRefreshTokens(user string) {
	p := s.idp()
	uid := user
	if u, ok := p.lookupUser(user); ok {
		uid = u.ID
	}
	p.mu.Lock()
	for _, g := range p.refreshes {
		if strings.EqualFold(g.userID, uid) {
			g.revoked = true
		}
	}
	p.mu.Unlock()
}

// SetTokenFault makes every token endpoint request fail as f says, until
// set back to TokenFaultNone.
func (s *Server) SetTokenFault(f TokenFault) {
	p := s.idp()
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

// identity serves /{tenant}/oauth2/v2.0/...
func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	p := s.idp()
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 4)
	tenant, endpoint := parts[0], ""
	if len(parts) == 4 {
		endpoint = parts[3]
	}
	if !p.knownTenant(tenant) {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{
			code: "invalid_tenant", aadsts: 90002,
			desc: "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
		})
		return
	}
	switch endpoint {
	case "authorize":
		p.authorize(w, r)
	case "token":
		p.token(w, r)
	case "devicecode":
		p.deviceCode(w, r)
	case "devicelogin":
		p.deviceLogin(w, r)
	default:
		p.writeOAuthError(w, r, http.StatusNotFound, oauthError{
			code: "invalid_request", aadsts: 900561,
			desc: "The endpoint '" + endpoint + "' does not exist on the identity platform.",
		})
	}
}

func (p *identityPlatform) knownTenant(t string) bool {
	switch strings.ToLower(t) {
	case "common", "organizations", "consumers":
		return true
	}
	return strings.EqualFold(t, p.tenantID)
}

func (p *identityPlatform) client(id string) (*Client, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[strings.ToLower(id)]
	if !ok {
		return nil, false
	}
	cc := *c
	return &cc, true
}

// oauthError is an error of the identity platform, written as Entra does.
type oauthError struct {
	code     string
	aadsts   int
	desc     string
	suberror string
}

// writeOAuthError writes Entra's token error JSON: error, error_description
// ("AADSTSnnnn: ..." followed by trace, correlation and time lines),
// error_codes, timestamp, trace_id, correlation_id and error_uri.
func (p *identityPlatform) writeOAuthError(w http.ResponseWriter, r *http.Request, status int, e oauthError) {
	ts := p.now().UTC().Format("2006-01-02 15:04:05Z")
	trace := newGUID()
	corr := r.Header.Get("client-request-id")
	if corr == "" || len(corr) > 100 {
		corr = newGUID()
	}
	body := map[string]any{
		"error": e.code,
		"error_description": aadstsText(e.aadsts) + e.desc +
			"\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts,
		"error_codes":    []int{e.aadsts},
		"timestamp":      ts,
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      "https://login.microsoftonline.com/error?code=" + itoa(e.aadsts),
	}
	if e.suberror != "" {
		body["suberror"] = e.suberror
	}
	writeIdentityJSON(w, status, body)
}

func aadstsText(n int) string { return "AADSTS" + itoa(n) + ": " }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// writeIdentityJSON writes an identity platform answer: JSON, never cached.
func writeIdentityJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sandbox: encoding identity answer: " + err.Error())
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
