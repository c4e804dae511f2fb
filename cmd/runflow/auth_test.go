package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

// authSandbox starts a sandbox whose identity platform the CLI signs in
// to, with a profile "sb" pointing at it, and a browser that follows the
// sign-in redirect.
func authSandbox(t *testing.T, c *cli) (*sandbox.Server, *httptest.Server) {
	t.Helper()
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return testNow }})
	sb.ApproveSignIns("")
	dir := filepath.Join(c.configDir, "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	profile := "client_id: " + auth.SystemClientID + "\nauthority: " + ts.URL + "\nredirect_url: http://127.0.0.1\ngraph_url: " + ts.URL + "/v1.0\n"
	if err := os.WriteFile(filepath.Join(dir, "sb.yaml"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	c.hooks.openBrowser = func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	return sb, ts
}

func TestAuthLoginStatusRunLogout(t *testing.T) {
	c := newCLI(t)
	authSandbox(t, c)

	o := c.run("", "auth", "login", "--profile", "sb").wantCode(t, exitOK)
	if !strings.Contains(o.stdout, "Signed in as AdeleV@contoso.onmicrosoft.com with profile sb") || !strings.Contains(o.stderr, "http://") {
		t.Fatalf("login output:\n%s\n%s", o.stdout, o.stderr)
	}
	o = c.run("", "auth", "status", "--profile", "sb").wantCode(t, exitOK)
	for _, want := range []string{"Account:  AdeleV@contoso.onmicrosoft.com (Adele Vance)", "Mail.Send", "Expires:  2026-06-15T17:00:00Z (in 1h0m0s)", filepath.Join(c.configDir, "tokens")} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, o.stdout)
		}
	}
	js := c.run("", "auth", "status", "--profile", "sb", "--json").wantCode(t, exitOK)
	var st auth.Status
	if err := json.Unmarshal([]byte(js.stdout), &st); err != nil || st.Account != "AdeleV@contoso.onmicrosoft.com" || !st.CanRefresh {
		t.Errorf("status --json: %v %s", err, js.stdout)
	}
	// No output ever shows a token.
	saved, err := auth.NewFileStore(filepath.Join(c.configDir, "tokens")).Load(context.Background(), "sb", auth.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{o.stdout, o.stderr, js.stdout} {
		if strings.Contains(out, saved.AccessToken) || strings.Contains(out, saved.RefreshToken) {
			t.Fatal("a token was printed")
		}
	}

	c.run("", "run", "list-todo-lists", "--profile", "sb").wantCode(t, exitOK)

	o = c.run("", "auth", "logout", "--profile", "sb").wantCode(t, exitOK)
	if !strings.Contains(o.stdout, "Signed out of profile sb") {
		t.Errorf("logout: %s", o.stdout)
	}
	c.run("", "auth", "logout", "--profile", "sb").wantCode(t, exitOK)
	o = c.run("", "auth", "status", "--profile", "sb").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, `run "runflow auth login --profile sb"`) {
		t.Errorf("status when signed out: %s", o.stderr)
	}
	o = c.run("", "run", "list-todo-lists", "--profile", "sb").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, "runflow auth login --profile sb") || !strings.Contains(o.stderr, "--sandbox") {
		t.Errorf("run when signed out: %s", o.stderr)
	}
}

func TestAuthLoginDeviceCode(t *testing.T) {
	c := newCLI(t)
	sb, _ := authSandbox(t, c)
	c.hooks.deviceCodeShown = func(p auth.DeviceCodePrompt) { _ = sb.ApproveDeviceCode(p.UserCode, "") }
	c.hooks.deviceSleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	o := c.run("", "auth", "login", "--profile", "sb", "--device-code", "--scopes", "User.Read,Tasks.ReadWrite").wantCode(t, exitOK)
	if !strings.Contains(o.stderr, "enter the code") || !strings.Contains(o.stdout, "Signed in as AdeleV") || !strings.Contains(o.stdout, "Tasks.ReadWrite") {
		t.Fatalf("device code login:\n%s\n%s", o.stdout, o.stderr)
	}
	// A template needing a scope not granted yet: exit 3, naming the scope
	// and the command that adds it.
	o = c.run("", "run", "list-events", "--profile", "sb").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, `run "runflow auth login --profile sb --scopes `) || !strings.Contains(o.stderr, "Calendars.ReadBasic") {
		t.Fatalf("missing scope:\n%s", o.stderr)
	}
	// Consenting to them (incremental: what was granted is kept) lets it run.
	c.run("", "auth", "login", "--profile", "sb", "--device-code", "--scopes", "MailboxSettings.Read,Calendars.ReadBasic").wantCode(t, exitOK)
	c.run("", "run", "list-todo-lists", "--profile", "sb").wantCode(t, exitOK)
	c.run("", "run", "list-events", "--profile", "sb").wantCode(t, exitOK)
}

func TestAuthLoginDeclined(t *testing.T) {
	c := newCLI(t)
	sb, _ := authSandbox(t, c)
	sb.DeclineSignIns()
	o := c.run("", "auth", "login", "--profile", "sb").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, "access_denied") || !strings.Contains(o.stderr, "run the sign-in again") {
		t.Errorf("declined login: %s", o.stderr)
	}
}

func TestAuthProfileErrors(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.configDir, "profiles")
	_ = os.MkdirAll(dir, 0o700)
	_ = os.WriteFile(filepath.Join(dir, "leaky.yaml"), []byte("client_id: x\nclient_secret: hunter2-literal\n"), 0o600)
	o := c.run("", "auth", "login", "--profile", "leaky").wantCode(t, exitUsage)
	if !strings.Contains(o.stderr, "leaky.yaml:2: client_secret must be a reference") || strings.Contains(o.stderr, "hunter2-literal") {
		t.Errorf("literal secret: %s", o.stderr)
	}
	o = c.run("", "auth", "status", "--profile", "nope").wantCode(t, exitUsage)
	if !strings.Contains(o.stderr, filepath.Join(dir, "nope.yaml")) {
		t.Errorf("missing profile: %s", o.stderr)
	}
	c.run("", "auth", "status", "--profile", "a", "--profile-file", "b.yaml").wantCode(t, exitUsage)
	o = c.run("", "auth", "logni").wantCode(t, exitUsage)
	if !strings.Contains(o.stderr, `did you mean "login"`) {
		t.Errorf("misspelt subcommand: %s", o.stderr)
	}
	c.run("", "auth").wantCode(t, exitUsage)
	c.run("", "auth", "status").wantCode(t, exitSignIn) // system profile, nobody signed in
}

func TestAuthAppOnlyProfile(t *testing.T) {
	c := newCLI(t)
	sb, ts := authSandbox(t, c)
	sb.RegisterClient(sandbox.Client{ID: "daemon-app", Secret: "daemon-secret-value", Roles: []string{"Tasks.ReadWrite.All", "Tasks.Read.All"}})
	secret := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(secret, []byte("daemon-secret-value\n"), 0o600)
	prof := "client_id: daemon-app\nclient_secret: file:" + secret + "\ntenant: " + sb.TenantID() + "\nauthority: " + ts.URL + "\napp_only: true\ngraph_url: " + ts.URL + "/v1.0\n"
	file := filepath.Join(t.TempDir(), "daemon.yaml")
	_ = os.WriteFile(file, []byte(prof), 0o600)
	// The secret is neither beside the profile nor in the config
	// directory: refused, unless the command line names it.
	o := c.run("", "auth", "login", "--profile-file", file).wantCode(t, exitUsage)
	if !strings.Contains(o.stderr, "outside the profile's directory") || strings.Contains(o.stderr, "daemon-secret-value") {
		t.Errorf("secret outside the profile's directory: %s", o.stderr)
	}
	o = c.run("", "auth", "login", "--profile-file", file, "--client-secret-file", secret).wantCode(t, exitOK)
	if !strings.Contains(o.stdout, "app-only") {
		t.Errorf("app-only login: %s", o.stdout)
	}
	c.run("", "run", "list-todo-lists", "--profile-file", file, "--client-secret-file", secret, "--user", "AdeleV@contoso.onmicrosoft.com").wantCode(t, exitOK)
	// Beside the profile, it is read without the flag.
	beside := filepath.Join(filepath.Dir(file), "secret")
	_ = os.WriteFile(beside, []byte("daemon-secret-value\n"), 0o600)
	_ = os.WriteFile(file, []byte(strings.Replace(prof, secret, beside, 1)), 0o600)
	c.run("", "run", "list-todo-lists", "--profile-file", file, "--user", "AdeleV@contoso.onmicrosoft.com").wantCode(t, exitOK)
}

// On a terminal, a run that needs a sign-in signs the user in where it
// stands and goes on: nobody signed in (browser), then a scope missing
// (device code, keeping the scopes granted before).
func TestAuthRunSignsInOnTerminal(t *testing.T) {
	c := newCLI(t)
	sb, _ := authSandbox(t, c)
	c.tty = true
	c.vars["RUNFLOW_SIGNIN"] = "browser"
	o := c.run("", "run", "list-todo-lists", "--profile", "sb", "--no-input").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, "runflow auth login --profile sb") {
		t.Errorf("--no-input on a terminal: %s", o.stderr)
	}
	o = c.run("", "run", "list-todo-lists", "--profile", "sb").wantCode(t, exitOK)
	if !strings.Contains(o.stderr, "Sign-in needed: no account is signed in") || !strings.Contains(o.stderr, "Signed in; going on.") {
		t.Errorf("in-run sign-in:\n%s", o.stderr)
	}
	c.run("", "auth", "status", "--profile", "sb").wantCode(t, exitOK)

	c.vars["RUNFLOW_SIGNIN"] = "device-code"
	c.hooks.deviceCodeShown = func(p auth.DeviceCodePrompt) { _ = sb.ApproveDeviceCode(p.UserCode, "") }
	c.hooks.deviceSleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	sb.SetConsent("AdeleV@contoso.onmicrosoft.com", auth.SystemClientID, "Tasks.ReadWrite")
	c.run("", "auth", "logout", "--profile", "sb").wantCode(t, exitOK)
	c.run("", "auth", "login", "--profile", "sb", "--device-code", "--scopes", "Tasks.ReadWrite").wantCode(t, exitOK)
	o = c.run("\n\n\n\n", "run", "list-events", "--profile", "sb").wantCode(t, exitOK)
	if !strings.Contains(o.stderr, "has not granted") || !strings.Contains(o.stderr, "enter the code") {
		t.Errorf("in-run consent:\n%s", o.stderr)
	}
	st := c.run("", "auth", "status", "--profile", "sb").wantCode(t, exitOK)
	for _, want := range []string{"Tasks.ReadWrite", "Calendars.ReadBasic", "MailboxSettings.Read"} {
		if !strings.Contains(st.stdout, want) {
			t.Errorf("scopes after in-run consent lack %s:\n%s", want, st.stdout)
		}
	}
}
