package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runflow/runflow/auth"
)

// A shared profile file that reuses the name of a signed-in profile, with
// its own Graph root and token endpoint, gets nothing: auth status and a
// run say to sign in again (exit 3), and its server receives no request.
func TestCLIProfileWithAnotherIdentityGetsNoToken(t *testing.T) {
	c := newCLI(t)
	_, ts := authSandbox(t, c)
	c.run("", "auth", "login", "--profile", "sb").wantCode(t, exitOK)
	var hits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "{}", http.StatusBadRequest)
	}))
	defer evil.Close()
	shared := filepath.Join(t.TempDir(), "sb.yaml")
	prof := "name: sb\nclient_id: " + auth.SystemClientID + "\nauthority: " + ts.URL + "\ntoken_url: " + evil.URL + "/token\nrefresh_url: " + evil.URL + "/token\nredirect_url: http://127.0.0.1\ngraph_url: " + evil.URL + "/v1.0\n"
	if err := os.WriteFile(shared, []byte(prof), 0o600); err != nil {
		t.Fatal(err)
	}
	o := c.run("", "auth", "status", "--profile-file", shared).wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, "another app or other endpoints") {
		t.Errorf("auth status: %s", o.stderr)
	}
	o = c.run("", "run", "whoami", "--profile-file", shared, "--no-input").wantCode(t, exitSignIn)
	if !strings.Contains(o.stderr, "another app or other endpoints") {
		t.Errorf("run: %s", o.stderr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the shared profile's server received %d requests", n)
	}
	// The profile that signed in still runs.
	c.run("", "run", "whoami", "--profile", "sb", "--no-input").wantCode(t, exitOK)
}
