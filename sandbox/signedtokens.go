package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Signed tokens let a token outlive the process that minted it: `runflow
// sandbox token` mints one from the saved data, and `runflow sandbox serve`
// (another process, same data file) accepts it. They are HMAC-signed with
// the data's TokenKey, a sandbox-only secret that is not a credential for
// anything real.

const signedTokenPrefix = "sbx1."

type signedClaims struct {
	UserID   string   `json:"uid,omitempty"`
	ClientID string   `json:"cid,omitempty"`
	TenantID string   `json:"tid,omitempty"`
	Scopes   []string `json:"scp,omitempty"`
	AppOnly  bool     `json:"app,omitempty"`
	Expiry   int64    `json:"exp"`
}

// MintToken returns a self-contained access token for g, signed with the
// data's key: any Server holding the same data accepts it until g.Expiry
// (a zero Expiry gets Options.TokenLifetime).
func (s *Server) MintToken(g Grant) string {
	if g.Expiry.IsZero() {
		g.Expiry = s.now().Add(s.tokenLifetime)
	}
	if g.TenantID == "" {
		g.TenantID = s.tenantID
	}
	payload, _ := json.Marshal(signedClaims{UserID: g.UserID, ClientID: g.ClientID, TenantID: g.TenantID, Scopes: g.Scopes, AppOnly: g.AppOnly, Expiry: g.Expiry.Unix()})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return signedTokenPrefix + p + "." + base64.RawURLEncoding.EncodeToString(s.tokenMAC(p))
}

func (s *Server) tokenMAC(payload string) []byte {
	s.mu.Lock()
	key := s.data.TokenKey
	s.mu.Unlock()
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verifySignedToken checks a token from MintToken: ok is false for one
// that is not validly signed; expired reports a valid one past its expiry.
func (s *Server) verifySignedToken(tok string) (g Grant, ok, expired bool) {
	rest, found := strings.CutPrefix(tok, signedTokenPrefix)
	if !found {
		return Grant{}, false, false
	}
	p, sig, found := strings.Cut(rest, ".")
	if !found {
		return Grant{}, false, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.tokenMAC(p)) {
		return Grant{}, false, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	var c signedClaims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return Grant{}, false, false
	}
	g = Grant{UserID: c.UserID, ClientID: c.ClientID, TenantID: c.TenantID, Scopes: c.Scopes, AppOnly: c.AppOnly, Expiry: time.Unix(c.Expiry, 0)}
	if !s.now().Before(g.Expiry) {
		return Grant{}, true, true
	}
	return g, true, false
}
