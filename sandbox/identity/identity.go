// Package identity is the sandbox's Microsoft identity platform (Entra ID
// v2): it signs users in and issues the access tokens the Graph emulation
// (package sandbox) accepts. It answers like Microsoft's v2 endpoints:
//
//	/{tenant}/oauth2/v2.0/authorize   authorization code (+ PKCE S256)
//	/{tenant}/oauth2/v2.0/token       authorization_code, refresh_token,
//	                                  client_credentials, device_code
//	/{tenant}/oauth2/v2.0/devicecode  starts a device code sign-in
//	/{tenant}/oauth2/v2.0/devicelogin the page where a user enters the code
//
// {tenant} is "common", "organizations", "consumers" or the platform's
// tenant id. A Platform is an http.Handler for those paths (see IsPath);
// Validate tells the Graph emulation what a bearer token was granted. Users
// come from a Directory the emulation provides, so this package knows
// nothing of Graph's data.
package identity

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/sandbox/internal/random"
)

// SystemClientID is the application id of runflow's "system" profile
// (Microsoft Graph Command Line Tools, a Microsoft public client). The
// platform registers it as a public client, as it is in every Entra tenant.
const SystemClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// DefaultClientID is the application id of the sandbox's own test helpers;
// the platform registers it as a public client named "runflow sandbox".
const DefaultClientID = "00000000-0000-4000-8000-5a4db0c11e47"

// User is what the identity platform knows of a directory user.
type User struct {
	ID                string
	UserPrincipalName string
	DisplayName       string
	Mail              string
	// Password is what the sign-in pages accept; empty accepts any.
	Password string
}

// Directory is the user directory the platform signs users in from; the
// Graph emulation that mounts the platform provides it.
type Directory interface {
	// LookupUser finds a user by id or userPrincipalName
	// (case-insensitive).
	LookupUser(idOrUPN string) (User, bool)
	// DefaultUser is the user a sign-in approves when none is named (the
	// demo user); false when the directory is empty.
	DefaultUser() (User, bool)
}

// Config configures a Platform.
type Config struct {
	// Now is the clock (default time.Now); expiry is judged by it.
	Now func() time.Time
	// TenantID is the directory id the platform answers for, beside
	// "common", "organizations" and "consumers".
	TenantID string
	// TokenLifetime is how long access tokens last (default one hour).
	TokenLifetime time.Duration
	// Directory is where users are looked up.
	Directory Directory
	// SigningKey returns the key of the self-contained tokens Mint makes.
	// It is called on each use, so the key may change with the data.
	SigningKey func() []byte
}

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

// Platform is the identity platform's state. It is safe for concurrent
// use.
type Platform struct {
	tokens     *tokenRegistry
	now        func() time.Time
	tenantID   string
	lifetime   time.Duration
	dir        Directory
	signingKey func() []byte
	idKey      []byte // HMAC key of the id_tokens

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

// New builds a platform with SystemClientID and DefaultClientID registered
// as public clients.
func New(c Config) *Platform {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	p := &Platform{
		tokens:     newTokenRegistry(now),
		now:        now,
		tenantID:   c.TenantID,
		lifetime:   c.TokenLifetime,
		dir:        c.Directory,
		signingKey: c.SigningKey,
		idKey:      random.Bytes(32),
		clients:    map[string]*Client{},
		consents:   map[consentKey][]string{},
		codes:      map[string]*authCode{},
		refreshes:  map[string]*refreshGrant{},
		devices:    map[string]*deviceGrant{},
		userCodes:  map[string]string{},
		pending:    map[string]*authRequest{},
	}
	if p.lifetime <= 0 {
		p.lifetime = time.Hour
	}
	p.clients[strings.ToLower(SystemClientID)] = &Client{ID: SystemClientID, Name: "Microsoft Graph Command Line Tools"}
	p.clients[strings.ToLower(DefaultClientID)] = &Client{ID: DefaultClientID, Name: "runflow sandbox"}
	return p
}

// lookupUser finds a directory user; an empty name finds no one.
func (p *Platform) lookupUser(idOrUPN string) (User, bool) {
	if p.dir == nil || idOrUPN == "" {
		return User{}, false
	}
	return p.dir.LookupUser(idOrUPN)
}

// userOrDefault finds the user named, or the directory's default user when
// the name is empty.
func (p *Platform) userOrDefault(idOrUPN string) (User, bool) {
	if idOrUPN != "" {
		return p.lookupUser(idOrUPN)
	}
	if p.dir == nil {
		return User{}, false
	}
	return p.dir.DefaultUser()
}

// userID is the id of the user named by id or userPrincipalName, or the
// name itself when the directory does not know it.
func (p *Platform) userID(idOrUPN string) string {
	if u, ok := p.lookupUser(idOrUPN); ok {
		return u.ID
	}
	return idOrUPN
}

// signIn checks the account and password a sign-in page submitted.
func (p *Platform) signIn(username, password string) (User, bool) {
	u, ok := p.lookupUser(strings.TrimSpace(username))
	if !ok || (u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1) {
		return User{}, false
	}
	return u, true
}

// consentTo adds scopes to what u consented to for clientID; the caller
// holds p.mu.
func (p *Platform) consentTo(u User, clientID string, scopes []string) {
	key := consentKey{strings.ToLower(u.ID), strings.ToLower(clientID)}
	p.consents[key] = appendUnique(p.consents[key], scopes...)
}

// RegisterClient adds or replaces an application registration.
func (p *Platform) RegisterClient(c Client) {
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
func (p *Platform) SetConsent(user, clientID string, scopes ...string) {
	uid := p.userID(user)
	p.mu.Lock()
	p.consents[consentKey{strings.ToLower(uid), strings.ToLower(clientID)}] = canonicalScopes(scopes)
	p.mu.Unlock()
}

// Consent returns the scopes user has consented to for clientID.
func (p *Platform) Consent(user, clientID string) []string {
	uid := p.userID(user)
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.consents[consentKey{strings.ToLower(uid), strings.ToLower(clientID)}]...)
}

// ApproveSignIns makes /authorize approve every request at once as user (id
// or userPrincipalName; empty means the directory's default user),
// redirecting with a code without showing the sign-in page. Tests use it to
// drive the redirect.
func (p *Platform) ApproveSignIns(user string) { p.setSignInMode(signInApprove, user) }

// DeclineSignIns makes /authorize answer every request as if the user
// cancelled: a redirect with error=access_denied.
func (p *Platform) DeclineSignIns() { p.setSignInMode(signInDecline, "") }

// InteractiveSignIns restores the default: /authorize shows a sign-in and
// consent page where a user name and password are entered.
func (p *Platform) InteractiveSignIns() { p.setSignInMode(signInInteractive, "") }

func (p *Platform) setSignInMode(m signInMode, user string) {
	p.mu.Lock()
	p.mode, p.autoUser = m, user
	p.mu.Unlock()
}

// RevokeRefreshTokens invalidates every refresh token issued to user (id or
// userPrincipalName), as an admin's "revoke sessions" does. Using one then
// fails with invalid_grant AADSTS50173.
func (p *Platform) RevokeRefreshTokens(user string) {
	uid := p.userID(user)
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
func (p *Platform) SetTokenFault(f TokenFault) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

// IsPath reports whether an URL path is the platform's,
// /{tenant}/oauth2/v2.0/...
func IsPath(path string) bool {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
	return len(parts) >= 3 && parts[0] != "" && parts[1] == "oauth2" && parts[2] == "v2.0"
}

// ServeHTTP serves /{tenant}/oauth2/v2.0/...: authorize, token, devicecode
// and devicelogin.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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

func (p *Platform) knownTenant(t string) bool {
	switch strings.ToLower(t) {
	case "common", "organizations", "consumers":
		return true
	}
	return strings.EqualFold(t, p.tenantID)
}

func (p *Platform) client(id string) (*Client, bool) {
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
func (p *Platform) writeOAuthError(w http.ResponseWriter, r *http.Request, status int, e oauthError) {
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
