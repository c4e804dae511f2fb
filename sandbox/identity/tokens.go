package identity

import (
	"errors"
	"sync"
	"time"

	"github.com/runflow/runflow/sandbox/internal/random"
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
func (g Grant) HasScope(scope string) bool { return containsFold(g.Scopes, scope) }

// Errors of Validate.
var (
	// ErrTokenExpired: the token was issued by the platform but has expired.
	ErrTokenExpired = errors.New("identity: the access token has expired")
	// ErrTokenInvalid: the platform did not issue the token (or revoked it).
	ErrTokenInvalid = errors.New("identity: the access token is not valid")
)

// Issue registers g and returns an opaque access token for it, valid in
// this process until g.Expiry (a zero Expiry never expires).
func (p *Platform) Issue(g Grant) string { return p.tokens.issue(g) }

// Validate returns the grant of an access token from Issue, the token
// endpoint or Mint; ErrTokenExpired for one past its expiry and
// ErrTokenInvalid for anything else. Graph tells the two apart.
func (p *Platform) Validate(tok string) (Grant, error) {
	if g, ok := p.tokens.lookup(tok); ok {
		return g, nil
	}
	if p.tokens.known(tok) {
		return Grant{}, ErrTokenExpired
	}
	if g, ok, expired := p.verifySigned(tok); ok {
		if expired {
			return Grant{}, ErrTokenExpired
		}
		return g, nil
	}
	return Grant{}, ErrTokenInvalid
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

var (
	randomString = random.String
	newGUID      = random.GUID
)

// known reports whether tok was issued (and not revoked), expired or not;
// Graph tells an expired token apart from a malformed one.
func (r *tokenRegistry) known(tok string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.tokens[tok]
	return ok
}
