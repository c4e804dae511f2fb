package auth

import (
	"context"
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

// ErrWrongAccount: the device code sign-in was completed with an account
// other than the one the bot expects for this user.
var ErrWrongAccount = errors.New("auth: the sign-in used another account than yours; sign in again with your own account")

// BotDeviceCodeConfig configures a BotDeviceCode.
type BotDeviceCodeConfig struct {
	// Profile is a public client that allows device code sign-ins, such as
	// SystemProfile(). Required.
	Profile *Profile
	// Store keeps each user's grant, by profile and the bot's user id.
	// Required.
	Store Store
	// ExpectedAccount, when set, returns the account (userPrincipalName
	// or directory object id) a bot user must sign in as, as the chat
	// platform knows it (Teams does). A sign-in as anyone else is refused.
	// Without it, whoever enters the code signs in for the user: see
	// docs/auth.md.
	ExpectedAccount func(subject string) string
	// HTTPClient calls the identity platform; nil means a client with a
	// 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// EarlyExpiry is passed to the UserProvider.
	EarlyExpiry time.Duration
	// Log receives events; never a token or code. Nil discards them.
	Log *slog.Logger
}

// BotDeviceCode is the Provider of a bot whose users sign in with a device
// code: for an app whose redirect URIs the bot cannot serve, such as the
// built-in "system" profile. Token starts a sign-in and answers with a
// *SignInRequiredError whose URL is the verification page and whose Reason
// carries the code to enter there; when the user says they are done (any
// answer, passed to CompleteSignIn) or on the next Token call, it polls the
// identity platform once and stores the grant.
//
// A device code works for whoever enters it, so a code forwarded to
// someone else attaches their account; set ExpectedAccount to refuse that,
// or use BotSignIn (authorization code with a magic code) with a custom app.
type BotDeviceCode struct {
	cfg   BotDeviceCodeConfig
	users *UserProvider
	locks keyedMutex // one poll per user and conversation at a time

	mu      sync.Mutex
	pending map[[2]string]*deviceStart
}

type deviceStart struct {
	deviceCode string
	prompt     DeviceCodePrompt
	scopes     []string
	interval   time.Duration
	nextPoll   time.Time
}

// NewBotDeviceCode checks cfg and returns a BotDeviceCode.
func NewBotDeviceCode(cfg BotDeviceCodeConfig) (*BotDeviceCode, error) {
	if cfg.Profile == nil || cfg.Store == nil {
		return nil, errors.New("auth: BotDeviceCodeConfig needs a Profile and a Store")
	}
	if cfg.Profile.Confidential() {
		return nil, fmt.Errorf("auth: profile %q has a client secret; device code sign-in in a bot is for public clients (use NewBotSignIn)", cfg.Profile.Name)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.HTTPClient = httpClientOrDefault(cfg.HTTPClient)
	users, err := NewUserProvider(UserConfig{Profile: cfg.Profile, Store: cfg.Store, HTTPClient: cfg.HTTPClient,
		Now: cfg.Now, EarlyExpiry: cfg.EarlyExpiry, Log: cfg.Log, NotSignedIn: "sign in to continue"})
	if err != nil {
		return nil, err
	}
	return &BotDeviceCode{cfg: cfg, users: users, pending: map[[2]string]*deviceStart{}}, nil
}

// Token implements Provider. Request.Subject and Request.Conversation are
// required.
func (b *BotDeviceCode) Token(ctx context.Context, req Request) (*oauth2.Token, error) {
	if req.Subject == "" || req.Conversation == "" {
		return nil, errors.New("auth: a bot sign-in needs Request.Subject (the user) and Request.Conversation")
	}
	tok, err := b.users.Token(ctx, req)
	sir, ok := IsSignInRequired(err)
	if !ok {
		return tok, err
	}
	key := [2]string{req.Subject, req.Conversation}
	unlock, err := b.locks.lock(ctx, key[0]+"\x00"+key[1])
	if err != nil {
		return nil, err
	}
	defer unlock()
	b.mu.Lock()
	ds := b.pending[key]
	b.mu.Unlock()
	if ds != nil && b.cfg.Now().Before(ds.prompt.Expiry) && MissingScopes(ds.scopes, req.Scopes) == nil {
		done, perr := b.poll(ctx, key, ds, req)
		if perr == nil && done {
			return b.users.Token(ctx, req)
		}
		if perr == nil {
			return nil, b.prompt(ds)
		}
		if !errors.Is(perr, errRestart) {
			return nil, perr
		}
	}
	return nil, b.start(ctx, key, UnionScopes(sir.Scopes, ScopesFor(req.Scopes)))
}

// errRestart: the pending sign-in ended (declined, expired): start anew.
var errRestart = errors.New("restart")

// start asks the identity platform for a new device code.
func (b *BotDeviceCode) start(ctx context.Context, key [2]string, scopes []string) error {
	e := b.cfg.Profile.Endpoints()
	body, err := postForm(ctx, b.cfg.HTTPClient, e.DeviceCodeURL, url.Values{"client_id": {b.cfg.Profile.ClientID}, "scope": {strings.Join(scopes, " ")}})
	if err != nil {
		return classify("starting a device code sign-in", err)
	}
	var da deviceAuthResponse
	if err := json.Unmarshal(body, &da); err != nil || da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return &TokenError{Op: "starting a device code sign-in", Kind: KindBadResponse,
			Description: "the device code endpoint's answer lacks device_code, user_code or verification_uri", Hint: hintFor(KindBadResponse)}
	}
	now := b.cfg.Now()
	lifetime := time.Duration(da.ExpiresIn) * time.Second
	if lifetime <= 0 || lifetime > maxDeviceLifetime {
		lifetime = 15 * time.Minute
	}
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	ds := &deviceStart{
		deviceCode: da.DeviceCode,
		prompt:     DeviceCodePrompt{UserCode: da.UserCode, VerificationURI: da.VerificationURI, Message: da.Message, Expiry: now.Add(lifetime)},
		scopes:     scopes, interval: interval, nextPoll: now,
	}
	if ds.prompt.Message == "" {
		ds.prompt.Message = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", da.VerificationURI, da.UserCode)
	}
	b.mu.Lock()
	for k, p := range b.pending {
		if !now.Before(p.prompt.Expiry) {
			delete(b.pending, k)
		}
	}
	if len(b.pending) >= maxBotPending {
		b.mu.Unlock()
		return errors.New("auth: too many sign-ins in progress; try again in a few minutes")
	}
	b.pending[key] = ds
	b.mu.Unlock()
	return b.prompt(ds)
}

func (b *BotDeviceCode) prompt(ds *deviceStart) *SignInRequiredError {
	return &SignInRequiredError{URL: ds.prompt.VerificationURI, Scopes: ds.scopes,
		Reason: ds.prompt.Message + " Then answer here to continue."}
}

// poll asks the token endpoint once whether the user has signed in. It
// reports done after storing the grant; errRestart when the sign-in ended.
func (b *BotDeviceCode) poll(ctx context.Context, key [2]string, ds *deviceStart, req Request) (bool, error) {
	now := b.cfg.Now()
	if now.Before(ds.nextPoll) {
		return false, nil // too early: answering would earn a slow_down
	}
	ds.nextPoll = now.Add(ds.interval)
	body, err := postForm(ctx, b.cfg.HTTPClient, b.cfg.Profile.Endpoints().TokenURL, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {b.cfg.Profile.ClientID}, "device_code": {ds.deviceCode},
	})
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "authorization_pending":
				return false, nil
			case "slow_down":
				ds.interval += 5 * time.Second
				ds.nextPoll = now.Add(ds.interval)
				return false, nil
			case "authorization_declined", "expired_token", "bad_verification_code", "access_denied":
				b.drop(key)
				return false, errRestart
			}
		}
		return false, classify("waiting for the device code sign-in", err, ds.deviceCode)
	}
	b.drop(key)
	tok, perr := parseTokenResponse(body)
	if perr != nil {
		return false, &TokenError{Op: "waiting for the device code sign-in", Kind: KindBadResponse, Description: perr.Error(), Hint: hintFor(KindBadResponse)}
	}
	st := storedFromOAuth2(b.cfg.Profile.Name, req.Subject, tok, ds.scopes, now).boundTo(b.cfg.Profile)
	if b.cfg.ExpectedAccount != nil {
		want := b.cfg.ExpectedAccount(req.Subject)
		if want == "" || !(strings.EqualFold(want, st.Account.Username) || strings.EqualFold(want, st.Account.ObjectID)) {
			b.cfg.Log.Warn("auth: bot device code sign-in with another account refused", "profile", b.cfg.Profile.Name)
			return false, ErrWrongAccount
		}
	}
	if err := b.cfg.Store.Save(ctx, st); err != nil {
		return false, fmt.Errorf("auth: signed in, but the token could not be saved: %w", err)
	}
	b.cfg.Log.Info("auth: bot user signed in", "profile", b.cfg.Profile.Name, "account", st.Account.Username, "flow", "device code")
	return true, nil
}

func (b *BotDeviceCode) drop(key [2]string) {
	b.mu.Lock()
	delete(b.pending, key)
	b.mu.Unlock()
}

// CompleteSignIn implements SignInCompleter: the user says they have
// signed in (the answer itself does not matter). It polls once; while the
// sign-in is not finished it answers with the same *SignInRequiredError.
func (b *BotDeviceCode) CompleteSignIn(ctx context.Context, req Request, _ string) error {
	key := [2]string{req.Subject, req.Conversation}
	unlock, err := b.locks.lock(ctx, key[0]+"\x00"+key[1])
	if err != nil {
		return err
	}
	defer unlock()
	b.mu.Lock()
	ds := b.pending[key]
	b.mu.Unlock()
	if ds == nil {
		if _, err := b.users.Token(ctx, req); err == nil {
			return nil // already signed in (e.g. polled by Token)
		}
		return b.restart(ctx, key, req, ErrNoPendingSignIn)
	}
	if !b.cfg.Now().Before(ds.prompt.Expiry) {
		b.drop(key)
		return b.restart(ctx, key, req, ErrMagicCodeExpired)
	}
	done, err := b.poll(ctx, key, ds, req)
	switch {
	case errors.Is(err, errRestart):
		return b.restart(ctx, key, req, errors.New("auth: the sign-in was declined or has expired"))
	case errors.Is(err, ErrWrongAccount):
		return b.restart(ctx, key, req, err)
	case err != nil:
		return err
	case !done:
		return b.prompt(ds)
	}
	return nil
}

// restart answers a sign-in that cannot finish with a new device code: an
// error matching cause (errors.Is) that is also the *SignInRequiredError
// of the new code, so the engine asks again instead of failing the flow.
func (b *BotDeviceCode) restart(ctx context.Context, key [2]string, req Request, cause error) error {
	err := b.start(ctx, key, b.users.signInScopes(nil, req.Scopes))
	sir, ok := IsSignInRequired(err)
	if !ok {
		return errors.Join(cause, err)
	}
	reason := strings.TrimPrefix(cause.Error(), "auth: ")
	if i := strings.Index(reason, ";"); i >= 0 {
		reason = reason[:i]
	}
	sir.Reason = reason + ". " + sir.Reason
	return &retryError{cause: cause, sir: sir}
}

// Invalidate implements Invalidator.
func (b *BotDeviceCode) Invalidate(ctx context.Context, req Request, tok *oauth2.Token) {
	b.users.Invalidate(ctx, req, tok)
}
