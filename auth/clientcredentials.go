package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// AppOnlyProvider is implemented by providers whose tokens act as the
// application, not as a signed-in user (client credentials). Graph refuses
// /me with such tokens: the engine must address /users/{id or
// userPrincipalName} and therefore requires a user setting for app-only runs.
type AppOnlyProvider interface {
	AppOnly() bool
}

// IsAppOnly reports whether p gives app-only tokens.
func IsAppOnly(p Provider) bool {
	a, ok := p.(AppOnlyProvider)
	return ok && a.AppOnly()
}

// ClientCredentialsConfig configures ClientCredentials.
type ClientCredentialsConfig struct {
	// ClientID and ClientSecret are the confidential app's credentials.
	ClientID     string
	ClientSecret string
	// TokenURL is the tenant's token endpoint; app-only sign-ins need a
	// tenant, not "common": https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token.
	TokenURL string
	// Scopes default to GraphDefaultScope, the only form Entra accepts here.
	Scopes []string
	// HTTPClient calls the token endpoint; nil means a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// EarlyExpiry is how long before expiry a token is replaced (default
	// DefaultEarlyExpiry).
	EarlyExpiry time.Duration
}

// ClientCredentials returns an app-only Provider (OAuth client credentials
// through golang.org/x/oauth2/clientcredentials, credentials in the form
// body). It caches the token until shortly before it expires; Invalidate
// drops it. The Request's Subject and Scopes are ignored: the token carries
// the application permissions an admin granted the app.
func ClientCredentials(cfg ClientCredentialsConfig) (Provider, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("auth: client credentials need a client id and a client secret (a confidential app registration)")
	}
	if err := checkEndpointURL(cfg.TokenURL); err != nil {
		return nil, fmt.Errorf("auth: client credentials token URL: %v", err)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{GraphDefaultScope}
	}
	cfg.HTTPClient = httpClientOrDefault(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.EarlyExpiry <= 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	return &clientCredentialsProvider{cfg: cfg, cc: clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInParams,
	}}, nil
}

// ClientCredentialsFromProfile builds an app-only provider from a
// confidential profile (client_secret set, a tenant rather than "common").
func ClientCredentialsFromProfile(p *Profile, hc *http.Client) (Provider, error) {
	if !p.Confidential() {
		return nil, fmt.Errorf("auth: profile %q has no client_secret: app-only access needs a confidential app (see docs/auth.md)", p.Name)
	}
	switch p.Tenant {
	case "", "common", "organizations", "consumers":
		if p.TokenURL == "" {
			return nil, fmt.Errorf("auth: profile %q: app-only access needs the tenant's id or domain in tenant, not %q", p.Name, or(p.Tenant, "common"))
		}
	}
	secret, err := p.Secret()
	if err != nil {
		return nil, err
	}
	return ClientCredentials(ClientCredentialsConfig{ClientID: p.ClientID, ClientSecret: secret, TokenURL: p.Endpoints().TokenURL, HTTPClient: hc})
}

type clientCredentialsProvider struct {
	cfg ClientCredentialsConfig
	cc  clientcredentials.Config

	mu     sync.Mutex
	cached *oauth2.Token
}

// AppOnly implements AppOnlyProvider.
func (p *clientCredentialsProvider) AppOnly() bool { return true }

// Token implements Provider.
func (p *clientCredentialsProvider) Token(ctx context.Context, _ Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	if t := p.cached; t != nil && (t.Expiry.IsZero() || now.Add(p.cfg.EarlyExpiry).Before(t.Expiry)) {
		c := *t
		return &c, nil
	}
	tok, err := p.cc.Token(withHTTPClient(ctx, p.cfg.HTTPClient))
	if err != nil {
		return nil, classify("getting an app-only token (client credentials)", err, p.cfg.ClientSecret)
	}
	t := &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer", Expiry: tok.Expiry}
	if secs := expiresIn(tok); secs > 0 {
		t.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	p.cached = t
	c := *t
	return &c, nil
}

// Invalidate implements Invalidator.
func (p *clientCredentialsProvider) Invalidate(_ context.Context, _ Request, tok *oauth2.Token) {
	p.mu.Lock()
	if tok != nil && p.cached != nil && p.cached.AccessToken == tok.AccessToken {
		p.cached = nil
	}
	p.mu.Unlock()
}

// String never shows the secret.
func (p *clientCredentialsProvider) String() string {
	return fmt.Sprintf("auth.ClientCredentials(client %s, secret %s)", p.cfg.ClientID, Redact(p.cfg.ClientSecret))
}
