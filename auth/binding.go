package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A grant is stored under a profile's name, and names are not unique: a
// shared profile file may reuse a signed-in profile's name with its own
// token endpoint and Graph root, and a file named system.yaml is the
// "system" profile. So a grant is bound to the identity of the profile it
// was issued to (client id, identity endpoints, Graph root): a provider
// uses only a grant of its own identity, so that neither the access token
// nor the refresh token goes to an endpoint that did not issue it.

// DefaultGraphURL is the Graph service root of a profile without
// graph_url.
const DefaultGraphURL = "https://graph.microsoft.com/v1.0"

// Identity is what a grant of p is bound to: a hash of its client id, its
// authorization, token, refresh and device code endpoints and its Graph
// root (graph_url, or DefaultGraphURL). Two profiles that differ in any of
// them do not share grants, whatever their names.
func (p *Profile) Identity() string {
	e := p.Endpoints()
	graph := strings.TrimRight(p.GraphURL, "/")
	if graph == "" {
		graph = DefaultGraphURL
	}
	h := sha256.New()
	for _, s := range []string{p.ClientID, e.AuthorizationURL, e.TokenURL, e.RefreshURL, e.DeviceCodeURL, graph} {
		h.Write([]byte(strings.TrimSpace(s)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// boundTo stamps t with p's identity and returns it.
func (t *StoredToken) boundTo(p *Profile) *StoredToken {
	t.Identity = p.Identity()
	return t
}

// BoundTo reports whether t was issued to p's identity (see
// Profile.Identity). A grant saved before grants were bound has no
// identity and is bound to nothing.
func (t *StoredToken) BoundTo(p *Profile) bool {
	return t != nil && t.Identity != "" && t.Identity == p.Identity()
}

// otherIdentityReason is the reason of the sign-in asked for when the
// stored grant belongs to another identity.
func otherIdentityReason(p *Profile, hint string) string {
	return fmt.Sprintf("the saved sign-in of profile %q was made with another app or other endpoints (client id, authority, token endpoint or Graph root differ), or before sign-ins were bound to them; it is not used: sign in again%s", p.Name, hint)
}

// SetSecretFile makes the profile read its client secret from path, a
// file given on the command line: unlike a file: reference written in the
// profile, it may be anywhere.
func (p *Profile) SetSecretFile(path string) {
	p.ClientSecret = "file:" + path
	p.secretFileGiven = path
}

// checkSecretFile refuses a client_secret file: path outside the
// profile's own directory and the runflow config directory (after
// following symbolic links), unless it was given on the command line
// (SetSecretFile): a shared profile file must not make runflow read, and
// send to its token endpoint, a file such as ~/.ssh/id_ed25519.
func (p *Profile) checkSecretFile(path string) error {
	if p.secretFileGiven != "" && path == p.secretFileGiven {
		return nil
	}
	real, err := realPath(path)
	if err != nil {
		return fmt.Errorf("auth: profile %q: client_secret file: %w", p.Name, err)
	}
	var dirs []string
	if p.Source != "" && p.Source != "built-in" {
		dirs = append(dirs, filepath.Dir(p.Source))
	}
	if base, err := os.UserConfigDir(); err == nil {
		dirs = append(dirs, filepath.Join(base, "runflow"))
	}
	for _, d := range dirs {
		if rd, err := realPath(d); err == nil && within(rd, real) {
			return nil
		}
	}
	return fmt.Errorf("auth: profile %q: client_secret file %s is outside the profile's directory and the runflow config directory; move the secret there, use env:NAME, or give the file on the command line (--client-secret-file)", p.Name, path)
}

// realPath is path made absolute with its symbolic links followed.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within reports whether path is dir or inside it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
