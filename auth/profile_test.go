package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
)

func TestParseProfile(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		wantErr string // "" means valid
	}{
		{"minimal", "client_id: abc\n", ""},
		{"full", `name: contoso
client_id: 00001111-aaaa-2222-bbbb-3333cccc4444
client_secret: env:CONTOSO_SECRET
authorization_url: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize
token_url: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token
refresh_url: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token
device_code_url: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/devicecode
redirect_url: http://localhost
scopes: [User.Read, Mail.Send]
`, ""},
		{"literal secret", "client_id: abc\nclient_secret: s3cr3t-literal-value\n", "p.yaml:2: client_secret must be a reference"},
		{"env without name", "client_id: abc\nclient_secret: 'env:'\n", "p.yaml:2: client_secret: env:"},
		{"no client id", "tenant: common\n", "p.yaml: client_id is required"},
		{"unknown field", "client_id: abc\nclientsecret: env:X\n", "field clientsecret not found"},
		{"http token URL", "client_id: abc\ntoken_url: http://login.example/token\n", "p.yaml:2: token_url"},
		{"https redirect ok", "client_id: abc\nredirect_url: https://bot.example/cb\n", ""},
		{"http redirect off loopback", "client_id: abc\nredirect_url: http://bot.example/cb\n", "p.yaml:2: redirect_url"},
		{"bad tenant", "client_id: abc\ntenant: ../x\n", "p.yaml:2: tenant"},
		{"bad name", "name: ../etc\nclient_id: abc\n", "p.yaml:1: name"},
		{"scope with space", "client_id: abc\nscopes: ['User.Read Mail.Send']\n", "give one scope per list item"},
		{"not a mapping", "- a\n- b\n", "YAML mapping"},
		{"app-only without secret", "client_id: abc\napp_only: true\n", "p.yaml:2: app_only needs client_secret"},
		{"app-only", "client_id: abc\napp_only: true\nclient_secret: env:X\ntenant: contoso.example\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := auth.ParseProfile([]byte(tc.yaml), "p.yaml")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p.Source != "p.yaml" {
					t.Errorf("source %q", p.Source)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "s3cr3t-literal-value") {
				t.Errorf("the error repeats the literal secret: %v", err)
			}
		})
	}
}

func TestProfileEndpoints(t *testing.T) {
	p := auth.SystemProfile()
	e := p.Endpoints()
	if e.AuthorizationURL != "https://login.microsoftonline.com/common/oauth2/v2.0/authorize" ||
		e.TokenURL != "https://login.microsoftonline.com/common/oauth2/v2.0/token" ||
		e.RefreshURL != e.TokenURL || e.DeviceCodeURL != "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode" {
		t.Errorf("system endpoints %+v", e)
	}
	if p.ClientID != auth.SystemClientID || p.Confidential() {
		t.Errorf("system profile %+v", p)
	}
	custom := &auth.Profile{Name: "c", ClientID: "x", Tenant: "contoso.example", TokenURL: "https://token.example/t"}
	if e := custom.Endpoints(); e.AuthorizationURL != "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize" || e.RefreshURL != "https://token.example/t" {
		t.Errorf("custom endpoints %+v", e)
	}
	sb := custom.WithAuthority("http://127.0.0.1:9999")
	if e := sb.Endpoints(); e.TokenURL != "http://127.0.0.1:9999/contoso.example/oauth2/v2.0/token" {
		t.Errorf("WithAuthority endpoints %+v", e)
	}
	if custom.TokenURL != "https://token.example/t" {
		t.Error("WithAuthority changed the original")
	}
}

func TestProfileSecretReferences(t *testing.T) {
	t.Setenv("RUNFLOW_TEST_SECRET", "from-env")
	t.Setenv("RUNFLOW_TEST_EMPTY", "")
	file := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(file, []byte("from-file\n"), 0o600)
	cases := []struct {
		ref, want, wantErr string
	}{
		{"", "", ""},
		{"env:RUNFLOW_TEST_SECRET", "from-env", ""},
		{"env:RUNFLOW_TEST_EMPTY", "", "RUNFLOW_TEST_EMPTY, which is empty or not set"},
		{"file:" + file, "from-file", ""},
		{"file:" + file + ".missing", "", "client_secret file"},
	}
	for _, tc := range cases {
		// The profile file sits beside the secret.
		p := &auth.Profile{Name: "p", ClientID: "x", ClientSecret: tc.ref, Source: filepath.Join(filepath.Dir(file), "p.yaml")}
		got, err := p.Secret()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.ref, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v", tc.ref, got, err)
		}
	}
}

func TestLoadProfileByName(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	t.Setenv("AppData", home)
	dir, err := auth.ProfileDir()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := auth.LoadProfile(""); err != nil || p.Name != auth.SystemProfileName {
		t.Fatalf("default profile: %v %v", p, err)
	}
	if _, err := auth.LoadProfile("work"); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "work.yaml")) {
		t.Fatalf("missing profile: %v, want the path to create", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "work.yaml"), []byte("client_id: abc\ntenant: contoso.example\n"), 0o600)
	p, err := auth.LoadProfile("work")
	if err != nil || p.Name != "work" || p.Tenant != "contoso.example" {
		t.Fatalf("work profile: %+v %v", p, err)
	}
	_ = os.WriteFile(filepath.Join(dir, "misnamed.yaml"), []byte("name: other\nclient_id: abc\n"), 0o600)
	if _, err := auth.LoadProfile("misnamed"); err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Fatalf("misnamed profile: %v", err)
	}
	if _, err := auth.LoadProfile("../secrets"); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("path in a profile name: %v", err)
	}
}

func TestScopes(t *testing.T) {
	cases := []struct {
		granted, needed, missing []string
	}{
		{[]string{"User.Read"}, []string{"user.read"}, nil},
		{[]string{"https://graph.microsoft.com/Mail.Send"}, []string{"Mail.Send"}, nil},
		{[]string{"Calendars.ReadWrite"}, []string{"Calendars.Read", "Calendars.ReadBasic"}, nil},
		{[]string{"Mail.ReadWrite"}, []string{"Mail.Send"}, []string{"Mail.Send"}},
		{[]string{"User.Read"}, []string{"User.ReadBasic.All"}, []string{"User.ReadBasic.All"}},
		{[]string{"User.Read.All"}, []string{"User.Read"}, nil},
		{[]string{"Tasks.Read"}, []string{"Tasks.ReadWrite", "openid", "offline_access"}, []string{"Tasks.ReadWrite"}},
		{nil, []string{"Mail.Send", "mail.send"}, []string{"Mail.Send"}},
	}
	for _, tc := range cases {
		got := auth.MissingScopes(tc.granted, tc.needed)
		if strings.Join(got, ",") != strings.Join(tc.missing, ",") {
			t.Errorf("MissingScopes(%v, %v) = %v, want %v", tc.granted, tc.needed, got, tc.missing)
		}
	}
	if got := strings.Join(auth.ScopesFor([]string{"Mail.Send", "openid"}), " "); got != "Mail.Send openid offline_access profile" {
		t.Errorf("ScopesFor = %q", got)
	}
	if len(auth.DefaultScopes) != 10 {
		t.Errorf("DefaultScopes has %d scopes, the seed lists 10", len(auth.DefaultScopes))
	}
}
