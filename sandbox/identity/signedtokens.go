package identity

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
// the data's TokenKey (Config.SigningKey), a sandbox-only secret that is not
// a credential for anything real.

const signedTokenPrefix = "sbx1."

type signedClaims struct {
	UserID   string   `json:"uid,omitempty"`
	ClientID string   `json:"cid,omitempty"`
	TenantID string   `json:"tid,omitempty"`
	Scopes   []string `json:"scp,omitempty"`
	AppOnly  bool     `json:"app,omitempty"`
	Expiry   int64    `json:"exp"`
}

// Mint returns a self-contained access token for g, signed with the
// Config's SigningKey: any Platform with the same key accepts it until
// g.Expiry (a zero Expiry gets the token lifetime; an empty TenantID, the
// platform's).
func (p *Platform) Mint(g Grant) string {
	if g.Expiry.IsZero() {
		g.Expiry = p.now().Add(p.lifetime)
	}
	if g.TenantID == "" {
		g.TenantID = p.tenantID
	}
	payload, _ := json.Marshal(signedClaims{UserID: g.UserID, ClientID: g.ClientID, TenantID: g.TenantID, Scopes: g.Scopes, AppOnly: g.AppOnly, Expiry: g.Expiry.Unix()})
	enc := base64.RawURLEncoding.EncodeToString(payload)
	return signedTokenPrefix + enc + "." + base64.RawURLEncoding.EncodeToString(p.tokenMAC(enc))
}

func (p *Platform) tokenMAC(payload string) []byte {
	var key []byte
	if p.signingKey != nil {
		key = p.signingKey()
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verifySigned checks a token from Mint: ok is false for one that is not
// validly signed; expired reports a valid one past its expiry.
func (p *Platform) verifySigned(tok string) (g Grant, ok, expired bool) {
	rest, found := strings.CutPrefix(tok, signedTokenPrefix)
	if !found {
		return Grant{}, false, false
	}
	payload, sig, found := strings.Cut(rest, ".")
	if !found {
		return Grant{}, false, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, p.tokenMAC(payload)) {
		return Grant{}, false, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var c signedClaims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return Grant{}, false, false
	}
	g = Grant{UserID: c.UserID, ClientID: c.ClientID, TenantID: c.TenantID, Scopes: c.Scopes, AppOnly: c.AppOnly, Expiry: time.Unix(c.Expiry, 0)}
	if !p.now().Before(g.Expiry) {
		return Grant{}, true, true
	}
	return g, true, false
}

// idToken builds an OpenID Connect id_token for u: a JWT signed with the
// sandbox's own HMAC key (HS256). Real id_tokens are RS256; clients only
// read the claims, which are the ones Entra sends.
func (p *Platform) idToken(u User, clientID, nonce string, now time.Time) string {
	header := map[string]string{"typ": "JWT", "alg": "HS256"}
	claims := map[string]any{
		"aud":                clientID,
		"iss":                "https://login.microsoftonline.com/" + p.tenantID + "/v2.0",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(time.Hour).Unix(),
		"name":               u.DisplayName,
		"oid":                u.ID,
		"preferred_username": u.UserPrincipalName,
		"sub":                subjectFor(u.ID, clientID),
		"tid":                p.tenantID,
		"ver":                "2.0",
	}
	if u.Mail != "" {
		claims["email"] = u.Mail
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	mac := hmac.New(sha256.New, p.idKey)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// subjectFor is the pairwise subject Entra gives a user for one app.
func subjectFor(userID, clientID string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(userID) + "\x00" + strings.ToLower(clientID)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
