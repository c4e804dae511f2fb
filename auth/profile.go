package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// SystemClientID is the client id of the built-in "system" profile:
// "Microsoft Graph Command Line Tools" (the application behind Microsoft
// Graph PowerShell and the Graph CLI), a public client Microsoft publishes
// in every Entra tenant. It accepts loopback redirects and device code
// sign-ins and asks for Graph's delegated permissions dynamically, so a
// user can sign in without registering an app. docs/auth.md explains the
// trade-offs and when to use a custom profile instead.
const SystemClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// SystemProfileName is the name of the built-in profile.
const SystemProfileName = "system"

// DefaultAuthority is the Microsoft identity platform's host.
const DefaultAuthority = "https://login.microsoftonline.com"

// maxProfileBytes bounds a profile file.
const maxProfileBytes = 64 << 10

// Profile says which app signs users in and where: the built-in "system"
// profile or a custom one read from YAML.
type Profile struct {
	// Name identifies the profile (and its tokens in the Store).
	Name string `yaml:"name"`
	// ClientID is the application (client) id.
	ClientID string `yaml:"client_id"`
	// ClientSecret is a reference to the secret of a confidential client:
	// "env:NAME" (an environment variable) or "file:PATH" (a file). Never
	// the secret itself. Empty for public clients.
	ClientSecret string `yaml:"client_secret,omitempty"`
	// Tenant is "common", "organizations", "consumers", a tenant id or a
	// domain; it builds the endpoint URLs left empty. Default "common".
	Tenant string `yaml:"tenant,omitempty"`
	// Authority is the identity platform's base URL (default
	// https://login.microsoftonline.com; another for national clouds or
	// the sandbox).
	Authority string `yaml:"authority,omitempty"`
	// AuthorizationURL, TokenURL, RefreshURL and DeviceCodeURL override
	// the endpoints built from Authority and Tenant. RefreshURL defaults to
	// TokenURL.
	AuthorizationURL string `yaml:"authorization_url,omitempty"`
	TokenURL         string `yaml:"token_url,omitempty"`
	RefreshURL       string `yaml:"refresh_url,omitempty"`
	DeviceCodeURL    string `yaml:"device_code_url,omitempty"`
	// RedirectURL is the registered redirect URI. For the CLI it is a
	// loopback URL ("http://localhost" or "http://127.0.0.1"); the port is
	// chosen at sign-in. Default "http://localhost".
	RedirectURL string `yaml:"redirect_url,omitempty"`
	// Scopes are requested at sign-in; default DefaultScopes.
	Scopes []string `yaml:"scopes,omitempty"`
	// AppOnly makes runs use client credentials (the app's application
	// permissions, no signed-in user); it needs client_secret and a
	// tenant. Runs must then name the mailbox (/users/{id}).
	AppOnly bool `yaml:"app_only,omitempty"`
	// GraphURL is the Graph service root runs use with this profile
	// (default https://graph.microsoft.com/v1.0; another for national
	// clouds, or a served sandbox's http://127.0.0.1:PORT/v1.0).
	GraphURL string `yaml:"graph_url,omitempty"`

	// Source is where the profile came from (a file path or "built-in").
	Source string `yaml:"-"`
	// secretFileGiven is the client secret file given on the command
	// line (SetSecretFile), which may be anywhere (binding.go).
	secretFileGiven string
}

// SystemProfile returns the built-in profile: the Microsoft Graph Command
// Line Tools public client, tenant "common", the default scopes.
func SystemProfile() *Profile {
	return &Profile{
		Name:        SystemProfileName,
		ClientID:    SystemClientID,
		Tenant:      "common",
		RedirectURL: "http://localhost",
		Scopes:      append([]string(nil), DefaultScopes...),
		Source:      "built-in",
	}
}

// ProfileDir is where named profiles live:
// os.UserConfigDir()/runflow/profiles.
func ProfileDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("auth: cannot find the user config directory for profiles: %w", err)
	}
	return filepath.Join(base, "runflow", "profiles"), nil
}

var profileNameRE = lazyregexp.New(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// tenantRE is a tenant as a profile may name it: a GUID, a domain, or
// "common", "organizations" or "consumers".
var tenantRE = lazyregexp.New(`^[A-Za-z0-9.-]{1,256}$`)

// envNameRE is the variable name of an "env:" secret reference.
var envNameRE = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// LoadProfile returns the named profile: "system" (or "") is built in;
// any other name is read from ProfileDir()/NAME.yaml.
func LoadProfile(name string) (*Profile, error) {
	if name == "" || name == SystemProfileName {
		return SystemProfile(), nil
	}
	dir, err := ProfileDir()
	if err != nil {
		return nil, err
	}
	return LoadProfileIn(dir, name)
}

// LoadProfileIn is LoadProfile with the profiles directory given (the CLI
// passes its own config directory, tests a temporary one).
func LoadProfileIn(dir, name string) (*Profile, error) {
	if name == "" || name == SystemProfileName {
		return SystemProfile(), nil
	}
	if !profileNameRE.MatchString(name) || strings.Contains(name, "..") {
		return nil, fmt.Errorf("auth: profile name %q is not valid: use letters, digits, '.', '-' and '_' (at most 64)", name)
	}
	path := filepath.Join(dir, name+".yaml")
	p, err := LoadProfileFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("auth: profile %q not found: create %s (see docs/auth.md), give a file with --profile-file, or use the built-in %q profile", name, path, SystemProfileName)
	}
	if err != nil {
		return nil, err
	}
	if p.Name != name {
		return nil, fmt.Errorf("auth: %s: name is %q but the file is named for profile %q", path, p.Name, name)
	}
	return p, nil
}

// LoadProfileFile reads and checks a profile file. A file without a name
// takes its base name (without extension).
func LoadProfileFile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: reading profile: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("auth: reading profile %s: %w", path, err)
	}
	if len(b) > maxProfileBytes {
		return nil, fmt.Errorf("auth: %s: a profile file is at most %d bytes", path, maxProfileBytes)
	}
	p, err := ParseProfile(b, path)
	if err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ParseProfile decodes a profile from YAML; source names it in errors
// ("file:line: ...").
func ParseProfile(data []byte, source string) (*Profile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("auth: %s: %v", source, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("auth: %s: a profile is a YAML mapping with client_id, tenant, scopes, ... (see docs/auth.md)", source)
	}
	root := doc.Content[0]
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		lines[root.Content[i].Value] = root.Content[i].Line
	}
	// Check the secret before decoding anything else, so that no later
	// error message can echo a literal secret.
	if line, ok := lines["client_secret"]; ok {
		v := ""
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "client_secret" {
				v = root.Content[i+1].Value
			}
		}
		if err := checkSecretReference(v); err != nil {
			return nil, fmt.Errorf("auth: %s:%d: %v", source, line, err)
		}
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("auth: %s: %v (known fields: name, client_id, client_secret, tenant, authority, authorization_url, token_url, refresh_url, device_code_url, redirect_url, scopes, app_only, graph_url)", source, err)
	}
	p.Source = source
	if err := p.validate(func(field string) string {
		if l, ok := lines[field]; ok {
			return fmt.Sprintf("%s:%d", source, l)
		}
		return source
	}); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the profile's fields.
func (p *Profile) Validate() error {
	src := p.Source
	if src == "" {
		src = "profile " + p.Name
	}
	return p.validate(func(string) string { return src })
}

func (p *Profile) validate(at func(field string) string) error {
	if p.Name != "" && (!profileNameRE.MatchString(p.Name) || strings.Contains(p.Name, "..")) {
		return fmt.Errorf("auth: %s: name %q is not valid: use letters, digits, '.', '-' and '_' (at most 64)", at("name"), p.Name)
	}
	if strings.TrimSpace(p.ClientID) == "" {
		return fmt.Errorf("auth: %s: client_id is required (the Application (client) ID of your app registration)", at("client_id"))
	}
	if err := checkSecretReference(p.ClientSecret); err != nil {
		return fmt.Errorf("auth: %s: %v", at("client_secret"), err)
	}
	if p.Tenant != "" && !tenantRE.MatchString(p.Tenant) {
		return fmt.Errorf("auth: %s: tenant %q is not valid: use common, organizations, consumers, a tenant id or a domain", at("tenant"), p.Tenant)
	}
	for _, f := range []struct{ name, value string }{
		{"authority", p.Authority}, {"authorization_url", p.AuthorizationURL}, {"token_url", p.TokenURL},
		{"refresh_url", p.RefreshURL}, {"device_code_url", p.DeviceCodeURL}, {"graph_url", p.GraphURL},
	} {
		if f.value == "" {
			continue
		}
		if err := checkEndpointURL(f.value); err != nil {
			return fmt.Errorf("auth: %s: %s: %v", at(f.name), f.name, err)
		}
	}
	if p.RedirectURL != "" {
		u, err := url.Parse(p.RedirectURL)
		if err != nil || u.Host == "" || u.Fragment != "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname()))) {
			return fmt.Errorf("auth: %s: redirect_url %q must be http://localhost, http://127.0.0.1 (any port) or an https URL", at("redirect_url"), p.RedirectURL)
		}
	}
	if p.AppOnly && p.ClientSecret == "" {
		return fmt.Errorf("auth: %s: app_only needs client_secret (app-only access is for confidential apps)", at("app_only"))
	}
	for _, s := range p.Scopes {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\n") {
			return fmt.Errorf("auth: %s: scope %q is not valid: give one scope per list item", at("scopes"), s)
		}
	}
	return nil
}

// checkSecretReference accepts "", "env:NAME" and "file:PATH"; anything else
// would be a literal secret in a file, which is refused. The value is never
// quoted back.
func checkSecretReference(ref string) error {
	switch {
	case ref == "":
		return nil
	case strings.HasPrefix(ref, "env:"):
		if !envNameRE.MatchString(ref[len("env:"):]) {
			return errors.New("client_secret: env: must be followed by an environment variable name, e.g. env:RUNFLOW_CLIENT_SECRET")
		}
		return nil
	case strings.HasPrefix(ref, "file:"):
		if strings.TrimSpace(ref[len("file:"):]) == "" {
			return errors.New("client_secret: file: must be followed by the path of a file holding the secret")
		}
		return nil
	}
	return errors.New("client_secret must be a reference such as env:RUNFLOW_CLIENT_SECRET or file:/path/to/secret, not the secret itself (a secret written in a profile file leaks with it)")
}

func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%q must use https (http is allowed only on loopback, e.g. for the sandbox)", raw)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Confidential reports whether the profile has a client secret.
func (p *Profile) Confidential() bool { return p.ClientSecret != "" }

// Secret resolves ClientSecret: the environment variable or the file's
// content (trimmed). Errors name the reference, never the secret.
func (p *Profile) Secret() (string, error) {
	ref := p.ClientSecret
	switch {
	case ref == "":
		return "", nil
	case strings.HasPrefix(ref, "env:"):
		name := ref[len("env:"):]
		v := os.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("auth: profile %q: client_secret refers to environment variable %s, which is empty or not set", p.Name, name)
		}
		return v, nil
	case strings.HasPrefix(ref, "file:"):
		path := ref[len("file:"):]
		if err := p.checkSecretFile(path); err != nil {
			return "", err
		}
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("auth: profile %q: client_secret file: %w", p.Name, err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 16<<10))
		if err != nil {
			return "", fmt.Errorf("auth: profile %q: reading client_secret file %s: %w", p.Name, path, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("auth: profile %q: client_secret file %s is empty", p.Name, path)
		}
		return v, nil
	}
	return "", errors.New("auth: client_secret must be a reference (env:NAME or file:PATH)")
}

// Endpoints are a profile's identity platform URLs.
type Endpoints struct {
	AuthorizationURL, TokenURL, RefreshURL, DeviceCodeURL string
}

// Endpoints returns the URLs to use: the explicit ones, else built from
// Authority and Tenant.
func (p *Profile) Endpoints() Endpoints {
	authority := strings.TrimRight(p.Authority, "/")
	if authority == "" {
		authority = DefaultAuthority
	}
	tenant := p.Tenant
	if tenant == "" {
		tenant = "common"
	}
	base := authority + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/"
	e := Endpoints{
		AuthorizationURL: or(p.AuthorizationURL, base+"authorize"),
		TokenURL:         or(p.TokenURL, base+"token"),
		DeviceCodeURL:    or(p.DeviceCodeURL, base+"devicecode"),
	}
	e.RefreshURL = or(p.RefreshURL, e.TokenURL)
	return e
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WithAuthority returns a copy of p whose endpoints are built from
// authority (for example a sandbox's URL) instead of the ones configured.
func (p *Profile) WithAuthority(authority string) *Profile {
	c := *p
	c.Scopes = append([]string(nil), p.Scopes...)
	c.Authority = authority
	c.AuthorizationURL, c.TokenURL, c.RefreshURL, c.DeviceCodeURL = "", "", "", ""
	return &c
}

// scopesOrDefault is what a sign-in asks for when the caller names no
// scopes.
func (p *Profile) scopesOrDefault() []string {
	if len(p.Scopes) > 0 {
		return ScopesFor(p.Scopes)
	}
	return ScopesFor(DefaultScopes)
}
