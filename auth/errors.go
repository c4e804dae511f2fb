package auth

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// ErrorKind classifies a failure of the identity platform's token endpoint.
type ErrorKind string

// The kinds of TokenError.
const (
	// KindInvalidGrant: the code, refresh token or device code was refused
	// (expired, revoked, already used). Sign in again.
	KindInvalidGrant ErrorKind = "invalid_grant"
	// KindConsentRequired: the user has not consented to a scope.
	KindConsentRequired ErrorKind = "consent_required"
	// KindInvalidClient: the client id or secret was refused.
	KindInvalidClient ErrorKind = "invalid_client"
	// KindInvalidScope: a requested scope is not valid for the app.
	KindInvalidScope ErrorKind = "invalid_scope"
	// KindDeclined: the user declined the sign-in.
	KindDeclined ErrorKind = "authorization_declined"
	// KindExpired: the device code expired before the user finished.
	KindExpired ErrorKind = "expired_token"
	// KindServer: the token endpoint failed (5xx).
	KindServer ErrorKind = "server_error"
	// KindBadResponse: the answer was not the identity platform's JSON.
	KindBadResponse ErrorKind = "bad_response"
	// KindNetwork: the token endpoint could not be reached.
	KindNetwork ErrorKind = "network"
	// KindOther: any other OAuth error code.
	KindOther ErrorKind = "other"
)

// TokenError is a failed call to the token (or device code) endpoint. Its
// message says what happened and what to do; it never contains a token, a
// code, a verifier or a secret.
type TokenError struct {
	// Op is what was being done, e.g. "refreshing the token".
	Op string
	// Kind classifies the failure.
	Kind ErrorKind
	// Code is the OAuth error code the server sent ("invalid_grant"), if any.
	Code string
	// AADSTS is the Entra error number (65001 for AADSTS65001), if any.
	AADSTS string
	// Status is the HTTP status, 0 when no answer arrived.
	Status int
	// Description is the first line of the server's error_description.
	Description string
	// Hint says what to do about it.
	Hint string
}

func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("auth: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	desc := strings.TrimRight(e.Description, ". ")
	switch {
	case e.Code != "" && desc != "":
		fmt.Fprintf(&b, "%s: %s", e.Code, desc)
	case e.Code != "":
		b.WriteString(e.Code)
	case desc != "":
		b.WriteString(desc)
	default:
		b.WriteString(string(e.Kind))
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Hint != "" {
		b.WriteString(". What to do: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// IsTokenError reports whether err is or wraps a *TokenError of one of the
// given kinds (any kind when none is given) and returns it.
func IsTokenError(err error, kinds ...ErrorKind) (*TokenError, bool) {
	var te *TokenError
	if !errors.As(err, &te) {
		return nil, false
	}
	if len(kinds) == 0 {
		return te, true
	}
	for _, k := range kinds {
		if te.Kind == k {
			return te, true
		}
	}
	return te, false
}

var aadstsRE = lazyregexp.New(`AADSTS(\d+)`)

// classify turns an error of x/oauth2 (or of this package's own token
// requests) into a *TokenError. secrets are values that must never appear
// in the message (the refresh token, the client secret, the code ...).
func classify(op string, err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var te *TokenError
		if errors.As(err, &te) {
			return te
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		msg := err.Error()
		if strings.HasPrefix(msg, "oauth2: cannot parse") || strings.HasPrefix(msg, "oauth2: server response missing access_token") {
			// x/oauth2's words for a 2xx answer that is not a token.
			return &TokenError{Op: op, Kind: KindBadResponse, Description: "the token endpoint's answer is not a token response", Hint: hintFor(KindBadResponse)}
		}
		return &TokenError{Op: op, Kind: KindNetwork, Description: scrub(firstLine(msg), secrets),
			Hint: "check the network connection and the profile's token_url"}
	}
	te := &TokenError{Op: op, Code: re.ErrorCode}
	if re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	te.Description = scrub(firstLine(re.ErrorDescription), secrets)
	if m := aadstsRE.FindStringSubmatch(re.ErrorDescription); m != nil {
		te.AADSTS = m[1]
	}
	switch {
	case re.ErrorCode == "" && !isJSONResponse(re.Response):
		te.Kind = KindBadResponse
		te.Description = describeBadResponse(re.Response)
	case re.ErrorCode == "" && te.Status >= 500:
		te.Kind = KindServer
		te.Description = describeBadResponse(re.Response)
	case re.ErrorCode == "invalid_grant" && (te.AADSTS == "65001" || strings.Contains(string(re.Body), `"consent_required"`)):
		te.Kind = KindConsentRequired
	case re.ErrorCode == "invalid_grant" || re.ErrorCode == "bad_verification_code":
		te.Kind = KindInvalidGrant
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		te.Kind = KindInvalidClient
	case re.ErrorCode == "invalid_scope":
		te.Kind = KindInvalidScope
	case re.ErrorCode == "authorization_declined" || re.ErrorCode == "access_denied":
		te.Kind = KindDeclined
	case re.ErrorCode == "expired_token":
		te.Kind = KindExpired
	case re.ErrorCode == "server_error" || re.ErrorCode == "temporarily_unavailable" || te.Status >= 500:
		te.Kind = KindServer
	default:
		te.Kind = KindOther
	}
	te.Hint = hintFor(te.Kind)
	return te
}

func hintFor(k ErrorKind) string {
	switch k {
	case KindInvalidGrant:
		return "the sign-in has expired, was revoked or was already used: sign in again"
	case KindConsentRequired:
		return "the account has not consented to a scope this needs: sign in again to grant it"
	case KindInvalidClient:
		return "the client id or secret was refused: check client_id and client_secret in the profile (a public client must not send a secret; a confidential one must send its current secret value, not its id)"
	case KindInvalidScope:
		return "a requested scope is not valid for this app: check the profile's scopes (app-only sign-ins use only " + GraphDefaultScope + ")"
	case KindDeclined:
		return "the sign-in was declined: start it again and accept to continue"
	case KindExpired:
		return "start the sign-in again and finish it within the time given"
	case KindServer:
		return "the identity platform had a problem: try again in a few minutes"
	case KindBadResponse:
		return "the token endpoint did not answer with the identity platform's JSON: check that the profile's token_url is right and that no proxy is in the way"
	}
	return "see the description; sign in again if it persists"
}

func isJSONResponse(r *http.Response) bool {
	if r == nil {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func describeBadResponse(r *http.Response) string {
	if r == nil {
		return "no answer"
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	if isJSONResponse(r) {
		return fmt.Sprintf("the token endpoint answered %s", r.Status)
	}
	return fmt.Sprintf("the token endpoint answered %s with %s instead of JSON", r.Status, ct)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// scrub replaces every secret found in s with a placeholder.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, Redact(sec))
		}
	}
	return s
}
