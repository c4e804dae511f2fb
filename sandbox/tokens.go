package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// Grant is what an access token issued by the sandbox stands for.
type Grant struct {
	// UserID is the signed-in user's id; empty for app-only tokens.
	UserID string
	// ClientID is the application the token was issued to.
	ClientID string
	// TenantID is the directory the token belongs to.
	TenantID string
	// Scopes are the delegated permissions (or, app-only, the application
	// permissions, e.g. "Calendars.ReadWrite").
	Scopes []string
	// AppOnly is true for client-credentials tokens.
	AppOnly bool
	// Expiry is when the token stops being accepted.
	Expiry time.Time
}

// HasScope reports whether the grant carries scope (case-insensitive, as
// Graph compares permission names).
func (g Grant) HasScope(scope string) bool {
	for _, s := range g.Scopes {
		if strings.EqualFold(s, scope) {
			return true
		}
	}
	return false
}

// tokenRegistry issues opaque access tokens and looks them up. Real Graph
// tokens are JWTs, but clients must treat them as opaque, so the sandbox
// does too.
type tokenRegistry struct {
	mu     sync.Mutex
	tokens map[string]Grant
	now    func() time.Time
}

func newTokenRegistry(now func() time.Time) *tokenRegistry {
	return &tokenRegistry{tokens: map[string]Grant{}, now: now}
}

// issue stores g and returns a fresh token for it.
func (r *tokenRegistry) issue(g Grant) string {
	tok := "sbx." + randomString(32)
	r.mu.Lock()
	r.tokens[tok] = g
	r.mu.Unlock()
	return tok
}

// lookup returns the grant of a token that exists and has not expired.
func (r *tokenRegistry) lookup(tok string) (Grant, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.tokens[tok]
	if !ok {
		return Grant{}, false
	}
	if !g.Expiry.IsZero() && !r.now().Before(g.Expiry) {
		return Grant{}, false
	}
	return g, true
}

// revoke makes tok unusable.
func (r *tokenRegistry) revoke(tok string) {
	r.mu.Lock()
	delete(r.tokens, tok)
	r.mu.Unlock()
}

func randomString(nbytes int) string {
	b := make([]byte, nbytes)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// known reports whether tok was issued (and not revoked), expired or not;
// Graph tells an expired token apart from a malformed one.
func (r *tokenRegistry) known(tok string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.tokens[tok]
	return ok
}
