package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DeviceCodePrompt is what to show the user during a device code sign-in.
type DeviceCodePrompt struct {
	// UserCode is typed by the user at VerificationURI.
	UserCode string
	// VerificationURI is where to sign in (https://microsoft.com/devicelogin).
	VerificationURI string
	// Message is the identity platform's instruction, ready to print.
	Message string
	// Expiry is when the code stops working.
	Expiry time.Time
}

// deviceAuthResponse is the /devicecode answer.
type deviceAuthResponse struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
	Message         string `json:"message"`
}

// Device code polling bounds.
const (
	defaultDeviceInterval = 5 * time.Second
	maxDeviceInterval     = 60 * time.Second
	maxDeviceLifetime     = time.Hour
)

// LoginDeviceCode signs a user in with the device code flow (RFC 8628), for
// machines without a browser: it asks the identity platform for a code,
// shows it (opts.OnDeviceCode, or the platform's message on opts.Out), then
// polls the token endpoint as the platform asks (interval, slow_down) until
// the user has signed in on another device, declined, or the code expired,
// and saves the grant in opts.Store.
//
// The polling is done here rather than by x/oauth2's DeviceAccessToken,
// whose wall-clock ticker cannot be driven by a test clock and which drops
// the platform's message.
func LoginDeviceCode(ctx context.Context, p *Profile, opts LoginOptions) (*StoredToken, error) {
	if err := opts.defaults(p); err != nil {
		return nil, err
	}
	secret, err := p.Secret()
	if err != nil {
		return nil, err
	}
	e := p.Endpoints()
	form := url.Values{"client_id": {p.ClientID}, "scope": {strings.Join(opts.Scopes, " ")}}
	body, err := postForm(ctx, opts.HTTPClient, e.DeviceCodeURL, form)
	if err != nil {
		return nil, classify("starting a device code sign-in", err, secret)
	}
	var da deviceAuthResponse
	if err := json.Unmarshal(body, &da); err != nil || da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return nil, &TokenError{Op: "starting a device code sign-in", Kind: KindBadResponse,
			Description: "the device code endpoint's answer lacks device_code, user_code or verification_uri", Hint: hintFor(KindBadResponse)}
	}
	start := opts.Now()
	lifetime := time.Duration(da.ExpiresIn) * time.Second
	if lifetime <= 0 || lifetime > maxDeviceLifetime {
		lifetime = 15 * time.Minute
	}
	deadline := start.Add(lifetime)
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	prompt := DeviceCodePrompt{UserCode: da.UserCode, VerificationURI: da.VerificationURI, Message: da.Message, Expiry: deadline}
	if prompt.Message == "" {
		prompt.Message = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", da.VerificationURI, da.UserCode)
	}
	if opts.OnDeviceCode != nil {
		opts.OnDeviceCode(prompt)
	} else {
		fmt.Fprintln(opts.Out, prompt.Message)
	}

	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {p.ClientID}, "device_code": {da.DeviceCode}}
	if secret != "" {
		poll.Set("client_secret", secret)
	}
	const op = "waiting for the device code sign-in"
	for {
		if err := opts.Sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("auth: device code sign-in cancelled: %w", err)
		}
		if !opts.Now().Before(deadline) {
			return nil, &TokenError{Op: op, Kind: KindExpired, Code: "expired_token",
				Description: "the code expired before the sign-in was finished", Hint: hintFor(KindExpired)}
		}
		body, err := postForm(ctx, opts.HTTPClient, e.TokenURL, poll)
		if err == nil {
			tok, perr := parseTokenResponse(body)
			if perr != nil {
				return nil, &TokenError{Op: op, Kind: KindBadResponse, Description: perr.Error(), Hint: hintFor(KindBadResponse)}
			}
			st := storedFromOAuth2(p.Name, opts.Subject, tok, opts.Scopes, opts.Now()).boundTo(p)
			if err := opts.Store.Save(ctx, st); err != nil {
				return nil, fmt.Errorf("auth: signed in, but the token could not be saved: %w", err)
			}
			opts.Log.Info("auth: signed in", "profile", p.Name, "account", st.Account.Username, "flow", "device code")
			return st, nil
		}
		if re, ok := err.(*oauth2.RetrieveError); ok {
			switch re.ErrorCode {
			case "authorization_pending":
				continue
			case "slow_down":
				// RFC 8628 §3.5: add 5 seconds to this and every later wait.
				if interval += 5 * time.Second; interval > maxDeviceInterval {
					interval = maxDeviceInterval
				}
				continue
			}
		}
		return nil, classify(op, err, da.DeviceCode, secret)
	}
}

// postForm POSTs form to endpoint and returns the body of a 2xx JSON
// answer; any other answer is an *oauth2.RetrieveError (as x/oauth2 gives),
// so that classify treats both alike.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	re := &oauth2.RetrieveError{Response: resp, Body: body}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}
	jsonErr := json.Unmarshal(body, &e)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if jsonErr != nil || !isJSONResponse(resp) {
			return nil, re // a 2xx that is not JSON: classify calls it a bad response
		}
		if e.Error == "" {
			return body, nil
		}
	}
	if jsonErr == nil {
		re.ErrorCode, re.ErrorDescription, re.ErrorURI = e.Error, e.Description, e.URI
	}
	return nil, re
}

// parseTokenResponse reads a successful token answer into an oauth2.Token
// with its raw fields (scope, id_token) as Extra.
func parseTokenResponse(body []byte) (*oauth2.Token, error) {
	var tj struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tj); err != nil {
		return nil, fmt.Errorf("the token answer is not valid JSON")
	}
	if tj.AccessToken == "" {
		return nil, fmt.Errorf("the token answer has no access_token")
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	tok := &oauth2.Token{AccessToken: tj.AccessToken, TokenType: tj.TokenType, RefreshToken: tj.RefreshToken, ExpiresIn: tj.ExpiresIn}
	return tok.WithExtra(raw), nil
}
