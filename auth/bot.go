package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Errors of BotSignIn.CompleteSignIn.
var (
	// ErrNoPendingSignIn: no sign-in of this user in this conversation is
	// waiting for a code (never started, finished, or started elsewhere).
	ErrNoPendingSignIn = errors.New("auth: no sign-in is waiting for a code in this conversation; open the sign-in link again")
	// ErrWrongMagicCode: the code typed is not the one shown after sign-in.
	ErrWrongMagicCode = errors.New("auth: that is not the code shown after signing in; type the 6-digit code from the sign-in page")
	// ErrMagicCodeExpired: the code was not typed in time.
	ErrMagicCodeExpired = errors.New("auth: the sign-in code has expired; open the sign-in link again")
	// ErrTooManyAttempts: too many wrong codes; the sign-in was discarded.
	ErrTooManyAttempts = errors.New("auth: too many wrong codes; the sign-in was discarded, open the sign-in link again")
)

// Bot sign-in defaults.
const (
	DefaultLinkTTL         = 10 * time.Minute
	DefaultMagicCodeTTL    = 5 * time.Minute
	DefaultMaxCodeAttempts = 3
	maxBotPending          = 10000
)

// BotConfig configures a BotSignIn.
type BotConfig struct {
	// Profile is the app users sign in to. Its redirect URI registration
	// must include CallbackURL. Required.
	Profile *Profile
	// Store keeps each user's grant, by profile and the bot's user id.
	// Required.
	Store Store
	// CallbackURL is the absolute URL where the bot serves
	// CallbackHandler (https; http only on loopback). Required.
	CallbackURL string
	// StateKey signs the sign-in links' state (HMAC-SHA256); at least 32
	// random bytes, kept secret. Required.
	StateKey []byte
	// HTTPClient calls the token endpoint; nil means a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// EarlyExpiry is passed to the UserProvider (default
	// DefaultEarlyExpiry).
	EarlyExpiry time.Duration
	// LinkTTL is how long a sign-in link works (default DefaultLinkTTL).
	LinkTTL time.Duration
	// MagicCodeTTL is how long the code shown after sign-in may be typed
	// back (default DefaultMagicCodeTTL).
	MagicCodeTTL time.Duration
	// MaxCodeAttempts is how many wrong codes discard the sign-in (default
	// DefaultMaxCodeAttempts).
	MaxCodeAttempts int
	// Log receives events; never a token or code. Nil discards them.
	Log *slog.Logger
}

// BotSignIn is the Provider of a chat bot whose users sign in during the
// conversation. When a user has no usable grant, Token answers with a
// *SignInRequiredError carrying a sign-in link whose state is signed,
// single-use, short-lived and bound to that user and conversation. The bot
// serves CallbackHandler at CallbackURL; after the user signs in there, the
// page shows a 6-digit magic code, and the token is kept aside until the
// code is typed back into the same conversation (CompleteSignIn). So a
// forwarded link signed into by someone else attaches nothing to the
// conversation unless its code is typed into it.
//
// Links waiting to be used and tokens waiting for their code are kept in
// memory: a bot running several instances must route a user's callback and
// messages to the same instance, or the user simply signs in again.
type BotSignIn struct {
	cfg   BotConfig
	users *UserProvider

	mu      sync.Mutex
	starts  map[string]*botStart   // by nonce
	pending map[[2]string]*botCode // by subject, conversation
}

type botStart struct {
	subject, conversation string
	verifier              string
	scopes                []string
	expiry                time.Time
}

type botCode struct {
	token    *StoredToken
	codeHash [32]byte
	expiry   time.Time
	attempts int
}

// statePayload is what a link's state carries (signed): which start it is,
// until when, and a hash binding it to the user and conversation.
type statePayload struct {
	Nonce   string `json:"n"`
	Expires int64  `json:"e"`
	Binding string `json:"b"`
}

// NewBotSignIn checks cfg and returns a BotSignIn.
func NewBotSignIn(cfg BotConfig) (*BotSignIn, error) {
	if cfg.Profile == nil || cfg.Store == nil {
		return nil, errors.New("auth: BotConfig needs a Profile and a Store")
	}
	if len(cfg.StateKey) < 32 {
		return nil, errors.New("auth: BotConfig.StateKey must be at least 32 random bytes")
	}
	if err := checkEndpointURL(cfg.CallbackURL); err != nil {
		return nil, fmt.Errorf("auth: BotConfig.CallbackURL: %v", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = DefaultLinkTTL
	}
	if cfg.MagicCodeTTL <= 0 {
		cfg.MagicCodeTTL = DefaultMagicCodeTTL
	}
	if cfg.MaxCodeAttempts <= 0 {
		cfg.MaxCodeAttempts = DefaultMaxCodeAttempts
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.HTTPClient = httpClientOrDefault(cfg.HTTPClient)
	cfg.StateKey = append([]byte(nil), cfg.StateKey...)
	users, err := NewUserProvider(UserConfig{
		Profile: cfg.Profile, Store: cfg.Store, HTTPClient: cfg.HTTPClient, Now: cfg.Now,
		EarlyExpiry: cfg.EarlyExpiry, Log: cfg.Log,
		NotSignedIn: "sign in to continue",
	})
	if err != nil {
		return nil, err
	}
	return &BotSignIn{cfg: cfg, users: users, starts: map[string]*botStart{}, pending: map[[2]string]*botCode{}}, nil
}

// Token implements Provider. Request.Subject (the bot's user id) and
// Request.Conversation are required.
func (b *BotSignIn) Token(ctx context.Context, req Request) (*oauth2.Token, error) {
	if req.Subject == "" || req.Conversation == "" {
		return nil, errors.New("auth: a bot sign-in needs Request.Subject (the user) and Request.Conversation")
	}
	tok, err := b.users.Token(ctx, req)
	sir, ok := IsSignInRequired(err)
	if !ok {
		return tok, err
	}
	link, lerr := b.signInLink(req, sir.Scopes)
	if lerr != nil {
		return nil, lerr
	}
	return nil, &SignInRequiredError{URL: link, Scopes: sir.Scopes, Reason: sir.Reason, MagicCode: true}
}

// Invalidate implements Invalidator.
func (b *BotSignIn) Invalidate(ctx context.Context, req Request, tok *oauth2.Token) {
	b.users.Invalidate(ctx, req, tok)
}

// signInLink starts a sign-in for req and returns its authorization URL.
func (b *BotSignIn) signInLink(req Request, scopes []string) (string, error) {
	now := b.cfg.Now()
	start := &botStart{
		subject: req.Subject, conversation: req.Conversation,
		verifier: oauth2.GenerateVerifier(), scopes: scopes, expiry: now.Add(b.cfg.LinkTTL),
	}
	nonce := randomToken(18)
	state, err := b.signState(statePayload{Nonce: nonce, Expires: start.expiry.Unix(), Binding: b.binding(req.Subject, req.Conversation)})
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	b.pruneLocked(now)
	if len(b.starts) >= maxBotPending {
		b.mu.Unlock()
		return "", errors.New("auth: too many sign-ins in progress; try again in a few minutes")
	}
	b.starts[nonce] = start
	b.mu.Unlock()
	secret, err := b.cfg.Profile.Secret()
	if err != nil {
		return "", err
	}
	conf := oauthConfig(b.cfg.Profile, secret, b.cfg.CallbackURL, scopes)
	return conf.AuthCodeURL(state, oauth2.S256ChallengeOption(start.verifier), oauth2.SetAuthURLParam("prompt", "select_account")), nil
}

func (b *BotSignIn) pruneLocked(now time.Time) {
	for n, s := range b.starts {
		if !now.Before(s.expiry) {
			delete(b.starts, n)
		}
	}
	for k, p := range b.pending {
		if !now.Before(p.expiry) {
			delete(b.pending, k)
		}
	}
}

func (b *BotSignIn) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, b.cfg.StateKey)
	for _, p := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		m.Write(n[:])
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// binding ties a link to one user in one conversation without putting
// either in the URL.
func (b *BotSignIn) binding(subject, conversation string) string {
	return base64.RawURLEncoding.EncodeToString(b.mac("binding", subject, conversation)[:16])
}

func (b *BotSignIn) signState(p statePayload) (string, error) {
	js, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(js)
	return payload + "." + base64.RawURLEncoding.EncodeToString(b.mac("state", payload)), nil
}

// errBadState and friends are shown to the person who opened the link.
var (
	errBadState     = errors.New("This sign-in link is not valid. Ask the bot for a new one.")
	errStateExpired = errors.New("This sign-in link has expired. Ask the bot for a new one.")
	errStateUsed    = errors.New("This sign-in link was already used. Ask the bot for a new one.")
)

// openState checks a state's signature and expiry and takes its start,
// which can be taken only once.
func (b *BotSignIn) openState(state string) (*botStart, error) {
	payload, sig, ok := strings.Cut(state, ".")
	if !ok || len(state) > 1024 {
		return nil, errBadState
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, b.mac("state", payload)) {
		return nil, errBadState
	}
	js, err := base64.RawURLEncoding.DecodeString(payload)
	var p statePayload
	if err != nil || json.Unmarshal(js, &p) != nil {
		return nil, errBadState
	}
	now := b.cfg.Now()
	if now.Unix() >= p.Expires {
		return nil, errStateExpired
	}
	b.mu.Lock()
	start, ok := b.starts[p.Nonce]
	delete(b.starts, p.Nonce)
	b.mu.Unlock()
	if !ok {
		return nil, errStateUsed
	}
	if !now.Before(start.expiry) {
		return nil, errStateExpired
	}
	if subtle.ConstantTimeCompare([]byte(p.Binding), []byte(b.binding(start.subject, start.conversation))) != 1 {
		return nil, errBadState
	}
	return start, nil
}

// CallbackHandler completes sign-ins: mount it at CallbackURL. It checks the
// state, exchanges the code (with the PKCE verifier kept server-side),
// keeps the token aside and shows the magic code to type into the
// conversation.
func (b *BotSignIn) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeResultPage(w, http.StatusMethodNotAllowed, "This page only answers the sign-in redirect.")
			return
		}
		q := r.URL.Query()
		start, err := b.openState(q.Get("state"))
		if err != nil {
			writeResultPage(w, http.StatusBadRequest, err.Error())
			return
		}
		if e := q.Get("error"); e != "" {
			b.cfg.Log.Info("auth: bot sign-in not completed", "error", e)
			writeResultPage(w, http.StatusOK, "The sign-in was cancelled. Return to the conversation to try again.")
			return
		}
		code := q.Get("code")
		if code == "" {
			writeResultPage(w, http.StatusBadRequest, "The sign-in answer carried no code. Ask the bot for a new link.")
			return
		}
		secret, err := b.cfg.Profile.Secret()
		if err != nil {
			b.cfg.Log.Error("auth: bot sign-in: client secret unavailable", "error", err.Error())
			writeResultPage(w, http.StatusInternalServerError, "The sign-in could not be completed. Tell the bot's owner.")
			return
		}
		conf := oauthConfig(b.cfg.Profile, secret, b.cfg.CallbackURL, start.scopes)
		tok, err := conf.Exchange(withHTTPClient(r.Context(), b.cfg.HTTPClient), code, oauth2.VerifierOption(start.verifier))
		if err != nil {
			err = classify("redeeming the bot sign-in's authorization code", err, code, start.verifier, secret)
			b.cfg.Log.Warn("auth: bot sign-in failed", "error", err.Error())
			writeResultPage(w, http.StatusBadGateway, "The sign-in could not be completed. Return to the conversation and try again.")
			return
		}
		now := b.cfg.Now()
		magic := sixDigits()
		b.mu.Lock()
		b.pending[[2]string{start.subject, start.conversation}] = &botCode{
			token:    storedFromOAuth2(b.cfg.Profile.Name, start.subject, tok, start.scopes, now).boundTo(b.cfg.Profile),
			codeHash: sha256.Sum256([]byte(magic)),
			expiry:   now.Add(b.cfg.MagicCodeTTL),
		}
		b.mu.Unlock()
		writePage(w, http.StatusOK, "To finish signing in, type this code into your conversation with the bot:", magic)
	})
}

// CompleteSignIn implements SignInCompleter: answer is what the user typed
// into the conversation. The code is accepted only from the user and
// conversation the link was made for; then the token is stored and
// Token works.
//
// A refused answer is an error that matches one of ErrWrongMagicCode,
// ErrNoPendingSignIn, ErrMagicCodeExpired or ErrTooManyAttempts
// (errors.Is) and is also a *SignInRequiredError (errors.As), so that the
// engine asks again instead of failing the flow: for a wrong code, the
// same sign-in waits for the right one; otherwise the error carries a new
// link.
func (b *BotSignIn) CompleteSignIn(ctx context.Context, req Request, answer string) error {
	key := [2]string{req.Subject, req.Conversation}
	now := b.cfg.Now()
	typed := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(answer))
	b.mu.Lock()
	p, ok := b.pending[key]
	switch {
	case !ok:
		b.mu.Unlock()
		if _, err := b.users.Token(ctx, req); err == nil {
			return nil // already signed in (the code was typed twice)
		}
		return b.askAgain(req, ErrNoPendingSignIn)
	case !now.Before(p.expiry):
		delete(b.pending, key)
		b.mu.Unlock()
		return b.askAgain(req, ErrMagicCodeExpired)
	}
	sum := sha256.Sum256([]byte(typed))
	if subtle.ConstantTimeCompare(sum[:], p.codeHash[:]) != 1 {
		p.attempts++
		left := b.cfg.MaxCodeAttempts - p.attempts
		if left <= 0 {
			delete(b.pending, key)
			b.mu.Unlock()
			return b.askAgain(req, ErrTooManyAttempts)
		}
		b.mu.Unlock()
		return &retryError{cause: ErrWrongMagicCode, sir: &SignInRequiredError{
			Scopes: p.token.Scopes, MagicCode: true,
			Reason: fmt.Sprintf("that is not the code shown after signing in; type the 6-digit code from the sign-in page (%d %s left)", left, plural(left, "try", "tries")),
		}}
	}
	delete(b.pending, key)
	b.mu.Unlock()
	if err := b.cfg.Store.Save(ctx, p.token); err != nil {
		return fmt.Errorf("auth: signed in, but the token could not be saved: %w", err)
	}
	b.cfg.Log.Info("auth: bot user signed in", "profile", b.cfg.Profile.Name, "account", p.token.Account.Username)
	return nil
}

// askAgain answers a refused code with a new sign-in link.
func (b *BotSignIn) askAgain(req Request, cause error) error {
	scopes := b.users.signInScopes(nil, req.Scopes)
	link, err := b.signInLink(req, scopes)
	if err != nil {
		return errors.Join(cause, err)
	}
	reason := strings.TrimPrefix(cause.Error(), "auth: ")
	if i := strings.Index(reason, ";"); i >= 0 {
		reason = reason[:i]
	}
	return &retryError{cause: cause, sir: &SignInRequiredError{URL: link, Scopes: scopes, MagicCode: true,
		Reason: reason + "; open this new link to sign in"}}
}

// retryError is a refused sign-in answer that asks again: it matches its
// cause with errors.Is and is a *SignInRequiredError for errors.As.
type retryError struct {
	cause error
	sir   *SignInRequiredError
}

func (e *retryError) Error() string   { return e.cause.Error() }
func (e *retryError) Unwrap() []error { return []error{e.cause, e.sir} }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sixDigits returns a uniformly random code from 000000 to 999999.
func sixDigits() string {
	for {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		n := binary.BigEndian.Uint32(b[:])
		if n < 4_294_000_000 { // a multiple of 10^6: no modulo bias
			return fmt.Sprintf("%06d", n%1_000_000)
		}
	}
}

// CallbackPath is the path of CallbackURL, where to mount CallbackHandler:
// mux.Handle(b.CallbackPath(), b.CallbackHandler()).
func (b *BotSignIn) CallbackPath() string {
	u, err := url.Parse(b.cfg.CallbackURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}
