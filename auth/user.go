package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultEarlyExpiry is how long before its expiry an access token is
// refreshed, so that a token handed out does not expire mid-request.
const DefaultEarlyExpiry = 5 * time.Minute

// UserConfig configures a UserProvider.
type UserConfig struct {
	// Profile is the app users signed in with. Required.
	Profile *Profile
	// Store holds the grants. Required.
	Store Store
	// HTTPClient calls the token endpoint; nil means a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// EarlyExpiry is how long before expiry a token is refreshed (default
	// DefaultEarlyExpiry).
	EarlyExpiry time.Duration
	// NotSignedIn is the reason given when nobody has signed in; default
	// tells the CLI user to run "runflow auth login".
	NotSignedIn string
	// SignInCommand, when set, is the command that signs in again (the
	// CLI's "runflow auth login --profile NAME"); reasons for a new
	// sign-in then end with it. It defaults to that command when
	// NotSignedIn is empty.
	SignInCommand string
	// Log receives events (refreshes, failures to save); never a token.
	// Nil discards them.
	Log *slog.Logger
}

// UserProvider gives delegated tokens of users who signed in (with
// LoginLoopback, LoginDeviceCode or a BotSignIn): it loads the grant from
// the Store, refreshes it before it expires, saves every rotated refresh
// token (x/oauth2 does not hand them back to its caller's storage), and
// turns a refused or insufficient grant into a *SignInRequiredError.
type UserProvider struct {
	cfg   UserConfig
	locks keyedMutex

	// cache keeps grants whose access token is still good, so that a
	// Graph request does not read the store each time. The store is read
	// again before any refresh (another process may have rotated the
	// refresh token) and when a scope seems missing.
	cacheMu sync.Mutex
	cache   map[string]*StoredToken
}

// maxCachedGrants bounds the cache (a bot with many users).
const maxCachedGrants = 10000

func (p *UserProvider) cached(subject string) *StoredToken {
	p.cacheMu.Lock()
	defer p.cacheMu.Unlock()
	return p.cache[subject]
}

func (p *UserProvider) remember(subject string, st *StoredToken) {
	p.cacheMu.Lock()
	defer p.cacheMu.Unlock()
	if st == nil {
		delete(p.cache, subject)
		return
	}
	if p.cache == nil || len(p.cache) >= maxCachedGrants {
		p.cache = map[string]*StoredToken{}
	}
	p.cache[subject] = st
}

// NewUserProvider checks cfg and returns a UserProvider.
func NewUserProvider(cfg UserConfig) (*UserProvider, error) {
	if cfg.Profile == nil {
		return nil, errors.New("auth: UserConfig.Profile is required")
	}
	if cfg.Store == nil {
		return nil, errors.New("auth: UserConfig.Store is required")
	}
	if err := cfg.Profile.Validate(); err != nil {
		return nil, err
	}
	cfg.HTTPClient = httpClientOrDefault(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.EarlyExpiry <= 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.NotSignedIn == "" {
		if cfg.SignInCommand == "" {
			cfg.SignInCommand = "runflow auth login"
			if cfg.Profile.Name != SystemProfileName {
				cfg.SignInCommand += " --profile " + cfg.Profile.Name
			}
		}
		cfg.NotSignedIn = fmt.Sprintf("no account is signed in for profile %q; run %q (or try --sandbox)", cfg.Profile.Name, cfg.SignInCommand)
	}
	return &UserProvider{cfg: cfg}, nil
}

// Profile is the provider's profile.
func (p *UserProvider) Profile() *Profile { return p.cfg.Profile }

func subjectOf(req Request) string {
	if req.Subject == "" {
		return DefaultSubject
	}
	return req.Subject
}

// Token implements Provider.
func (p *UserProvider) Token(ctx context.Context, req Request) (*oauth2.Token, error) {
	subject := subjectOf(req)
	unlock, err := p.locks.lock(ctx, subject)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := p.cfg.Now()
	st := p.cached(subject)
	var missing []string
	if st != nil {
		missing = MissingScopes(st.Scopes, req.Scopes)
	}
	if st == nil || !st.usable(now, p.cfg.EarlyExpiry) || missing != nil {
		var err error
		st, err = p.cfg.Store.Load(ctx, p.cfg.Profile.Name, subject)
		if errors.Is(err, ErrNotSignedIn) {
			p.remember(subject, nil)
			return nil, &SignInRequiredError{Scopes: p.signInScopes(nil, req.Scopes), Reason: p.cfg.NotSignedIn}
		}
		if err != nil {
			return nil, err
		}
		if !st.BoundTo(p.cfg.Profile) {
			// Another profile's grant under the same name: its tokens
			// must not go to this profile's endpoints (binding.go).
			p.remember(subject, nil)
			return nil, &SignInRequiredError{Scopes: p.signInScopes(nil, req.Scopes), Reason: otherIdentityReason(p.cfg.Profile, p.commandHint(nil))}
		}
		p.remember(subject, st)
		missing = MissingScopes(st.Scopes, req.Scopes)
	}
	if len(missing) > 0 {
		who := st.Account.Username
		if who == "" {
			who = "the signed-in account"
		}
		return nil, &SignInRequiredError{
			Scopes: p.signInScopes(st.Scopes, req.Scopes),
			Reason: fmt.Sprintf("%s has not granted %s yet; sign in again to consent%s", who, strings.Join(missing, ", "), p.commandHint(missing)),
		}
	}
	if st.usable(now, p.cfg.EarlyExpiry) {
		return st.oauth2Token(), nil
	}
	st, err = p.refresh(ctx, st, req)
	if err != nil {
		return nil, err
	}
	p.remember(subject, st)
	return st.oauth2Token(), nil
}

// signInScopes is what a new sign-in should ask for: everything already
// granted plus what is needed now (incremental consent), plus the sign-in
// scopes; the profile's scopes when there is nothing yet.
func (p *UserProvider) signInScopes(granted, needed []string) []string {
	if len(granted) == 0 {
		return UnionScopes(p.cfg.Profile.scopesOrDefault(), needed)
	}
	return ScopesFor(UnionScopes(granted, needed))
}

// commandHint names the command that signs in again, asking for scopes
// too when some are missing.
func (p *UserProvider) commandHint(scopes []string) string {
	if p.cfg.SignInCommand == "" {
		return ""
	}
	cmd := p.cfg.SignInCommand
	if len(scopes) > 0 {
		cmd += " --scopes " + strings.Join(scopes, ",")
	}
	return fmt.Sprintf(": run %q", cmd)
}

// refresh redeems st's refresh token and saves the new grant, including
// the rotated refresh token. The caller holds the subject's lock.
func (p *UserProvider) refresh(ctx context.Context, st *StoredToken, req Request) (*StoredToken, error) {
	// One refresh per grant across processes too (lock.go); another
	// process may have refreshed it while this one waited.
	st, unlock, err := p.lockForRefresh(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if st.usable(p.cfg.Now(), p.cfg.EarlyExpiry) {
		return st, nil
	}
	if st.RefreshToken == "" {
		return nil, &SignInRequiredError{Scopes: p.signInScopes(st.Scopes, req.Scopes),
			Reason: fmt.Sprintf("the access token for profile %q has expired and there is no refresh token (sign in with offline_access)%s", p.cfg.Profile.Name, p.commandHint(nil))}
	}
	secret, err := p.cfg.Profile.Secret()
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		conf := oauthConfig(p.cfg.Profile, secret, "", nil)
		conf.Endpoint.TokenURL = p.cfg.Profile.Endpoints().RefreshURL
		src := conf.TokenSource(withHTTPClient(ctx, p.cfg.HTTPClient), &oauth2.Token{RefreshToken: st.RefreshToken})
		tok, err := src.Token()
		if err == nil {
			return p.saveRefreshed(ctx, st, tok), nil
		}
		terr := classify(fmt.Sprintf("refreshing the sign-in of profile %q", p.cfg.Profile.Name), err, st.RefreshToken, secret)
		te, ok := IsTokenError(terr, KindInvalidGrant, KindConsentRequired)
		if !ok {
			p.cfg.Log.Warn("auth: token refresh failed", "profile", p.cfg.Profile.Name, "error", terr.Error())
			return nil, terr
		}
		if te.Kind == KindInvalidGrant && attempt == 0 {
			// Another process may have rotated the refresh token since we
			// loaded it: use the newer one if there is one.
			if cur, lerr := p.cfg.Store.Load(ctx, st.Profile, st.Subject); lerr == nil && cur.BoundTo(p.cfg.Profile) && cur.RefreshToken != "" && cur.RefreshToken != st.RefreshToken {
				if cur.usable(p.cfg.Now(), p.cfg.EarlyExpiry) {
					return cur, nil
				}
				st = cur
				continue
			}
		}
		p.cfg.Log.Info("auth: sign-in needed again", "profile", p.cfg.Profile.Name, "reason", te.Kind, "aadsts", te.AADSTS)
		reason := fmt.Sprintf("the sign-in of profile %q has expired or was revoked", p.cfg.Profile.Name)
		if te.Kind == KindConsentRequired {
			reason = fmt.Sprintf("the account has not consented to every scope profile %q needs", p.cfg.Profile.Name)
		}
		if te.AADSTS != "" {
			reason += " (AADSTS" + te.AADSTS + ")"
		}
		return nil, &SignInRequiredError{Scopes: p.signInScopes(st.Scopes, req.Scopes), Reason: reason + "; sign in again" + p.commandHint(MissingScopes(st.Scopes, req.Scopes))}
	}
}

// saveRefreshed stores the refreshed grant. A failure to save is logged,
// not returned: the new access token works now, and the next run will ask
// for a sign-in if the rotated refresh token was lost.
func (p *UserProvider) saveRefreshed(ctx context.Context, old *StoredToken, tok *oauth2.Token) *StoredToken {
	nst := storedFromOAuth2(old.Profile, old.Subject, tok, old.Scopes, p.cfg.Now()).boundTo(p.cfg.Profile)
	if nst.RefreshToken == "" {
		nst.RefreshToken = old.RefreshToken
	}
	if nst.Account == (Account{}) {
		nst.Account = old.Account
	}
	rotated := nst.RefreshToken != old.RefreshToken
	if err := p.cfg.Store.Save(ctx, nst); err != nil {
		p.cfg.Log.Error("auth: the refreshed token could not be saved; the next run may need a new sign-in", "profile", old.Profile, "error", err.Error())
	} else {
		p.cfg.Log.Debug("auth: token refreshed", "profile", old.Profile, "rotated", rotated, "expiry", nst.Expiry)
	}
	return nst
}

// Invalidate implements Invalidator: Graph refused tok, so forget it and
// refresh on the next Token call.
func (p *UserProvider) Invalidate(ctx context.Context, req Request, tok *oauth2.Token) {
	if tok == nil {
		return
	}
	subject := subjectOf(req)
	unlock, err := p.locks.lock(ctx, subject)
	if err != nil {
		return
	}
	defer unlock()
	p.remember(subject, nil)
	st, err := p.cfg.Store.Load(ctx, p.cfg.Profile.Name, subject)
	if err != nil || st.AccessToken != tok.AccessToken {
		return
	}
	st.AccessToken = ""
	st.Updated = p.cfg.Now()
	if err := p.cfg.Store.Save(ctx, st); err != nil {
		p.cfg.Log.Warn("auth: could not forget a refused access token", "profile", st.Profile, "error", err.Error())
	}
}

// keyedMutex serialises work per key (one refresh per subject at a time,
// since a rotated refresh token works only once), honouring contexts.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sem  chan struct{}
	refs int
}

func (k *keyedMutex) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{sem: make(chan struct{}, 1)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// httpClientOrDefault returns hc, or a client with a timeout suited to the
// token endpoint.
func httpClientOrDefault(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// withHTTPClient hands hc to x/oauth2 for this one call (it finds its
// client in the context).
func withHTTPClient(ctx context.Context, hc *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
}

// oauthConfig is the x/oauth2 configuration of a profile. Credentials always
// go in the form body: Entra rejects HTTP Basic from public clients.
func oauthConfig(p *Profile, secret, redirectURL string, scopes []string) *oauth2.Config {
	e := p.Endpoints()
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: secret,
		RedirectURL:  redirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:       e.AuthorizationURL,
			TokenURL:      e.TokenURL,
			DeviceAuthURL: e.DeviceCodeURL,
			AuthStyle:     oauth2.AuthStyleInParams,
		},
	}
}
