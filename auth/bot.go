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

	"github.com/runflow/runflow/internal/sealbox"
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
	// pendingGrace keeps a record of the pending store after its expiry.
	pendingGrace = 10 * time.Minute
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
	// Pending keeps the sign-ins in progress: the links not yet used (PKCE
	// verifier, nonce) and the tokens waiting for their magic code. Nil
	// means a MemorySignInStore of this process only; a bot running several
	// replicas gives them one shared store (see package bot), so that a
	// callback or a code reaching any replica completes the sign-in.
	// Records are sealed with a key derived from StateKey (AES-256-GCM), so
	// the store never sees a verifier or a token in clear.
	Pending SignInStore
}

// SignInStore keeps a bot's sign-ins in progress, possibly shared by
// several processes. Values are opaque (sealed by BotSignIn). Take is what
// makes a link and a code single-use: of any number of concurrent Takes of
// one key, in any number of processes, at most one gets the value.
// Implementations must be safe for concurrent use.
type SignInStore interface {
	// Put stores value under key for ttl, replacing any value.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Take removes the value of key and returns it; nil (and no error)
	// when there is none or it expired.
	Take(ctx context.Context, key string) ([]byte, error)
}

// ErrTooManySignIns is returned by a SignInStore that refuses to hold more
// sign-ins in progress.
var ErrTooManySignIns = errors.New("auth: too many sign-ins in progress; try again in a few minutes")

// MemorySignInStore is a SignInStore in one process's memory, holding at
// most 10,000 sign-ins. The zero value is ready to use.
type MemorySignInStore struct {
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu sync.Mutex
	m  map[string]memoryPending
}

type memoryPending struct {
	value  []byte
	expiry time.Time
}

func (s *MemorySignInStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Put implements SignInStore.
func (s *MemorySignInStore) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]memoryPending{}
	}
	if _, replace := s.m[key]; !replace && len(s.m) >= maxBotPending {
		for k, p := range s.m {
			if !now.Before(p.expiry) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= maxBotPending {
			return ErrTooManySignIns
		}
	}
	s.m[key] = memoryPending{value: append([]byte(nil), value...), expiry: now.Add(ttl)}
	return nil
}

// Take implements SignInStore.
func (s *MemorySignInStore) Take(_ context.Context, key string) ([]byte, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[key]
	delete(s.m, key)
	if !ok || !now.Before(p.expiry) {
		return nil, nil
	}
	return p.value, nil
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
// BotConfig.Pending: with a store shared by several instances, the
// callback and the code may reach any of them.
type BotSignIn struct {
	cfg   BotConfig
	users *UserProvider
	// seal encrypts the records kept in cfg.Pending.
	seal *sealbox.Box
}

// botStart is a link not yet used, kept under "start:" + its nonce.
type botStart struct {
	Subject      string    `json:"s"`
	Conversation string    `json:"c"`
	Verifier     string    `json:"v"`
	Scopes       []string  `json:"sc,omitempty"`
	Expiry       time.Time `json:"e"`
}

// botCode is a token waiting for its magic code, kept under "code:" + the
// binding of its user and conversation.
type botCode struct {
	Token    *StoredToken `json:"t"`
	CodeHash [32]byte     `json:"h"`
	Expiry   time.Time    `json:"e"`
	Attempts int          `json:"a"`
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
	if cfg.Pending == nil {
		cfg.Pending = &MemorySignInStore{Now: cfg.Now}
	}
	seal, err := sealbox.New(cfg.StateKey, "runflow bot pending sign-in")
	if err != nil {
		return nil, err
	}
	users, err := NewUserProvider(UserConfig{
		Profile: cfg.Profile, Store: cfg.Store, HTTPClient: cfg.HTTPClient, Now: cfg.Now,
		EarlyExpiry: cfg.EarlyExpiry, Log: cfg.Log,
		NotSignedIn: "sign in to continue",
	})
	if err != nil {
		return nil, err
	}
	return &BotSignIn{cfg: cfg, users: users, seal: seal}, nil
}

// putPending seals v and keeps it under key until expiry, and a grace
// period after it so that a late code is told "expired" rather than "no
// sign-in" (the record's own Expiry is what counts).
func (b *BotSignIn) putPending(ctx context.Context, key string, v any, expiry time.Time) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := b.seal.Seal(js, []byte(key))
	if err != nil {
		return err
	}
	ttl := expiry.Sub(b.cfg.Now())
	if ttl <= 0 {
		return nil
	}
	ttl += pendingGrace
	if err := b.cfg.Pending.Put(ctx, key, sealed, ttl); err != nil {
		if errors.Is(err, ErrTooManySignIns) {
			return err
		}
		return fmt.Errorf("auth: keeping the sign-in in progress: %w", err)
	}
	return nil
}

// takePending takes key's record and opens it into v; false when there is
// none, or it cannot be opened (sealed with another key: treated as none).
func (b *BotSignIn) takePending(ctx context.Context, key string, v any) (bool, error) {
	sealed, err := b.cfg.Pending.Take(ctx, key)
	if err != nil {
		return false, fmt.Errorf("auth: reading the sign-in in progress: %w", err)
	}
	if sealed == nil {
		return false, nil
	}
	js, err := b.seal.Open(sealed, []byte(key))
	if err != nil || json.Unmarshal(js, v) != nil {
		b.cfg.Log.Warn("auth: a sign-in in progress could not be opened (another StateKey?); it was dropped")
		return false, nil
	}
	return true, nil
}

func (b *BotSignIn) codeKey(subject, conversation string) string {
	return "code:" + b.binding(subject, conversation)
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
	link, lerr := b.signInLink(ctx, req, sir.Scopes)
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
func (b *BotSignIn) signInLink(ctx context.Context, req Request, scopes []string) (string, error) {
	now := b.cfg.Now()
	start := &botStart{
		Subject: req.Subject, Conversation: req.Conversation,
		Verifier: oauth2.GenerateVerifier(), Scopes: scopes, Expiry: now.Add(b.cfg.LinkTTL),
	}
	nonce := randomToken(18)
	state, err := b.signState(statePayload{Nonce: nonce, Expires: start.Expiry.Unix(), Binding: b.binding(req.Subject, req.Conversation)})
	if err != nil {
		return "", err
	}
	secret, err := b.cfg.Profile.Secret()
	if err != nil {
		return "", err
	}
	if err := b.putPending(ctx, "start:"+nonce, start, start.Expiry); err != nil {
		return "", err
	}
	conf := oauthConfig(b.cfg.Profile, secret, b.cfg.CallbackURL, scopes)
	return conf.AuthCodeURL(state, oauth2.S256ChallengeOption(start.Verifier), oauth2.SetAuthURLParam("prompt", "select_account")), nil
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
func (b *BotSignIn) openState(ctx context.Context, state string) (*botStart, error) {
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
	start := &botStart{}
	ok, err = b.takePending(ctx, "start:"+p.Nonce, start)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errStateUsed
	}
	if !now.Before(start.Expiry) {
		return nil, errStateExpired
	}
	if subtle.ConstantTimeCompare([]byte(p.Binding), []byte(b.binding(start.Subject, start.Conversation))) != 1 {
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
		start, err := b.openState(r.Context(), q.Get("state"))
		if err != nil {
			if !errors.Is(err, errBadState) && !errors.Is(err, errStateExpired) && !errors.Is(err, errStateUsed) {
				b.cfg.Log.Error("auth: bot sign-in: the store of sign-ins in progress failed", "error", err.Error())
				writeResultPage(w, http.StatusServiceUnavailable, "The sign-in could not be completed just now. Open the link again in a moment.")
				return
			}
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
		conf := oauthConfig(b.cfg.Profile, secret, b.cfg.CallbackURL, start.Scopes)
		tok, err := conf.Exchange(withHTTPClient(r.Context(), b.cfg.HTTPClient), code, oauth2.VerifierOption(start.Verifier))
		if err != nil {
			err = classify("redeeming the bot sign-in's authorization code", err, code, start.Verifier, secret)
			b.cfg.Log.Warn("auth: bot sign-in failed", "error", err.Error())
			writeResultPage(w, http.StatusBadGateway, "The sign-in could not be completed. Return to the conversation and try again.")
			return
		}
		now := b.cfg.Now()
		magic := sixDigits()
		pending := &botCode{
			Token:    storedFromOAuth2(b.cfg.Profile.Name, start.Subject, tok, start.Scopes, now).boundTo(b.cfg.Profile),
			CodeHash: sha256.Sum256([]byte(magic)),
			Expiry:   now.Add(b.cfg.MagicCodeTTL),
		}
		if err := b.putPending(r.Context(), b.codeKey(start.Subject, start.Conversation), pending, pending.Expiry); err != nil {
			b.cfg.Log.Error("auth: bot sign-in: keeping the token for its code failed", "error", err.Error())
			writeResultPage(w, http.StatusServiceUnavailable, "The sign-in could not be completed. Return to the conversation and try again.")
			return
		}
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
	key := b.codeKey(req.Subject, req.Conversation)
	now := b.cfg.Now()
	typed := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(answer))
	// Taking the record makes the code single-use across every process
	// sharing the store; a wrong code puts it back with one attempt less.
	p := &botCode{}
	ok, err := b.takePending(ctx, key, p)
	switch {
	case err != nil:
		return err
	case !ok:
		if _, err := b.users.Token(ctx, req); err == nil {
			return nil // already signed in (the code was typed twice)
		}
		return b.askAgain(ctx, req, ErrNoPendingSignIn)
	case !now.Before(p.Expiry):
		return b.askAgain(ctx, req, ErrMagicCodeExpired)
	}
	sum := sha256.Sum256([]byte(typed))
	if subtle.ConstantTimeCompare(sum[:], p.CodeHash[:]) != 1 {
		p.Attempts++
		left := b.cfg.MaxCodeAttempts - p.Attempts
		if left <= 0 {
			return b.askAgain(ctx, req, ErrTooManyAttempts)
		}
		if err := b.putPending(ctx, key, p, p.Expiry); err != nil {
			return err
		}
		return &retryError{cause: ErrWrongMagicCode, sir: &SignInRequiredError{
			Scopes: p.Token.Scopes, MagicCode: true,
			Reason: fmt.Sprintf("that is not the code shown after signing in; type the 6-digit code from the sign-in page (%d %s left)", left, plural(left, "try", "tries")),
		}}
	}
	if err := b.cfg.Store.Save(ctx, p.Token); err != nil {
		return fmt.Errorf("auth: signed in, but the token could not be saved: %w", err)
	}
	b.cfg.Log.Info("auth: bot user signed in", "profile", b.cfg.Profile.Name, "account", p.Token.Account.Username)
	return nil
}

// askAgain answers a refused code with a new sign-in link.
func (b *BotSignIn) askAgain(ctx context.Context, req Request, cause error) error {
	scopes := b.users.signInScopes(nil, req.Scopes)
	link, err := b.signInLink(ctx, req, scopes)
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
