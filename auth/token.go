package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DefaultSubject is the subject used when a Request names none: the one
// account of a CLI profile.
const DefaultSubject = "default"

// StoredToken is what a Store keeps for one profile and subject: the
// tokens, what they grant, and who signed in. Its String method never shows
// a token.
type StoredToken struct {
	// Profile and Subject say whose grant this is.
	Profile string `json:"profile"`
	Subject string `json:"subject"`
	// AccessToken is empty once invalidated (Graph rejected it).
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	// Scopes are the scopes the identity platform granted.
	Scopes []string `json:"scopes,omitempty"`
	// Account is who signed in, read from the id_token.
	Account Account `json:"account"`
	// Updated is when the grant was last saved.
	Updated time.Time `json:"updated"`
	// Identity is the Profile.Identity the grant was issued to (client id,
	// identity endpoints, Graph root); providers use only a grant of
	// their own profile's identity.
	Identity string `json:"identity,omitempty"`
}

// Account describes a signed-in user, from the id_token's claims.
type Account struct {
	// Username is the preferred_username claim (usually the UPN or email).
	Username string `json:"username,omitempty"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// ObjectID is the user's id in the directory (oid).
	ObjectID string `json:"object_id,omitempty"`
	// TenantID is the directory's id (tid).
	TenantID string `json:"tenant_id,omitempty"`
}

// String describes the grant without its tokens.
func (t *StoredToken) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("StoredToken{profile %q, subject %q, account %q, scopes %v, expiry %s, access token %s, refresh token %s}",
		t.Profile, t.Subject, t.Account.Username, t.Scopes, t.Expiry.Format(time.RFC3339), Redact(t.AccessToken), Redact(t.RefreshToken))
}

// GoString keeps %#v from printing the tokens.
func (t *StoredToken) GoString() string { return t.String() }

// clone returns a deep copy.
func (t *StoredToken) clone() *StoredToken {
	c := *t
	c.Scopes = append([]string(nil), t.Scopes...)
	return &c
}

// oauth2Token returns the access token as x/oauth2 carries it.
func (t *StoredToken) oauth2Token() *oauth2.Token {
	typ := t.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: typ, RefreshToken: "", Expiry: t.Expiry}
}

// usable reports whether the access token can still be used at now, with
// margin to spare.
func (t *StoredToken) usable(now time.Time, margin time.Duration) bool {
	return t.AccessToken != "" && (t.Expiry.IsZero() || now.Add(margin).Before(t.Expiry))
}

// storedFromOAuth2 builds a StoredToken from a token endpoint answer,
// computing the expiry from expires_in with the caller's clock (x/oauth2
// uses the wall clock), reading the granted scopes and the id_token.
func storedFromOAuth2(profile, subject string, tok *oauth2.Token, requested []string, now time.Time) *StoredToken {
	st := &StoredToken{
		Profile:      profile,
		Subject:      subject,
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry,
		Updated:      now,
	}
	if secs := expiresIn(tok); secs > 0 {
		st.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	if s, ok := tok.Extra("scope").(string); ok && strings.TrimSpace(s) != "" {
		st.Scopes = UnionScopes(strings.Fields(s))
	} else {
		// RFC 6749 §5.1: no scope in the answer means the requested ones.
		st.Scopes = UnionScopes(requested)
	}
	if id, ok := tok.Extra("id_token").(string); ok {
		st.Account = accountFromIDToken(id)
	}
	return st
}

// expiresIn is the token's lifetime in seconds as the server sent it
// (x/oauth2's clientcredentials keeps it only in the raw fields).
func expiresIn(tok *oauth2.Token) int64 {
	if tok.ExpiresIn > 0 {
		return tok.ExpiresIn
	}
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// accountFromIDToken reads the claims of an id_token without checking its
// signature: they are only shown to the user (auth status), never used to
// decide access; the token came straight from the token endpoint over TLS.
func accountFromIDToken(idToken string) Account {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 || len(parts[1]) > 64<<10 {
		return Account{}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Account{}
	}
	var c struct {
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		UPN               string `json:"upn"`
		Name              string `json:"name"`
		OID               string `json:"oid"`
		TID               string `json:"tid"`
	}
	if json.Unmarshal(b, &c) != nil {
		return Account{}
	}
	a := Account{Username: c.PreferredUsername, Name: c.Name, ObjectID: c.OID, TenantID: c.TID}
	if a.Username == "" {
		a.Username = c.UPN
	}
	if a.Username == "" {
		a.Username = c.Email
	}
	return a
}
