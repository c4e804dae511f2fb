package identity

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/runflow/runflow/sandbox/internal/random"
)

// deviceGrant is a device code sign-in in progress.
type deviceGrant struct {
	deviceCode string
	userCode   string
	clientID   string
	scopes     requestedScopes
	expiry     time.Time
	interval   time.Duration
	lastPoll   time.Time
	approved   bool
	declined   bool
	userID     string
}

// deviceCode serves /devicecode: it starts a sign-in and answers with the
// codes, shaped like devicecode-response-msaljs-testconst.json.
func (p *Platform) deviceCode(w http.ResponseWriter, r *http.Request) {
	if !p.readPostForm(w, r) {
		return
	}
	id := r.PostForm.Get("client_id")
	c, ok := p.client(id)
	if !ok {
		if len(id) > 100 {
			id = id[:100]
		}
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "unauthorized_client", aadsts: 700016,
			desc: "Application with identifier '" + id + "' was not found in the directory '" + p.tenantID + "'."})
		return
	}
	scopes, e := parseScopes(r.PostForm.Get("scope"))
	if e != nil {
		p.writeOAuthError(w, r, http.StatusBadRequest, *e)
		return
	}
	now := p.now()
	g := &deviceGrant{
		deviceCode: randomString(72),
		userCode:   newUserCode(),
		clientID:   c.ID,
		scopes:     scopes,
		expiry:     now.Add(deviceCodeLifetime),
		interval:   deviceCodeInterval * time.Second,
	}
	p.mu.Lock()
	p.pruneDevices()
	p.devices[g.deviceCode] = g
	p.userCodes[g.userCode] = g.deviceCode
	p.mu.Unlock()
	verify := requestBase(r) + "/" + strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0] + "/oauth2/v2.0/devicelogin"
	writeIdentityJSON(w, http.StatusOK, map[string]any{
		"user_code":        g.userCode,
		"device_code":      g.deviceCode,
		"verification_uri": verify,
		"expires_in":       int(deviceCodeLifetime / time.Second),
		"interval":         deviceCodeInterval,
		"message":          "To sign in, use a web browser to open the page " + verify + " and enter the code " + g.userCode + " to authenticate.",
	})
}

// requestBase is the scheme and host the request reached the sandbox at.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// userCodeAlphabet avoids letters and digits people confuse (0/O, 1/I).
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newUserCode() string {
	b := random.Bytes(9)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// pruneDevices drops sign-ins expired long enough that no client still
// polls; the caller holds p.mu.
func (p *Platform) pruneDevices() {
	now := p.now()
	for dc, g := range p.devices {
		if now.Sub(g.expiry) > deviceCodeLifetime || len(p.devices) > maxPendingItems {
			delete(p.devices, dc)
			delete(p.userCodes, g.userCode)
		}
	}
}

// redeemDeviceCode is the device_code grant: the client polls until the
// user has answered, as RFC 8628 and Entra describe.
func (p *Platform) redeemDeviceCode(w http.ResponseWriter, r *http.Request, c *Client) {
	dc := r.PostForm.Get("device_code")
	if dc == "" {
		p.writeOAuthError(w, r, http.StatusBadRequest, oauthError{code: "invalid_request", aadsts: 900144, desc: "The request body must contain the following parameter: 'device_code'."})
		return
	}
	now := p.now()
	p.mu.Lock()
	g, ok := p.devices[dc]
	var bad *oauthError
	switch {
	case !ok || !strings.EqualFold(g.clientID, c.ID):
		bad = &oauthError{code: "bad_verification_code", aadsts: 70000, desc: "The device_code was not recognized: it is unknown, was issued to another client or was already redeemed."}
	case !now.Before(g.expiry):
		bad = &oauthError{code: "expired_token", aadsts: 70019, desc: "Verification code expired. Start a new device code sign-in."}
	case g.declined:
		bad = &oauthError{code: "authorization_declined", aadsts: 70000, desc: "The user declined the sign-in request."}
	case !g.approved && !g.lastPoll.IsZero() && now.Sub(g.lastPoll) < g.interval:
		g.interval += 5 * time.Second // RFC 8628 §3.5
		bad = &oauthError{code: "slow_down", aadsts: 70016, desc: fmt.Sprintf("OAuth 2.0 device flow error. Polling too fast: wait %d seconds between requests.", int(g.interval/time.Second))}
	case !g.approved:
		bad = &oauthError{code: "authorization_pending", aadsts: 70016, desc: "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}
	}
	if ok {
		g.lastPoll = now
	}
	if bad == nil {
		delete(p.devices, dc)
		delete(p.userCodes, g.userCode)
	}
	p.mu.Unlock()
	if bad != nil {
		p.writeOAuthError(w, r, http.StatusBadRequest, *bad)
		return
	}
	p.issueForUser(w, r, c, g.userID, g.scopes, "")
}

// Errors of ApproveDeviceCode and DeclineDeviceCode.
var (
	ErrUnknownUserCode  = errors.New("sandbox: no device code sign-in has this user code")
	ErrUserCodeExpired  = errors.New("sandbox: the device code sign-in has expired")
	ErrUserCodeAnswered = errors.New("sandbox: the device code sign-in was already approved or declined")
	ErrUnknownUser      = errors.New("sandbox: no such user in the directory")
)

// ApproveDeviceCode approves the device code sign-in showing userCode as
// user (id or userPrincipalName; empty means the directory's default user),
// consenting to the scopes it asked for. The client's next poll gets the
// tokens.
func (p *Platform) ApproveDeviceCode(userCode, user string) error {
	u, ok := p.userOrDefault(user)
	if !ok {
		return ErrUnknownUser
	}
	return p.answerDevice(userCode, p.approveDevice(u))
}

// DeclineDeviceCode declines the device code sign-in showing userCode; the
// client's next poll gets authorization_declined.
func (p *Platform) DeclineDeviceCode(userCode string) error {
	return p.answerDevice(userCode, declineDevice)
}

// approveDevice answers a device sign-in as u, who consents to its scopes;
// it runs under p.mu (answerDevice).
func (p *Platform) approveDevice(u User) func(*deviceGrant) {
	return func(g *deviceGrant) {
		g.approved, g.userID = true, u.ID
		p.consentTo(u, g.clientID, g.scopes.graph)
	}
}

func declineDevice(g *deviceGrant) { g.declined = true }

func (p *Platform) answerDevice(userCode string, answer func(*deviceGrant)) error {
	code := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(userCode))
	p.mu.Lock()
	defer p.mu.Unlock()
	var g *deviceGrant
	for uc, dc := range p.userCodes {
		if subtle.ConstantTimeCompare([]byte(uc), []byte(code)) == 1 {
			g = p.devices[dc]
		}
	}
	switch {
	case g == nil:
		return ErrUnknownUserCode
	case !p.now().Before(g.expiry):
		return ErrUserCodeExpired
	case g.approved || g.declined:
		return ErrUserCodeAnswered
	}
	answer(g)
	return nil
}

// deviceLogin serves the page where a person types the user code and signs
// in (the sandbox's https://microsoft.com/devicelogin).
func (p *Platform) deviceLogin(w http.ResponseWriter, r *http.Request) {
	form := pageData{Form: true, App: "A device", Scopes: []string{"sign you in on another device"}, Field: "flow", ID: "device", UserCode: true}
	if r.Method != http.MethodPost {
		renderPage(w, http.StatusOK, form)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeIdentityPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	code := r.PostForm.Get("user_code")
	var err error
	if r.PostForm.Get("action") != "approve" {
		err = p.answerDevice(code, declineDevice)
		if err == nil {
			writeIdentityPage(w, http.StatusOK, "You declined the sign-in. You can close this window.")
			return
		}
	} else {
		u, ok := p.signIn(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if !ok {
			form.Message = "Your account or password is incorrect."
			renderPage(w, http.StatusOK, form)
			return
		}
		err = p.answerDevice(code, p.approveDevice(u))
		if err == nil {
			writeIdentityPage(w, http.StatusOK, "You are signed in on your device. You can close this window.")
			return
		}
	}
	form.Message = strings.TrimPrefix(err.Error(), "sandbox: ")
	renderPage(w, http.StatusOK, form)
}
