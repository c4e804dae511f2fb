package graph

import (
	"net/url"
	"reflect"
	"testing"
)

// checkResolveAgrees resolves path and query both ways, by concatenation
// where resolve allows it and by parsing (resolveSlow), and fails when the
// URL, the parsed URL, the mailbox key or the error differ. It returns
// whether the concatenating path was taken.
func checkResolveAgrees(t *testing.T, c *Client, path string, query url.Values) (fast bool) {
	t.Helper()
	got, gotErr := c.resolve(path, query)
	want, wantErr := c.resolveSlow(path, query)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("resolve(%q, %v): error %v; the parsing path gives %v", path, query, gotErr, wantErr)
	}
	if gotErr != nil {
		return false
	}
	if got.target != want.target {
		t.Fatalf("resolve(%q, %v) = %q; the parsing path gives %q", path, query, got.target, want.target)
	}
	fast = got.u == nil
	u, err := got.parsed()
	if err != nil {
		t.Fatalf("resolve(%q, %v) built %q, which does not parse: %v", path, query, got.target, err)
	}
	if !reflect.DeepEqual(u, want.u) {
		t.Fatalf("resolve(%q, %v) parses to %#v; the parsing path gives %#v", path, query, u, want.u)
	}
	if fast {
		gotKey := mailboxRel(c.baseHost, got.rel, "alice")
		wantKey := mailboxKey(want.u.Host, want.u.EscapedPath(), c.basePath, "alice")
		if gotKey != wantKey {
			t.Fatalf("resolve(%q): mailbox %v; the parsing path gives %v", path, gotKey, wantKey)
		}
	}
	return fast
}

func TestResolveFastPathAgreesWithParsing(t *testing.T) {
	c, _ := newTestClient(t, "https://Graph.Example.com", nil)
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		path     string
		query    url.Values
		wantFast bool
	}{
		{"/me", nil, true},
		{"me", nil, true},
		{"/me", q("$select", "displayName,mail"), true},
		{"/me/events", q("$filter", "subject eq 'a b'", "$top", "5", "$select", "id"), true},
		{"/me/events", q("$orderby", "start/dateTime", "$orderby", "end/dateTime"), true},
		{"/me/events", url.Values{"$top": {}}, true}, // a name without values adds nothing
		{"/me/messages", q("$search", `"ümlaut & co"`, "x", "%+=?#/"), true},
		{"/users/Adele%40contoso.com/mailFolders/inbox/messages", nil, true},
		{"/users/a%2Fb/events", nil, true},
		{"/users/AdeleV@contoso.com/events", nil, true},
		{"/sites/root:/drive:/items", nil, true},
		{"/me/drive/root:/Budget%20(2026)!.xlsx:/content", nil, true},
		{"/me/events?$top=5&$select=id", nil, true},
		{"/me/events?$filter=start/dateTime%20ge%20'2026-01-01'", nil, true},
		{"/me/events?$skiptoken=abc%3D%3D", nil, true},
		// The parsing path: bytes to escape, queries to merge, odd forms.
		{"/me/events?$filter=subject eq 'x'", nil, false},
		{"/me/events?$top=5", q("$select", "id"), false},
		{"/me/events?", nil, false},
		{"/me/events?a=100%", nil, false},
		{"/users/ümlaut/events", nil, false},
		{"/users/a b/events", nil, false},
		{"/me/drive/root:/Budget (2026).xlsx:/content", nil, false},
		{"/users/{id}/events", nil, false},
		{"/me/events|x", nil, false},
		{"https://graph.example.com/v1.0/me?$top=1", nil, false},
		{"HTTPS://graph.example.com/v1.0/me", q("$top", "1"), false},
		// Refused either way, with the same message.
		{"/me//events", nil, false},
		{"/me/../users", nil, false},
		{"/me/./x", nil, false},
		{"/me/", nil, false},
		{"/me/%zz", nil, false},
		{"/me#frag", nil, false},
		{"ftp://example.com/x", nil, false},
		{"https://evil.example.com/v1.0/me", nil, false},
	}
	for _, tt := range tests {
		if fast := checkResolveAgrees(t, c, tt.path, tt.query); fast != tt.wantFast {
			t.Errorf("resolve(%q, %v): concatenated = %v; want %v", tt.path, tt.query, fast, tt.wantFast)
		}
	}
}

// FuzzResolve: for any path and query, building the URL by concatenation
// gives exactly what parsing gives (or the same error). Seeds:
// testdata/fuzz/FuzzResolve.
func FuzzResolve(f *testing.F) {
	f.Add("/me", "$select", "displayName,mail")
	f.Add("/users/a%2Fb/events?$top=5", "", "")
	f.Add("/me/events?$filter=subject eq 'x'", "$top", "5")
	f.Add("/sites/root:/drive:/items/x!y", "a b", "c&d=e")
	f.Fuzz(func(t *testing.T, path, key, value string) {
		c, _ := newTestClient(t, "https://graph.example.com", nil)
		var query url.Values
		if key != "" {
			query = url.Values{key: {value}}
		}
		checkResolveAgrees(t, c, path, query)
	})
}
