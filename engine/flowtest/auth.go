package flowtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
)

// SignInURL is the start of the sign-in link the flow test auth provider
// offers; the scopes asked follow as the scope parameter.
const SignInURL = "https://login.flowtest.invalid/authorize"

// testAuth is the auth provider of one flow test: a fixed random token, and
// optionally a user who must sign in first.
type testAuth struct {
	token string
	magic string

	mu       sync.Mutex
	signedIn bool
	asked    [][]string // scopes of each token request
}

func newTestAuth(spec AuthSpec) *testAuth {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &testAuth{token: "flowtest." + hex.EncodeToString(b[:]), magic: spec.MagicCode, signedIn: spec.SignedIn}
}

// Token gives the case's token, or asks for a sign-in while signed out.
func (a *testAuth) Token(ctx context.Context, req auth.Request) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, append([]string(nil), req.Scopes...))
	if !a.signedIn {
		return nil, a.signInRequired(req.Scopes, "nobody is signed in yet")
	}
	return &oauth2.Token{AccessToken: a.token, TokenType: "Bearer"}, nil
}

// wrongCodeReason is the reason of the sign-in asked again after a wrong
// magic code.
const wrongCodeReason = "the code does not match the one shown after signing in"

func (a *testAuth) signInRequired(scopes []string, reason string) *auth.SignInRequiredError {
	return &auth.SignInRequiredError{
		URL:       SignInURL + "?" + url.Values{"scope": {strings.Join(scopes, " ")}}.Encode(),
		Scopes:    append([]string(nil), scopes...),
		Reason:    reason,
		MagicCode: a.magic != "",
	}
}

// CompleteSignIn accepts the magic code typed back by the user; a wrong
// code asks for the sign-in again, as a real bot provider does. Without a
// magic code the sign-in is completed by the runner (as the browser would)
// and the answer is ignored.
func (a *testAuth) CompleteSignIn(ctx context.Context, req auth.Request, answer string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.magic == "" {
		a.signedIn = true
		return nil
	}
	if strings.TrimSpace(answer) != a.magic {
		return a.signInRequired(req.Scopes, wrongCodeReason)
	}
	a.signedIn = true
	return nil
}

// completeInBrowser signs the user in as the browser would, for providers
// without a magic code.
func (a *testAuth) completeInBrowser() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.magic == "" {
		a.signedIn = true
	}
}
