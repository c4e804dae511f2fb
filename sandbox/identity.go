package sandbox

import (
	"github.com/runflow/runflow/sandbox/identity"
)

// The identity platform is package identity; the sandbox mounts it beside
// Graph (ServeHTTP), gives it the directory (identityDirectory) and the key
// of signed tokens (the data's TokenKey), and asks it what a bearer token
// was granted (authenticate). The names below keep the sandbox's API whole
// for its users.

// SystemClientID is the application id of runflow's "system" profile
// (Microsoft Graph Command Line Tools, a Microsoft public client). The
// sandbox registers it as a public client, as it is in every Entra tenant.
const SystemClientID = identity.SystemClientID

// Grant is what an access token issued by the sandbox stands for.
type Grant = identity.Grant

// Client is an application registered with the sandbox's identity platform.
type Client = identity.Client

// TokenFault makes the token endpoint misbehave, for client tests.
type TokenFault = identity.TokenFault

// The token endpoint's faults (see identity.TokenFault).
const (
	TokenFaultNone          = identity.TokenFaultNone
	TokenFaultServerError   = identity.TokenFaultServerError
	TokenFaultNonJSON       = identity.TokenFaultNonJSON
	TokenFaultInvalidClient = identity.TokenFaultInvalidClient
	TokenFaultInvalidScope  = identity.TokenFaultInvalidScope
)

// Identity is the sandbox's identity platform, for what the methods below
// do not forward.
func (s *Server) Identity() *identity.Platform { return s.idp }

// identityDirectory is the directory as the identity platform sees it.
type identityDirectory struct{ s *Server }

func (d identityDirectory) LookupUser(idOrUPN string) (identity.User, bool) {
	u, ok := d.s.LookupUser(idOrUPN)
	return identityUser(u), ok
}

func (d identityDirectory) DefaultUser() (identity.User, bool) {
	users := d.s.Users()
	if len(users) == 0 {
		return identity.User{}, false
	}
	return identityUser(users[0]), true
}

func identityUser(u User) identity.User {
	return identity.User{ID: u.ID, UserPrincipalName: u.UserPrincipalName, DisplayName: u.DisplayName, Mail: u.Mail, Password: u.Password}
}

// tokenKey is the key of the signed tokens, the data's TokenKey.
func (s *Server) tokenKey() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []byte(s.data.TokenKey)
}

// IssueToken registers g and returns an access token for it; tests use it
// for grants Token and AppToken do not make (another user, an expiry in the
// past).
func (s *Server) IssueToken(g Grant) string { return s.idp.Issue(g) }

// MintToken returns a self-contained access token for g, signed with the
// data's key: any Server holding the same data accepts it until g.Expiry
// (a zero Expiry gets Options.TokenLifetime).
func (s *Server) MintToken(g Grant) string { return s.idp.Mint(g) }

// RegisterClient adds or replaces an application registration.
func (s *Server) RegisterClient(c Client) { s.idp.RegisterClient(c) }

// SetConsent records that user (id or userPrincipalName) has consented to
// scopes for clientID (see identity.Platform.SetConsent).
func (s *Server) SetConsent(user, clientID string, scopes ...string) {
	s.idp.SetConsent(user, clientID, scopes...)
}

// Consent returns the scopes user has consented to for clientID.
func (s *Server) Consent(user, clientID string) []string { return s.idp.Consent(user, clientID) }

// ApproveSignIns makes /authorize approve every request at once as user (id
// or userPrincipalName; empty means the demo user).
func (s *Server) ApproveSignIns(user string) { s.idp.ApproveSignIns(user) }

// DeclineSignIns makes /authorize answer every request as if the user
// cancelled: a redirect with error=access_denied.
func (s *Server) DeclineSignIns() { s.idp.DeclineSignIns() }

// InteractiveSignIns restores the default: /authorize shows a sign-in and
// consent page.
func (s *Server) InteractiveSignIns() { s.idp.InteractiveSignIns() }

// RevokeRefreshTokens invalidates every refresh token issued to user (id or
// userPrincipalName), as an admin's "revoke sessions" does.
func (s *Server) RevokeRefreshTokens(user string) { s.idp.RevokeRefreshTokens(user) }

// SetTokenFault makes every token endpoint request fail as f says, until
// set back to TokenFaultNone.
func (s *Server) SetTokenFault(f TokenFault) { s.idp.SetTokenFault(f) }

// ApproveDeviceCode approves the device code sign-in showing userCode as
// user (id or userPrincipalName; empty means the demo user).
func (s *Server) ApproveDeviceCode(userCode, user string) error {
	return s.idp.ApproveDeviceCode(userCode, user)
}

// DeclineDeviceCode declines the device code sign-in showing userCode.
func (s *Server) DeclineDeviceCode(userCode string) error { return s.idp.DeclineDeviceCode(userCode) }
