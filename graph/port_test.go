package graph

import (
	"testing"
)

// A URL may receive the token only with the base URL's scheme, host and
// effective port (or an allowed host's): ":443" is the default port of
// https only, so with a plain-http root on port 80 (allowed on loopback),
// http://127.0.0.1:443 is another server.
func TestSchemeHostAndPortAreCompared(t *testing.T) {
	for _, c := range []struct {
		base, url string
		allowed   []string
		ok        bool
	}{
		{"http://127.0.0.1/v1.0", "http://127.0.0.1:443/v1.0/me", nil, false},
		{"http://127.0.0.1/v1.0", "http://127.0.0.1:80/v1.0/me", nil, true},
		{"http://127.0.0.1/v1.0", "http://127.0.0.1/v1.0/me", nil, true},
		{"http://127.0.0.1/v1.0", "https://127.0.0.1/v1.0/me", nil, false},
		{"http://127.0.0.1:80/v1.0", "http://127.0.0.1/v1.0/me", nil, true},
		{"http://127.0.0.1:8080/v1.0", "https://127.0.0.1:8080/v1.0/me", nil, false},
		{"http://127.0.0.1:8080/v1.0", "http://127.0.0.1/v1.0/me", nil, false},
		{"http://[::1]:8080/v1.0", "http://[::1]:8080/v1.0/me", nil, true},
		{"http://[::1]:8080/v1.0", "http://[::1]:8081/v1.0/me", nil, false},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.com:443/v1.0/me", nil, true},
		{"https://graph.microsoft.com:443/v1.0", "https://graph.microsoft.com/v1.0/me", nil, true},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.com:8443/v1.0/me", nil, false},
		{"https://graph.microsoft.com/v1.0", "http://graph.microsoft.com:443/v1.0/me", nil, false},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.us:443/v1.0/me", []string{"graph.microsoft.us"}, true},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.us:444/v1.0/me", []string{"graph.microsoft.us"}, false},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.us:8443/v1.0/me", []string{"graph.microsoft.us:8443"}, true},
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.us/v1.0/me", []string{"graph.microsoft.us:8443"}, false},
		{"http://127.0.0.1:8080/v1.0", "http://127.0.0.2:443/v1.0/me", []string{"127.0.0.2:443"}, true},
		{"http://127.0.0.1:8080/v1.0", "http://127.0.0.2/v1.0/me", []string{"127.0.0.2:443"}, false},
	} {
		t.Run(c.base+" "+c.url, func(t *testing.T) {
			cl, err := New(Config{BaseURL: c.base, Auth: &countingProvider{tokens: []string{"x"}}, AllowedHosts: c.allowed})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.ResolveURL(c.url, nil)
			if (err == nil) != c.ok {
				t.Errorf("ResolveURL: error %v, want allowed=%v", err, c.ok)
			}
		})
	}
}
