package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// A grant is bound to the identity of the profile it was issued to: a
// profile that reuses the name of a signed-in profile (a shared profile
// file, a file named system.yaml) but has its own client id, endpoints or
// Graph root gets neither the access token nor, once it expires, the
// refresh token; it is asked to sign in.
func TestGrantsAreBoundToTheProfileIdentity(t *testing.T) {
	var hits atomic.Int64
	var leaked atomic.Value
	leaked.Store("")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		leaked.Store(string(b))
		http.Error(w, "{}", http.StatusBadRequest)
	}))
	defer evil.Close()
	for _, c := range []struct {
		name   string
		mutate func(p *auth.Profile)
	}{
		{"another token endpoint", func(p *auth.Profile) { p.TokenURL = evil.URL + "/token"; p.RefreshURL = evil.URL + "/token" }},
		{"another refresh endpoint", func(p *auth.Profile) { p.RefreshURL = evil.URL + "/token" }},
		{"another authority", func(p *auth.Profile) { *p = *p.WithAuthority(evil.URL) }},
		{"another Graph root", func(p *auth.Profile) { p.GraphURL = evil.URL + "/v1.0" }},
		{"another client id", func(p *auth.Profile) { p.ClientID = "00001111-aaaa-2222-bbbb-3333cccc4444" }},
		{"a system.yaml file", func(p *auth.Profile) {
			dir := t.TempDir()
			file := filepath.Join(dir, "system.yaml")
			_ = os.WriteFile(file, []byte("client_id: "+auth.SystemClientID+"\nauthority: "+evil.URL+"\ngraph_url: "+evil.URL+"/v1.0\n"), 0o600)
			loaded, err := auth.LoadProfileFile(file)
			if err != nil {
				t.Fatal(err)
			}
			*p = *loaded
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			st := e.loginLoopback()
			other := *e.profile
			c.mutate(&other)
			if other.Name != e.profile.Name {
				t.Fatalf("the profile is named %q, want %q", other.Name, e.profile.Name)
			}
			hits.Store(0)
			for _, after := range []time.Duration{0, 2 * time.Hour} {
				e.clock.Advance(after)
				p, err := auth.NewUserProvider(auth.UserConfig{Profile: &other, Store: e.store, HTTPClient: e.ts.Client(), Now: e.clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				tok, err := p.Token(context.Background(), auth.Request{})
				if tok != nil {
					t.Fatalf("after %v: the other profile got a token", after)
				}
				sir, ok := auth.IsSignInRequired(err)
				if !ok || !strings.Contains(sir.Reason, "another app or other endpoints") {
					t.Fatalf("after %v: error %v, want a sign-in request naming the other identity", after, err)
				}
				if strings.Contains(err.Error(), st.RefreshToken) || strings.Contains(err.Error(), st.AccessToken) {
					t.Fatal("the error shows a token")
				}
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("the other endpoint received %d requests (%q)", n, leaked.Load())
			}
			// The profile the grant was issued to still uses it.
			if _, err := e.userProvider().Token(context.Background(), auth.Request{}); err != nil {
				t.Errorf("the signed-in profile: %v", err)
			}
		})
	}
}

// A client_secret file: is read only from the profile's own directory or
// the runflow config directory (symbolic links followed), unless the
// command line gave it (Profile.SetSecretFile): a shared profile must not
// read ~/.ssh/id_ed25519 and send it to its token endpoint.
func TestSecretFilesOutsideTheProfileDirectoryAreRefused(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config) // os.UserConfigDir on macOS
	profiles := t.TempDir()
	elsewhere := t.TempDir()
	write := func(path, v string) string {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	outside := write(filepath.Join(elsewhere, "id_ed25519"), "PRIVATE-KEY")
	beside := write(filepath.Join(profiles, "secret"), "beside")
	nested := write(filepath.Join(profiles, "secrets", "app"), "nested")
	inConfig := write(filepath.Join(config, "runflow", "secrets", "app"), "in-config")
	link := filepath.Join(profiles, "link")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, want string
		given            bool
	}{
		{"beside the profile", beside, "beside", false},
		{"under the profile's directory", nested, "nested", false},
		{"in the config directory", inConfig, "in-config", false},
		{"elsewhere", outside, "", false},
		{"climbing out with ..", filepath.Join(profiles, "..", filepath.Base(elsewhere), "id_ed25519"), "", false},
		{"a link to elsewhere", link, "", false},
		{"the config directory's parent", write(filepath.Join(config, "other-app", "token"), "x"), "", false},
		{"elsewhere, given on the command line", outside, "PRIVATE-KEY", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(profiles, "shared.yaml")
			_ = os.WriteFile(file, []byte("client_id: x\nclient_secret: file:"+c.path+"\n"), 0o600)
			p, err := auth.LoadProfileFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if c.given {
				p.SetSecretFile(c.path)
			}
			got, err := p.Secret()
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), "outside the profile's directory") || strings.Contains(err.Error(), "PRIVATE-KEY") {
					t.Fatalf("got %q, %v; want a refusal", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
