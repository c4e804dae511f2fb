// Package auth supplies access tokens for Microsoft Graph to the runflow
// engine and its Graph client.
//
// A Provider answers one question: give me a token for these scopes, for this
// subject. The subject is whose token it is: a CLI profile name, or a bot's
// user id. When nobody has signed in yet (or the grant no longer covers the
// scopes), a provider answers with a *SignInRequiredError carrying the URL to
// send the user to; the engine turns that into an authorization Turn and
// resumes the flow at the same step once the sign-in is complete.
//
// Providers compose by wrapping, the way oauth2.TokenSource does:
//
//   - Static: a fixed token (tests, --token).
//   - ClientCredentials, ClientCredentialsFromProfile: app-only tokens
//     (AppOnlyProvider); templates then address /users/{id}.
//   - NewUserProvider: a signed-in user's grant from a Store, refreshed
//     before expiry, rotated refresh tokens saved, incremental consent.
//   - NewBotSignIn: bot users sign in through a link bound to their
//     conversation and finish with a magic code (SignInCompleter).
//   - NewBotDeviceCode: bot users of a public app sign in with a device code.
//
// Users sign in from the CLI with LoginLoopback (authorization code with
// PKCE on a loopback redirect) or LoginDeviceCode. Profiles (SystemProfile,
// LoadProfile, ParseProfile) say which app and tenant; FileStore and
// MemoryStore keep the grants. Token endpoint failures are *TokenError.
// docs/auth.md walks through the set-ups.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// Request says whose token is wanted and for what.
type Request struct {
	// Subject identifies the signed-in party: a profile name in the CLI,
	// the user id of a bot's end user. Empty means the provider's default.
	Subject string
	// Scopes are the Graph permissions the caller needs, e.g. "Mail.Send".
	Scopes []string
	// Conversation is an opaque key of the conversation a sign-in link is
	// bound to (bots). Providers that send links sign it into the link's
	// state so that the callback can finish only the sign-in it started.
	Conversation string
}

// Provider gives access tokens. Implementations must be safe for concurrent
// use by many sessions.
type Provider interface {
	// Token returns a valid access token for req, or an error. When the user
	// must sign in first, the error is (or wraps) a *SignInRequiredError.
	Token(ctx context.Context, req Request) (*oauth2.Token, error)
}

// Invalidator is implemented by providers that cache tokens. The Graph client
// calls Invalidate when Graph rejected tok with 401 InvalidAuthenticationToken,
// so that the next Token call refreshes instead of returning the same token.
type Invalidator interface {
	Invalidate(ctx context.Context, req Request, tok *oauth2.Token)
}

// SignInCompleter is implemented by providers whose sign-in finishes with an
// answer typed back into the conversation, such as a bot's magic code. The
// engine passes the user's answer to a sign-in Turn to CompleteSignIn before
// retrying the step that needed the token.
type SignInCompleter interface {
	CompleteSignIn(ctx context.Context, req Request, answer string) error
}

// SignInRequiredError says that a user must sign in (or consent to more
// scopes) before a token can be given. It never carries a token or a secret.
type SignInRequiredError struct {
	// URL is where to send the user. Empty when the provider cannot offer a
	// link (for example the CLI with no profile signed in).
	URL string
	// Scopes are the scopes the sign-in will ask for.
	Scopes []string
	// Reason says why in words a user can act on.
	Reason string
	// MagicCode reports that after signing in, the user is shown a short
	// code to type back into the conversation.
	MagicCode bool
}

func (e *SignInRequiredError) Error() string {
	msg := "sign-in required"
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if len(e.Scopes) > 0 {
		msg += " (scopes: " + strings.Join(e.Scopes, " ") + ")"
	}
	return msg
}

// IsSignInRequired reports whether err is or wraps a *SignInRequiredError and
// returns it.
func IsSignInRequired(err error) (*SignInRequiredError, bool) {
	var s *SignInRequiredError
	ok := errors.As(err, &s)
	return s, ok
}

// Static returns a Provider that always gives the same access token, whatever
// the subject and scopes. It is meant for tests and for `runflow run --token`.
func Static(accessToken string) Provider {
	return staticProvider{tok: &oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}}
}

type staticProvider struct{ tok *oauth2.Token }

func (p staticProvider) Token(ctx context.Context, _ Request) (*oauth2.Token, error) {
	if p.tok.AccessToken == "" {
		return nil, &SignInRequiredError{Reason: "no access token was given"}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := *p.tok
	return &t, nil
}

// String never shows the token.
func (p staticProvider) String() string {
	return fmt.Sprintf("auth.Static(%s)", Redact(p.tok.AccessToken))
}

// Redact returns a fixed placeholder for a secret, so that it can be named in
// messages without being shown. Empty secrets stay visibly empty.
func Redact(secret string) string {
	if secret == "" {
		return "<empty>"
	}
	return "<redacted>"
}
