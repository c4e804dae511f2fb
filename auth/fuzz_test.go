package auth_test

import (
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
)

// FuzzParseProfile: any input either parses into a valid profile whose
// secret is a reference, or fails with an error that does not repeat the
// client_secret value.
func FuzzParseProfile(f *testing.F) {
	f.Add([]byte("client_id: abc\n"))
	f.Add([]byte("name: c\nclient_id: x\nclient_secret: env:SECRET\ntenant: contoso.example\nscopes: [User.Read]\n"))
	f.Add([]byte("client_id: x\nclient_secret: literal-value\n"))
	f.Add([]byte("client_id: x\ntoken_url: http://example.com/t\n"))
	f.Add([]byte("- a\n"))
	f.Add([]byte("client_id: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := auth.ParseProfile(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if verr := p.Validate(); verr != nil {
			t.Fatalf("parsed profile does not validate: %v", verr)
		}
		if s := p.ClientSecret; s != "" && !strings.HasPrefix(s, "env:") && !strings.HasPrefix(s, "file:") {
			t.Fatalf("literal secret accepted")
		}
		_ = p.Endpoints()
	})
}
