package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/runflow/runflow/internal/ctxsleep"
)

// LoginOptions configure LoginLoopback and LoginDeviceCode.
type LoginOptions struct {
	// Store receives the grant. Required.
	Store Store
	// Subject names the account within the profile (default
	// DefaultSubject).
	Subject string
	// Scopes to request; default the profile's scopes (or DefaultScopes),
	// always with offline_access openid profile.
	Scopes []string
	// HTTPClient calls the identity platform; nil means a client with a
	// 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Out receives instructions for the user (the URL to open, the device
	// code). Nil discards them.
	Out io.Writer
	// OpenBrowser opens the sign-in URL (LoginLoopback). Nil only prints
	// it; SystemBrowser opens the default browser.
	OpenBrowser func(url string) error
	// OnDeviceCode is called with the code to show (LoginDeviceCode);
	// nil prints the identity platform's message to Out.
	OnDeviceCode func(DeviceCodePrompt)
	// Sleep waits between device code polls; nil waits on a real timer.
	// Tests pass a fake that advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Log receives events; never a token. Nil discards them.
	Log *slog.Logger
}

func (o *LoginOptions) defaults(p *Profile) error {
	if p == nil {
		return errors.New("auth: a profile is required to sign in")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if o.Store == nil {
		return errors.New("auth: LoginOptions.Store is required")
	}
	if o.Subject == "" {
		o.Subject = DefaultSubject
	}
	if len(o.Scopes) == 0 {
		o.Scopes = p.scopesOrDefault()
	} else {
		o.Scopes = ScopesFor(o.Scopes)
	}
	o.HTTPClient = httpClientOrDefault(o.HTTPClient)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Sleep == nil {
		o.Sleep = ctxsleep.Sleep
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Logout forgets the grant of profile and subject (empty subject means
// DefaultSubject). The identity platform keeps its session: revoke it in
// the account's settings (https://myaccount.microsoft.com) if needed.
func Logout(ctx context.Context, store Store, profile, subject string) error {
	if subject == "" {
		subject = DefaultSubject
	}
	return store.Delete(ctx, profile, subject)
}

// SystemBrowser opens url in the user's default browser. The URL is passed
// as one argument, never through a shell.
func SystemBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("auth: could not open a browser: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// Status is what `runflow auth status` shows: who is signed in, where, with
// which scopes, until when. It never holds a token.
type Status struct {
	Profile  string    `json:"profile"`
	Subject  string    `json:"subject"`
	Account  string    `json:"account,omitempty"`
	Name     string    `json:"name,omitempty"`
	TenantID string    `json:"tenant_id,omitempty"`
	Scopes   []string  `json:"scopes"`
	Expiry   time.Time `json:"expiry"`
	// Expired reports that the access token has expired (or was refused);
	// the next run refreshes it if CanRefresh.
	Expired bool `json:"expired"`
	// CanRefresh reports that a refresh token is stored.
	CanRefresh bool      `json:"can_refresh"`
	Updated    time.Time `json:"updated"`
}

// GetStatus describes the grant stored for profile and subject (empty
// means DefaultSubject). It returns an error wrapping ErrNotSignedIn when
// there is none.
func GetStatus(ctx context.Context, store Store, profile, subject string, now time.Time) (*Status, error) {
	if subject == "" {
		subject = DefaultSubject
	}
	st, err := store.Load(ctx, profile, subject)
	if err != nil {
		return nil, err
	}
	return &Status{
		Profile:    st.Profile,
		Subject:    st.Subject,
		Account:    st.Account.Username,
		Name:       st.Account.Name,
		TenantID:   st.Account.TenantID,
		Scopes:     append([]string(nil), st.Scopes...),
		Expiry:     st.Expiry,
		Expired:    !st.usable(now, 0),
		CanRefresh: st.RefreshToken != "",
		Updated:    st.Updated,
	}, nil
}
