package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// refreshGrant is what a refresh token stands for. Refresh tokens rotate:
// each use deletes the grant's old token and issues a new one.
type refreshGrant struct {
	userID   string
	clientID string
	scopes   requestedScopes
	expiry   time.Time
	revoked  bool
}

const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// token serves /token.
func (p *Platform) token(w http.ResponseWriter, r *http.Request) {
	if !p.readPostForm(w, r) {
		return
	}
	if p.applyTokenFault(w, r) {
		return
	}
	c, e, status := p.authenticateClient(r)
	if e != nil {
		p.writeOAuthError(w, r, status, *e)
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		p.redeemCode(w, r, c)
	case "refresh_token":
		p.redeemRefresh(w, r, c)
	case "client_credentials":
		p.clientCredentials(w, r, c)
	case grantDeviceCode:
		p.redeemDeviceCode(w, r, c)
	case "":
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900144,
			desc: "The request body must contain the following parameter: 'grant_type'."})
	default:
		if len(gt) > 100 {
			gt = gt[:100]
		}
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "unsupported_grant_type", aadsts: 70003,
			desc: "The app requested an unsupported grant type '" + gt + "'."})
	}
}

func (p *Platform) applyTokenFault(w http.ResponseWriter, r *http.Request) bool {
	p.mu.Lock()
	f := p.fault
	p.mu.Unlock()
	switch f {
	case TokenFaultServerError:
		p.writeOAuthError(w, r, http.StatusInternalServerError, oauthError{code: "server_error", aadsts: 90033,
			desc: "A transient error has occurred. Please try again."})
	case TokenFaultNonJSON:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n"))
	case TokenFaultInvalidClient:
		p.writeOAuthError(w, r, http.StatusUnauthorized, oauthError{code: "invalid_client", aadsts: 7000215,
			desc: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."})
	case TokenFaultInvalidScope:
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_scope", aadsts: 70011,
			desc: "The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/mail.read is not valid."})
	default:
		return false
	}
	return true
}

// authenticateClient finds the client and checks its credentials the way
// Entra does: public clients send client_id in the body and no secret (HTTP
// Basic or client_secret from a public client is AADSTS700025); confidential
// clients authenticate with HTTP Basic or client_secret in the body.
func (p *Platform) authenticateClient(r *http.Request) (*Client, *oauthError, int) {
	basicID, basicSecret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both parts are form-encoded inside Basic.
		basicID, _ = url.QueryUnescape(basicID)
		basicSecret, _ = url.QueryUnescape(basicSecret)
	}
	id := r.PostForm.Get("client_id")
	if basic && id != "" && !strings.EqualFold(id, basicID) {
		return nil, &oauthError{code: "invalid_request", aadsts: 50027, desc: "The client_id in the request body differs from the one in the Authorization header."}, http.StatusBadRequest
	}
	if id == "" {
		id = basicID
	}
	if id == "" {
		return nil, &oauthError{code: "invalid_request", aadsts: 900144, desc: "The request body must contain the following parameter: 'client_id'."}, http.StatusBadRequest
	}
	c, ok := p.client(id)
	if !ok {
		if len(id) > 100 {
			id = id[:100]
		}
		return nil, &oauthError{code: "unauthorized_client", aadsts: 700016,
			desc: "Application with identifier '" + id + "' was not found in the directory '" + p.tenantID + "'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."}, http.StatusBadRequest
	}
	bodySecret := r.PostForm.Get("client_secret")
	if c.Secret == "" {
		if basic || bodySecret != "" || r.PostForm.Get("client_assertion") != "" {
			return nil, &oauthError{code: "invalid_client", aadsts: 700025,
				desc: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."}, http.StatusUnauthorized
		}
		return c, nil, 0
	}
	secret := bodySecret
	if basic {
		secret = basicSecret
	}
	if secret == "" {
		return nil, &oauthError{code: "invalid_client", aadsts: 7000218,
			desc: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}, http.StatusUnauthorized
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return nil, &oauthError{code: "invalid_client", aadsts: 7000215,
			desc: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + c.ID + "'."}, http.StatusUnauthorized
	}
	return c, nil, 0
}

// redeemCode is the authorization_code grant.
func (p *Platform) redeemCode(w http.ResponseWriter, r *http.Request, c *Client) {
	f := r.PostForm
	code := f.Get("code")
	if code == "" {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900144, desc: "The request body must contain the following parameter: 'code'."})
		return
	}
	p.mu.Lock()
	ac, ok := p.codes[code]
	var bad *oauthError
	switch {
	case !ok:
		bad = &oauthError{code: "invalid_grant", aadsts: 70000, desc: "The provided authorization code is invalid or malformed."}
	case ac.redeemed:
		bad = &oauthError{code: "invalid_grant", aadsts: 54005, desc: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."}
	case !p.now().Before(ac.expiry):
		bad = &oauthError{code: "invalid_grant", aadsts: 70008, desc: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."}
	case !strings.EqualFold(ac.clientID, c.ID):
		bad = &oauthError{code: "invalid_grant", aadsts: 70000, desc: "The provided authorization code was issued to a different client."}
	case f.Get("redirect_uri") != ac.redirectURI:
		bad = &oauthError{code: "invalid_grant", aadsts: 50148, desc: "The redirect_uri does not match the one used in the authorization request."}
	case ac.challenge != "" && f.Get("code_verifier") == "":
		bad = &oauthError{code: "invalid_grant", aadsts: 501481, desc: "The Code_Verifier is missing; the authorization request sent a code_challenge."}
	case ac.challenge != "" && !verifierMatches(f.Get("code_verifier"), ac.challenge):
		bad = &oauthError{code: "invalid_grant", aadsts: 501481, desc: "The Code_Verifier does not match the code_challenge supplied in the authorization request."}
	}
	if ok {
		// A code is single-use: a failed redemption burns it too.
		ac.redeemed = true
	}
	p.mu.Unlock()
	if bad != nil {
		p.writeOAuthError(w, r, http.StatusBadRequest, *bad)
		return
	}
	p.issueForUser(w, r, c, ac.userID, ac.scopes, ac.nonce)
}

// verifierMatches checks an RFC 7636 S256 code_verifier against the challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// redeemRefresh is the refresh_token grant, with rotation.
func (p *Platform) redeemRefresh(w http.ResponseWriter, r *http.Request, c *Client) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900144, desc: "The request body must contain the following parameter: 'refresh_token'."})
		return
	}
	var asked *requestedScopes
	if raw := r.PostForm.Get("scope"); raw != "" {
		rs, e := parseScopes(raw)
		if e != nil {
			p.writeOAuthError(w, r, http.StatusBadRequest, *e)
			return
		}
		asked = &rs
	}
	p.mu.Lock()
	g, ok := p.refreshes[rt]
	var bad *oauthError
	switch {
	case !ok:
		bad = &oauthError{code: "invalid_grant", aadsts: 70000, desc: "The provided value for 'refresh_token' is not valid: it is unknown or was already used (refresh tokens rotate on every use)."}
	case !strings.EqualFold(g.clientID, c.ID):
		bad = &oauthError{code: "invalid_grant", aadsts: 70000, desc: "The refresh token was issued to a different client."}
	case g.revoked:
		bad = &oauthError{code: "invalid_grant", aadsts: 50173, desc: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}
	case !p.now().Before(g.expiry):
		bad = &oauthError{code: "invalid_grant", aadsts: 700082, desc: "The refresh token has expired due to inactivity. The token was inactive for 90.00:00:00."}
	}
	var scopes requestedScopes
	if bad == nil {
		scopes = g.scopes
		if asked != nil {
			scopes.graph = asked.graph
		}
		consent := p.consents[consentKey{strings.ToLower(g.userID), strings.ToLower(c.ID)}]
		if m := missing(consent, scopes.graph); len(m) > 0 {
			bad = &oauthError{code: "invalid_grant", aadsts: 65001, suberror: "consent_required",
				desc: "The user or administrator has not consented to use the application with ID '" + c.ID + "' named '" + c.Name + "' for " + strings.Join(m, " ") + ". Send an interactive authorization request for this user and resource."}
		}
	}
	if bad == nil {
		delete(p.refreshes, rt)
	}
	p.mu.Unlock()
	if bad != nil {
		p.writeOAuthError(w, r, http.StatusBadRequest, *bad)
		return
	}
	scopes.offline = true // the grant existed, so offline_access was granted
	p.issueForUser(w, r, c, g.userID, scopes, "")
}

// clientCredentials is the app-only grant of a confidential client.
func (p *Platform) clientCredentials(w http.ResponseWriter, r *http.Request, c *Client) {
	if c.Secret == "" {
		p.writeOAuthError(w, r, http.StatusUnauthorized, oauthError{code: "invalid_client", aadsts: 7000218,
			desc: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."})
		return
	}
	scope := strings.TrimSpace(r.PostForm.Get("scope"))
	if !strings.EqualFold(scope, graphResource+".default") {
		if len(scope) > 200 {
			scope = scope[:200]
		}
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_scope", aadsts: 1002012,
			desc: "The provided value for scope " + scope + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."})
		return
	}
	now := p.now()
	access := p.tokens.issue(Grant{ClientID: c.ID, TenantID: p.tenantID, Scopes: append([]string(nil), c.Roles...), AppOnly: true, Expiry: now.Add(p.lifetime)})
	secs := int(p.lifetime / time.Second)
	writeIdentityJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   access,
	})
}

// issueForUser answers a delegated grant redeemed for userID, who must
// still be in the directory.
func (p *Platform) issueForUser(w http.ResponseWriter, r *http.Request, c *Client, userID string, scopes requestedScopes, nonce string) {
	u, found := p.lookupUser(userID)
	if !found {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_grant", aadsts: 50034, desc: "The user account does not exist in the directory."})
		return
	}
	p.issueUserTokens(w, c, u, scopes, nonce)
}

// issueUserTokens answers a delegated grant: an access token carrying every
// Graph scope the user consented to for the client (as Entra does), a
// rotated refresh token with offline_access, an id_token with openid.
func (p *Platform) issueUserTokens(w http.ResponseWriter, c *Client, u User, scopes requestedScopes, nonce string) {
	now := p.now()
	p.mu.Lock()
	granted := append([]string(nil), p.consents[consentKey{strings.ToLower(u.ID), strings.ToLower(c.ID)}]...)
	var refresh string
	if scopes.offline {
		refresh = "sbxr." + randomString(48)
		p.pruneRefreshes()
		p.refreshes[refresh] = &refreshGrant{userID: u.ID, clientID: c.ID, scopes: scopes, expiry: now.Add(refreshTokenLifetime)}
	}
	p.mu.Unlock()
	access := p.tokens.issue(Grant{UserID: u.ID, ClientID: c.ID, TenantID: p.tenantID, Scopes: granted, Expiry: now.Add(p.lifetime)})
	secs := int(p.lifetime / time.Second)
	body := map[string]any{
		"token_type":     "Bearer",
		"scope":          strings.Join(append(granted, scopes.oidcNames()...), " "),
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   access,
	}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	if scopes.openid {
		body["id_token"] = p.idToken(u, c.ID, nonce, now)
	}
	writeIdentityJSON(w, http.StatusOK, body)
}

// pruneRefreshes drops expired grants; the caller holds p.mu.
func (p *Platform) pruneRefreshes() {
	now := p.now()
	for t, g := range p.refreshes {
		if !now.Before(g.expiry) {
			delete(p.refreshes, t)
		}
	}
}

// readPostForm reads the form of a POST to /token or /devicecode, answering
// as Entra does (AADSTS900561, AADSTS900144) when the method is not POST or
// the body is not a form within maxFormBytes. It reports whether to go on.
func (p *Platform) readPostForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900561,
			desc: "The endpoint only accepts POST, OPTIONS requests. Received a " + r.Method + " request."})
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900144,
			desc: "The request body must be application/x-www-form-urlencoded and at most 64 KiB."})
		return false
	}
	return true
}
