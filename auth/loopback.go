package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// LoginLoopback signs a user in with the authorization code flow and PKCE
// (S256), the way native apps do (RFC 8252): it listens on a loopback port,
// sends the user's browser to the authorization URL (opts.OpenBrowser, and
// the URL printed to opts.Out), waits for the redirect, checks its state,
// exchanges the code and saves the grant in opts.Store.
//
// The profile's redirect_url must be a loopback http URL
// ("http://localhost" by default); its port is chosen here unless given.
// Cancel ctx to give up waiting.
func LoginLoopback(ctx context.Context, p *Profile, opts LoginOptions) (*StoredToken, error) {
	if err := opts.defaults(p); err != nil {
		return nil, err
	}
	secret, err := p.Secret()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(or(p.RedirectURL, "http://localhost"))
	if err != nil || base.Scheme != "http" || !isLoopbackHost(base.Hostname()) {
		return nil, fmt.Errorf("auth: profile %q: signing in from the CLI needs a loopback redirect_url such as http://localhost or http://127.0.0.1 (registered in the app as a public client/native redirect URI); use --device-code otherwise", p.Name)
	}
	listeners, port, err := listenLoopback(base)
	if err != nil {
		return nil, err
	}
	path := base.Path
	if path == "" {
		path = "/"
	}
	redirect := (&url.URL{Scheme: "http", Host: net.JoinHostPort(base.Hostname(), strconv.Itoa(port)), Path: path}).String()

	state := randomToken(32)
	verifier := oauth2.GenerateVerifier()
	conf := oauthConfig(p, secret, redirect, opts.Scopes)
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "select_account"))

	results := make(chan callbackResult, 1)
	srv := &http.Server{
		Handler:           loopbackHandler(path, state, results),
		ReadHeaderTimeout: 10 * time.Second,
	}
	for _, l := range listeners {
		go func() { _ = srv.Serve(l) }()
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	fmt.Fprintf(opts.Out, "To sign in, open this page in your browser:\n\n  %s\n\nWaiting for the sign-in to finish (Ctrl-C to cancel)...\n", authURL)
	if opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(authURL); err != nil {
			fmt.Fprintf(opts.Out, "Could not open a browser (%v); open the page above yourself.\n", err)
		}
	}

	var res callbackResult
	select {
	case res = <-results:
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: sign-in cancelled while waiting for the browser: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := conf.Exchange(withHTTPClient(ctx, opts.HTTPClient), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classify("redeeming the authorization code", err, res.code, verifier, secret)
	}
	st := storedFromOAuth2(p.Name, opts.Subject, tok, opts.Scopes, opts.Now()).boundTo(p)
	if err := opts.Store.Save(ctx, st); err != nil {
		return nil, fmt.Errorf("auth: signed in, but the token could not be saved: %w", err)
	}
	opts.Log.Info("auth: signed in", "profile", p.Name, "account", st.Account.Username, "flow", "authorization code")
	return st, nil
}

// listenLoopback listens on the redirect URL's loopback host: 127.0.0.1
// for "localhost" and IPv4, plus [::1] on the same port when available,
// since browsers may resolve localhost to either.
func listenLoopback(base *url.URL) ([]net.Listener, int, error) {
	port := base.Port()
	if port == "" {
		port = "0"
	}
	host := base.Hostname()
	primary := "127.0.0.1"
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		primary = "::1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(primary, port))
	if err != nil {
		return nil, 0, fmt.Errorf("auth: cannot listen on %s for the sign-in redirect: %w", net.JoinHostPort(primary, port), err)
	}
	actual := l.Addr().(*net.TCPAddr).Port
	ls := []net.Listener{l}
	if host == "localhost" {
		if l6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(actual))); err == nil {
			ls = append(ls, l6)
		}
	}
	return ls, actual, nil
}

type callbackResult struct {
	code string
	err  error
}

// AuthorizationError is an error the identity platform sent back to the
// redirect URI instead of a code (error=access_denied when the user
// cancelled).
type AuthorizationError struct {
	Code        string
	Description string
}

func (e *AuthorizationError) Error() string {
	msg := "auth: the sign-in did not complete: " + e.Code
	if d := strings.TrimRight(e.Description, ". "); d != "" {
		msg += ": " + d
	}
	if e.Code == "access_denied" {
		msg += ". What to do: the sign-in was cancelled or consent was refused; run the sign-in again and accept to continue"
	}
	return msg
}

// loopbackHandler waits for the one redirect that carries the expected
// state; other requests get an explanation and are otherwise ignored.
func loopbackHandler(path, state string, results chan<- callbackResult) http.Handler {
	var mu sync.Mutex
	finished := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			writeResultPage(w, http.StatusBadRequest, "This sign-in answer does not belong to the sign-in in progress. Start the sign-in again from the command line.")
			return
		}
		var res callbackResult
		if e := q.Get("error"); e != "" {
			res.err = &AuthorizationError{Code: e, Description: firstLine(q.Get("error_description"))}
		} else if q.Get("code") == "" {
			res.err = errors.New("auth: the sign-in redirect carried neither a code nor an error")
		} else {
			res.code = q.Get("code")
		}
		mu.Lock()
		already := finished
		finished = true
		mu.Unlock()
		if already {
			writeResultPage(w, http.StatusConflict, "This sign-in has already finished. You can close this window.")
			return
		}
		results <- res
		if res.err != nil {
			writeResultPage(w, http.StatusOK, "The sign-in did not complete. Return to the command line for details.")
			return
		}
		writeResultPage(w, http.StatusOK, "You are signed in. You can close this window and return to the command line.")
	})
}

// resultPage is parsed on first use: most runs of the CLI never sign in.
var resultPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("r").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>runflow sign-in</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}.code{font-size:2em;letter-spacing:.2em;font-family:monospace}</style></head>
<body><h1>runflow</h1><p>{{.Message}}</p>{{if .Code}}<p class="code">{{.Code}}</p>{{end}}</body></html>`))
})

func writeResultPage(w http.ResponseWriter, status int, message string) {
	writePage(w, status, message, "")
}

// writePage renders a small page that nothing can frame, cache or leak
// through the Referer header.
func writePage(w http.ResponseWriter, status int, message, code string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = resultPage().Execute(w, struct{ Message, Code string }{message, code})
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
