package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

func init() {
	register(&command{
		name:    "auth",
		args:    "login|status|logout [flags]",
		summary: "sign in to Microsoft Graph, show who is signed in, or sign out",
		run:     runAuth,
	})
}

func runAuth(ctx context.Context, e *env, args []string) error {
	subs := map[string]func(context.Context, *env, []string) error{
		"login":  runAuthLogin,
		"status": runAuthStatus,
		"logout": runAuthLogout,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printAuthUsage(e.stdout)
		if len(args) == 0 {
			return &exitError{code: exitUsage, err: errors.New("auth: want login, status or logout")}
		}
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		msg := fmt.Sprintf("auth: unknown subcommand %q (want login, status or logout)", args[0])
		if s := suggest(args[0], []string{"login", "status", "logout"}); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return usageErrorf("%s", msg)
	}
	return sub(ctx, e, args[1:])
}

func printAuthUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: runflow auth login|status|logout [flags]

Sign in once; later runs use the saved sign-in and refresh it as needed.

  runflow auth login  [--profile NAME | --profile-file FILE] [--device-code] [--scopes A,B] [--no-browser]
  runflow auth status [--profile NAME | --profile-file FILE] [--json]
  runflow auth logout [--profile NAME | --profile-file FILE]

Without --profile, the profile is $RUNFLOW_PROFILE, else the built-in
"system" profile (Microsoft Graph Command Line Tools, tenant common).
Profiles and app registration: docs/auth.md.
`)
}

// addFlags registers the auth commands' --profile, --profile-file and
// --client-secret-file on fs.
func (sel *profileSelection) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&sel.Name, "profile", "", "use the saved profile `NAME` (default $RUNFLOW_PROFILE or system)")
	fs.StringVar(&sel.File, "profile-file", "", "use the profile in `FILE`")
	fs.StringVar(&sel.SecretFile, "client-secret-file", "", secretFileUsage)
}

// loadAuthProfile reads the selected profile: a file, a name in the
// config directory's profiles/, $RUNFLOW_PROFILE, or the built-in system
// profile.
func loadAuthProfile(e *env, sel profileSelection) (p *auth.Profile, err error) {
	if sel.Name != "" && sel.File != "" {
		return nil, usageErrorf("give --profile or --profile-file, not both")
	}
	if sel.SecretFile != "" {
		defer func() {
			if p != nil {
				p.SetSecretFile(sel.SecretFile)
			}
		}()
	}
	if sel.File != "" {
		p, err = auth.LoadProfileFile(sel.File)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return p, nil
	}
	name := sel.Name
	if name == "" {
		name = e.getenv("RUNFLOW_PROFILE")
	}
	dir, err := e.configDir()
	if err != nil {
		return nil, fmt.Errorf("auth: cannot find the config directory: %w", err)
	}
	p, err = auth.LoadProfileIn(filepath.Join(dir, "profiles"), name)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return p, nil
}

// tokenStore is the file store in the config directory.
func tokenStore(e *env) (*auth.FileStore, error) {
	dir, err := e.configDir()
	if err != nil {
		return nil, fmt.Errorf("auth: cannot find the config directory: %w", err)
	}
	return auth.NewFileStore(filepath.Join(dir, "tokens")), nil
}

// loginCommand is what to type to sign in with p.
func loginCommand(p *auth.Profile, sel profileSelection) string {
	switch {
	case sel.File != "":
		return "runflow auth login --profile-file " + sel.File
	case p.Name != auth.SystemProfileName:
		return "runflow auth login --profile " + p.Name
	}
	return "runflow auth login"
}

func runAuthLogin(ctx context.Context, e *env, args []string) error {
	c := &command{name: "auth login", args: "[--profile NAME | --profile-file FILE] [--device-code] [--scopes A,B] [--no-browser]",
		summary: "sign in to Microsoft Graph in the browser (or with a device code) and save the sign-in"}
	fs := newFlagSet(c.name)
	var sel profileSelection
	sel.addFlags(fs)
	deviceCode := fs.Bool("device-code", false, "sign in on another device with a code (for machines without a browser)")
	scopes := fs.String("scopes", "", "scopes to consent to, comma-separated (default: the profile's, which cover the built-in templates)")
	noBrowser := fs.Bool("no-browser", false, "print the sign-in URL instead of opening a browser")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("auth login takes no arguments (got %q)", pos[0])
	}
	p, err := loadAuthProfile(e, sel)
	if err != nil {
		return err
	}
	if p.AppOnly {
		return appOnlyCheck(ctx, e, p, *asJSON)
	}
	store, err := tokenStore(e)
	if err != nil {
		return err
	}
	opts := e.loginOptions(store)
	if list := splitScopes(*scopes); len(list) > 0 {
		// Incremental consent: keep what was granted before.
		if old, err := store.Load(ctx, p.Name, auth.DefaultSubject); err == nil {
			list = auth.UnionScopes(old.Scopes, list)
		}
		opts.Scopes = list
	}
	var st *auth.StoredToken
	if !*deviceCode && useDeviceCode(e) && e.getenv("RUNFLOW_SIGNIN") == "" {
		fmt.Fprintln(e.stderr, "No display was found: if you cannot open the link on this machine, press Ctrl-C and run the command again with --device-code.")
	}
	if *deviceCode {
		st, err = auth.LoginDeviceCode(ctx, p, opts)
	} else {
		if *noBrowser {
			opts.OpenBrowser = nil
		}
		st, err = auth.LoginLoopback(ctx, p, opts)
	}
	if err != nil {
		return loginError(ctx, err)
	}
	status, err := auth.GetStatus(ctx, store, p.Name, auth.DefaultSubject, e.now())
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONTo(e.stdout, status)
	}
	who := st.Account.Username
	if who == "" {
		who = "an account"
	}
	fmt.Fprintf(e.stdout, "Signed in as %s with profile %s.\n", who, p.Name)
	printStatus(e.stdout, status, store.Path(p.Name, auth.DefaultSubject), e.now())
	return nil
}

// loginError maps a failed sign-in to an exit code: cancelled (4), or a
// sign-in that did not complete (3).
func loginError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return &exitError{code: exitCancelled, err: err}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return signInError(err)
}

// appOnlyCheck "signs in" an app-only profile: there is no user, so it only
// checks that a token can be had.
func appOnlyCheck(ctx context.Context, e *env, p *auth.Profile, asJSON bool) error {
	prov, err := auth.ClientCredentialsFromProfile(p, e.authHTTPClient)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if _, err := prov.Token(ctx, auth.Request{}); err != nil {
		return signInError(err)
	}
	if asJSON {
		return writeJSONTo(e.stdout, map[string]any{"profile": p.Name, "app_only": true, "ok": true})
	}
	fmt.Fprintf(e.stdout, "Profile %s is app-only (client credentials): no one signs in, and the app's credentials work.\nRuns with it must name the mailbox with --user.\n", p.Name)
	return nil
}

func runAuthStatus(ctx context.Context, e *env, args []string) error {
	c := &command{name: "auth status", args: "[--profile NAME | --profile-file FILE] [--json]",
		summary: "show who is signed in with a profile: account, tenant, scopes and expiry (never a token)"}
	fs := newFlagSet(c.name)
	var sel profileSelection
	sel.addFlags(fs)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("auth status takes no arguments (got %q)", pos[0])
	}
	p, err := loadAuthProfile(e, sel)
	if err != nil {
		return err
	}
	if p.AppOnly {
		if *asJSON {
			return writeJSONTo(e.stdout, map[string]any{"profile": p.Name, "app_only": true})
		}
		fmt.Fprintf(e.stdout, "Profile %s is app-only (client credentials): no one signs in.\n", p.Name)
		return nil
	}
	store, err := tokenStore(e)
	if err != nil {
		return err
	}
	if st, err := store.Load(ctx, p.Name, auth.DefaultSubject); err == nil && !st.BoundTo(p) {
		// Runs do not use it either (auth/binding.go).
		return signInError(fmt.Errorf("the saved sign-in of profile %s was made with another app or other endpoints (client id, authority, token endpoint or Graph root); run %q", p.Name, loginCommand(p, sel)))
	}
	status, err := auth.GetStatus(ctx, store, p.Name, auth.DefaultSubject, e.now())
	if errors.Is(err, auth.ErrNotSignedIn) {
		if *asJSON {
			_ = writeJSONTo(e.stdout, map[string]any{"profile": p.Name, "signed_in": false})
		}
		return signInError(fmt.Errorf("not signed in with profile %s; run %q", p.Name, loginCommand(p, sel)))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONTo(e.stdout, status)
	}
	fmt.Fprintf(e.stdout, "Profile:  %s (client %s)\n", p.Name, p.ClientID)
	printStatus(e.stdout, status, store.Path(p.Name, auth.DefaultSubject), e.now())
	return nil
}

// printStatus prints a sign-in's account, tenant, scopes and expiry.
func printStatus(w io.Writer, s *auth.Status, path string, now time.Time) {
	account := s.Account
	if s.Name != "" {
		account += " (" + s.Name + ")"
	}
	if account == "" {
		account = "(unknown: the sign-in did not include openid)"
	}
	fmt.Fprintf(w, "Account:  %s\n", account)
	if s.TenantID != "" {
		fmt.Fprintf(w, "Tenant:   %s\n", s.TenantID)
	}
	fmt.Fprintf(w, "Scopes:   %s\n", strings.Join(s.Scopes, " "))
	switch {
	case !s.Expired:
		fmt.Fprintf(w, "Expires:  %s (in %s)\n", s.Expiry.UTC().Format(time.RFC3339), s.Expiry.Sub(now).Round(time.Minute))
	case s.CanRefresh:
		fmt.Fprintf(w, "Expires:  expired; the next run refreshes it\n")
	default:
		fmt.Fprintf(w, "Expires:  expired, and there is no refresh token: sign in again\n")
	}
	fmt.Fprintf(w, "Saved in: %s\n", path)
}

func runAuthLogout(ctx context.Context, e *env, args []string) error {
	c := &command{name: "auth logout", args: "[--profile NAME | --profile-file FILE]",
		summary: "forget the saved sign-in of a profile"}
	fs := newFlagSet(c.name)
	var sel profileSelection
	sel.addFlags(fs)
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("auth logout takes no arguments (got %q)", pos[0])
	}
	p, err := loadAuthProfile(e, sel)
	if err != nil {
		return err
	}
	store, err := tokenStore(e)
	if err != nil {
		return err
	}
	if _, err := store.Load(ctx, p.Name, auth.DefaultSubject); errors.Is(err, auth.ErrNotSignedIn) {
		fmt.Fprintf(e.stdout, "Not signed in with profile %s.\n", p.Name)
		return nil
	}
	if err := auth.Logout(ctx, store, p.Name, auth.DefaultSubject); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Signed out of profile %s: the saved sign-in is deleted.\nYour browser may still be signed in at Microsoft; sign out there too on a shared computer.\n", p.Name)
	return nil
}

// authProfileBackend gives `runflow run` the tokens of a profile: a
// signed-in user (refreshed as needed), or the app itself for an app-only
// profile. Without a terminal it asks for a token at once, so that a
// missing or refused sign-in, or a scope not yet consented, ends the run
// (exit 3, saying what to run) before it starts; on a terminal the flow
// goes on and its sign-in request is handled in place (profileRun.signIn,
// bound to this run's profile: authInteractiveSignIn).
func authProfileBackend(ctx context.Context, e *env, sel profileSelection, scopes []string) (profileRun, error) {
	p, err := loadAuthProfile(e, sel)
	if err != nil {
		return profileRun{}, err
	}
	if p.AppOnly {
		prov, err := auth.ClientCredentialsFromProfile(p, e.authHTTPClient)
		if err != nil {
			return profileRun{}, usageErrorf("%v", err)
		}
		if _, err := prov.Token(ctx, auth.Request{}); err != nil {
			return profileRun{graphURL: p.GraphURL}, signInError(err)
		}
		return profileRun{auth: prov, graphURL: p.GraphURL}, nil
	}
	store, err := tokenStore(e)
	if err != nil {
		return profileRun{graphURL: p.GraphURL}, err
	}
	prov, err := auth.NewUserProvider(auth.UserConfig{Profile: p, Store: store, HTTPClient: e.authHTTPClient, Now: e.now,
		SignInCommand: loginCommand(p, sel)})
	if err != nil {
		return profileRun{}, usageErrorf("%v", err)
	}
	if e.stdinTTY {
		signIn := func(ctx context.Context, s *engine.SignIn) (string, error) {
			return authInteractiveSignIn(ctx, e, p, store, s)
		}
		return profileRun{auth: prov, graphURL: p.GraphURL, signIn: signIn}, nil
	}
	if _, err := store.Load(ctx, p.Name, auth.DefaultSubject); errors.Is(err, auth.ErrNotSignedIn) {
		return profileRun{graphURL: p.GraphURL}, notSignedIn(p, sel)
	}
	if _, err := prov.Token(ctx, auth.Request{Scopes: scopes}); err != nil {
		if _, ok := auth.IsSignInRequired(err); ok {
			return profileRun{graphURL: p.GraphURL}, err
		}
		return profileRun{graphURL: p.GraphURL}, signInError(err)
	}
	return profileRun{auth: prov, graphURL: p.GraphURL}, nil
}

// authInteractiveSignIn signs the user of profile p in on a terminal when
// a flow asks for it: in the browser, or with a device code when
// $RUNFLOW_SIGNIN is "device-code" or there is no display (Linux without
// DISPLAY or WAYLAND_DISPLAY). The scopes asked for include those granted
// before.
func authInteractiveSignIn(ctx context.Context, e *env, p *auth.Profile, store auth.Store, s *engine.SignIn) (string, error) {
	fmt.Fprintf(e.stderr, "Sign-in needed: %s\n", s.Reason)
	opts := e.loginOptions(store)
	opts.Scopes = s.Scopes
	var err error
	if useDeviceCode(e) {
		_, err = auth.LoginDeviceCode(ctx, p, opts)
	} else {
		_, err = auth.LoginLoopback(ctx, p, opts)
	}
	if err != nil {
		return "", err
	}
	fmt.Fprintln(e.stderr, "Signed in; going on.")
	return "", nil
}

// loginOptions are the options of a sign-in saved in store, through e's
// hooks: the browser, the identity platform's client, the device code's
// waits, and the device code told on stderr.
func (e *env) loginOptions(store auth.Store) auth.LoginOptions {
	return auth.LoginOptions{Store: store, HTTPClient: e.authHTTPClient, Out: e.stderr, Now: e.now, Sleep: e.deviceSleep,
		OpenBrowser: e.openBrowser,
		OnDeviceCode: func(pr auth.DeviceCodePrompt) {
			fmt.Fprintln(e.stderr, pr.Message)
			if e.deviceCodeShown != nil {
				e.deviceCodeShown(pr)
			}
		}}
}

// useDeviceCode says whether an in-run sign-in should use a device code.
func useDeviceCode(e *env) bool {
	switch e.getenv("RUNFLOW_SIGNIN") {
	case "device-code":
		return true
	case "browser":
		return false
	}
	return runtime.GOOS == "linux" && e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == ""
}

func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// signInNeeded is "nobody is signed in" with the ways out, wrapping the
// *auth.SignInRequiredError the run commands look for.
type signInNeeded struct {
	msg string
	sir *auth.SignInRequiredError
}

func (e *signInNeeded) Error() string { return e.msg }
func (e *signInNeeded) Unwrap() error { return e.sir }

// notSignedIn says how to get going when p has no saved sign-in.
func notSignedIn(p *auth.Profile, sel profileSelection) error {
	sir := &auth.SignInRequiredError{Reason: fmt.Sprintf("no account is signed in with profile %s", p.Name)}
	if p.Name == auth.SystemProfileName && sel.File == "" {
		return &signInNeeded{msg: notSignedInHelp, sir: sir}
	}
	return &signInNeeded{sir: sir, msg: fmt.Sprintf(`nobody is signed in with profile %s, so there is no token for Microsoft Graph. Either:
  - sign in:                      %s
  - try the built-in sandbox:     runflow run ID --sandbox
  - give a token:                 runflow run ID --token TOKEN   (or set RUNFLOW_TOKEN)`, p.Name, loginCommand(p, sel))}
}
