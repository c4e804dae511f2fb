package flowtest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// serverCase decodes the graph section of a small flow test.
func serverCase(t *testing.T, graphYAML string) []Exchange {
	t.Helper()
	c, err := Parse("server.flow.yaml", []byte("template: x\nexpect: {status: completed}\ngraph:\n"+graphYAML))
	if err != nil {
		t.Fatal(err)
	}
	return c.Graph
}

const twoExchanges = `
  - request:
      method: POST
      path: /me/todo/lists
      query: {$select: id}
      headers: {Prefer: return=representation}
      body: {displayName: Groceries, tags: [a, 1]}
    response:
      status: 201
      headers: {ETag: W/"1"}
      body: {id: L1, next: "{{base_url}}/me/todo/lists?$skiptoken=2"}
  - request: {method: DELETE, path: /me/todo/lists/a%2Fb, body: null}
    response: {status: 204}
`

type sent struct {
	method, path, body string
	header             map[string]string
}

func TestFakeGraphPlaysExchangesAndRecordsMismatches(t *testing.T) {
	tests := []struct {
		name     string
		requests []sent
		want     []string // failure lines, "where: message"
	}{
		{
			name: "all as expected",
			requests: []sent{
				{method: "POST", path: "/me/todo/lists?$select=id&$top=5", body: `{"tags":["a",1.0],"displayName":"Groceries"}`, header: map[string]string{"Prefer": "return=representation"}},
				{method: "DELETE", path: "/me/todo/lists/a%2Fb"},
			},
		},
		{
			name: "wrong method, path, query, header and body",
			requests: []sent{
				{method: "PATCH", path: "/me/todo/list?$select=name", body: `{"displayName":" Groceries","tags":["a"],"extra":true}`},
				{method: "DELETE", path: "/me/todo/lists/a/b", body: `{}`},
			},
			want: []string{
				"graph[0]: request PATCH /me/todo/list?$select=name differs from the expected POST /me/todo/lists:\n" +
					"method: expected POST, got PATCH\n" +
					"path: expected \"/me/todo/lists\", got \"/me/todo/list\"\n" +
					"query $select: expected \"id\", got \"name\"\n" +
					"header Prefer: missing, expected \"return=representation\"\n" +
					"body.displayName: expected \"Groceries\", got \" Groceries\"\n" +
					"body.tags: expected 2 items, got 1: [\"a\"]\n" +
					"body.extra: not expected, got true",
				"graph[1]: request DELETE /me/todo/lists/a/b differs from the expected DELETE /me/todo/lists/a%2Fb:\n" +
					"path: expected \"/me/todo/lists/a%2Fb\", got \"/me/todo/lists/a/b\"\n" +
					"body: expected no body, got {}",
			},
		},
		{
			name: "body that is not JSON, then unexpected requests",
			requests: []sent{
				{method: "POST", path: "/me/todo/lists?$select=id", body: `displayName=x`, header: map[string]string{"Prefer": "return=representation"}},
				{method: "DELETE", path: "/me/todo/lists/a%2Fb"},
				{method: "GET", path: "/me/events?$top=1"},
			},
			want: []string{
				"graph[0]: request POST /me/todo/lists?$select=id differs from the expected POST /me/todo/lists:\n" +
					"body: expected JSON {\"displayName\":\"Groceries\",\"tags\":[\"a\",1]}, got text that is not JSON (invalid character 'd' looking for beginning of value): \"displayName=x\"",
				"graph: unexpected request #3: GET /me/events?$top=1\n" +
					"the file declares 2 exchange(s), all already played; add an exchange for this request or fix the flow",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			g := newFakeGraph(serverCase(t, twoExchanges), "tok-1", DefaultNow, rec)
			defer g.Close()
			for i, s := range tt.requests {
				var body io.Reader
				if s.body != "" {
					body = strings.NewReader(s.body)
				}
				req, err := http.NewRequest(s.method, g.BaseURL()+s.path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer tok-1")
				for k, v := range s.header {
					req.Header.Set(k, v)
				}
				resp, err := g.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch i {
				case 0:
					if resp.StatusCode != 201 || resp.Header.Get("ETag") != `W/"1"` || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Date") != "Mon, 15 Jun 2026 09:00:00 GMT" {
						t.Errorf("response 0: status %d, headers %v", resp.StatusCode, resp.Header)
					}
					want := `{"id":"L1","next":"` + g.BaseURL() + `/me/todo/lists?$skiptoken=2"}`
					if string(data) != want {
						t.Errorf("response 0 body:\n got %s\nwant %s", data, want)
					}
				case 1:
					if resp.StatusCode != 204 || len(data) != 0 {
						t.Errorf("response 1: status %d, body %q", resp.StatusCode, data)
					}
				default:
					if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(data), "flowtest.unexpectedRequest") {
						t.Errorf("unexpected request answered %d %s", resp.StatusCode, data)
					}
				}
			}
			var got []string
			for _, f := range rec.list() {
				got = append(got, f.Where+": "+f.Message)
			}
			if strings.Join(got, "\n\n") != strings.Join(tt.want, "\n\n") {
				t.Errorf("failures:\n%s\n\nwant:\n%s", strings.Join(got, "\n\n"), strings.Join(tt.want, "\n\n"))
			}
			played, served := g.counts()
			if served != len(tt.requests) || played != min(len(tt.requests), 2) {
				t.Errorf("counts: played %d, served %d", played, served)
			}
		})
	}
}

func TestFakeGraphChecksTheToken(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "Authorization: missing, expected the token from the auth provider"},
		{"Bearer other-secret", "Authorization: not the token from the auth provider (value not shown)"},
	} {
		rec := &recorder{}
		g := newFakeGraph(serverCase(t, "  - request: {method: GET, path: /me}\n    response: {body: {}}\n"), "tok-1", DefaultNow, rec)
		req, _ := http.NewRequest("GET", g.BaseURL()+"/me", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := g.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		g.Close()
		f := rec.list()
		if len(f) != 1 || !strings.HasSuffix(f[0].Message, "\n"+tc.want) {
			t.Errorf("header %q: failures %+v, want one ending with %q", tc.header, f, tc.want)
		}
		if strings.Contains(f[0].Message, "other-secret") {
			t.Errorf("the failure shows the token: %q", f[0].Message)
		}
	}
}
