package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// defaultGraphURL is Microsoft Graph's v1.0 service root.
const defaultGraphURL = "https://graph.microsoft.com/v1.0"

// backendFlags say where a run sends its requests and with which token:
// the flags run, mcp and serve share (add).
type backendFlags struct {
	sandbox  bool
	graphURL string
	token    string
	// profile is --profile, --profile-file and, where offered,
	// --client-secret-file.
	profile profileSelection
}

// backendHelp is how one command words its backend flags' help; what the
// flags do is the same in every command.
type backendHelp struct {
	sandbox, graphURL, token, profile, profileFile string
	// secretFile offers --client-secret-file (secretFileUsage).
	secretFile bool
}

// secretFileUsage is the help of --client-secret-file, wherever it is.
const secretFileUsage = "read the profile's client secret from `FILE` (a file: secret in a profile must sit beside it or in the config directory)"

// add registers the backend flags on fs, with h's help.
func (f *backendFlags) add(fs *flag.FlagSet, h backendHelp) {
	fs.BoolVar(&f.sandbox, "sandbox", false, h.sandbox)
	fs.StringVar(&f.graphURL, "graph-url", "", h.graphURL)
	fs.StringVar(&f.token, "token", "", h.token)
	fs.StringVar(&f.profile.Name, "profile", "", h.profile)
	fs.StringVar(&f.profile.File, "profile-file", "", h.profileFile)
	if h.secretFile {
		fs.StringVar(&f.profile.SecretFile, "client-secret-file", "", secretFileUsage)
	}
}

// usesProfile says whether --profile or --profile-file was given.
func (f *backendFlags) usesProfile() bool { return f.profile.Name != "" || f.profile.File != "" }

// backend is a chosen Graph service and token source.
type backend struct {
	graphURL string
	client   *http.Client // nil: the default transport
	auth     auth.Provider
	// secrets are scrubbed from every trace line, whatever else redacts.
	secrets []string
	// sandbox is the in-process sandbox of --sandbox (nil otherwise); it
	// saves its data file after every write.
	sandbox *sandboxStore
	// signIn signs the user in during a run with a profile (nil
	// otherwise: a flow that asks for a sign-in ends with exit 3).
	signIn signInFunc
}

// profileSelection names a signed-in profile: by name, or by file.
type profileSelection struct {
	Name string
	File string
	// SecretFile is --client-secret-file: the profile's client secret
	// is read from it, wherever it is.
	SecretFile string
}

// profileRun is what a saved profile gives a run: the token provider,
// the Graph service root ("" for Microsoft Graph), and how to sign the
// user in when the flow asks for it on a terminal.
type profileRun struct {
	auth     auth.Provider
	graphURL string
	// signIn signs the user in and returns the answer that resumes the
	// flow (a magic code, or ""); nil when the profile cannot sign anyone
	// in during a run (the run then ends with exit 3 and the sign-in link).
	signIn signInFunc
}

// signInFunc signs the user in when a flow asks for it (Turn.SignIn).
type signInFunc func(ctx context.Context, s *engine.SignIn) (string, error)

// signInWithProfile signs a run in with a stored profile
// (authProfileBackend, or the test's env.profileBackend). The result
// carries the Graph service root also with an error once the profile is
// read (a revoked sign-in with --graph-url naming the profile's own Graph
// must say to sign in again, not ask for a token). When nobody is signed
// in the error wraps *auth.SignInRequiredError and says how to sign in.
func (e *env) signInWithProfile(ctx context.Context, sel profileSelection, scopes []string) (profileRun, error) {
	if e.profileBackend != nil {
		return e.profileBackend(ctx, e, sel, scopes)
	}
	return authProfileBackend(ctx, e, sel, scopes)
}

// allScopes is the union of the scopes of ts: what one backend serving
// them all (mcp, serve) must be granted.
func allScopes(ts []*engine.Template) []string {
	var scopes []string
	for _, t := range ts {
		scopes = append(scopes, t.Scopes()...)
	}
	return auth.UnionScopes(scopes)
}

// signInError is a run that cannot start or go on until someone signs in
// (exit 3).
func signInError(err error) error { return &exitError{code: exitSignIn, err: err} }

// chooseBackend picks, in order: --sandbox; --graph-url/--token (or
// RUNFLOW_GRAPH_URL/RUNFLOW_TOKEN); a signed-in profile.
func chooseBackend(ctx context.Context, e *env, f backendFlags, scopes []string) (*backend, error) {
	if f.sandbox {
		if f.graphURL != "" || f.token != "" || f.usesProfile() {
			return nil, usageErrorf("--sandbox runs against the built-in sandbox; it cannot be combined with --graph-url, --token, --profile or --profile-file")
		}
		st, err := openSandbox(e, inProcessRoot)
		if err != nil {
			return nil, err
		}
		if note := st.staleDemoNote(e.now()); note != "" {
			fmt.Fprintln(e.stderr, note)
		}
		tok := st.s.Token(scopes...)
		return &backend{
			graphURL: inProcessRoot + "/v1.0",
			client:   &http.Client{Transport: handlerTransport{h: st}},
			auth:     auth.Static(tok),
			secrets:  []string{tok},
			sandbox:  st,
		}, nil
	}
	graphURL, token := f.graphURL, f.token
	if graphURL == "" {
		graphURL = e.getenv("RUNFLOW_GRAPH_URL")
	}
	if token == "" {
		token = e.getenv("RUNFLOW_TOKEN")
	}
	if token != "" {
		if f.usesProfile() {
			return nil, usageErrorf("--token (or RUNFLOW_TOKEN) and --profile/--profile-file are two ways to sign in; give one")
		}
		if graphURL == "" {
			graphURL = defaultGraphURL
		}
		if err := checkGraphURL(graphURL); err != nil {
			return nil, err
		}
		return &backend{graphURL: graphURL, auth: auth.Static(token), secrets: []string{token}}, nil
	}
	needsToken := signInError(errors.New("--graph-url (or RUNFLOW_GRAPH_URL) needs a token: give --token or set RUNFLOW_TOKEN (for a served sandbox: --token \"$(runflow sandbox token)\"); a signed-in profile's token goes only to the profile's own Graph"))
	p, err := e.signInWithProfile(ctx, f.profile, scopes)
	profileURL := p.graphURL
	if profileURL == "" {
		profileURL = defaultGraphURL
	}
	// A profile's token is for its own Graph: never hand it to another
	// service root named on the command line or in the environment.
	if graphURL != "" && !sameServiceRoot(graphURL, profileURL) {
		return nil, needsToken
	}
	if err != nil {
		if _, ok := auth.IsSignInRequired(err); ok {
			return nil, signInError(err)
		}
		return nil, err
	}
	if err := checkGraphURL(profileURL); err != nil {
		return nil, err
	}
	return &backend{graphURL: profileURL, auth: p.auth, signIn: p.signIn}, nil
}

// sameServiceRoot compares two Graph service roots, ignoring a final slash
// and the case of the scheme and host.
func sameServiceRoot(a, b string) bool {
	ua, errA := url.Parse(strings.TrimRight(a, "/"))
	ub, errB := url.Parse(strings.TrimRight(b, "/"))
	if errA != nil || errB != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}

const notSignedInHelp = `nobody is signed in, so there is no token for Microsoft Graph. Either:
  - try the built-in sandbox:     runflow run ID --sandbox
  - give a token:                 runflow run ID --token TOKEN   (or set RUNFLOW_TOKEN)
  - sign in to your tenant:       runflow auth login             (see docs/auth.md)`

// checkGraphURL accepts an absolute service root with its version path,
// over https, or over http only on loopback (a token must not cross a
// network in clear text).
func checkGraphURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return usageErrorf("--graph-url %q: want an absolute URL such as https://graph.microsoft.com/v1.0 or http://127.0.0.1:8080/v1.0", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return usageErrorf("--graph-url %q: want the service root only, without credentials, query or fragment", u.Redacted())
	}
	if strings.Trim(u.Path, "/") == "" {
		return usageErrorf("--graph-url %q: include the version, e.g. %s/v1.0", raw, strings.TrimRight(raw, "/"))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return usageErrorf("--graph-url %q: plain http is allowed only on loopback (127.0.0.1, ::1, localhost); use https", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// finish reports a write of the in-process sandbox that could not be
// saved (the data is saved after every write, not at the end).
func (b *backend) finish() error {
	if b.sandbox == nil {
		return nil
	}
	if err := b.sandbox.takeSaveError(); err != nil {
		return fmt.Errorf("saving the sandbox's data: %w", err)
	}
	return nil
}
